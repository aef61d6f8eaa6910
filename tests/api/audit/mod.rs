//! The audit trail: every non-public read and every write leaves an event in
//! one hash chain before the response leaves; no event, no data; tampering is
//! found by `netra audit verify`; several instances keep one valid chain; and
//! only Bawaslu RI auditors can read it. Shared helpers here; the tests by
//! topic below.

mod chain;
mod events;
mod trail;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use http_body_util::BodyExt;
use netra::audit::chain::{verify, Verification};
use netra::auth::{Authenticator, DevIssuer, Principal};
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::helpers::{TestApp, SECRET};

pub(super) const CASES_WITH_REPORTER: &str =
    "query Reporters { cases(first: 100) { edges { node { number reporter { name } evidence { sha256 } } } } }";

pub(super) async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

pub(super) async fn events(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM audit_event").await
}

/// One column of the newest event, as text ('' for null).
pub(super) async fn last(app: &TestApp, column: &str) -> String {
    app.strings(&format!("SELECT COALESCE(CAST({column} AS TEXT), '') FROM audit_event ORDER BY id DESC LIMIT 1"))
        .await
        .remove(0)
}

/// The case numbers the newest event records with `access`.
pub(super) async fn last_cases(app: &TestApp, access: &str) -> BTreeSet<String> {
    app.strings(&format!(
        "SELECT c.number FROM audit_event_case x JOIN \"case\" c ON c.id = x.case_id \
         WHERE x.event_id = (SELECT MAX(id) FROM audit_event) AND x.access = '{access}'"
    ))
    .await
    .into_iter()
    .collect()
}

pub(super) async fn chain(db: &DatabaseConnection) -> Verification {
    verify(db).await.unwrap()
}

pub(super) async fn assert_intact(db: &DatabaseConnection, label: &str) -> Verification {
    let v = chain(db).await;
    assert!(v.broken.is_none(), "{label}: {v:?}");
    v
}

/// POSTs a query to `router` (another instance).
pub(super) async fn gql_on(router: &Router, token: &str, query: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let resp = router.clone().oneshot(req).await.unwrap();
    serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

/// The principal of a `write` token for `agency`, as the handler would build it.
pub(super) async fn principal(app: &TestApp, agency: &str) -> Principal {
    let token = app.token_with(agency, &["read", "write"]);
    let auth = Authenticator::new(Some(DevIssuer::new(&SecretString::from(SECRET))));
    let registry = netra::registry::Registry::load_once(&app.db).await.unwrap();
    auth.authenticate(&registry, &token).await.unwrap()
}

pub(super) fn nodes(data: &Value) -> Vec<Value> {
    data["cases"]["edges"].as_array().map(|e| e.iter().map(|x| x["node"].clone()).collect()).unwrap_or_default()
}
