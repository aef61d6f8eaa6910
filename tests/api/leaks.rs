//! Nothing given away by errors: "did you mean" names only fields of the
//! caller's role schema, a hidden field and a field that does not exist get
//! the same error byte for byte, and directives per field are bounded.

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
