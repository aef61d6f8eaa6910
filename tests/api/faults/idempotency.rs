//! Retried idempotent mutations: the same `Idempotency-Key` by the same
//! agency gets the first answer and writes nothing, on any instance; the
//! same key with another body is refused naming the key; a mutation that
//! wrote nothing leaves its key free.

use axum::http::StatusCode;

use super::*;
use crate::helpers::{engines, TestApp};

const EVENTS: &str = "SELECT COUNT(*) FROM case_event";
const WRITES: &str = "SELECT COUNT(*) FROM audit_event WHERE kind = 'WRITE'";

#[tokio::test]
async fn a_retried_mutation_gets_its_first_answer_and_writes_nothing_on_any_instance() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let state = state_for(&app.url, |_| {}).await;
        let router = router_of(&state);
        let other = router_of(&state_for(&app.url, |_| {}).await);
        let token = writer(&app, "BAWASLU-16.73");
        let (number, version) = handled_case(&app, "BAWASLU-16.73").await;
        let vars = correction(&number, version, "retried");
        let key = [("idempotency-key", "correction-7f3a")];

        let first = gql_from(&router, None, Some(&token), &key, CORRECT, vars.clone()).await;
        assert_eq!(first.status, StatusCode::OK, "{engine:?}: {}", first.body);
        assert_eq!(first.body["data"]["recordCorrection"]["case"]["version"], version + 1, "{}", first.body);
        let (events, writes) = (app.count(EVENTS).await, app.count(WRITES).await);

        for (label, r) in [("same instance", &router), ("second instance", &other)] {
            let again = gql_from(r, None, Some(&token), &key, CORRECT, vars.clone()).await;
            assert_eq!(again.status, first.status, "{engine:?} {label}");
            assert_eq!(again.body, first.body, "{engine:?} {label}: the first answer, not CONFLICT");
            assert_eq!(again.header("idempotent-replayed"), Some("true"), "{engine:?} {label}");
        }
        assert_eq!(app.count(EVENTS).await, events, "{engine:?}: no second timeline event");
        assert_eq!(app.count(WRITES).await, writes, "{engine:?}: no second WRITE event");

        // Without the key the same retry is a new request, refused as stale: the key is what made it safe.
        let plain = gql(&router, Some(&token), CORRECT, vars.clone()).await;
        assert_eq!(plain.code(), "CONFLICT", "{engine:?}: {}", plain.body);

        let changed = correction(&number, version, "another body");
        let reused = gql_from(&router, None, Some(&token), &key, CORRECT, changed).await;
        assert_eq!(reused.code(), "BAD_USER_INPUT", "{engine:?}: {}", reused.body);
        let message = reused.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("correction-7f3a") && message.contains("different request"), "{message}");
        assert_eq!(app.count(EVENTS).await, events, "{engine:?}");
    }
}

#[tokio::test]
async fn a_mutation_that_wrote_nothing_leaves_its_key_free_and_keys_are_per_agency() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let router = router_of(&state_for(&app.url, |_| {}).await);
        let token = writer(&app, "BAWASLU-16.73");
        let (number, version) = handled_case(&app, "BAWASLU-16.73").await;
        let key = [("idempotency-key", "k-1")];
        let stale = correction(&number, version - 1, "stale");
        let refused = gql_from(&router, None, Some(&token), &key, CORRECT, stale.clone()).await;
        assert_eq!(refused.code(), "CONFLICT", "{engine:?}: {}", refused.body);
        let again = gql_from(&router, None, Some(&token), &key, CORRECT, stale).await;
        assert_eq!(again.code(), "CONFLICT", "{engine:?}");
        assert_eq!(again.header("idempotent-replayed"), None, "{engine:?}: run again, not replayed");
        // The freed key serves the corrected request.
        let ok = gql_from(&router, None, Some(&token), &key, CORRECT, correction(&number, version, "fresh")).await;
        assert!(ok.body.get("errors").is_none(), "{engine:?}: {}", ok.body);
        // Another agency's use of the same key is its own.
        let bkn = writer(&app, "BKN");
        let theirs = gql_from(&router, None, Some(&bkn), &key, CORRECT, correction(&number, version, "fresh")).await;
        assert_ne!(theirs.header("idempotent-replayed"), Some("true"), "{engine:?}: {}", theirs.body);
        let bad =
            gql_from(&router, None, Some(&token), &[("idempotency-key", "a b")], CORRECT, correction(&number, 1, "x"))
                .await;
        assert_eq!(bad.code(), "BAD_USER_INPUT", "{engine:?}: a key with a space is refused");
        assert_eq!(app.count("SELECT COUNT(*) FROM idempotency_key").await, 1, "{engine:?}");
    }
}
