//! Input bounds: a NUL character, an over-long string or an over-long list
//! in any argument is `BAD_USER_INPUT` naming the field (never `INTERNAL`),
//! on both engines; a refused mutation changes nothing; LIKE wildcards in a
//! search match only themselves.

use serde_json::{json, Value};

use crate::helpers::{engines, error_code, TestApp};

/// Each probe: a query with one variable `$v`, the value that breaks it, and the field the error names.
fn probes(bad: &str) -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("query($v: String!) { region(code: $v) { code } }", json!(bad), "region.code"),
        ("query($v: String!) { agency(code: $v) { code } }", json!(bad), "agency.code"),
        ("query($v: String) { regions(search: $v) { code } }", json!(bad), "regions.search"),
        ("query($v: String!) { case(number: $v) { number } }", json!(bad), "case.number"),
        ("query($v: String!) { officialByNip(nip: $v) { fullName } }", json!(bad), "officialByNip.nip"),
        ("query($v: CaseFilter) { cases(filter: $v) { totalCount } }", json!({ "number": bad }), "cases.filter.number"),
        (
            "query($v: OfficialFilter) { officials(filter: $v) { totalCount } }",
            json!({ "name": bad }),
            "officials.filter.name",
        ),
        (
            "query($v: CaseFilter) { statistics(filter: $v, groupBy: [STATUS]) { total } }",
            json!({ "number": bad }),
            "statistics.filter.number",
        ),
        (
            "query($v: AuditEventFilter) { auditEvents(filter: $v) { totalCount } }",
            json!({ "subject": bad }),
            "auditEvents.filter.subject",
        ),
        (
            "query($v: AuditEventFilter) { auditEvents(filter: $v) { totalCount } }",
            json!({ "caseNumber": bad }),
            "auditEvents.filter.caseNumber",
        ),
        ("query($v: String) { cases(after: $v) { totalCount } }", json!(bad), "cases.after"),
    ]
}

async fn assert_bad_input(app: &TestApp, token: &str, query: &str, value: Value, field: &str) {
    let (_, body) = app.gql(Some(token), query, json!({ "v": value })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{:?} {query}: {body}", app.engine);
    assert_eq!(body["errors"][0]["extensions"]["field"], field, "{:?}: {body}", app.engine);
}

#[tokio::test]
async fn a_nul_character_in_any_string_argument_is_bad_user_input() {
    for app in TestApp::demo_on_each_engine().await {
        let auditor = app.token_with("BAWASLU", &["read", "audit"]);
        for (query, value, field) in probes("16\u{0}73") {
            assert_bad_input(&app, &auditor, query, value, field).await;
        }
        // A literal carries the NUL as well as a variable does.
        let (_, body) = app.gql(Some(&auditor), r#"{ region(code: "16\u0000") { code } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "region.code", "{body}");
        // The same queries without the NUL answer.
        let data = app
            .data_as(Some("BAWASLU"), "query($v: String!) { region(code: $v) { code } }", json!({ "v": "16.73" }))
            .await;
        assert_eq!(data["region"]["code"], "16.73");
    }
}

#[tokio::test]
async fn over_long_strings_are_bad_user_input_naming_the_field() {
    for app in TestApp::demo_on_each_engine().await {
        let auditor = app.token_with("BAWASLU", &["read", "audit"]);
        let long = "a".repeat(50 * 1024);
        for (query, value, field) in probes(&long) {
            assert_bad_input(&app, &auditor, query, value, field).await;
        }
        let at_limit = "a".repeat(netra::graphql::input::MAX_TEXT_CHARS);
        let data = app
            .data_as(
                Some("BAWASLU"),
                "query($v: OfficialFilter) { officials(filter: $v) { totalCount } }",
                json!({ "v": { "name": at_limit } }),
            )
            .await;
        assert_eq!(data["officials"]["totalCount"], 0, "a name at the limit is searched");
    }
}

#[tokio::test]
async fn over_long_lists_are_bad_user_input_naming_the_field() {
    for app in TestApp::demo_on_each_engine().await {
        let q = "query($v: CaseFilter) { cases(filter: $v) { totalCount } }";
        for n in [40_000, 70_000] {
            let states = vec!["RECEIVED"; n];
            assert_bad_input(&app, &app.token("BAWASLU"), q, json!({ "states": states }), "cases.filter.states").await;
        }
        let states = vec!["RECEIVED"; netra::graphql::input::MAX_LIST_ITEMS];
        let data = app.data_as(Some("BAWASLU"), q, json!({ "v": { "states": states } })).await;
        assert!(data["cases"]["totalCount"].is_number(), "{data}");
    }
}

#[tokio::test]
async fn a_refused_mutation_input_changes_nothing() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "write"]);
        let before = app.count("SELECT COUNT(*) FROM \"case\"").await;
        let q = "mutation($v: ReceiveCaseInput!) { receiveCase(input: $v) { case { number } } }";
        let input = json!({ "source": "TEMUAN", "placeCode": "16.73.01", "electionRegionCode": "16.73",
            "occurredOn": "2024-10-01", "knownOn": "2024-10-01", "receivedOn": "2024-10-02", "summary": "NUL \u{0} inside",
            "allegations": [] });
        let (_, body) = app.gql(Some(&token), q, json!({ "v": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "receiveCase.input.summary");
        assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, before);
    }
}

#[tokio::test]
async fn like_wildcards_in_searches_match_only_themselves() {
    for app in TestApp::demo_on_each_engine().await {
        let officials = "query($n: String) { officials(filter: { name: $n }) { totalCount } }";
        let all = app.data_as(Some("BAWASLU"), "{ officials { totalCount } }", json!({})).await;
        assert!(all["officials"]["totalCount"].as_i64().unwrap() > 0);
        for wildcard in ["%", "_", "%%", "\\"] {
            let data = app.data_as(Some("BAWASLU"), officials, json!({ "n": wildcard })).await;
            assert_eq!(data["officials"]["totalCount"], 0, "{:?}: `{wildcard}` matched", app.engine);
        }
        let regions = "query($s: String) { regions(search: $s) { code } }";
        for wildcard in ["_", "%", "lubuk%"] {
            let data = app.data_as(None, regions, json!({ "s": wildcard })).await;
            assert_eq!(data["regions"], json!([]), "{:?}: `{wildcard}` matched", app.engine);
        }
        let data = app.data_as(None, regions, json!({ "s": "lubuk" })).await;
        assert!(!data["regions"].as_array().unwrap().is_empty(), "a plain search still matches");
    }
}
