//! The webhook delivery worker, one per instance (`NETRA_WEBHOOK_DELIVERY`).
//! Each round it
//!
//! 1. **fans out** the outbox: under the `webhook_cursor` row lock (skipped
//!    by the other instances while one holds it), every entry after the
//!    cursor becomes one `webhook_delivery` per active endpoint whose agency
//!    may see it (`policy::change_scope`, as a `read` of that agency) and
//!    whose kinds include it; the cursor moves in the same transaction, so a
//!    restart neither loses nor repeats one;
//! 2. **claims** due deliveries (`FOR UPDATE SKIP LOCKED` on PostgreSQL) by
//!    pushing their next attempt a lease ahead, so instances share the work;
//! 3. **sends** each one, signed (`sign`), and records the attempt with its
//!    audit event (a read by the receiving agency) in one transaction.
//!
//! The worker also runs the deadline scheduler (`scheduler`) once a minute.
//!
//! At least once: a crash after sending and before recording repeats the
//! delivery with the same `webhook-id`, which receivers use to deduplicate.

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::Utc;
use futures_util::FutureExt;
use sea_orm::sea_query::{LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement, TransactionTrait,
};

use super::hub::Hub;
use super::send::{send, Outcome};
use super::webhook::kinds_of;
use crate::audit::{AuditEntry, EventKind, OperationType};
use crate::auth::{Jurisdiction, Permission, Principal};
use crate::config::Config;
use crate::entity::{agency, change_entry, region, webhook, webhook_delivery};
use crate::error::AppResult;
use crate::policy;

/// Most entries fanned out per round.
const FAN_OUT: u64 = 500;
/// Most deliveries claimed per round.
const CLAIM: u64 = 16;
/// How long a claimed delivery stays with its instance.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// The longest wait between rounds.
const IDLE: Duration = Duration::from_millis(500);
/// How often the deadline entries are looked for.
const DEADLINES: Duration = Duration::from_secs(60);
/// The longest delay between two attempts.
const MAX_DELAY_MS: u64 = 6 * 3600 * 1000;
/// A delivery is marked failed once it has been retried this many times the base delay (24 h at the default).
const GIVE_UP_FACTOR: u64 = 2880;

/// Delivery states as stored.
pub mod status {
    /// Waiting for its next attempt.
    pub const PENDING: &str = "PENDING";
    /// The receiver answered 2xx.
    pub const DELIVERED: &str = "DELIVERED";
    /// Retried for the whole horizon without success.
    pub const FAILED: &str = "FAILED";
    /// Not sent: the endpoint is gone or disabled, or its agency may no longer see the entry.
    pub const SKIPPED: &str = "SKIPPED";
}

struct Inner {
    db: DatabaseConnection,
    config: Arc<Config>,
    hub: Hub,
}

/// The worker's handle; the task stops when the last handle is dropped.
#[derive(Clone)]
pub struct Deliveries {
    _inner: Option<Arc<Inner>>,
}

impl Deliveries {
    /// Starts the worker (unless `config` switches it off). Call inside a Tokio runtime.
    pub fn start(db: &DatabaseConnection, config: Arc<Config>, hub: Hub) -> Self {
        if !config.webhook_delivery {
            return Self { _inner: None };
        }
        let inner = Arc::new(Inner { db: crate::registry::uncounted(db), config, hub });
        tokio::spawn(run(Arc::downgrade(&inner)));
        Self { _inner: Some(inner) }
    }
}

async fn run(inner: Weak<Inner>) {
    let mut head = match inner.upgrade() {
        Some(i) => i.hub.subscribe(),
        None => return,
    };
    // The first look is a minute after the start, then every minute.
    let mut deadlines = tokio::time::interval_at(tokio::time::Instant::now() + DEADLINES, DEADLINES);
    loop {
        let Some(strong) = inner.upgrade() else { return };
        if deadlines.tick().now_or_never().is_some() {
            let today = strong.config.clock.today(crate::clock::zone_of(None));
            if let Err(e) = super::scheduler::run_once(&strong.db, today, strong.config.decision_due_days).await {
                tracing::warn!(error = %e, "deadline entries failed");
            }
        }
        let busy = match round(&strong).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed");
                false
            }
        };
        drop(strong);
        if !busy {
            let _ = tokio::time::timeout(IDLE, head.changed()).await;
        }
    }
}

/// One round: fan out, claim, send. Returns how many deliveries were sent.
async fn round(inner: &Inner) -> AppResult<usize> {
    fan_out(&inner.db).await?;
    let claimed = claim(&inner.db).await?;
    let n = claimed.len();
    // In commit order per endpoint; endpoints in parallel.
    let mut by_hook: std::collections::BTreeMap<i64, Vec<webhook_delivery::Model>> = Default::default();
    for d in claimed {
        by_hook.entry(d.webhook_id).or_default().push(d);
    }
    let sends = by_hook.into_values().map(|ds| async move {
        for d in ds {
            deliver(inner, d).await?;
        }
        AppResult::Ok(())
    });
    for r in futures_util::future::join_all(sends).await {
        r?;
    }
    Ok(n)
}

/// The agency of an endpoint as a `read` principal, for its scope.
pub async fn reader_of<C: ConnectionTrait>(db: &C, w: &webhook::Model) -> AppResult<Option<Principal>> {
    let Some(a) = agency::Entity::find_by_id(w.agency_id).one(db).await? else { return Ok(None) };
    let jurisdiction = match &a.region_code {
        None => None,
        Some(code) => region::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .map(|r| Jurisdiction { code: r.code, level: u8::try_from(r.level).unwrap_or(0) }),
    };
    Ok(Some(Principal {
        issuer: "netra-webhook".into(),
        subject: format!("webhook:{}", w.id),
        agency_id: a.id,
        agency_code: a.code,
        agency_kind: a.kind,
        jurisdiction,
        permissions: [Permission::Read].into_iter().collect(),
    }))
}

/// Turns the entries after the cursor into deliveries, and moves the cursor.
async fn fan_out(db: &DatabaseConnection) -> AppResult<()> {
    let backend = db.get_database_backend();
    // Read-only first: an idle worker never writes (on SQLite a write would
    // end other connections' read-then-write transactions).
    if webhook::Entity::find().filter(webhook::Column::Active.eq(true)).one(db).await?.is_none() {
        return Ok(());
    }
    let cursor = txn_free_cursor(db).await?;
    if super::feed::head(db).await? <= cursor {
        return Ok(());
    }
    let txn = db.begin().await?;
    let lock = match backend {
        DbBackend::Postgres => "SELECT last_id FROM webhook_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED",
        _ => "UPDATE webhook_cursor SET last_id = last_id WHERE id = 1 RETURNING last_id",
    };
    let Some(row) = txn.query_one(Statement::from_string(backend, lock)).await? else {
        // Another instance is fanning out right now.
        return Ok(());
    };
    let last: i64 = row.try_get_by_index(0)?;
    let upto: Vec<i64> = change_entry::Entity::find()
        .select_only()
        .column(change_entry::Column::Id)
        .filter(change_entry::Column::Id.gt(last))
        .order_by_asc(change_entry::Column::Id)
        .limit(FAN_OUT)
        .into_tuple()
        .all(&txn)
        .await?;
    let Some(&upto) = upto.last() else { return Ok(()) };
    let now = Utc::now();
    for w in webhook::Entity::find().filter(webhook::Column::Active.eq(true)).all(&txn).await? {
        let Some(reader) = reader_of(&txn, &w).await? else { continue };
        let mut q = change_entry::Entity::find()
            .select_only()
            .column(change_entry::Column::Id)
            .filter(change_entry::Column::Id.gt(last))
            .filter(change_entry::Column::Id.lte(upto))
            // An endpoint receives what commits after it was registered.
            .filter(change_entry::Column::RecordedAt.gte(w.created_at))
            .filter(policy::change_scope(Some(&reader)));
        if let Some(kinds) = kinds_of(&w) {
            q = q.filter(change_entry::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
        }
        let ids: Vec<i64> = q.into_tuple().all(&txn).await?;
        let rows = ids.into_iter().map(|change_id| webhook_delivery::ActiveModel {
            id: NotSet,
            webhook_id: Set(w.id),
            change_id: Set(change_id),
            status: Set(status::PENDING.into()),
            attempts: Set(0),
            created_at: Set(now),
            next_attempt_at: Set(now),
            last_attempt_at: Set(None),
            response_code: Set(None),
            last_error: Set(None),
        });
        let _ = webhook_delivery::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([webhook_delivery::Column::WebhookId, webhook_delivery::Column::ChangeId])
                    .do_nothing()
                    .to_owned(),
            )
            .on_empty_do_nothing()
            .exec(&txn)
            .await?;
    }
    txn.execute(Statement::from_sql_and_values(
        backend,
        if backend == DbBackend::Postgres {
            "UPDATE webhook_cursor SET last_id = $1 WHERE id = 1"
        } else {
            "UPDATE webhook_cursor SET last_id = ? WHERE id = 1"
        },
        [upto.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The fan-out cursor, read without a lock.
async fn txn_free_cursor(db: &DatabaseConnection) -> AppResult<i64> {
    let stmt = Statement::from_string(db.get_database_backend(), "SELECT last_id FROM webhook_cursor WHERE id = 1");
    Ok(match db.query_one(stmt).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    })
}

/// Claims the due deliveries for this instance for one lease.
async fn claim(db: &DatabaseConnection) -> AppResult<Vec<webhook_delivery::Model>> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut q = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(status::PENDING))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::ChangeId)
        .limit(CLAIM);
    if db.get_database_backend() == DbBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let due = q.all(&txn).await?;
    if !due.is_empty() {
        webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::NextAttemptAt, sea_orm::sea_query::Expr::value(now + LEASE))
            .filter(webhook_delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(due)
}

/// The delay before attempt `attempts + 1`: the base doubled per attempt, at
/// most six hours, with ±20 % jitter so that endpoints coming back are not
/// hit all at once.
pub fn backoff(base_ms: u64, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let ms = base_ms.saturating_mul(1u64 << exp).min(MAX_DELAY_MS.max(base_ms));
    let jitter = rand::random_range(0.8..1.2);
    Duration::from_millis((ms as f64 * jitter) as u64)
}

/// Sends one claimed delivery and records the attempt.
async fn deliver(inner: &Inner, d: webhook_delivery::Model) -> AppResult<()> {
    let db = &inner.db;
    let hook = webhook::Entity::find_by_id(d.webhook_id).one(db).await?;
    let Some(hook) = hook.filter(|w| w.active) else { return skip(db, &d).await };
    let Some(reader) = reader_of(db, &hook).await? else { return skip(db, &d).await };
    // The policy decides again at send time: a case no longer visible is not sent.
    let entry =
        change_entry::Entity::find_by_id(d.change_id).filter(policy::change_scope(Some(&reader))).one(db).await?;
    let Some(entry) = entry else { return skip(db, &d).await };
    let body = super::payload::of(db, &reader, &entry).await?;
    let outcome = send(&hook, &body, entry.id, inner.config.webhook_allow_private).await;
    let attempts = d.attempts + 1;
    let (state, next) = match &outcome {
        Outcome::Delivered(_) => (status::DELIVERED, None),
        _ => {
            let horizon = chrono::Duration::milliseconds(
                i64::try_from(inner.config.webhook_retry_base_ms.saturating_mul(GIVE_UP_FACTOR)).unwrap_or(i64::MAX),
            );
            let next = Utc::now()
                + chrono::Duration::from_std(backoff(inner.config.webhook_retry_base_ms, attempts)).unwrap_or(LEASE);
            if next - d.created_at > horizon {
                (status::FAILED, None)
            } else {
                (status::PENDING, Some(next))
            }
        }
    };
    let txn = db.begin().await?;
    let mut m: webhook_delivery::ActiveModel = d.clone().into();
    m.attempts = Set(attempts);
    m.status = Set(state.into());
    m.last_attempt_at = Set(Some(Utc::now()));
    m.response_code = Set(outcome.code().map(i32::from));
    m.last_error = Set(outcome.error());
    if let Some(next) = next {
        m.next_attempt_at = Set(next);
    }
    sea_orm::ActiveModelTrait::update(m, &txn).await?;
    let mut w: webhook::ActiveModel = hook.clone().into();
    if state == status::DELIVERED {
        w.failed_in_a_row = Set(0);
    } else {
        w.failed_in_a_row = Set(hook.failed_in_a_row + 1);
    }
    if state == status::FAILED {
        w.active = Set(false);
        w.disabled_reason = Set(Some(format!(
            "disabled: a delivery kept failing for {} attempts (last: {})",
            attempts,
            outcome.error().unwrap_or_default()
        )));
    }
    sea_orm::ActiveModelTrait::update(w, &txn).await?;
    // The payload left netra: a read by the receiving agency.
    let mut audit = AuditEntry::write(&reader, "webhookDelivery").details(&serde_json::json!({
        "webhook": hook.id, "change": entry.id, "case": entry.case_id, "status": state, "responseCode": outcome.code(),
    }));
    audit.kind = EventKind::Request;
    audit.operation_type = OperationType::Query;
    crate::audit::record_in(&txn, audit).await?;
    txn.commit().await?;
    Ok(())
}

/// Records a delivery that is not sent: its endpoint is gone or disabled, or
/// its agency may no longer see the entry.
async fn skip(db: &DatabaseConnection, d: &webhook_delivery::Model) -> AppResult<()> {
    let mut m: webhook_delivery::ActiveModel = d.clone().into();
    m.status = Set(status::SKIPPED.into());
    sea_orm::ActiveModelTrait::update(m, db).await?;
    Ok(())
}
