//! Slow clients and shutdown on a real socket (the header-read timeout, the
//! shutdown deadline), the chunked body over the limit, the request id, and
//! `/metrics`.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::helpers::{Engine, TestApp};

/// Serves `state` on a fresh port until the returned sender fires.
async fn serve(state: AppState) -> (SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        netra::app::serve_until(state, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop, task)
}

/// Reads until the peer closes (or `limit` passes); returns what came and when.
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    (String::from_utf8_lossy(&out).into_owned(), started.elapsed())
}

#[tokio::test]
async fn a_half_sent_request_head_is_disconnected_after_the_header_timeout() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (addr, _stop, _task) = serve(state_for(&app.url, |c| c.header_read_timeout_secs = 1).await).await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: netra\r\nContent-Type: app").await.unwrap();
    let (_, took) = read_to_close(&mut slow, Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(3), "held for {took:?}");
    // A complete request on a fresh connection is served.
    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: netra\r\nConnection: close\r\n\r\n").await.unwrap();
    let (text, _) = read_to_close(&mut ok, Duration::from_secs(5)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn after_the_shutdown_signal_netra_stops_within_its_grace_time_even_with_a_client_hanging() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let state = state_for(&app.url, |c| {
        c.shutdown_grace_secs = 1;
        c.header_read_timeout_secs = 60;
    })
    .await;
    let (addr, stop, task) = serve(state).await;
    let mut hanging = TcpStream::connect(addr).await.unwrap();
    hanging.write_all(b"POST /graphql HTTP/1.1\r\nHost: netra\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task).await.expect("serve did not return").unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "stopped after {took:?}");
    assert!(TcpStream::connect(addr).await.is_err(), "the listener is closed");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_the_same_json_413_as_one_with_a_length() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let router = router_of(&state_for(&app.url, |c| c.body_limit = 256).await);
    let big = json!({ "query": format!("{{ regions {{ code }} }} #{}", "x".repeat(1000)) }).to_string();
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.as_bytes().chunks(100).map(|c| Ok(c.to_vec())).collect();
    let chunked = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let sized = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("content-length", big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let (chunked, sized) = (call(&router, chunked).await, call(&router, sized).await);
    for (label, a) in [("chunked", &chunked), ("sized", &sized)] {
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{label}: {}", a.body);
        assert_eq!(a.code(), "BAD_USER_INPUT", "{label}: {}", a.body);
        let text = a.body.to_string();
        assert!(!text.contains("Io(") && !text.contains("Custom {"), "{label}: debug text leaked: {text}");
    }
    assert_eq!(chunked.body, sized.body);
}

#[tokio::test]
async fn a_request_id_is_kept_only_when_short_and_plain_and_metrics_are_prometheus_text() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    netra::seed::load_demo(&app.db).await.unwrap();
    let router = router_of(&state_for(&app.url, |_| {}).await);
    let token = app.token("BAWASLU-16.73");
    let query = "{ cases(first: 1) { totalCount } }";
    let good =
        gql_from(&router, None, Some(&token), &[("x-request-id", "support-ticket:42.a_b")], query, json!({})).await;
    assert_eq!(good.header("x-request-id"), Some("support-ticket:42.a_b"));
    let hostile = format!("{}\t<script>", "a".repeat(5000));
    let bad = gql_from(&router, None, Some(&token), &[("x-request-id", hostile.as_str())], query, json!({})).await;
    let replaced = bad.header("x-request-id").unwrap().to_owned();
    assert!(replaced.len() <= 128 && replaced.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{replaced}");
    let stored = app.strings("SELECT request_id FROM audit_event ORDER BY id").await;
    assert_eq!(stored, vec!["support-ticket:42.a_b".to_owned(), replaced], "the audit trail keeps only valid ids");

    let m = call(&router, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.header("content-type").unwrap().starts_with("application/openmetrics-text"));
    let text = m.body["raw"].as_str().unwrap();
    for name in [
        "netra_requests_total{operation=\"query\",code=\"OK\"} 2",
        "netra_request_duration_seconds_bucket",
        "netra_requests_in_flight",
        "netra_db_pool_connections{pool=\"requests\"}",
        "netra_db_pool_in_use{pool=\"audit\"}",
        "netra_audit_queue_depth 0",
        "netra_audit_commit_seconds_count 2",
        "netra_registry_loaded 1",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    assert!(!text.contains("BAWASLU") && !text.contains("support-ticket"), "no caller data in labels");
}
