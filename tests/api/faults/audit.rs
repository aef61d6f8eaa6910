//! A failing audit path: reads are refused without data, a committed write is
//! answered with its data (its WRITE event committed with it), `/readyz`
//! says so; and anonymous requests, which get published data only, leave no
//! event at all.

use axum::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::*;
use crate::helpers::{engines, Engine, TestApp};

/// Makes every insert of a REQUEST event fail, as a broken audit store would.
async fn refuse_request_events(app: &TestApp) {
    let sql: &[&str] = match app.engine {
        Engine::Sqlite => &["CREATE TRIGGER no_request_events BEFORE INSERT ON audit_event WHEN NEW.kind = 'REQUEST' \
             BEGIN SELECT RAISE(ABORT, 'request events refused by the test'); END"],
        Engine::Postgres => &[
            "CREATE FUNCTION no_request_events() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.kind = 'REQUEST' THEN RAISE EXCEPTION 'request events refused by the test'; END IF; \
             RETURN NEW; END $$",
            "CREATE TRIGGER no_request_events BEFORE INSERT ON audit_event FOR EACH ROW \
             EXECUTE FUNCTION no_request_events()",
        ],
    };
    for s in sql {
        app.db.execute_unprepared(s).await.unwrap();
    }
}

#[tokio::test]
async fn when_request_events_cannot_be_stored_reads_get_no_data_and_committed_writes_get_theirs() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let state = state_for(&app.url, |_| {}).await;
        let router = router_of(&state);
        let token = writer(&app, "BAWASLU-16.73");
        let (number, version) = handled_case(&app, "BAWASLU-16.73").await;
        refuse_request_events(&app).await;
        let writes = "SELECT COUNT(*) FROM audit_event WHERE kind = 'WRITE'";
        let before = app.count(writes).await;

        let read = gql(&router, Some(&token), "{ cases(first: 3) { edges { node { number } } } }", json!({})).await;
        assert!(read.body["data"].is_null(), "{engine:?}: a read without its event carries no data: {}", read.body);
        assert_eq!(read.code(), "INTERNAL", "{engine:?}");

        let a = gql(&router, Some(&token), CORRECT, correction(&number, version, "audit store failing")).await;
        assert_eq!(a.status, StatusCode::OK, "{engine:?}: {}", a.body);
        assert!(a.body.get("errors").is_none(), "{engine:?}: a committed write is answered with its data: {}", a.body);
        assert_eq!(a.body["data"]["recordCorrection"]["case"]["version"], version + 1, "{engine:?}");
        assert_eq!(app.count(writes).await, before + 1, "{engine:?}: its WRITE event committed with it");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_event WHERE kind = 'REQUEST'").await,
            0,
            "{engine:?}: no event was half-written"
        );
        let stored = format!("SELECT CAST(version AS BIGINT) FROM \"case\" WHERE number = '{number}'");
        assert_eq!(app.count(&stored).await, version + 1, "{engine:?}: the answer matches the database");
    }
}

#[tokio::test]
async fn readiness_is_503_while_the_audit_tables_cannot_be_written_and_200_again_after() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let state = state_for(&app.url, |_| {}).await;
        let router = router_of(&state);
        assert_eq!(get(&router, "/readyz").await.status, StatusCode::OK, "{engine:?}");
        app.db.execute_unprepared("ALTER TABLE audit_event RENAME TO audit_event_away").await.unwrap();
        let ready = get(&router, "/readyz").await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{engine:?}: {}", ready.body);
        assert_eq!(ready.body["audit"], "failed", "{engine:?}: {}", ready.body);
        assert_eq!(ready.body["database"], "ok", "{engine:?}: reads still work: {}", ready.body);
        app.db.execute_unprepared("ALTER TABLE audit_event_away RENAME TO audit_event").await.unwrap();
        assert_eq!(get(&router, "/readyz").await.status, StatusCode::OK, "{engine:?}");
    }
}

#[tokio::test]
async fn anonymous_requests_leave_no_event_and_authenticated_reads_still_do() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let state = state_for(&app.url, |_| {}).await;
        let router = router_of(&state);
        let events = "SELECT COUNT(*) FROM audit_event";
        for q in
            ["{ cases(first: 5) { totalCount } }", "{ officials(first: 5) { totalCount } }", "{ regions { code } }"]
        {
            let a = gql(&router, None, q, json!({})).await;
            assert_eq!(a.status, StatusCode::OK, "{engine:?} {q}: {}", a.body);
        }
        assert_eq!(app.count(events).await, 0, "{engine:?}: anonymous requests cannot grow the chain");
        let a = gql(&router, Some(&app.token("BAWASLU-16.73")), "{ cases(first: 5) { totalCount } }", json!({})).await;
        assert!(a.body.get("errors").is_none(), "{}", a.body);
        assert_eq!(app.count(events).await, 1, "{engine:?}: a token's read is audited");
    }
}
