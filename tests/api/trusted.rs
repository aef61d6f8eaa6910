//! Trusted documents: Apollo's persisted queries (not found → registered →
//! by hash), graphql-codegen's `documentId` against the manifest, the
//! allow-list mode, GET variants, and the document id in the audit chain.
//! Each on both engines.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use netra::config::trusted::document_hash;
use netra::config::Manifest;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::helpers::{engines, error_code, Engine, TestApp};

/// A manifest document: the caller's agency (audited: `me` is not public).
const ME: &str = "query Me { me { agency { code } } }";
/// A manifest document that is public data only.
const REGIONS: &str = "query Regions { regions(kind: PROVINCE) { code } }";

fn manifest(documents: &[&str]) -> Arc<Manifest> {
    let map: serde_json::Map<String, Value> =
        documents.iter().map(|d| (document_hash(d), Value::String((*d).to_owned()))).collect();
    Arc::new(Manifest::parse(&Value::Object(map).to_string()).unwrap())
}

async fn with_manifest(engine: Engine, only: bool) -> TestApp {
    TestApp::spawn_with(engine, |c| {
        c.trusted_documents = Some(manifest(&[ME, REGIONS]));
        c.trusted_documents_only = only;
    })
    .await
}

/// POSTs `body` as JSON with `token`.
async fn post(app: &TestApp, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut req = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    app.send(req.body(Body::from(body.to_string())).unwrap()).await
}

/// GETs `/graphql` with the query parameters `params` (values percent-encoded here).
async fn get(app: &TestApp, token: Option<&str>, params: &[(&str, String)]) -> (StatusCode, Value) {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    let mut req = Request::get(format!("/graphql?{}", query.join("&")));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

fn apq(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn events(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM audit_event").await
}

/// The `document_id` of the newest event ('' for null).
async fn last_document_id(app: &TestApp) -> String {
    app.strings("SELECT COALESCE(document_id, '') FROM audit_event ORDER BY id DESC LIMIT 1").await.remove(0)
}

#[tokio::test]
async fn an_unknown_persisted_query_is_not_found_then_registered_then_runs_by_hash() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token("BAWASLU-16.73");
        let query = "query Mine { me { agency { code kind } } }";
        let hash = document_hash(query);
        let (status, body) = post(&app, Some(&token), &json!({ "extensions": apq(&hash) })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine:?}: {body}");
        assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound", "{body}");
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
        assert!(body.get("data").is_none());

        let (status, body) = post(&app, Some(&token), &json!({ "query": query, "extensions": apq(&hash) })).await;
        assert_eq!((status, body["data"]["me"]["agency"]["code"].as_str()), (StatusCode::OK, Some("BAWASLU-16.73")));
        assert_eq!(last_document_id(&app).await, hash, "registration names the document");

        let (status, body) = post(&app, Some(&token), &json!({ "extensions": apq(&hash) })).await;
        assert_eq!((status, body["data"]["me"]["agency"]["code"].as_str()), (StatusCode::OK, Some("BAWASLU-16.73")));
        assert_eq!(last_document_id(&app).await, hash);

        // Apollo sends hashed queries over GET when asked to (`useGETForHashedQueries`).
        let (status, body) = get(&app, Some(&token), &[("extensions", apq(&hash).to_string())]).await;
        assert_eq!((status, body["data"]["me"]["agency"]["kind"].as_str()), (StatusCode::OK, Some("BAWASLU_REGENCY")));
        let other = document_hash("{ elections { id } }");
        let (status, body) = get(&app, None, &[("extensions", apq(&other).to_string())]).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_FOUND"), "{body}");

        // An ad-hoc query still runs and names no document.
        let (_, body) = post(&app, Some(&token), &json!({ "query": "{ me { agency { code } } }" })).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(last_document_id(&app).await, "");
    }
}

#[tokio::test]
async fn a_persisted_query_whose_hash_does_not_match_is_refused_and_not_registered() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let token = app.token("BAWASLU-16.73");
        let query = "{ me { agency { code } } }";
        let wrong = document_hash("{ me { agency { name } } }");
        let before = events(&app).await;
        let (status, body) = post(&app, Some(&token), &json!({ "query": query, "extensions": apq(&wrong) })).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{engine:?}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("does not match") || message.contains("hashes to"), "{message}");
        assert!(message.contains(&document_hash(query)), "the message names the query's real hash: {message}");
        let (_, body) = post(&app, Some(&token), &json!({ "extensions": apq(&wrong) })).await;
        assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND", "nothing was registered under the wrong hash");
        assert_eq!(events(&app).await, before, "a refused request runs nothing and leaves no event");
        let (_, body) = post(
            &app,
            Some(&token),
            &json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": wrong } } }),
        )
        .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
}

#[tokio::test]
async fn a_document_id_runs_the_manifest_document_over_post_and_get() {
    for engine in engines() {
        let app = with_manifest(engine, false).await;
        let token = app.token("PEMDA-16.73");
        let id = document_hash(ME);
        let (status, body) = post(&app, Some(&token), &json!({ "documentId": id, "operationName": "Me" })).await;
        assert_eq!(
            (status, body["data"]["me"]["agency"]["code"].as_str()),
            (StatusCode::OK, Some("PEMDA-16.73")),
            "{engine:?}: {body}"
        );
        assert_eq!(last_document_id(&app).await, id);
        let (status, body) = post(&app, Some(&token), &json!({ "documentId": format!("sha256:{id}") })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["me"]["agency"]["code"], "PEMDA-16.73");

        let (status, body) = get(&app, None, &[("documentId", document_hash(REGIONS))]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["data"]["regions"].as_array().is_some_and(|r| !r.is_empty()), "{body}");

        let unknown = "1".repeat(64);
        let (status, body) = post(&app, Some(&token), &json!({ "documentId": unknown })).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_FOUND"), "{body}");
        let (status, body) = get(&app, None, &[("documentId", "not-a-hash".to_owned())]).await;
        assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{body}");

        // The manifest's document sent in full is recognised too.
        let (_, body) = post(&app, Some(&token), &json!({ "query": ME })).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(last_document_id(&app).await, id);
    }
}

#[tokio::test]
async fn in_trusted_documents_only_mode_an_ad_hoc_document_is_refused_and_writes_nothing() {
    for engine in engines() {
        let app = with_manifest(engine, true).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "write", "webhooks"]);
        let before = events(&app).await;
        let mutation = r#"mutation { createWebhook(input: { url: "https://hooks.example.org/netra" }) { secret } }"#;
        for body in [
            json!({ "query": "{ me { agency { code } } }" }),
            json!({ "query": mutation }),
            json!({ "query": mutation, "extensions": apq(&document_hash(mutation)) }),
        ] {
            let (status, resp) = post(&app, Some(&token), &body).await;
            assert_eq!(
                (status, error_code(&resp)),
                (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_ALLOWED"),
                "{engine:?} {body}: {resp}"
            );
            assert!(resp.get("data").is_none());
        }
        let (_, resp) = post(&app, Some(&token), &json!({ "extensions": apq(&document_hash(mutation)) })).await;
        assert_eq!(error_code(&resp), "PERSISTED_QUERY_NOT_FOUND", "APQ registration was refused: {resp}");
        let (status, resp) = get(&app, None, &[("query", "{ elections { id } }".to_owned())]).await;
        assert_eq!((status, error_code(&resp)), (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_ALLOWED"), "{resp}");
        assert_eq!(app.count("SELECT COUNT(*) FROM webhook").await, 0, "no webhook was created");
        assert_eq!(events(&app).await, before, "nothing ran, nothing was recorded");

        // The manifest's documents run: by id, by APQ hash, in full, and over GET.
        let id = document_hash(ME);
        for body in [json!({ "documentId": id }), json!({ "extensions": apq(&id) }), json!({ "query": ME })] {
            let (status, resp) = post(&app, Some(&token), &body).await;
            assert_eq!(
                (status, resp["data"]["me"]["agency"]["code"].as_str()),
                (StatusCode::OK, Some("BAWASLU-16.73")),
                "{body}: {resp}"
            );
            assert_eq!(last_document_id(&app).await, id);
        }
        let (status, resp) = get(&app, Some(&token), &[("documentId", id.clone())]).await;
        assert_eq!(status, StatusCode::OK, "{resp}");
        assert_eq!(resp["data"]["me"]["agency"]["code"], "BAWASLU-16.73");
    }
}

#[tokio::test]
async fn the_audit_event_names_the_document_and_the_chain_verifies_across_both_hash_forms() {
    for engine in engines() {
        let app = with_manifest(engine, false).await;
        let token = app.token("BAWASLU-16.73");
        let id = document_hash(ME);
        // Ad-hoc (v1 form), by id (v2 form), ad-hoc again, then by id.
        for body in [
            json!({ "query": "{ me { agency { code } } }" }),
            json!({ "documentId": id }),
            json!({ "query": "{ me { agency { name } } }" }),
            json!({ "documentId": id }),
        ] {
            let (_, resp) = post(&app, Some(&token), &body).await;
            assert!(resp.get("errors").is_none(), "{resp}");
        }
        let ids = app.strings("SELECT COALESCE(document_id, '-') FROM audit_event ORDER BY id").await;
        assert_eq!(ids, vec!["-".to_owned(), id.clone(), "-".to_owned(), id.clone()], "{engine:?}");
        let v = netra::audit::chain::verify(&app.db).await.unwrap();
        assert!(v.broken.is_none(), "{engine:?}: {v:?}");
        assert_eq!(v.events, 4);

        // Bawaslu RI auditors read it.
        let auditor = app.token_with("BAWASLU", &["read", "audit"]);
        let (_, resp) = post(
            &app,
            Some(&auditor),
            &json!({ "query": "{ auditEvents(first: 10) { edges { node { sequence documentId } } } }" }),
        )
        .await;
        let seen: Vec<Value> = resp["data"]["auditEvents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["documentId"].clone())
            .collect();
        assert_eq!(seen, vec![json!(id), Value::Null, json!(id), Value::Null], "{resp}");

        // Removing the document id from an event breaks the chain there.
        app.db.execute_unprepared("UPDATE audit_event SET document_id = NULL WHERE id = 2").await.unwrap();
        let v = netra::audit::chain::verify(&app.db).await.unwrap();
        assert_eq!(v.broken.map(|b| b.event_id), Some(2), "{engine:?}");
    }
}

#[test]
fn a_manifest_that_does_not_load_stops_the_start_with_a_clear_message() {
    use clap::Parser;
    #[derive(Parser)]
    struct Args {
        #[command(flatten)]
        config: netra::config::ConfigArgs,
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json!({ "0".repeat(64): ME }).to_string()).unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, json!({ document_hash(ME): ME }).to_string()).unwrap();
    let load = |args: &[&str]| {
        let mut all = vec!["netra"];
        all.extend_from_slice(args);
        netra::config::Config::from_args(Args::try_parse_from(all).unwrap().config)
    };
    let missing = dir.path().join("missing.json");
    let err = load(&["--trusted-documents", missing.to_str().unwrap()]).unwrap_err();
    assert!(format!("{err:#}").contains("NETRA_TRUSTED_DOCUMENTS: cannot read"), "{err:#}");
    let err = load(&["--trusted-documents", bad.to_str().unwrap()]).unwrap_err();
    assert!(format!("{err:#}").contains("is not the SHA-256 of its document"), "{err:#}");
    let err = load(&["--trusted-documents-only", "true"]).unwrap_err();
    assert!(format!("{err:#}").contains("needs NETRA_TRUSTED_DOCUMENTS"), "{err:#}");
    let config = load(&["--trusted-documents", good.to_str().unwrap(), "--trusted-documents-only", "true"]).unwrap();
    assert_eq!(config.trusted_documents.map(|m| m.len()), Some(1));
    assert!(config.trusted_documents_only);
}

#[tokio::test]
async fn graphql_ws_subscribe_payloads_follow_the_same_rules() {
    use std::time::Duration;

    use crate::changes::ws::{serve, Client, Event};
    let app = with_manifest(Engine::Sqlite, true).await;
    let addr = serve(app.router.clone()).await;
    let mut client = Client::connected(addr, &app.token("BAWASLU-16.73")).await;
    // The next message that is not a `complete`.
    async fn answer(client: &mut Client) -> String {
        loop {
            let event = client.next(Duration::from_secs(5)).await;
            if !matches!(&event, Some(Event::Other(v)) if v["type"] == "complete") {
                return format!("{event:?}");
            }
        }
    }
    client.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { agency { code } } }" } })).await;
    let refused = answer(&mut client).await;
    assert!(refused.contains("PERSISTED_QUERY_NOT_ALLOWED"), "{refused}");
    let id = document_hash(ME);
    let by_id = json!({ "query": "", "extensions": { "documentId": id } });
    client.send(json!({ "id": "2", "type": "subscribe", "payload": by_id })).await;
    let by_id = answer(&mut client).await;
    assert!(by_id.contains("BAWASLU-16.73") && !by_id.contains("errors"), "{by_id}");
    client.send(json!({ "id": "3", "type": "subscribe", "payload": { "query": "", "extensions": apq(&id) } })).await;
    let by_hash = answer(&mut client).await;
    assert!(by_hash.contains("BAWASLU-16.73"), "{by_hash}");
}
