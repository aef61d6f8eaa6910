//! Rate limits (429 `RATE_LIMITED` with `Retry-After`), load shedding (503
//! `OVERLOADED` at once), the request timeout as GraphQL JSON, and the
//! metrics that count them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use super::*;
use crate::helpers::{engines, Engine, TestApp};

const PUBLIC: &str = "{ regions { code } }";

fn peer(last: u8) -> Option<SocketAddr> {
    Some(SocketAddr::from(([10, 0, 0, last], 40000)))
}

fn assert_limited(a: &Answer, label: &str) {
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{label}: {}", a.body);
    assert_eq!(a.code(), "RATE_LIMITED", "{label}: {}", a.body);
    let wait: u64 = a.header("retry-after").unwrap_or_else(|| panic!("{label}: Retry-After")).parse().unwrap();
    assert!((1..=60).contains(&wait), "{label}: Retry-After {wait}");
}

#[tokio::test]
async fn floods_of_anonymous_requests_and_forged_tokens_get_429_per_address() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let router = router_of(&state_for(&app.url, |c| c.rate_limit_anonymous = 3).await);
    for _ in 0..3 {
        assert_eq!(gql_from(&router, peer(1), None, &[], PUBLIC, json!({})).await.status, StatusCode::OK);
    }
    assert_limited(&gql_from(&router, peer(1), None, &[], PUBLIC, json!({})).await, "the fourth anonymous request");
    assert_eq!(
        gql_from(&router, peer(2), None, &[], PUBLIC, json!({})).await.status,
        StatusCode::OK,
        "another address"
    );
    // Refused tokens count against the address too.
    for _ in 0..3 {
        let a = gql_from(&router, peer(3), Some("forged.token.here"), &[], PUBLIC, json!({})).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    }
    assert_limited(&gql_from(&router, peer(3), Some("forged.token.here"), &[], PUBLIC, json!({})).await, "forged");
    // A valid token is limited per agency, not per address.
    let ok = gql_from(&router, peer(3), Some(&app.token("BAWASLU-16")), &[], PUBLIC, json!({})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let metrics = get(&router, "/metrics").await.body["raw"].as_str().unwrap().to_owned();
    assert!(metrics.contains("netra_requests_rate_limited_total{limit=\"anonymous\"} 2"), "{metrics}");
}

#[tokio::test]
async fn an_agency_over_its_limit_gets_429_and_other_agencies_do_not() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let router = router_of(&state_for(&app.url, |c| c.rate_limit_agency = 2).await);
    let (a, b) = (app.token("BAWASLU-16"), app.token("BKN"));
    for _ in 0..2 {
        assert_eq!(gql(&router, Some(&a), PUBLIC, json!({})).await.status, StatusCode::OK);
    }
    assert_limited(&gql(&router, Some(&a), PUBLIC, json!({})).await, "agency");
    // Another token of the same agency shares its quota.
    assert_limited(
        &gql(&router, Some(&app.token_with("BAWASLU-16", &["read", "write"])), PUBLIC, json!({})).await,
        "same agency",
    );
    assert_eq!(gql(&router, Some(&b), PUBLIC, json!({})).await.status, StatusCode::OK, "BKN has its own quota");
}

#[tokio::test]
async fn exact_nip_lookups_have_their_own_lower_limit() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let router = router_of(&state_for(&app.url, |c| c.rate_limit_nip = 2).await);
        let token = app.token("BAWASLU-16.73");
        let q = "query($n: String!) { officialByNip(nip: $n) { fullName } }";
        let nip = app.strings("SELECT nip FROM official WHERE nip IS NOT NULL ORDER BY id LIMIT 1").await.remove(0);
        for _ in 0..2 {
            let a = gql(&router, Some(&token), q, json!({ "n": nip })).await;
            assert!(a.body.get("errors").is_none(), "{engine:?}: {}", a.body);
            assert!(a.body["data"]["officialByNip"].is_object(), "{engine:?}: Bawaslu finds the official");
        }
        let a = gql(&router, Some(&token), q, json!({ "n": nip })).await;
        assert_limited(&a, "nip");
        assert!(a.body["data"]["officialByNip"].is_null(), "{engine:?}: no data past the limit");
        // Other reads of the same agency go on.
        let cases = gql(&router, Some(&token), "{ cases(first: 1) { totalCount } }", json!({})).await;
        assert!(cases.body.get("errors").is_none(), "{engine:?}: {}", cases.body);
    }
}

#[tokio::test]
async fn beyond_the_in_flight_bound_requests_are_shed_at_once_but_health_and_metrics_answer() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let state = state_for(&app.url, |c| c.max_in_flight = 2).await;
    let router = router_of(&state);
    let held = occupy(&state).await;
    let started = Instant::now();
    let a = gql(&router, None, PUBLIC, json!({})).await;
    assert!(started.elapsed() < Duration::from_millis(200), "shed at once, not queued: {:?}", started.elapsed());
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert_eq!(a.code(), "OVERLOADED");
    assert!(a.header("retry-after").is_some());
    for path in ["/healthz", "/readyz"] {
        assert_eq!(get(&router, path).await.status, StatusCode::OK, "{path}");
    }
    let metrics = get(&router, "/metrics").await.body["raw"].as_str().unwrap().to_owned();
    assert!(metrics.contains("netra_requests_shed_total 1"), "{metrics}");
    assert!(metrics.contains("netra_requests_total{operation=\"none\",code=\"OVERLOADED\"} 1"), "{metrics}");
    drop(held);
    assert_eq!(gql(&router, None, PUBLIC, json!({})).await.status, StatusCode::OK, "served again once there is room");
}

#[tokio::test]
async fn a_request_past_the_time_limit_gets_a_graphql_error_with_a_code_not_an_empty_408() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let router = router_of(&state_for(&app.url, |c| c.request_timeout_secs = 0).await);
    let a = gql(&router, Some(&app.token("BAWASLU-16")), "{ cases(first: 5) { totalCount } }", json!({})).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.body);
    assert_eq!(a.code(), "SERVICE_UNAVAILABLE", "{}", a.body);
    assert!(a.body["errors"][0]["message"].as_str().unwrap().contains("did not finish"), "{}", a.body);
}
