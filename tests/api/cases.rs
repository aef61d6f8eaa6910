//! The case list: filters, ordering, pagination and input validation.

use serde_json::{json, Value};

use crate::helpers::{error_code, numbers, TestApp};

const LIST: &str = "query($f: CaseFilter, $first: Int, $after: String, $o: CaseOrder) { \
    cases(filter: $f, first: $first, after: $after, orderBy: $o) { totalCount \
    edges { cursor node { number state source receivedOn region { code } allegations { violationCode official { subjectKind } } } } \
    pageInfo { hasNextPage endCursor } } }";

async fn list(app: &TestApp, agency: &str, vars: Value) -> Value {
    app.data_as(Some(agency), LIST, vars).await
}

#[tokio::test]
async fn paging_with_cursors_visits_every_case_once_in_order() {
    for app in TestApp::demo_on_each_engine().await {
        for order in ["RECEIVED_ON_DESC", "RECEIVED_ON_ASC", "NUMBER_ASC", "UPDATED_AT_DESC"] {
            let mut seen = Vec::new();
            let mut after = Value::Null;
            let total = loop {
                let data = list(&app, "BAWASLU", json!({ "first": 7, "after": after, "o": order })).await;
                let conn = &data["cases"];
                for e in conn["edges"].as_array().unwrap() {
                    seen.push((
                        e["node"]["receivedOn"].as_str().unwrap().to_owned(),
                        e["node"]["number"].as_str().unwrap().to_owned(),
                    ));
                }
                if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                    break conn["totalCount"].as_u64().unwrap();
                }
                after = conn["pageInfo"]["endCursor"].clone();
            };
            assert_eq!(seen.len() as u64, total, "{order}");
            let mut unique: Vec<_> = seen.iter().map(|s| s.1.clone()).collect();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), seen.len(), "{order}: no case twice");
            let keys: Vec<&str> =
                seen.iter().map(|s| if order.starts_with("NUMBER") { s.1.as_str() } else { s.0.as_str() }).collect();
            let mut sorted = keys.clone();
            sorted.sort();
            if order.ends_with("DESC") && order.starts_with("RECEIVED") {
                sorted.reverse();
            }
            if order != "UPDATED_AT_DESC" {
                assert_eq!(keys, sorted, "{order}: in order");
            }
        }
    }
}

#[tokio::test]
async fn filters_narrow_the_list_and_agree_with_the_database() {
    for app in TestApp::demo_on_each_engine().await {
        let by_state = list(&app, "BAWASLU", json!({ "f": { "states": ["CLOSED"] }, "first": 100 })).await;
        let closed = app.strings("SELECT number FROM \"case\" WHERE state = 'CLOSED'").await;
        assert!(!closed.is_empty());
        let mut expected = closed.clone();
        expected.sort();
        assert_eq!(numbers(&by_state), expected);

        let by_region = list(&app, "BAWASLU", json!({ "f": { "regionCode": "16.71" }, "first": 100 })).await;
        assert!(by_region["cases"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["region"]["code"].as_str().unwrap().starts_with("16.71")));
        assert_eq!(
            by_region["cases"]["totalCount"].as_i64().unwrap(),
            app.count("SELECT COUNT(*) FROM \"case\" WHERE regency_code = '16.71'").await
        );

        let by_source = list(&app, "BAWASLU", json!({ "f": { "source": "LAPORAN" }, "first": 100 })).await;
        assert!(by_source["cases"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["source"] == "LAPORAN"));
        assert_eq!(
            by_source["cases"]["totalCount"].as_i64().unwrap(),
            app.count("SELECT COUNT(*) FROM \"case\" WHERE source = 'LAPORAN'").await
        );

        let code = app.strings("SELECT violation_code FROM allegation ORDER BY id LIMIT 1").await.remove(0);
        let by_act = list(&app, "BAWASLU", json!({ "f": { "violationCodes": [code] }, "first": 100 })).await;
        let edges = by_act["cases"]["edges"].as_array().unwrap();
        assert!(!edges.is_empty());
        assert!(edges.iter().all(|e| e["node"]["allegations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["violationCode"] == code.as_str())));

        let by_kind = list(&app, "BAWASLU", json!({ "f": { "subjectKinds": ["VILLAGE_HEAD"] }, "first": 100 })).await;
        let edges = by_kind["cases"]["edges"].as_array().unwrap();
        assert!(!edges.is_empty());
        assert!(edges.iter().all(|e| e["node"]["allegations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["official"]["subjectKind"] == "VILLAGE_HEAD")));

        let by_date = list(
            &app,
            "BAWASLU",
            json!({ "f": { "receivedFrom": "2024-10-01", "receivedTo": "2024-10-31" }, "first": 100 }),
        )
        .await;
        let edges = by_date["cases"]["edges"].as_array().unwrap();
        assert!(!edges.is_empty());
        assert!(edges.iter().all(|e| {
            let d = e["node"]["receivedOn"].as_str().unwrap();
            ("2024-10-01"..="2024-10-31").contains(&d)
        }));

        let one = expected[0].clone();
        let by_number = list(&app, "BAWASLU", json!({ "f": { "number": one } })).await;
        assert_eq!(numbers(&by_number), vec![one]);

        // Filters combine with the scope: Lampung asking for Palembang gets nothing.
        let crossed = list(&app, "BAWASLU-18", json!({ "f": { "regionCode": "16.71" } })).await;
        assert_eq!(crossed["cases"]["totalCount"], 0);
    }
}

#[tokio::test]
async fn bad_list_input_is_rejected_with_bad_user_input() {
    for app in TestApp::demo_on_each_engine().await {
        let token = app.token("BAWASLU");
        let cases = [
            json!({ "first": 1000 }),
            json!({ "first": -1 }),
            json!({ "after": "not-a-cursor" }),
            json!({ "f": { "regionCode": "16.7" } }),
            json!({ "f": { "receivedFrom": "2024-12-01", "receivedTo": "2024-01-01" } }),
            json!({ "f": { "states": ["NO_SUCH_STATE"] } }),
        ];
        for vars in cases {
            let (_, body) = app.gql(Some(&token), LIST, vars.clone()).await;
            assert_eq!(error_code(&body), "BAD_USER_INPUT", "{vars}: {body}");
            assert!(body["data"].is_null() || body["data"]["cases"].is_null(), "{vars}");
        }
        // A cursor of one ordering is refused by another.
        let data = list(&app, "BAWASLU", json!({ "first": 2, "o": "NUMBER_ASC" })).await;
        let cursor = data["cases"]["pageInfo"]["endCursor"].clone();
        let (_, body) = app.gql(Some(&token), LIST, json!({ "after": cursor, "o": "RECEIVED_ON_ASC" })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        // The largest allowed page works.
        let ok = list(&app, "BAWASLU", json!({ "first": 100 })).await;
        assert!(ok["cases"]["totalCount"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn a_case_exposes_its_nested_history() {
    for app in TestApp::demo_on_each_engine().await {
        let number = app
            .strings("SELECT number FROM \"case\" WHERE state = 'CLOSED' AND closure_reason = 'SANCTION_EXECUTED' ORDER BY number LIMIT 1")
            .await
            .remove(0);
        let q =
            "query($n: String!) { case(number: $n) { number state closureReason classification election { kind name } \
                 handlingAgency { code } evidence { kind sha256 } sanctions { sanctionCode severity decreeNumber } \
                 timeline { action fromState toState actorAgency { code } } \
                 allegations { violationCode phase official { fullName } forwardings { letterNumber to { code } \
                 decisions { kind outcome sanctionCode executionChecks { status } } } } } }";
        let data = app.data_as(Some("BAWASLU"), q, json!({ "n": number })).await;
        let case = &data["case"];
        assert_eq!(case["state"], "CLOSED");
        assert_eq!(case["classification"], "PERUNDANGAN_LAINNYA");
        let timeline = case["timeline"].as_array().unwrap();
        assert_eq!(timeline.first().unwrap()["action"], "RECEIVE");
        assert_eq!(timeline.last().unwrap()["toState"], "CLOSED");
        for pair in timeline.windows(2) {
            assert_eq!(pair[0]["toState"], pair[1]["fromState"], "the timeline is a chain");
        }
        assert!(!case["sanctions"].as_array().unwrap().is_empty());
        let fwd = &case["allegations"][0]["forwardings"][0];
        assert!(fwd["letterNumber"].is_string());
        let checks: Vec<&Value> = fwd["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["executionChecks"].as_array().unwrap())
            .collect();
        assert!(checks.iter().any(|c| c["status"] == "DONE"));
    }
}
