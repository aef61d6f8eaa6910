//! Token rules for issuers with keys fixed at start (`jwks_file`,
//! `secret_env`): issuer, algorithm, key choice, header, claims, agency and
//! the development issuer beside the registry.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Utc;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use super::{
    accepted, app, app_with, claims, fixture, header, issuer, jwks, refused, sign, sign_with, with, JwksServer, Key,
    TrustDir, BAWASLU_SSO, ME, PEMDA_SSO,
};
use crate::helpers::{Engine, TestApp};

/// Bawaslu's issuer: RS256 with the fixture RSA key from a JWKS file.
fn bawaslu() -> String {
    issuer(BAWASLU_SSO, &["RS256"], r#"jwks_file = "keys/rsa.jwks.json""#, &["BAWASLU", "BAWASLU-*"], "")
}

/// Lubuk Linggau's issuer: RS256 with another RSA key, for its own government only.
fn pemda() -> String {
    issuer(PEMDA_SSO, &["RS256"], r#"jwks_file = "keys/attacker.jwks.json""#, &["PEMDA-16.73", "INSPEKTORAT-16.73"], "")
}

#[tokio::test]
async fn a_token_whose_issuer_is_not_in_the_registry_is_refused() {
    let app = app(&bawaslu()).await;
    let unknown = sign(Key::Rsa, &claims("https://sso.unknown.example", "BAWASLU"));
    let message = refused(&app, &unknown, "unknown issuer").await;
    assert_eq!(message, "the token's issuer is not trusted");
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
}

#[tokio::test]
async fn a_token_is_verified_only_with_the_keys_of_the_issuer_it_names() {
    let app = app(&format!("{}{}", bawaslu(), pemda())).await;
    // Signed with the Pemda issuer's key but naming Bawaslu's issuer: Pemda's keys are never tried.
    let forged = sign(Key::Attacker, &claims(BAWASLU_SSO, "BAWASLU"));
    assert!(refused(&app, &forged, "other issuer's kid").await.contains("key id"));
    let no_kid = sign_with(&header(Algorithm::RS256, None), &claims(BAWASLU_SSO, "BAWASLU"), &Key::Attacker.encoding());
    assert!(refused(&app, &no_kid, "other issuer's key").await.contains("signature"));
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
    accepted(&app, &sign(Key::Attacker, &claims(PEMDA_SSO, "PEMDA-16.73")), "PEMDA-16.73").await;
}

#[tokio::test]
async fn an_hs256_issuer_verifies_with_the_secret_its_secret_env_names() {
    let toml = issuer(PEMDA_SSO, &["HS256"], r#"secret_env = "PEMDA_SSO_SECRET""#, &["PEMDA-16.73"], "");
    let secret = "pemda-16.73-shared-secret-of-at-least-32-bytes";
    let app = app_with(&toml, &[("PEMDA_SSO_SECRET", secret)], &Default::default()).await;
    let c = claims(PEMDA_SSO, "PEMDA-16.73");
    let other = EncodingKey::from_secret(b"some-other-secret-of-at-least-32-bytes!!");
    let message = refused(&app, &sign_with(&header(Algorithm::HS256, None), &c, &other), "other secret").await;
    assert_eq!(message, "the token's signature does not verify");
    accepted(
        &app,
        &sign_with(&header(Algorithm::HS256, None), &c, &EncodingKey::from_secret(secret.as_bytes())),
        "PEMDA-16.73",
    )
    .await;
}

#[tokio::test]
async fn a_relative_jwks_file_is_read_next_to_the_trust_file() {
    let dir = TrustDir::new();
    dir.write("etc/netra/keys/bawaslu.jwks.json", &std::fs::read_to_string(Key::Rsa.jwks_path()).unwrap());
    let path = dir.write(
        "etc/netra/trust.toml",
        &issuer(BAWASLU_SSO, &["RS256"], r#"jwks_file = "keys/bawaslu.jwks.json""#, &["BAWASLU"], ""),
    );
    let issuers = super::load(&path, &[], &Default::default()).unwrap();
    let auth = netra::auth::Authenticator::with_issuers(None, issuers);
    let app = TestApp::spawn_with_authenticator(Engine::Sqlite, auth).await;
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
    // The path is resolved against the trust file's directory, whatever the working directory.
    std::fs::remove_file(dir.dir.path().join("etc/netra/keys/bawaslu.jwks.json")).unwrap();
    let err = super::load(&path, &[], &Default::default()).err().unwrap().to_string();
    assert!(err.contains(&dir.dir.path().join("etc/netra/keys/bawaslu.jwks.json").display().to_string()), "{err}");
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_issuers_rsa_public_key_is_refused() {
    let app = app(&bawaslu()).await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    let public_pem = std::fs::read(fixture("test-only-rsa.pub.pem")).unwrap();
    let confused = sign_with(&header(Algorithm::HS256, Some("test-rsa-1")), &c, &EncodingKey::from_secret(&public_pem));
    assert_eq!(
        refused(&app, &confused, "HS/RS confusion").await,
        "the token's algorithm is not allowed for this issuer"
    );
    let rs384 = sign_with(&header(Algorithm::RS384, Some("test-rsa-1")), &c, &Key::Rsa.encoding());
    refused(&app, &rs384, "algorithm outside the issuer's list").await;
    let payload = URL_SAFE_NO_PAD.encode(c.to_string());
    let none = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"test-rsa-1"}"#));
    refused(&app, &none, "alg none").await;
    accepted(&app, &sign(Key::Rsa, &c), "BAWASLU").await;
}

#[tokio::test]
async fn a_key_verifies_only_the_algorithms_of_its_own_type() {
    let algorithms = ["RS256", "PS256", "ES256", "EdDSA"];
    let toml = issuer(BAWASLU_SSO, &algorithms, r#"jwks_file = "keys/all.jwks.json""#, &["BAWASLU"], "");
    let dir = TrustDir::new();
    dir.write("keys/all.jwks.json", &jwks(&[Key::Rsa.jwk(), Key::Ec.jwk(), Key::Ed.jwk()]));
    let issuers = super::load(&dir.trust(&toml), &[], &Default::default()).unwrap();
    let app =
        TestApp::spawn_with_authenticator(Engine::Sqlite, netra::auth::Authenticator::with_issuers(None, issuers))
            .await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    // An EC signature presented under the RSA key's id, an EdDSA one under the EC key's id.
    let es_as_rsa = sign_with(&header(Algorithm::ES256, Some("test-rsa-1")), &c, &Key::Ec.encoding());
    assert_eq!(
        refused(&app, &es_as_rsa, "ES256 on an RSA key").await,
        "the token's algorithm is not allowed for this key"
    );
    let ed_as_ec = sign_with(&header(Algorithm::EdDSA, Some("test-ec-1")), &c, &Key::Ed.encoding());
    refused(&app, &ed_as_ec, "EdDSA on an EC key").await;
    for key in [Key::Rsa, Key::Ec, Key::Ed] {
        accepted(&app, &sign(key, &c), "BAWASLU").await;
    }
}

#[tokio::test]
async fn a_jwk_with_its_own_alg_verifies_only_that_algorithm() {
    let toml = issuer(BAWASLU_SSO, &["RS256", "PS256"], r#"jwks_file = "keys/rsa.jwks.json""#, &["BAWASLU"], "");
    let app = app(&toml).await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    let ps256 = sign_with(&header(Algorithm::PS256, Some("test-rsa-1")), &c, &Key::Rsa.encoding());
    // The JWK says `"alg": "RS256"`: PS256 is refused although the issuer allows it.
    assert_eq!(refused(&app, &ps256, "JWK alg").await, "the token's algorithm is not allowed for this key");
    accepted(&app, &sign(Key::Rsa, &c), "BAWASLU").await;
    // The same key without its own `alg` verifies PS256.
    let mut jwk = Key::Rsa.jwk();
    jwk.as_object_mut().unwrap().remove("alg");
    let dir = TrustDir::new();
    dir.write("keys/rsa.jwks.json", &jwks(&[jwk]));
    let issuers = super::load(&dir.trust(&toml), &[], &Default::default()).unwrap();
    let open =
        TestApp::spawn_with_authenticator(Engine::Sqlite, netra::auth::Authenticator::with_issuers(None, issuers))
            .await;
    accepted(&open, &ps256, "BAWASLU").await;
}

#[tokio::test]
async fn jku_x5u_and_an_embedded_jwk_in_the_header_are_never_used() {
    let attacker = JwksServer::start(jwks(&[Key::Attacker.jwk()])).await;
    let app = app(&bawaslu()).await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    let attacker_jwk: Jwk = serde_json::from_value(Key::Attacker.jwk()).unwrap();
    let mut h = header(Algorithm::RS256, Some("attacker-rsa"));
    h.jku = Some(attacker.url.clone());
    h.x5u = Some(attacker.url.clone());
    h.jwk = Some(attacker_jwk);
    refused(&app, &sign_with(&h, &c, &Key::Attacker.encoding()), "attacker's kid, jku, x5u, jwk").await;
    h.kid = None;
    refused(&app, &sign_with(&h, &c, &Key::Attacker.encoding()), "attacker's jku, x5u, jwk").await;
    h.kid = Some("test-rsa-1".into());
    refused(&app, &sign_with(&h, &c, &Key::Attacker.encoding()), "attacker's key under the issuer's kid").await;
    // The same headers on a token the issuer really signed: ignored, not fatal.
    accepted(&app, &sign_with(&h, &c, &Key::Rsa.encoding()), "BAWASLU").await;
    assert_eq!(attacker.hits(), 0, "netra must never fetch a URL named by a token");
    // A header extension marked critical that netra does not understand.
    let crit = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"test-rsa-1","crit":["exp"],"exp":1}"#);
    let message = format!("{crit}.{}", URL_SAFE_NO_PAD.encode(c.to_string()));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &Key::Rsa.encoding(), Algorithm::RS256).unwrap();
    assert!(refused(&app, &format!("{message}.{signature}"), "crit").await.contains("critical"));
}

#[tokio::test]
async fn without_a_kid_a_token_is_accepted_only_when_one_key_fits() {
    let toml = issuer(BAWASLU_SSO, &["RS256"], r#"jwks_file = "keys/two.jwks.json""#, &["BAWASLU"], "");
    let dir = TrustDir::new();
    dir.write("keys/two.jwks.json", &jwks(&[Key::Rsa.jwk(), Key::Attacker.jwk()]));
    let issuers = super::load(&dir.trust(&toml), &[], &Default::default()).unwrap();
    let two =
        TestApp::spawn_with_authenticator(Engine::Sqlite, netra::auth::Authenticator::with_issuers(None, issuers))
            .await;
    let c = claims(BAWASLU_SSO, "BAWASLU");
    let no_kid = sign_with(&header(Algorithm::RS256, None), &c, &Key::Rsa.encoding());
    assert!(refused(&two, &no_kid, "two RSA keys, no kid").await.contains("several keys"));
    accepted(&two, &sign(Key::Rsa, &c), "BAWASLU").await;
    let one = app(&bawaslu()).await;
    accepted(&one, &no_kid, "BAWASLU").await;
}

#[tokio::test]
async fn expiry_not_before_issued_at_audience_and_issuer_are_checked_with_the_issuers_leeway() {
    const LENIENT: &str = "https://sso.lenient.example";
    let lenient =
        issuer(LENIENT, &["RS256"], r#"jwks_file = "keys/rsa.jwks.json""#, &["BAWASLU"], "leeway_seconds = 200");
    let app = app(&format!("{}{lenient}", bawaslu())).await;
    let now = Utc::now().timestamp();
    let c = claims(BAWASLU_SSO, "BAWASLU");
    let cases = [
        (json!({ "exp": now - 120, "iat": now - 700 }), "the token has expired"),
        (json!({ "exp": null }), "the token lacks a required claim"),
        (json!({ "nbf": now + 120 }), "the token is not valid yet"),
        (json!({ "iat": now + 120 }), "the token was issued in the future"),
        (json!({ "iat": null }), "the token lacks a required claim"),
        (json!({ "aud": "another-api" }), "the token is not meant for netra"),
        (json!({ "aud": null }), "the token lacks a required claim"),
        (json!({ "sub": null }), "the token lacks a required claim"),
    ];
    for (change, expected) in cases {
        let message = refused(&app, &sign(Key::Rsa, &with(c.clone(), change.clone())), &change.to_string()).await;
        assert_eq!(message, expected, "{change}");
    }
    // A signature over other claims than those presented.
    let good = sign(Key::Rsa, &c);
    let other = sign(Key::Rsa, &with(c.clone(), json!({ "agency": "BAWASLU-16" })));
    let spliced = format!("{}.{}", other.rsplit_once('.').unwrap().0, good.rsplit_once('.').unwrap().1);
    assert_eq!(refused(&app, &spliced, "spliced signature").await, "the token's signature does not verify");
    // Within the default leeway of 30 s, and an `aud` list naming netra.
    accepted(
        &app,
        &sign(Key::Rsa, &with(c.clone(), json!({ "exp": now - 10, "aud": ["portal", "netra"] }))),
        "BAWASLU",
    )
    .await;
    accepted(&app, &good, "BAWASLU").await;
    // The lenient issuer's 200 s leeway accepts what the default refuses.
    let late = with(claims(LENIENT, "BAWASLU"), json!({ "exp": now - 120, "iat": now - 700 }));
    accepted(&app, &sign(Key::Rsa, &late), "BAWASLU").await;
}

#[tokio::test]
async fn an_issuer_may_speak_only_for_the_agencies_its_patterns_name() {
    let app = app(&format!("{}{}", bawaslu(), pemda())).await;
    let message = refused(&app, &sign(Key::Attacker, &claims(PEMDA_SSO, "BAWASLU")), "Pemda claiming Bawaslu").await;
    assert_eq!(message, "the issuer may not speak for agency `BAWASLU`");
    refused(&app, &sign(Key::Attacker, &claims(PEMDA_SSO, "PEMDA-16.71")), "another government").await;
    refused(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "PEMDA-16.73")), "Bawaslu claiming a Pemda").await;
    // Matched by `BAWASLU-*` but not in netra's registry: the registry still decides.
    let unknown = refused(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU-99")), "unregistered").await;
    assert!(unknown.contains("not an active agency"), "{unknown}");
    accepted(&app, &sign(Key::Attacker, &claims(PEMDA_SSO, "PEMDA-16.73")), "PEMDA-16.73").await;
    accepted(&app, &sign(Key::Attacker, &claims(PEMDA_SSO, "INSPEKTORAT-16.73")), "INSPEKTORAT-16.73").await;
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
    accepted(&app, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU-16.73")), "BAWASLU-16.73").await;
}

#[tokio::test]
async fn a_registry_token_is_read_only_from_a_bearer_header_and_only_up_to_8_kib() {
    let app = app(&bawaslu()).await;
    let token = sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU"));
    let req = |auth: String| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", auth)
            .body(Body::from(json!({ "query": ME }).to_string()))
            .unwrap()
    };
    let (status, _) = app.send(req(format!("Basic {token}"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A token elsewhere (query string) is not read: the request is anonymous.
    let (status, body) = app
        .send(
            Request::get(format!("/graphql?query={{me{{subject}}}}&access_token={token}")).body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["data"]["me"].is_null(), "{body}");
    let padded = sign(Key::Rsa, &with(claims(BAWASLU_SSO, "BAWASLU"), json!({ "pad": "x".repeat(8 * 1024) })));
    assert_eq!(refused(&app, &padded, "oversized").await, "the bearer token is too long");
    let (status, body) = app.send(req(format!("Bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["me"]["agency"]["code"], "BAWASLU");
}

#[tokio::test]
async fn the_development_issuer_is_one_more_issuer_beside_the_registry() {
    let with_dev = app(&bawaslu()).await;
    accepted(&with_dev, &with_dev.token("BAWASLU-16"), "BAWASLU-16").await;
    accepted(&with_dev, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
    // A registry key cannot sign as `netra-dev`.
    refused(&with_dev, &sign(Key::Rsa, &claims("netra-dev", "BAWASLU")), "RSA-signed netra-dev").await;
    // Without NETRA_DEV_SECRET the development issuer is not trusted; the registry still is.
    let dir = TrustDir::new();
    let issuers = super::load(&dir.trust(&bawaslu()), &[], &Default::default()).unwrap();
    let without =
        TestApp::spawn_with_authenticator(Engine::Sqlite, netra::auth::Authenticator::with_issuers(None, issuers))
            .await;
    let message = refused(&without, &with_dev.token("BAWASLU-16"), "dev issuer off").await;
    assert_eq!(message, "the token's issuer is not trusted");
    accepted(&without, &sign(Key::Rsa, &claims(BAWASLU_SSO, "BAWASLU")), "BAWASLU").await;
}
