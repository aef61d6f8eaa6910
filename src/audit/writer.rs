//! Group commit of request events. One background task per netra instance
//! owns the writing: handlers queue their entry and wait for its
//! acknowledgement; the task takes whatever is queued (up to [`MAX_BATCH`]),
//! appends it in one transaction with one multi-row insert, and then
//! acknowledges every entry of the batch — or fails every one of them, so
//! that none of those responses carries data. While a batch commits, the next
//! one gathers, so the more requests arrive at once, the fewer transactions
//! per request. A batch costs one head update plus its multi-row inserts (on
//! PostgreSQL a single statement), with no read of the head: the task keeps
//! the head it wrote and relies on a conditional update to learn when another
//! writer moved it.

use std::sync::Arc;
use std::time::Instant;

use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::chain::{self, Pending};
use super::collector::{AuditCollector, RequestMeta};
use super::AuditEntry;
use crate::auth::Principal;
use crate::error::{is_unavailable, AppError, AppResult};
use crate::metrics::Metrics;

/// Most events in one transaction.
pub const MAX_BATCH: usize = 256;

/// Most events waiting; a request beyond it waits for room (back-pressure).
const QUEUE: usize = 4096;

type Ack = oneshot::Sender<Result<i64, Arc<DbErr>>>;

/// Handle to the instance's audit writer; cheap to clone.
#[derive(Clone)]
pub struct AuditWriter {
    /// `None` when request auditing is switched off (benchmarks only).
    queue: Option<mpsc::Sender<(AuditEntry, Ack)>>,
}

impl AuditWriter {
    /// Starts the writer task on `db` (best its own pool: see
    /// `db::audit_pool`), recording its commits in `metrics`. Must be called
    /// inside a Tokio runtime; the task ends when the last handle is dropped.
    pub fn start(db: DatabaseConnection, metrics: Arc<Metrics>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, rx, metrics));
        Self { queue: Some(tx) }
    }

    /// Events waiting to be written.
    pub fn queue_depth(&self) -> usize {
        self.queue.as_ref().map_or(0, |q| q.max_capacity() - q.capacity())
    }

    /// A writer that records no request events (`NETRA_AUDIT=off`).
    pub fn disabled() -> Self {
        Self { queue: None }
    }

    /// Whether request events are recorded.
    pub fn enabled(&self) -> bool {
        self.queue.is_some()
    }

    /// Appends `entry` with the next batch and waits until it is committed.
    /// Returns the event's id (0 when auditing is off).
    pub async fn record(&self, entry: AuditEntry) -> AppResult<i64> {
        let Some(queue) = &self.queue else { return Ok(0) };
        let (ack, done) = oneshot::channel();
        let gone = || AppError::Internal(anyhow::anyhow!("the audit writer has stopped"));
        queue.send((entry, ack)).await.map_err(|_| gone())?;
        match done.await.map_err(|_| gone())? {
            Ok(id) => Ok(id),
            Err(e) if is_unavailable(&e) => Err(AppError::Unavailable),
            Err(e) => Err(AppError::Internal(anyhow::anyhow!("audit event not stored: {e}"))),
        }
    }

    /// Starts auditing one request by `viewer`; `meta` describes it (not
    /// computed when auditing is off).
    pub fn begin(&self, viewer: Option<Principal>, meta: impl FnOnce() -> RequestMeta) -> RequestAudit {
        let meta = if self.enabled() { meta() } else { RequestMeta::default() };
        RequestAudit { writer: self.clone(), viewer, collector: Arc::new(AuditCollector::new(meta)) }
    }
}

/// The audit of one GraphQL request, from before it runs until its event is stored.
pub struct RequestAudit {
    writer: AuditWriter,
    viewer: Option<Principal>,
    collector: Arc<AuditCollector>,
}

impl RequestAudit {
    /// The collector to put into the request data.
    pub fn collector(&self) -> Arc<AuditCollector> {
        self.collector.clone()
    }

    /// Stores the request's event, if it needs one, given the response's
    /// errors. An error means the response must not be sent.
    ///
    /// A mutation request one of whose writes committed is answered with its
    /// data whatever happens here: its `WRITE` events committed with the
    /// change and are its record. It then gets a `REQUEST` event only when
    /// there is more to record (errors, or reporter identity or evidence its
    /// payload returned), and a failure to store that event is logged, not
    /// turned into an error that would contradict the database.
    pub async fn finish(self, errors: &[async_graphql::ServerError]) -> AppResult<()> {
        if !self.writer.enabled() {
            return Ok(());
        }
        let committed = self.collector.committed_writes();
        let Some(entry) = self.collector.request_entry(self.viewer.as_ref(), errors) else { return Ok(()) };
        if committed && errors.is_empty() && entry.cases.iter().all(|(a, _)| *a == super::CaseAccess::Write) {
            return Ok(());
        }
        match self.writer.record(entry).await {
            Ok(_) => Ok(()),
            Err(e) if committed => {
                tracing::error!(error = %e, "the REQUEST event of a committed mutation was not stored; its WRITE events were");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

async fn run(db: DatabaseConnection, mut rx: mpsc::Receiver<(AuditEntry, Ack)>, metrics: Arc<Metrics>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // The head this instance wrote last; `None` = read it before the next batch.
    let mut head = None;
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, acks): (Vec<AuditEntry>, Vec<Ack>) = batch.drain(..).unzip();
        let started = Instant::now();
        let result = write(&db, &mut head, entries).await;
        metrics.audit_commit(started.elapsed().as_secs_f64(), result.is_ok());
        match result {
            Ok(ids) => {
                for (ack, id) in acks.into_iter().zip(ids) {
                    // The request may have been cancelled meanwhile; its event stays.
                    let _ = ack.send(Ok(id));
                }
            }
            Err(e) => {
                head = None;
                tracing::error!(error = %e, events = acks.len(), "audit events could not be stored");
                let e = Arc::new(e);
                for ack in acks {
                    let _ = ack.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Optimistic attempts before a batch takes the head's lock instead.
const ATTEMPTS: usize = 4;

/// Appends one batch: chained after the head this instance knows, written
/// only if that still is the head ([`Pending::write_if_head`]): on
/// PostgreSQL one statement per batch, no per-event round trip. When another
/// writer moved the head (a second instance, a mutation's own event), the
/// head is reread and the batch rechained; after [`ATTEMPTS`] lost races the
/// batch appends under the head's row lock, which always succeeds.
async fn write(
    db: &DatabaseConnection,
    head: &mut Option<(i64, String)>,
    entries: Vec<AuditEntry>,
) -> Result<Vec<i64>, DbErr> {
    let mut pending = Pending::new(entries);
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    for _ in 0..ATTEMPTS {
        let expected = match head.take() {
            Some(h) => h,
            None => chain::read_head(db).await?,
        };
        let new = pending.chain_after(&expected);
        if pending.write_if_head(db, &expected, &new).await? {
            *head = Some(new);
            return Ok(pending.ids());
        }
    }
    let txn = db.begin().await?;
    let ids = pending.append_locked(&txn).await?;
    txn.commit().await?;
    Ok(ids)
}
