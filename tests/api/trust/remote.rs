//! Issuers whose keys come from a `jwks_url`: fetched on first use, cached,
//! refreshed for an unknown `kid` at a bounded rate, and failing closed when
//! the endpoint cannot be reached. The endpoint is a server on 127.0.0.1
//! that counts its requests.

use std::time::Duration;

use axum::http::StatusCode;
use jsonwebtoken::Algorithm;
use netra::auth::JwksPolicy;
use serde_json::json;

use super::{
    accepted, app_with, claims, header, issuer, jwks, refused, sign, sign_with, unreachable_url, with, JwksServer, Key,
    BAWASLU_SSO,
};

/// Bawaslu's issuer with keys at `url`.
fn remote(url: &str, algorithms: &[&str]) -> String {
    issuer(BAWASLU_SSO, algorithms, &format!("jwks_url = \"{url}\""), &["BAWASLU", "BAWASLU-*"], "")
}

/// A policy with intervals short enough for a test.
fn quick(min_refresh_ms: u64, max_age_ms: u64) -> JwksPolicy {
    JwksPolicy {
        min_refresh_interval: Duration::from_millis(min_refresh_ms),
        max_age: Duration::from_millis(max_age_ms),
        ..JwksPolicy::default()
    }
}

#[tokio::test]
async fn a_remote_jwks_is_fetched_on_first_use_and_then_served_from_the_cache() {
    let server = JwksServer::start(jwks(&[Key::Rsa.jwk()])).await;
    let app = app_with(&remote(&server.url, &["RS256"]), &[], &JwksPolicy::default()).await;
    assert_eq!(server.hits(), 0, "nothing is fetched before a token needs it");
    for agency in ["BAWASLU", "BAWASLU-16", "BAWASLU-16.73"] {
        accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, agency)), agency).await;
    }
    assert_eq!(server.hits(), 1, "one fetch serves every later token");
    // A token that fails for another reason does not fetch either.
    let expired = with(claims(BAWASLU_SSO, "BAWASLU"), json!({ "exp": 1_000, "iat": 900 }));
    refused(&app, &sign(Key::Rsa, &expired), "expired").await;
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_remote_jwks_at_most_once_per_interval() {
    let server = JwksServer::start(jwks(&[Key::Rsa.jwk()])).await;
    let app = app_with(&remote(&server.url, &["RS256", "ES256"]), &[], &quick(500, 600_000)).await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    accepted(&app, &sign(Key::Rsa, &c), "BAWASLU").await;
    assert_eq!(server.hits(), 1);
    // The issuer rotates in an EC key. Right after the last fetch, the bound holds: no refetch.
    server.answer(StatusCode::OK, jwks(&[Key::Rsa.jwk(), Key::Ec.jwk()]));
    let rotated = sign(Key::Ec, &c);
    assert!(refused(&app, &rotated, "new kid within the interval").await.contains("key id"));
    assert_eq!(server.hits(), 1);
    // Once the interval has passed, the unknown kid triggers one refresh and is found.
    tokio::time::sleep(Duration::from_millis(600)).await;
    accepted(&app, &rotated, "BAWASLU").await;
    assert_eq!(server.hits(), 2);
    accepted(&app, &sign(Key::Rsa, &c), "BAWASLU").await;
    // A flood of made-up kids costs at most one fetch per interval.
    let bogus = |n: usize| sign_with(&header(Algorithm::RS256, Some(&format!("bogus-{n}"))), &c, &Key::Rsa.encoding());
    for n in 0..10 {
        refused(&app, &bogus(n), "made-up kid").await;
    }
    assert_eq!(server.hits(), 2, "the refresh right before still counts");
    tokio::time::sleep(Duration::from_millis(600)).await;
    for n in 10..20 {
        refused(&app, &bogus(n), "made-up kid").await;
    }
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn an_unreachable_jwks_fails_closed() {
    // Nothing listens: refused, not accepted.
    let nowhere = app_with(&remote(&unreachable_url().await, &["RS256"]), &[], &quick(0, 600_000)).await;
    let message = refused(&nowhere, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "unreachable").await;
    assert_eq!(message, "the issuer's keys cannot be fetched right now");

    // An endpoint that errs, then recovers.
    let server = JwksServer::start(String::new()).await;
    server.answer(StatusCode::INTERNAL_SERVER_ERROR, "{}".into());
    let app = app_with(&remote(&server.url, &["RS256"]), &[], &quick(0, 300)).await;
    let token = sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU"));
    refused(&app, &token, "HTTP 500").await;
    server.answer(StatusCode::OK, "this is not a JWKS".into());
    refused(&app, &token, "not a JWKS").await;
    server.answer(StatusCode::OK, jwks(&[Key::Rsa.jwk()]));
    accepted(&app, &token, "BAWASLU").await;

    // Cached keys past their age are not used once the endpoint is gone.
    let hits = server.hits();
    server.stop().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    refused(&app, &token, "stopped endpoint, stale keys").await;
    assert!(hits >= 3);
}

#[tokio::test]
async fn an_oversized_token_is_refused_before_any_key_is_fetched() {
    let server = JwksServer::start(jwks(&[Key::Rsa.jwk()])).await;
    let app = app_with(&remote(&server.url, &["RS256"]), &[], &JwksPolicy::default()).await;
    let padded = with(claims(BAWASLU_SSO, "BAWASLU"), json!({ "pad": "x".repeat(9000) }));
    assert_eq!(refused(&app, &sign(Key::Rsa, &padded), "oversized").await, "the bearer token is too long");
    let unknown = sign(Key::Rsa, &claims("https://sso.unknown.example", "BAWASLU"));
    refused(&app, &unknown, "unknown issuer").await;
    assert_eq!(server.hits(), 0);
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
    assert_eq!(server.hits(), 1);
}
