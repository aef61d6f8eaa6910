//! The chain: tamper detection, `netra audit verify`, group commit, and
//! several instances appending at once.

use netra::audit::{record_in, AuditEntry};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use super::*;
use crate::helpers::{engines, Engine, TestApp};

/// An app with `n` read events (ids 1..=n), each with case rows.
async fn app_with_events(engine: Engine, n: usize) -> TestApp {
    let app = TestApp::with_demo(engine).await;
    for _ in 0..n {
        app.data_as(Some("BAWASLU-16.73"), CASES_WITH_REPORTER, json!({})).await;
    }
    assert_eq!(assert_intact(&app.db, "before tampering").await.events, n as u64);
    app
}

async fn tamper(app: &TestApp, statements: &[&str]) -> (i64, String) {
    for sql in statements {
        app.db.execute_unprepared(sql).await.unwrap();
    }
    let broken =
        chain(&app.db).await.broken.unwrap_or_else(|| panic!("{:?}: {statements:?} went unnoticed", app.engine));
    (broken.event_id, broken.reason)
}

#[tokio::test]
async fn verify_detects_a_modified_event() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["UPDATE audit_event SET subject = 'someone-else' WHERE id = 2"]).await;
        assert_eq!(at, 2, "{engine:?}: {why}");
        assert!(why.contains("modified"), "{why}");
        let app = app_with_events(engine, 3).await;
        let (at, why) =
            tamper(&app, &["DELETE FROM audit_event_case WHERE event_id = 3 AND access = 'REPORTER'"]).await;
        assert_eq!(at, 3, "{engine:?}: a removed case row: {why}");
    }
}

#[tokio::test]
async fn verify_detects_a_deleted_event() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["DELETE FROM audit_event WHERE id = 2"]).await;
        assert_eq!(at, 3, "{engine:?}: {why}");
        assert!(why.contains("event 2 is missing"), "{why}");
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(&app, &["DELETE FROM audit_event WHERE id = 4"]).await;
        assert_eq!(at, 4, "{engine:?}: the last event: {why}");
        assert!(why.contains("removed from the end"), "{why}");
    }
}

#[tokio::test]
async fn verify_detects_reordered_events() {
    for engine in engines() {
        let app = app_with_events(engine, 4).await;
        let (at, why) = tamper(
            &app,
            &[
                "UPDATE audit_event SET id = -2 WHERE id = 2",
                "UPDATE audit_event SET id = 2 WHERE id = 3",
                "UPDATE audit_event SET id = 3 WHERE id = -2",
                "UPDATE audit_event_case SET event_id = -2 WHERE event_id = 2",
                "UPDATE audit_event_case SET event_id = 2 WHERE event_id = 3",
                "UPDATE audit_event_case SET event_id = 3 WHERE event_id = -2",
            ],
        )
        .await;
        assert_eq!(at, 2, "{engine:?}: {why}");
        assert!(why.contains("prev_hash"), "{why}");
    }
}

#[tokio::test]
async fn verify_command_prints_a_summary_and_exits_non_zero_at_the_first_break() {
    let app = app_with_events(Engine::Sqlite, 3).await;
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_netra"))
            .args(["audit", "verify"])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &app.url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let ok = run();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout.contains("audit chain intact") && stdout.contains("events checked: 3"), "{stdout}");
    app.db.execute_unprepared("UPDATE audit_event SET agency_code = 'BAWASLU-18' WHERE id = 2").await.unwrap();
    let broken = run();
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("audit chain broken at event 2"), "{stderr}");
}

#[tokio::test]
async fn concurrent_requests_share_one_insert_and_one_transaction() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let token = app.token("BAWASLU-16");
        app.statement_log.lock().unwrap().clear();
        let requests = (0..40).map(|_| app.gql(Some(&token), "{ cases(first: 2) { totalCount } }", json!({})));
        for (_, body) in futures_join_all(requests).await {
            assert!(body.get("errors").is_none(), "{body}");
        }
        // SQLite: the multi-row inserts in the app's log. PostgreSQL: a batch
        // is one statement sent past that log, so count its transactions.
        let inserts = match engine {
            Engine::Sqlite => app
                .statement_log
                .lock()
                .unwrap()
                .iter()
                .filter(|s| s.starts_with("INSERT INTO \"audit_event\""))
                .count(),
            Engine::Postgres => app.count("SELECT COUNT(DISTINCT xmin::text) FROM audit_event").await as usize,
        };
        assert_eq!(events(&app).await, 40);
        assert!((1..40).contains(&inserts), "{engine:?}: {inserts} batches for 40 events: no group commit");
        assert_intact(&app.db, &format!("{engine:?}")).await;
    }
}

/// `join_all` without a futures dependency: polls all in one task.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_writing_at_once_leave_one_valid_chain() {
    for engine in engines() {
        let app = TestApp::with_demo(engine).await;
        let (second, second_db) = app.second_instance().await;
        let viewer = principal(&app, "BAWASLU-16.73").await;
        let mut tasks = Vec::new();
        for i in 0..60 {
            let router = if i % 2 == 0 { app.router.clone() } else { second.clone() };
            let agency = ["BAWASLU-16.73", "BAWASLU-16", "BKN"][i % 3];
            let token = app.token(agency);
            tasks.push(tokio::spawn(async move {
                let body = gql_on(&router, &token, CASES_WITH_REPORTER.replace("reporter { name }", "").as_str()).await;
                assert!(body.get("errors").is_none(), "{body}");
            }));
        }
        // Writes in their own transactions, on both pools, interleaved with the reads.
        for i in 0..10 {
            let db = if i % 2 == 0 { app.db.clone() } else { second_db.clone() };
            let viewer = viewer.clone();
            tasks.push(tokio::spawn(async move {
                let txn = db.begin().await.unwrap();
                record_in(&txn, AuditEntry::write(&viewer, "concurrentStep")).await.unwrap();
                txn.commit().await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = assert_intact(&app.db, &format!("{engine:?}")).await;
        assert_eq!(v.events, 70, "{engine:?}");
        assert_eq!(v.head.0, 70, "{engine:?}: ids are contiguous");
        assert_eq!(count(&app, "SELECT COUNT(DISTINCT prev_hash) FROM audit_event").await, 70, "no fork");
        second_db.close().await.unwrap();
    }
}
