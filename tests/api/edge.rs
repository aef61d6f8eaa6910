//! The HTTP edge by the GraphQL-over-HTTP spec: GET runs queries only,
//! content negotiation, status codes, refusals as coded GraphQL errors, the
//! bearer scheme, and the security headers. Each on both engines.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{engines, error_code, TestApp};

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A `receiveCase` mutation with literal input, as an attacker's link would carry it.
fn receive_mutation() -> String {
    let today = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    format!(
        r#"mutation {{ receiveCase(input: {{ source: TEMUAN, placeCode: "16.73.01", electionRegionCode: "16.73",
        occurredOn: "{today}", knownOn: "{today}", receivedOn: "{today}", summary: "Edge test.",
        allegations: [{{ newOfficial: {{ subjectKind: PNS, nip: "198609262015051001", fullName: "Edge Test", position: "Staf",
        employerCode: "PEMDA-16.73", workRegionCode: "16.73" }}, violationCode: "DIS_SOCMED_INTERACT",
        actOn: "{today}", description: "Shared a post." }}],
        evidence: [{{ kind: SCREENSHOT, description: "s", sha256: "{SHA}", sizeBytes: 1, capturedAt: "{today}T03:00:00Z" }}]
        }}) {{ case {{ number }} }} }}"#
    )
}

/// Sends `req` and returns status, headers and the JSON body.
async fn raw(app: &TestApp, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON ({}): {}", parts.status, String::from_utf8_lossy(&bytes)));
    (parts.status, parts.headers, body)
}

fn post(body: &str, content_type: Option<&str>, accept: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/graphql");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

fn content_type(headers: &axum::http::HeaderMap) -> &str {
    headers.get("content-type").unwrap().to_str().unwrap()
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_does_not_run() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "write"]);
        let cases_before = app.count("SELECT COUNT(*) FROM \"case\"").await;
        let events_before = app.count("SELECT COUNT(*) FROM audit_event").await;
        let query = receive_mutation();
        let uri = format!("/graphql?query={}", urlencoding(&query));
        let req = Request::get(&uri).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
        let (status, headers, body) = raw(&app, req).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{engine:?}: {body}");
        assert_eq!(headers.get("allow").unwrap(), "POST");
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, cases_before, "{engine:?}: a case was created");
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_event").await, events_before, "{engine:?}: an event");
        // The same mutation over POST runs: the refusal was the method's.
        let (status, body) = app.gql(Some(&token), &query, json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["data"]["receiveCase"]["case"]["number"].is_string(), "{engine:?}: {body}");
        assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, cases_before + 1);
        // A query over GET still runs.
        let req = Request::get("/graphql?query=%7B__typename%7D").body(Body::empty()).unwrap();
        let (status, _, body) = raw(&app, req).await;
        assert_eq!((status, body["data"]["__typename"].as_str()), (StatusCode::OK, Some("Query")));
    }
}

/// Percent-encodes everything but unreserved characters.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_response_media_type_follows_accept() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let q = json!({ "query": "{ __typename }" }).to_string();
        for (accept, expected) in [
            (Some("application/json"), "application/json"),
            (Some("application/graphql-response+json"), "application/graphql-response+json"),
            (Some("application/graphql-response+json, application/json;q=0.9"), "application/graphql-response+json"),
            (Some("*/*"), "application/json"),
            (None, "application/json"),
        ] {
            let (status, headers, body) = raw(&app, post(&q, Some("application/json"), accept)).await;
            assert_eq!(status, StatusCode::OK, "{accept:?}: {body}");
            assert!(content_type(&headers).starts_with(expected), "{accept:?}: {}", content_type(&headers));
            assert_eq!(body["data"]["__typename"], "Query");
        }
        let (status, _, body) = raw(&app, post(&q, Some("application/json"), Some("text/html"))).await;
        assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{engine:?}");
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn request_errors_are_400_without_data_under_graphql_response_json() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let cases = [
            json!({ "query": "{" }),
            json!({ "query": "{ zzqNoSuchField }" }),
            json!({ "query": "query($id: ID!) { __typename }", "variables": { "id": null } }),
        ];
        for case in &cases {
            let body = case.to_string();
            let (status, _, strict) =
                raw(&app, post(&body, Some("application/json"), Some("application/graphql-response+json"))).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine:?} {case}: {strict}");
            assert!(strict.get("data").is_none(), "{case}: {strict}");
            assert_eq!(error_code(&strict), "BAD_USER_INPUT", "{case}: {strict}");
            let (status, _, legacy) = raw(&app, post(&body, Some("application/json"), Some("application/json"))).await;
            assert_eq!(status, StatusCode::OK, "{case}: {legacy}");
            assert!(legacy.get("data").is_none(), "{case}: {legacy}");
            assert_eq!(error_code(&legacy), "BAD_USER_INPUT");
        }
        // A field error is not a request error: 200 with data, under either media type.
        let q = json!({ "query": "{ officialByNip(nip: \"12345\") { fullName } }" }).to_string();
        let (status, _, body) =
            raw(&app, post(&q, Some("application/json"), Some("application/graphql-response+json"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["path"][0], "officialByNip", "{body}");
        assert!(body.get("data").is_some(), "{body}");
    }
}

#[tokio::test]
async fn missing_or_mistyped_parameters_are_400() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        for body in [
            json!({ "qeury": "{ __typename }" }),
            json!({ "query": { "obj": "ect" } }),
            json!({ "query": 0 }),
            json!({ "query": "{ __typename }", "operationName": false }),
            json!({ "query": "{ __typename }", "variables": "string" }),
            json!({ "query": "{ __typename }", "extensions": ["array"] }),
        ] {
            let (status, _, resp) = raw(&app, post(&body.to_string(), Some("application/json"), None)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine:?} {body}: {resp}");
            assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{body}");
        }
        for (uri, what) in
            [("/graphql", "no query"), ("/graphql?query=%7B__typename%7D&variables=%5B", "bad variables")]
        {
            let (status, _, resp) = raw(&app, Request::get(uri).body(Body::empty()).unwrap()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {resp}");
        }
        let ok = json!({ "query": "query Q { __typename }", "operationName": "Q", "variables": null, "extensions": { "some": "value" } });
        let (status, _, resp) = raw(&app, post(&ok.to_string(), Some("application/json"), None)).await;
        assert_eq!((status, resp.get("errors")), (StatusCode::OK, None), "{resp}");
    }
}

#[tokio::test]
async fn posts_that_are_not_json_are_refused_with_415_and_do_not_run() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "write"]);
        let body = json!({ "query": receive_mutation() }).to_string();
        for ct in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=latin1"),
        ] {
            let mut req = post(&body, ct, None);
            req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
            let (status, _, resp) = raw(&app, req).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{engine:?} {ct:?}: {resp}");
            assert_eq!(error_code(&resp), "BAD_USER_INPUT");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM \"case\"").await, 0, "{engine:?}: a refused POST ran");
        let (status, _, resp) = raw(
            &app,
            post(&json!({ "query": "{ __typename }" }).to_string(), Some("application/json; charset=utf-8"), None),
        )
        .await;
        assert_eq!((status, resp["data"]["__typename"].as_str()), (StatusCode::OK, Some("Query")));
    }
}

#[tokio::test]
async fn invalid_json_batches_and_persisted_hashes_get_coded_graphql_errors() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let apq = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38" } } });
        for (body, code) in [
            ("{ \"not a JSON".to_owned(), "BAD_USER_INPUT"),
            ("{ key: 1 }".to_owned(), "BAD_USER_INPUT"),
            (json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string(), "BAD_USER_INPUT"),
            (String::new(), "BAD_USER_INPUT"),
            (apq.to_string(), "PERSISTED_QUERY_NOT_FOUND"),
        ] {
            let (status, _, resp) = raw(&app, post(&body, Some("application/json"), None)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine:?} {body}: {resp}");
            assert_eq!(error_code(&resp), code, "{body}: {resp}");
            let message = resp["errors"][0]["message"].as_str().unwrap();
            for debug in ["InvalidRequest", "UnsupportedBatch", "Error(", "-->", "expected executable_definition"] {
                assert!(!message.contains(debug), "{body}: Rust text `{debug}` in {message}");
            }
        }
    }
}

#[tokio::test]
async fn the_bearer_scheme_name_is_case_insensitive() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token("BAWASLU");
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let mut req =
                post(&json!({ "query": "{ me { agency { code } } }" }).to_string(), Some("application/json"), None);
            req.headers_mut().insert("authorization", format!("{scheme} {token}").parse().unwrap());
            let (status, _, body) = raw(&app, req).await;
            assert_eq!(status, StatusCode::OK, "{scheme}: {body}");
            assert_eq!(body["data"]["me"]["agency"]["code"], "BAWASLU", "{engine:?} {scheme}: {body}");
        }
        let mut req = post(&json!({ "query": "{ __typename }" }).to_string(), Some("application/json"), None);
        req.headers_mut().insert("authorization", format!("Bearerx {token}").parse().unwrap());
        let (status, _, _) = raw(&app, req).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "another scheme is still refused");
    }
}

#[tokio::test]
async fn every_response_says_nosniff_and_authenticated_ones_are_not_stored() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token("BAWASLU");
        let q = json!({ "query": "{ regions { code } }" }).to_string();
        let anonymous = app.router.clone().oneshot(post(&q, Some("application/json"), None)).await.unwrap();
        assert_eq!(anonymous.headers().get("x-content-type-options").unwrap(), "nosniff");
        assert!(anonymous.headers().get("cache-control").is_none(), "{engine:?}: public answers may be cached");
        let mut req = post(&q, Some("application/json"), None);
        req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
        let authed = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(authed.status(), StatusCode::OK);
        assert_eq!(authed.headers().get("cache-control").unwrap(), "no-store");
        assert_eq!(authed.headers().get("x-content-type-options").unwrap(), "nosniff");
        for uri in ["/healthz", "/no-such-page", "/graphiql"] {
            let resp = app.router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(resp.headers().get("x-content-type-options").unwrap(), "nosniff", "{uri}");
        }
        // A refused token is an authenticated answer too.
        let mut req = post(&q, Some("application/json"), None);
        req.headers_mut().insert("authorization", "Bearer nope".parse().unwrap());
        let refused = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(refused.headers().get("cache-control").unwrap(), "no-store");
    }
}

#[tokio::test]
async fn the_ide_forbids_framing_and_referrers() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let resp = app.router.clone().oneshot(Request::get("/graphiql").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csp = resp.headers().get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        // The IDE is served whole by netra: scripts from this origin only, no inline script, no CDN.
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("http") && !csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(resp.headers().get("referrer-policy").unwrap(), "no-referrer");
        let api = app.router.clone().oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
        assert!(api.headers().get("content-security-policy").is_none(), "the CSP is the IDE's");
    }
}
