//! The in-memory agency registry: authentication issues no SQL statement,
//! a change to the registry is seen by the running app, unknown and no
//! longer active agencies are refused, and a failed refresh keeps the copy.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use netra::auth::{Authenticator, DevIssuer};
use netra::registry::Registry;
use sea_orm::ConnectionTrait;
use secrecy::SecretString;
use serde_json::json;

use crate::helpers::{engines, error_code, TestApp, SECRET};

const WHO: &str = "{ me { subject permissions } }";

/// Polls until `agency`'s token gets `want`, for at most 5 s (the registry
/// polls its version row every second).
async fn wait_for_status(app: &TestApp, agency: &str, want: StatusCode) {
    let token = app.token(agency);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = app.gql(Some(&token), WHO, json!({})).await;
        if status == want {
            return;
        }
        assert!(Instant::now() < deadline, "{:?}: {agency} still gets {status}, want {want}: {body}", app.engine);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn authentication_issues_no_sql_statement() {
    for engine in engines() {
        let app = TestApp::spawn_with(engine, |c| c.audit = false).await;
        // The first request may wait for the registry's first load; that load is not counted.
        let data = app.data_as(Some("BAWASLU-16"), WHO, json!({})).await;
        assert_eq!(data["me"]["subject"], "tester");
        app.statements.store(0, std::sync::atomic::Ordering::SeqCst);
        app.statement_log.lock().unwrap().clear();
        for agency in ["BAWASLU-16", "BAWASLU-16.73", "BKN", "INSPEKTORAT-16.73"] {
            let data = app.data_as(Some(agency), WHO, json!({})).await;
            assert_eq!(data["me"]["permissions"], json!(["READ"]), "{engine:?}: {agency}");
        }
        let (status, _) = app.gql(Some(&app.token("NO-SUCH-AGENCY")), WHO, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let log = app.statement_log.lock().unwrap().clone();
        assert_eq!(app.statements.load(std::sync::atomic::Ordering::SeqCst), 0, "{engine:?}: {log:?}");
    }
}

#[tokio::test]
async fn a_registry_change_is_seen_by_the_running_app() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        wait_for_status(&app, "BAWASLU-16.73", StatusCode::OK).await;
        // Dissolve the office by plain SQL, as an operator would: the trigger bumps the version.
        app.db
            .execute_unprepared("UPDATE agency SET valid_to = '2020-01-01' WHERE code = 'BAWASLU-16.73'")
            .await
            .unwrap();
        wait_for_status(&app, "BAWASLU-16.73", StatusCode::UNAUTHORIZED).await;
        // Reinstated, it is accepted again; its neighbours never stopped being accepted.
        app.db.execute_unprepared("UPDATE agency SET valid_to = NULL WHERE code = 'BAWASLU-16.73'").await.unwrap();
        wait_for_status(&app, "BAWASLU-16.73", StatusCode::OK).await;
        wait_for_status(&app, "BAWASLU-16", StatusCode::OK).await;
    }
}

#[tokio::test]
async fn refresh_reloads_exactly_when_the_version_moved() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let registry = Registry::load_once(&app.db).await.unwrap();
        let before = registry.snapshot().await.unwrap();
        assert!(before.agency("BAWASLU-16").is_some());
        assert_eq!(before.region("16.73").unwrap().level, 2);
        assert!(!registry.refresh().await.unwrap(), "{engine:?}: nothing changed, nothing reloaded");
        app.db.execute_unprepared("UPDATE region SET name = name || ' ' WHERE code = '16.73'").await.unwrap();
        assert!(registry.refresh().await.unwrap(), "{engine:?}: a region write moves the version");
        let after = registry.snapshot().await.unwrap();
        assert!(after.version() > before.version());
        app.db.execute_unprepared("DELETE FROM agency WHERE code = 'KASN'").await.unwrap();
        assert!(registry.refresh().await.unwrap(), "{engine:?}: an agency delete moves the version");
        assert!(registry.snapshot().await.unwrap().agency("KASN").is_none());
    }
}

#[tokio::test]
async fn unknown_and_inactive_agencies_are_refused_from_memory() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        for agency in ["NO-SUCH-AGENCY", "KASN", "BAWASLU-99"] {
            let (status, body) = app.gql(Some(&app.token(agency)), WHO, json!({})).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{engine:?}: {agency}: {body}");
            assert_eq!(error_code(&body), "UNAUTHENTICATED");
        }
        let data = app.data_as(Some("BKN"), WHO, json!({})).await;
        assert_eq!(data["me"]["subject"], "tester", "{engine:?}: the active successor is accepted");
    }
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_loaded_copy() {
    for engine in engines() {
        let app = TestApp::spawn(engine).await;
        let registry = Registry::load_once(&app.db).await.unwrap();
        // The version row disappears: every refresh now fails, as in an outage.
        app.db.execute_unprepared("DROP TABLE registry_version").await.unwrap();
        assert!(registry.refresh().await.is_err());
        assert!(registry.is_loaded());
        let auth = Authenticator::new(Some(DevIssuer::new(&SecretString::from(SECRET))));
        let p = auth.authenticate(&registry, &app.token("BAWASLU-16")).await.unwrap();
        assert_eq!(p.agency_code, "BAWASLU-16");
        assert_eq!(p.jurisdiction.unwrap().code, "16");
        assert!(auth.authenticate(&registry, &app.token("NO-SUCH-AGENCY")).await.is_err());
    }
}
