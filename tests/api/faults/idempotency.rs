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

/// What the handler stores as the request's hash for `CORRECT` with `vars`.
fn hash_of(vars: &Value) -> String {
    let variables = async_graphql::Variables::from_json(vars.clone());
    netra::idempotency::request_hash(CORRECT, None, &serde_json::to_value(&variables).unwrap())
}

/// Leaves a claim as an instance that died would: `age` old, owned by
/// `owner`, without an answer, committed or not.
async fn leave_claim(
    app: &TestApp,
    agency: &str,
    key: &str,
    hash: &str,
    age: chrono::Duration,
    owner: &str,
    committed: bool,
) {
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm::ConnectionTrait;
    let agency_id = app.count(&format!("SELECT id FROM agency WHERE code = '{agency}'")).await;
    let at = chrono::Utc::now() - age;
    let committed_at: Option<chrono::DateTime<chrono::Utc>> = committed.then_some(at);
    let q = Query::insert()
        .into_table(Alias::new("idempotency_key"))
        .columns(["agency_id", "client_key", "request_hash", "created_at", "owner", "committed_at"].map(Alias::new))
        .values_panic([agency_id.into(), key.into(), hash.into(), at.into(), owner.into(), committed_at.into()])
        .to_owned();
    app.db.execute(app.db.get_database_backend().build(&q)).await.unwrap();
}

#[tokio::test]
async fn a_claim_left_by_a_dead_instance_is_taken_over_only_if_its_write_never_committed() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let router = router_of(&state_for(&app.url, |c| c.request_timeout_secs = 30).await);
        let token = writer(&app, "BAWASLU-16.73");
        let (number, version) = handled_case(&app, "BAWASLU-16.73").await;
        let events = app.count(EVENTS).await;

        // Died before committing, an hour ago: the retry takes the claim over and runs, once.
        let vars = correction(&number, version, "after a crash");
        leave_claim(&app, "BAWASLU-16.73", "dead-1", &hash_of(&vars), chrono::Duration::hours(1), "dead", false).await;
        let key = [("idempotency-key", "dead-1")];
        let run = gql_from(&router, None, Some(&token), &key, CORRECT, vars.clone()).await;
        assert_eq!(run.body["data"]["recordCorrection"]["case"]["version"], version + 1, "{engine:?}: {}", run.body);
        assert_eq!(app.count(EVENTS).await, events + 1, "{engine:?}: written once");
        let again = gql_from(&router, None, Some(&token), &key, CORRECT, vars).await;
        assert_eq!(again.body, run.body, "{engine:?}: the taken-over claim keeps the answer");
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(app.count(EVENTS).await, events + 1, "{engine:?}");

        // A claim younger than the request timeout belongs to a request that may still run.
        let young = correction(&number, version + 1, "still running");
        leave_claim(&app, "BAWASLU-16.73", "alive-1", &hash_of(&young), chrono::Duration::seconds(1), "alive", false)
            .await;
        let busy = gql_from(&router, None, Some(&token), &[("idempotency-key", "alive-1")], CORRECT, young).await;
        assert_eq!(busy.code(), "CONFLICT", "{engine:?}: {}", busy.body);
        assert!(busy.body["errors"][0]["message"].as_str().unwrap().contains("still in progress"), "{}", busy.body);

        // Committed, answer lost: never run again, and said so.
        let lost = correction(&number, version + 1, "answer lost");
        leave_claim(&app, "BAWASLU-16.73", "lost-1", &hash_of(&lost), chrono::Duration::hours(1), "dead", true).await;
        let applied = gql_from(&router, None, Some(&token), &[("idempotency-key", "lost-1")], CORRECT, lost).await;
        assert_eq!(applied.code(), "CONFLICT", "{engine:?}: {}", applied.body);
        assert!(applied.body["errors"][0]["message"].as_str().unwrap().contains("was applied"), "{}", applied.body);
        assert_eq!(app.count(EVENTS).await, events + 1, "{engine:?}: neither ran");
    }
}

#[tokio::test]
async fn a_request_whose_claim_was_taken_over_writes_nothing() {
    use netra::idempotency::{Claim, CURRENT};
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        leave_claim(&app, "BAWASLU-16.73", "raced", "h", chrono::Duration::zero(), "the-retry", false).await;
        let agency_id = app.count("SELECT id FROM agency WHERE code = 'BAWASLU-16.73'").await;
        let claim = |owner: &str| Some(Claim { agency_id, key: "raced".into(), owner: owner.into() });
        let superseded = CURRENT.scope(claim("the-first"), netra::db::begin_write(&app.db)).await;
        assert_eq!(superseded.err().map(|e| e.code()), Some("CONFLICT"), "{engine:?}: the first attempt may not write");
        let marked = "SELECT COUNT(*) FROM idempotency_key WHERE client_key = 'raced' AND committed_at IS NOT NULL";
        assert_eq!(app.count(marked).await, 0, "{engine:?}");
        let txn = CURRENT.scope(claim("the-retry"), netra::db::begin_write(&app.db)).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(app.count(marked).await, 1, "{engine:?}: the owner's write marks the claim in its transaction");
        // Outside any request nothing is marked or refused.
        netra::db::begin_write(&app.db).await.unwrap().rollback().await.unwrap();
    }
}
