//! The HTTP surface: health, readiness, the IDE, GraphQL over GET, body
//! limits, request ids, and one real TCP server on port 0.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::helpers::{Engine, TestApp};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (status, body) = app.send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, body) = app.send(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    app.db.clone().close().await.unwrap();
    let (status, _) = app.send(Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a closed database is not ready");
}

#[tokio::test]
async fn graphiql_is_served() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (status, body) = app.send(Request::get("/graphiql").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["raw"].as_str().unwrap().contains("graphiql"));
}

#[tokio::test]
async fn graphql_over_get_answers_queries() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let uri = "/graphql?query=%7B%20region(code%3A%20%22Lubuklinggau%22)%20%7B%20code%20name%20%7D%20%7D";
    let (status, body) = app.send(Request::get(uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["region"]["code"], "16.73");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.body_limit = 2048).await;
    let padding = " ".repeat(4096);
    let body = json!({ "query": format!("{{ regions {{ code }} }}{padding}") }).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap();
    let (status, body) = app.send(req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "a GraphQL error: {body}");
    let small = json!({ "query": "{ regions { code } }" }).to_string();
    let req = Request::post("/graphql").header("content-type", "application/json").body(Body::from(small)).unwrap();
    let (status, _) = app.send(req).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_real_server_on_port_zero_serves_graphql() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = json!({ "query": "{ region(code: \"16\") { name } }" }).to_string();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_string(&mut response))
        .await
        .unwrap()
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("x-request-id"), "{response}");
    assert!(response.contains("Sumatera Selatan"), "{response}");
    server.abort();
}
