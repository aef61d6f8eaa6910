//! Nothing given away by errors: "did you mean" names only fields of the
//! caller's role schema, a hidden field and a field that does not exist get
//! the same error byte for byte (and so do a hidden type and a type that does
//! not exist), directives per field are bounded, and so is the expansion of
//! fragments.

use serde_json::{json, Value};

use crate::helpers::{engines, error_code, TestApp};

/// The errors of `query` as `token`'s caller, as JSON text.
async fn errors(app: &TestApp, token: Option<&str>, query: &str) -> Value {
    let (_, body) = app.gql(token, query, json!({})).await;
    assert!(body.get("errors").is_some(), "{query}: no error in {body}");
    body["errors"].clone()
}

#[tokio::test]
async fn suggestions_never_name_a_field_outside_the_callers_schema() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let q = "{ cases { edges { node { reportr { name } } } } }";
        for agency in ["INSPEKTORAT-16.73", "PEMDA-16.73", "BKN", "POLRI", "KEMENDAGRI"] {
            let errs = errors(&app, Some(&app.token(agency)), q).await;
            assert!(!errs.to_string().contains("\\\"reporter\\\""), "{engine:?} {agency}: {errs}");
            assert_eq!(errs[0]["extensions"]["code"], "BAD_USER_INPUT");
        }
        // Bawaslu has the field, and is told about it.
        let errs = errors(&app, Some(&app.token("BAWASLU-16.73")), q).await;
        assert!(errs[0]["message"].as_str().unwrap().contains("Did you mean \"reporter\"?"), "{errs}");

        let q = "{ auditEvent { totalCount } }";
        for token in [app.token("BAWASLU"), app.token("BAWASLU-16"), app.token_with("BAWASLU-16", &["read", "audit"])] {
            let errs = errors(&app, Some(&token), q).await;
            assert!(!errs.to_string().contains("auditEvents"), "{engine:?}: {errs}");
        }
        let auditor = app.token_with("BAWASLU", &["read", "audit"]);
        let errs = errors(&app, Some(&auditor), q).await;
        assert!(errs[0]["message"].as_str().unwrap().contains("\"auditEvents\""), "{errs}");
    }
}

#[tokio::test]
async fn a_hidden_field_and_a_missing_field_get_byte_identical_errors() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        // Same length, same place: only the name differs.
        let probes = [
            (None, "{ officials { nodes { nip } } }", "nip", "zzq"),
            (None, "{ statistics { total } }", "statistics", "zzqzzqzzqz"),
            (
                Some(app.token("INSPEKTORAT-16.73")),
                "{ cases { edges { node { reporter { name } } } } }",
                "reporter",
                "zzqzzqzz",
            ),
            (Some(app.token("BAWASLU-16")), "{ auditEvents { totalCount } }", "auditEvents", "zzqzzqzzqzz"),
        ];
        for (token, query, hidden, missing) in probes {
            let hidden_err = errors(&app, token.as_deref(), query).await.to_string();
            let missing_err = errors(&app, token.as_deref(), &query.replace(hidden, missing)).await.to_string();
            assert_eq!(hidden_err.replace(hidden, missing), missing_err, "{engine:?}: {query}");
            assert!(!hidden_err.contains("\"field\""), "no `extensions.field` tells them apart: {hidden_err}");
        }
        // The field is there for a role that may see it.
        let data = app.data_as(Some("BAWASLU"), "{ officials { nodes { nip } } }", json!({})).await;
        assert!(data["officials"]["nodes"].is_array(), "{data}");
    }
}

#[tokio::test]
async fn directives_on_one_field_are_bounded() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let many = format!("{{ __typename {} }}", "@include(if: true) ".repeat(5000));
        let (_, body) = app.gql(None, &many, json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{engine:?}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("directives"), "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "nothing ran: {body}");
        let few = "{ __typename @include(if: true) @skip(if: false) }";
        let (_, body) = app.gql(None, few, json!({})).await;
        assert_eq!(body["data"]["__typename"], "Query", "{body}");
    }
}

#[tokio::test]
async fn a_type_outside_the_callers_schema_looks_exactly_like_a_type_that_does_not_exist() {
    // Type conditions (used, inline, unused) and variable types: every place
    // a document can name a type.
    let shapes = [
        "query { __typename ...X } fragment X on T { id }",
        "query { __typename ... on T { id } }",
        "query { __typename } fragment X on T { id }",
        "query($x: T) { __typename }",
        "query($x: [T!]!) { __typename }",
    ];
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let probes = [
            (None, "Reporter", "Zzqzzqzz"),
            (Some(app.token("INSPEKTORAT-16.73")), "Reporter", "Zzqzzqzz"),
            (Some(app.token("BAWASLU-16")), "AuditEvent", "Zzqzzqzzqz"),
            (Some(app.token("BAWASLU-16")), "AuditEventFilter", "Zzqzzqzzqzzqzzqz"),
        ];
        for (token, hidden, missing) in &probes {
            for shape in shapes {
                let hidden_err = errors(&app, token.as_deref(), &shape.replace(" T", &format!(" {hidden}"))).await;
                let missing_err = errors(&app, token.as_deref(), &shape.replace(" T", &format!(" {missing}"))).await;
                assert_eq!(
                    hidden_err.to_string().replace(hidden, missing),
                    missing_err.to_string(),
                    "{engine:?} {hidden} in {shape}"
                );
                assert!(hidden_err[0]["message"].as_str().unwrap().starts_with("Unknown type"), "{hidden_err}");
            }
        }
        // A role whose schema has the type is told what is really wrong.
        let errs =
            errors(&app, Some(&app.token("BAWASLU-16.73")), "query { __typename ... on Reporter { name } }").await;
        assert!(errs[0]["message"].as_str().unwrap().contains("can never be of type \"Reporter\""), "{errs}");
        let auditor = app.token_with("BAWASLU", &["read", "audit"]);
        let (_, body) = app
            .gql(
                Some(&auditor),
                "query($f: AuditEventFilter) { auditEvents(filter: $f, first: 1) { totalCount } }",
                json!({ "f": {} }),
            )
            .await;
        assert!(body.get("errors").is_none(), "the auditor's schema has AuditEventFilter: {body}");
    }
}

/// `{ ...F<n> }` where each fragment spreads the one below twice: 2^n
/// selections of `publications` from a document of a few hundred bytes.
fn doubling(n: usize) -> String {
    let mut doc = format!("{{ ...F{n} }}\nfragment F0 on Query {{ publications {{ totalCount }} }}\n");
    for i in 1..=n {
        doc.push_str(&format!("fragment F{i} on Query {{ ...F{p} ...F{p} }}\n", p = i - 1));
    }
    doc
}

#[tokio::test]
async fn fragments_that_expand_exponentially_are_refused_before_anything_walks_them() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        // 2^40 selections: refused at once, before async-graphql's own checks walk it.
        let errs = errors(&app, None, &doubling(40)).await;
        assert_eq!(error_code(&json!({ "errors": errs })), "BAD_USER_INPUT");
        let message = errs[0]["message"].as_str().unwrap();
        assert!(message.contains("field selections through its fragments") && message.contains("1000"), "{message}");
        // A modest use of the same shape runs.
        let (_, body) = app.gql(None, &doubling(4), json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert!(body["data"]["publications"]["totalCount"].is_number(), "{body}");
    }
}
