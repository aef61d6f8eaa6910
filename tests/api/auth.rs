//! Authentication with the development issuer: what is accepted, and that
//! every refusal is HTTP 401 with `UNAUTHENTICATED` and no data.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use netra::auth::{Claims, DevIssuer};
use secrecy::SecretString;
use serde_json::json;

use crate::helpers::{error_code, Engine, TestApp};

const ME: &str = "{ me { subject issuer permissions agency { code kind } jurisdiction { code } } }";

fn claims(agency: &str) -> Claims {
    let now = Utc::now().timestamp();
    Claims {
        iss: "netra-dev".into(),
        aud: "netra".into(),
        sub: "tester".into(),
        exp: now + 600,
        iat: now,
        nbf: None,
        agency: agency.into(),
        permissions: vec!["read".into()],
    }
}

async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    let (status, body) = app.gql(Some(token), ME, json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{why}");
    assert!(body["data"].is_null(), "{why}: no data with a refused token");
}

#[tokio::test]
async fn a_valid_token_becomes_a_principal_whose_scope_comes_from_the_registry() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let data = app.data_as(Some("BAWASLU-16.73"), ME, json!({})).await;
    assert_eq!(data["me"]["agency"]["code"], "BAWASLU-16.73");
    assert_eq!(data["me"]["agency"]["kind"], "BAWASLU_REGENCY");
    assert_eq!(data["me"]["jurisdiction"]["code"], "16.73");
    assert_eq!(data["me"]["issuer"], "netra-dev");
    assert_eq!(data["me"]["permissions"], json!(["READ"]));
    let national = app.data_as(Some("BKN"), ME, json!({})).await;
    assert!(national["me"]["jurisdiction"].is_null());
}

#[tokio::test]
async fn no_authorization_header_is_anonymous_not_an_error() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let (status, body) = app.gql(None, ME, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["data"]["me"].is_null());
}

#[tokio::test]
async fn every_bad_token_is_refused_with_401() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let now = Utc::now().timestamp();
    let sign = |c: Claims| app.issuer.sign(&c).unwrap();
    assert_refused(&app, "not-a-jwt", "garbage").await;
    assert_refused(&app, &sign(Claims { exp: now - 3600, iat: now - 7200, ..claims("BAWASLU") }), "expired").await;
    assert_refused(&app, &sign(Claims { iss: "someone-else".into(), ..claims("BAWASLU") }), "issuer").await;
    assert_refused(&app, &sign(Claims { aud: "other-api".into(), ..claims("BAWASLU") }), "audience").await;
    assert_refused(&app, &sign(Claims { nbf: Some(now + 3600), ..claims("BAWASLU") }), "not yet valid").await;
    assert_refused(&app, &sign(Claims { iat: now + 3600, ..claims("BAWASLU") }), "issued in the future").await;
    assert_refused(&app, &sign(claims("NO-SUCH-AGENCY")), "unknown agency").await;
    assert_refused(&app, &sign(claims("KASN")), "dissolved agency").await;
    assert_refused(&app, &sign(Claims { permissions: vec!["root".into()], ..claims("BAWASLU") }), "unknown permission")
        .await;
    let other = DevIssuer::new(&SecretString::from("another-secret-another-secret-another-1"));
    assert_refused(&app, &other.sign(&claims("BAWASLU")).unwrap(), "foreign signature").await;
    // alg=none with the same claims: header {"alg":"none","typ":"JWT"}.
    let good = sign(claims("BAWASLU"));
    let payload = good.split('.').nth(1).unwrap();
    assert_refused(&app, &format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}."), "alg none").await;
    assert_refused(&app, &"a".repeat(9000), "oversized").await;
    // The valid token of the same shape is accepted.
    let (status, _) = app.gql(Some(&good), ME, json!({})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn only_the_bearer_scheme_is_read() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let token = app.token("BAWASLU");
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Basic {token}"))
        .body(Body::from(json!({ "query": ME }).to_string()))
        .unwrap();
    let (status, body) = app.send(req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn without_a_dev_secret_no_token_is_trusted() {
    let app = TestApp::spawn_with(Engine::Sqlite, |c| c.dev_secret = None).await;
    let token = app.token("BAWASLU");
    assert_refused(&app, &token, "no issuer configured").await;
}
