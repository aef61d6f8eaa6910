//! Query limits, each with a clear error code: depth, complexity, page size
//! (in cases.rs), aliases, root fields, body size (in http.rs), batches;
//! introspection and suggestions for anonymous callers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use netra::config::Introspection;
use serde_json::json;

use crate::helpers::{error_code, Engine, TestApp};

#[tokio::test]
async fn too_many_aliases_or_root_fields_are_refused() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| {
        c.max_aliases = 3;
        c.max_root_fields = 2;
    })
    .await;
    let (_, body) = app.gql(None, "{ a: regions { code } b: regions { code } }", json!({})).await;
    assert!(body.get("errors").is_none(), "two aliased roots are fine: {body}");
    let (_, body) = app.gql(None, "{ a: regions { code } b: regions { c: code d: code } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("aliases"), "{body}");
    assert!(body["data"].is_null());
    let (_, body) = app.gql(None, "{ regions { code } agencies { code } elections { name } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("root fields"), "{body}");
}

#[tokio::test]
async fn queries_more_complex_than_the_limit_are_refused() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.max_complexity = 5).await;
    let (_, body) =
        app.gql(None, "{ regions { code name kind level children { code name kind level } } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    let (_, body) = app.gql(None, "{ regions { code } }", json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn batched_operations_are_refused() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let batch = json!([{ "query": "{ regions { code } }" }, { "query": "{ agencies { code } }" }]).to_string();
    let req = Request::post("/graphql").header("content-type", "application/json").body(Body::from(batch)).unwrap();
    let (status, _) = app.send(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn introspection_can_be_limited_to_authenticated_callers() {
    let q = "{ __schema { queryType { name } } }";
    let open = TestApp::spawn(Engine::Sqlite).await;
    let (_, body) = open.gql(None, q, json!({})).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query", "development default: introspection for all");

    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.introspection = Introspection::Authenticated).await;
    let (_, anon) = app.gql(None, q, json!({})).await;
    assert!(
        anon["data"]["__schema"].is_null() || anon.get("errors").is_some(),
        "anonymous gets no introspection: {anon}"
    );
    let token = app.token("BAWASLU-16");
    let (_, authed) = app.gql(Some(&token), q, json!({})).await;
    assert_eq!(authed["data"]["__schema"]["queryType"]["name"], "Query");

    let closed = TestApp::spawn_with(Engine::Sqlite, |c| c.introspection = Introspection::Off).await;
    let token = closed.token("BAWASLU-16");
    let (_, authed) = closed.gql(Some(&token), q, json!({})).await;
    assert!(authed["data"]["__schema"].is_null() || authed.get("errors").is_some(), "{authed}");
}

#[tokio::test]
async fn anonymous_callers_get_no_did_you_mean_suggestions() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (_, anon) = app.gql(None, "{ regionz { code } }", json!({})).await;
    let message = anon["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    let token = app.token("BAWASLU-16");
    let (_, authed) = app.gql(Some(&token), "{ regionz { code } }", json!({})).await;
    assert!(authed["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "{authed}");
}
