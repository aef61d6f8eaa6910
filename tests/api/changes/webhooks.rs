//! Webhooks: registration and its refusals, signed deliveries a receiver on
//! 127.0.0.1 verifies with the Standard Webhooks algorithm, the scope of
//! what is delivered, retries of a failing receiver, and deliveries that
//! survive a restart.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::ws::serve;
use super::{decide, forward, receive};
use crate::helpers::{engines, error_code, Engine as Db, TestApp};

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Got {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on 127.0.0.1 that answers 500 to its first `failures` requests.
#[derive(Clone)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    failures: Arc<AtomicUsize>,
    url: String,
}

async fn accept(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    r.got.lock().unwrap().push(Got {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body,
    });
    let left = r.failures.load(Ordering::SeqCst);
    if left > 0 {
        r.failures.store(left - 1, Ordering::SeqCst);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

impl Receiver {
    async fn start(failures: usize) -> Self {
        let mut r = Self { got: Arc::default(), failures: Arc::new(AtomicUsize::new(failures)), url: String::new() };
        let addr = serve(Router::new().route("/hook", post(accept)).with_state(r.clone())).await;
        r.url = format!("http://{addr}/hook");
        r
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until a request whose body's kind is `kind` arrived.
    async fn wait_for(&self, kind: &str) -> Got {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if let Some(g) = self.got().into_iter().find(|g| body(g)["type"] == kind) {
                return g;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {kind} delivery; got {:?}", self.got());
    }
}

fn body(g: &Got) -> Value {
    serde_json::from_str(&g.body).unwrap()
}

/// Standard Webhooks verification, as the specification states it.
fn verify(secret: &str, g: &Got) {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.{}", g.id, g.timestamp, g.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert!(g.signature.split(' ').any(|s| s == expected), "signature {} != {expected}", g.signature);
    let ts: i64 = g.timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 300, "a fresh timestamp");
}

async fn app(engine: Db) -> TestApp {
    TestApp::spawn_with(engine, |c| {
        c.webhook_allow_private = true;
        c.webhook_retry_base_ms = 100;
    })
    .await
}

const CREATE: &str = "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url changeKinds active } } }";

/// `agency` registers `url`; returns (secret, webhook id).
async fn register(app: &TestApp, agency: &str, url: &str, kinds: Option<Value>) -> (String, String) {
    let token = app.token_with(agency, &["read", "webhooks"]);
    let (_, b) = app.gql(Some(&token), CREATE, json!({ "input": { "url": url, "changeKinds": kinds } })).await;
    assert!(b.get("errors").is_none(), "{b}");
    let p = &b["data"]["createWebhook"];
    (p["secret"].as_str().unwrap().to_owned(), p["webhook"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn registering_a_webhook_needs_the_webhooks_permission_and_a_public_https_url() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let input = |url: &str| json!({ "input": { "url": url } });
        let reader = app.token("PEMDA-16.73");
        let (_, b) = app.gql(Some(&reader), CREATE, input("https://pemda.example/hook")).await;
        assert_eq!(error_code(&b), "FORBIDDEN", "{engine:?}: {b}");
        let (_, b) = app.gql(None, CREATE, input("https://pemda.example/hook")).await;
        assert_eq!(error_code(&b), "UNAUTHENTICATED", "{b}");
        let manager = app.token_with("PEMDA-16.73", &["read", "webhooks"]);
        for bad in [
            "http://127.0.0.1:9/hook",
            "https://10.1.2.3/hook",
            "http://[::1]/x",
            "http://localhost/x",
            "ftp://pemda.example/x",
            "not a url",
        ] {
            let (_, b) = app.gql(Some(&manager), CREATE, input(bad)).await;
            assert_eq!(error_code(&b), "BAD_USER_INPUT", "{bad}: {b}");
        }
        let (_, b) = app.gql(Some(&manager), CREATE, input("https://pemda.example/hook")).await;
        let created = &b["data"]["createWebhook"];
        assert!(created["secret"].as_str().unwrap().starts_with("whsec_"), "{b}");
        assert_eq!(created["webhook"]["changeKinds"], Value::Null, "all kinds by default");
        // Only the agency's own endpoints are listed; another agency cannot touch them.
        let list = app.data_as(None, "{ __typename }", json!({})).await;
        assert_eq!(list["__typename"], "Query");
        let (_, mine) = app.gql(Some(&manager), "{ webhooks { id url } }", json!({})).await;
        assert_eq!(mine["data"]["webhooks"].as_array().unwrap().len(), 1, "{mine}");
        let other = app.token_with("PEMDA-16.71", &["read", "webhooks"]);
        let (_, theirs) = app.gql(Some(&other), "{ webhooks { id } }", json!({})).await;
        assert!(theirs["data"]["webhooks"].as_array().unwrap().is_empty(), "{theirs}");
        let id = created["webhook"]["id"].clone();
        let (_, b) = app
            .gql(
                Some(&other),
                "mutation($id: ID!) { deleteWebhook(id: $id) { deletedWebhookId } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&b), "NOT_FOUND", "{b}");
        let (_, b) = app
            .gql(Some(&manager), "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }", json!({ "id": id }))
            .await;
        assert_ne!(b["data"]["rotateWebhookSecret"]["secret"], created["secret"], "{b}");
        let (_, b) = app
            .gql(
                Some(&manager),
                "mutation($id: ID!) { deleteWebhook(id: $id) { deletedWebhookId } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(b["data"]["deleteWebhook"]["deletedWebhookId"], id, "{b}");
    }
}

#[tokio::test]
async fn a_forwarding_reaches_the_ppk_s_webhook_signed_and_nothing_reaches_lampung_s() {
    for engine in engines() {
        let app = app(engine).await;
        let (pemda, lampung) = (Receiver::start(0).await, Receiver::start(0).await);
        let (secret, hook) = register(&app, "PEMDA-16.73", &pemda.url, None).await;
        register(&app, "BAWASLU-18", &lampung.url, None).await;
        let case = decide(&app, receive(&app).await).await;
        forward(&app, &case).await;
        let got = pemda.wait_for("FORWARDING_SENT").await;
        verify(&secret, &got);
        let b = body(&got);
        assert_eq!(b["data"]["case"]["number"], case["number"], "{engine:?}");
        assert_eq!(b["data"]["actorAgency"]["code"], "BAWASLU-16.73");
        assert!(!got.body.contains("Test Reporter") && !got.body.contains("198609262015051001"), "{}", got.body);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(lampung.got().is_empty(), "{engine:?}: BAWASLU-18 is sent nothing: {:?}", lampung.got());
        // The attempt is listed, and left an audit event as a read by PEMDA-16.73.
        let token = app.token_with("PEMDA-16.73", &["read", "webhooks"]);
        let q = "query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount edges { node { status attempts responseCode } } } }";
        let (_, d) = app.gql(Some(&token), q, json!({ "id": hook })).await;
        assert_eq!(d["data"]["webhookDeliveries"]["edges"][0]["node"]["status"], "DELIVERED", "{d}");
        assert_eq!(d["data"]["webhookDeliveries"]["edges"][0]["node"]["responseCode"], 204);
        let audited = app
            .count("SELECT COUNT(*) FROM audit_event WHERE agency_code = 'PEMDA-16.73' AND root_fields LIKE '%webhookDelivery%'")
            .await;
        assert_eq!(audited, i64::try_from(pemda.got().len()).unwrap(), "{engine:?}: one event per delivery");
    }
}

#[tokio::test]
async fn a_receiver_answering_500_is_retried_with_the_same_message_id() {
    for engine in engines() {
        let app = app(engine).await;
        let office = Receiver::start(2).await;
        let (secret, hook) = register(&app, "BAWASLU-16.73", &office.url, Some(json!(["CASE_RECEIVED"]))).await;
        receive(&app).await;
        let start = Instant::now();
        while office.got().len() < 3 && start.elapsed() < Duration::from_secs(15) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got = office.got();
        assert_eq!(got.len(), 3, "{engine:?}: two 500s, then accepted: {got:?}");
        assert!(got.iter().all(|g| g.id == got[0].id), "one message, three attempts");
        for g in &got {
            verify(&secret, g);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let token = app.token_with("BAWASLU-16.73", &["read", "webhooks"]);
        let q =
            "query($id: ID!) { webhookDeliveries(webhookId: $id) { edges { node { status attempts responseCode } } } }";
        let (_, d) = app.gql(Some(&token), q, json!({ "id": hook })).await;
        let node = &d["data"]["webhookDeliveries"]["edges"][0]["node"];
        assert_eq!(node["status"], "DELIVERED", "{engine:?}: {d}");
        assert_eq!(node["attempts"], 3);
        assert_eq!(office.got().len(), 3, "nothing more once delivered");
    }
}

#[tokio::test]
async fn entries_committed_while_no_worker_ran_are_delivered_after_a_restart() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| {
            c.webhook_allow_private = true;
            c.webhook_delivery = false;
        })
        .await;
        let office = Receiver::start(0).await;
        let (secret, _) = register(&app, "BAWASLU-16.73", &office.url, None).await;
        decide(&app, receive(&app).await).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(office.got().is_empty(), "{engine:?}: no worker, no delivery yet");
        // netra starts again (another process on the same database), with its worker.
        let db = netra::db::connect(&app.url).await.unwrap();
        let mut config = netra::config::Config::for_database(app.url.clone());
        config.webhook_allow_private = true;
        let _restarted = netra::app::AppState::new(db, config);
        office.wait_for("CASE_RECEIVED").await;
        let start = Instant::now();
        while office.got().len() < 5 && start.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let got = office.got();
        let actions: Vec<Value> = got.iter().map(|g| body(g)["data"]["action"].clone()).collect();
        assert_eq!(
            actions,
            ["RECEIVE", "START_FORMAL_CHECK", "COMPLETE_FORMAL_CHECK", "START_CLARIFICATION", "DECIDE"],
            "{engine:?}: every entry, once, in order"
        );
        for g in &got {
            verify(&secret, g);
        }
    }
}
