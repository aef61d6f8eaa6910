//! `/readyz` and `/metrics`, the operator's endpoints (never shed, never
//! rate-limited).
//!
//! `/readyz` answers within [`READY_TIMEOUT`]: 200 when the request pool can
//! read and the audit writer's pool can write the audit tables (a probe
//! update that touches no row, in a transaction that is rolled back, so a
//! read-only, recovering or revoked database is not ready); 503 otherwise,
//! naming which of the two failed. `/healthz` stays liveness only.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};

use super::AppState;
use crate::metrics::{Snapshot, CONTENT_TYPE};

/// The longest `/readyz` takes.
pub const READY_TIMEOUT: Duration = Duration::from_secs(1);

async fn can_read(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.query_one(Statement::from_string(db.get_database_backend(), "SELECT version FROM registry_version WHERE id = 1"))
        .await
        .map(|_| ())
}

async fn can_write_audit(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    for probe in
        ["UPDATE audit_chain SET last_id = last_id WHERE id = -1", "UPDATE audit_event SET id = id WHERE id = -1"]
    {
        txn.execute_unprepared(probe).await?;
    }
    txn.rollback().await
}

async fn within<F: std::future::Future<Output = Result<(), DbErr>>>(what: &str, probe: F) -> Result<(), String> {
    match tokio::time::timeout(READY_TIMEOUT, probe).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the {what} probe failed");
            Err("failed".to_owned())
        }
        Err(_) => Err("timed out".to_owned()),
    }
}

/// `GET /readyz`.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    // Both probes run at once, so the answer takes at most READY_TIMEOUT.
    let (read, audit) = tokio::join!(
        within("database read", can_read(&state.db)),
        within("audit write", can_write_audit(&state.audit_db))
    );
    match (read, audit) {
        (Ok(()), Ok(())) => (StatusCode::OK, Json(serde_json::json!({ "status": "ready" }))),
        (read, audit) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({
                "status": "unavailable",
                "database": read.err().unwrap_or_else(|| "ok".to_owned()),
                "audit": audit.err().unwrap_or_else(|| "ok".to_owned()),
            })),
        ),
    }
}

fn pool_of(db: &DatabaseConnection) -> (u32, u32) {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let p = db.get_postgres_connection_pool();
            (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX))
        }
        _ => {
            let p = db.get_sqlite_connection_pool();
            (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX))
        }
    }
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let now = Snapshot {
        pool: pool_of(&state.db),
        audit_pool: pool_of(&state.audit_db),
        audit_queue: state.audit.queue_depth(),
        registry_loaded: state.registry.is_loaded(),
    };
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], state.metrics.encode(now))
}
