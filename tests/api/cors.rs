//! CORS for partner frontends: the request headers a browser may send are
//! configurable (with a default that Apollo Client and tracing need), and
//! browser code may read `x-request-id`.

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

use crate::helpers::{Engine, TestApp};

fn preflight(headers: &str) -> Request<Body> {
    Request::options("/graphql")
        .header("origin", "https://partner.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .body(Body::empty())
        .unwrap()
}

fn allowed(resp: &axum::response::Response) -> String {
    resp.headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_preflight_allows_the_default_partner_headers() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let resp = app.router.clone().oneshot(preflight("authorization,x-request-id,traceparent")).await.unwrap();
    let allowed = allowed(&resp);
    for h in [
        "authorization",
        "content-type",
        "x-request-id",
        "traceparent",
        "apollographql-client-name",
        "apollographql-client-version",
    ] {
        assert!(allowed.split(',').any(|a| a.trim() == h), "`{h}` not in `{allowed}`");
    }
}

#[tokio::test]
async fn allowed_headers_follow_the_configuration() {
    let app =
        TestApp::spawn_with(Engine::Sqlite, |c| c.cors_headers = vec!["authorization".into(), "x-partner".into()])
            .await;
    let resp = app.router.clone().oneshot(preflight("x-partner")).await.unwrap();
    let allowed = allowed(&resp);
    assert!(allowed.contains("x-partner") && allowed.contains("authorization"), "{allowed}");
    assert!(!allowed.contains("traceparent"), "{allowed}");
}

#[tokio::test]
async fn browser_code_may_read_the_request_id() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let req = Request::post("/graphql")
        .header("origin", "https://partner.example")
        .header("content-type", "application/json")
        .header("x-request-id", "ticket-4711")
        .body(Body::from(r#"{"query":"{ regions { code } }"}"#))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "ticket-4711");
    let exposed = resp.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}
