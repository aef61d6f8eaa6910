//! Errors carry a stable `extensions.code`, and an internal error never shows
//! SQL, table names or paths.

use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{error_code, Engine, TestApp};

#[tokio::test]
async fn an_internal_error_is_generic_and_coded() {
    for engine in crate::helpers::engines() {
        let app = TestApp::with_demo(engine).await;
        let q = "{ cases(first: 5) { edges { node { number timeline { action } } } } }";
        let token = app.token("BAWASLU");
        let (_, before) = app.gql(Some(&token), q, json!({})).await;
        assert!(before.get("errors").is_none(), "works before the fault: {before}");
        // Break the storage under the running app.
        let drop = if engine == Engine::Postgres { "DROP TABLE case_event CASCADE" } else { "DROP TABLE case_event" };
        app.db.execute_unprepared(drop).await.unwrap();
        let (_, body) = app.gql(Some(&token), q, json!({})).await;
        assert_eq!(error_code(&body), "INTERNAL", "{body}");
        let text = body["errors"].to_string().to_lowercase();
        for leak in ["case_event", "select", "sqlite", "postgres", "no such table", "relation", "/src/", ".rs"] {
            assert!(!text.contains(leak), "{engine:?}: error leaks `{leak}`: {text}");
        }
    }
}

#[tokio::test]
async fn syntax_and_validation_errors_are_bad_user_input() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    for q in ["{ cases { ", "{ noSuchField }", "{ cases(first: \"ten\") { totalCount } }"] {
        let (_, body) = app.gql(None, q, json!({})).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{q}: {body}");
    }
    let (_, ok) = app.gql(None, "{ regions { code } }", json!({})).await;
    assert!(ok.get("errors").is_none());
}

#[tokio::test]
async fn a_malformed_nip_is_bad_user_input_naming_the_field() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let token = app.token("BAWASLU");
    let (_, body) = app.gql(Some(&token), "{ officialByNip(nip: \"12345\") { fullName } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "nip");
}

#[tokio::test]
async fn queries_deeper_than_the_limit_are_refused() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_depth = 5).await;
    let deep = "{ regions { children { children { children { children { children { code } } } } } } }";
    let (_, body) = app.gql(None, deep, json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let (_, ok) = app.gql(None, "{ regions { children { code } } }", json!({})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
}
