//! The request-scoped side of the audit trail: what the current request is
//! (id, query hash, redacted variables), which root fields it resolved, and
//! which cases' reporter identity or evidence it returned. The handler puts
//! an [`AuditCollector`] into the request data and tells it the document's
//! operation name and, once the operation ran, its root fields (read off the
//! document by the request guard); the `Case.reporter` and `Case.evidence`
//! resolvers call [`note_reporter`] and [`note_evidence`]. No I/O here.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_graphql::{Context, Value};

use super::{is_public_root_field, now, redact, Actor, AuditEntry, CaseAccess, EventKind, OperationType, Outcome};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::graphql::ContextExt;

/// What is known of a request before it runs.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The HTTP request id (`x-request-id`), clipped to 64 characters.
    pub request_id: Option<String>,
    /// [`redact::query_hash`] of the document.
    pub query_hash: String,
    /// The `operationName` the client sent.
    pub operation_name: Option<String>,
    /// [`redact::variables`] of the variables.
    pub variables: String,
    /// The trusted document's id (its SHA-256), when the request named it by
    /// id or hash or sent a document of the manifest.
    pub document_id: Option<String>,
}

impl RequestMeta {
    /// The meta of `req` with HTTP request id `request_id`.
    pub fn of(req: &async_graphql::Request, request_id: Option<&str>) -> Self {
        let vars = serde_json::to_value(&req.variables).unwrap_or_default();
        Self {
            request_id: request_id.map(|r| redact::clip(r, 64)),
            query_hash: redact::query_hash(&req.query),
            operation_name: req.operation_name.as_deref().map(|n| redact::clip(n, 200)),
            variables: redact::variables(&vars),
            document_id: None,
        }
    }

    /// The same meta, naming the trusted document `document_id`.
    #[must_use]
    pub fn document(mut self, document_id: Option<String>) -> Self {
        self.document_id = document_id;
        self
    }
}

#[derive(Debug, Default)]
struct Seen {
    root_fields: BTreeSet<String>,
    mutation: bool,
    named_operation: Option<String>,
    cases: BTreeSet<(CaseAccess, i64)>,
    committed: bool,
}

/// The audit facts of one request, filled while it runs.
#[derive(Debug, Default)]
pub struct AuditCollector {
    meta: RequestMeta,
    seen: Mutex<Seen>,
}

impl AuditCollector {
    /// A collector for a request described by `meta`.
    pub fn new(meta: RequestMeta) -> Self {
        Self { meta, seen: Mutex::default() }
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        // A panic elsewhere cannot leave `Seen` half-updated in a way that
        // matters: every update is a single insert.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that the reporter identity of case `case_id` was returned.
    pub fn saw_reporter(&self, case_id: i64) {
        self.seen().cases.insert((CaseAccess::Reporter, case_id));
    }

    /// Records that evidence of case `case_id` was returned.
    pub fn saw_evidence(&self, case_id: i64) {
        self.seen().cases.insert((CaseAccess::Evidence, case_id));
    }

    /// Records the name of the document's only operation (when the client
    /// sent no `operationName`, the event names the operation by it).
    pub fn named_operation(&self, name: Option<&str>) {
        self.seen().named_operation = name.map(|n| redact::clip(n, 200));
    }

    /// Records that the operation ran, with root fields `fields`; not
    /// called for a request refused before it ran.
    pub fn ran(&self, fields: &[String], mutation: bool) {
        let mut seen = self.seen();
        seen.root_fields.extend(fields.iter().cloned());
        seen.mutation |= mutation;
    }

    /// The type of the operation that ran: `None` when no root field
    /// resolved (the request was refused before it ran).
    pub fn operation(&self) -> Option<OperationType> {
        let seen = self.seen();
        match (seen.root_fields.is_empty(), seen.mutation) {
            (true, _) => None,
            (false, true) => Some(OperationType::Mutation),
            (false, false) => Some(OperationType::Query),
        }
    }

    /// The operation's name: as the client sent it, or as the document names its only operation.
    pub fn operation_name(&self) -> Option<String> {
        self.meta.operation_name.clone().or_else(|| self.seen().named_operation.clone())
    }

    /// Records that a write of this request committed (with its `WRITE` event).
    pub fn committed_write(&self) {
        self.seen().committed = true;
    }

    /// Whether a write of this request committed.
    pub fn committed_writes(&self) -> bool {
        self.seen().committed
    }

    /// The request's own facts, for a write event of the same request.
    pub fn meta(&self) -> &RequestMeta {
        &self.meta
    }

    /// The `REQUEST` event of this request by `viewer`, given its outcome, or
    /// `None` when it returned no non-public data: it resolved public root
    /// fields only, or it was anonymous (the policy gives anonymous callers
    /// published data only, so their requests never leave an event and
    /// cannot grow the chain).
    pub fn request_entry(
        &self,
        viewer: Option<&Principal>,
        errors: &[async_graphql::ServerError],
    ) -> Option<AuditEntry> {
        let viewer = viewer?;
        let seen = self.seen();
        if seen.root_fields.iter().all(|f| is_public_root_field(f)) {
            return None;
        }
        let codes: BTreeSet<String> = errors
            .iter()
            .map(|e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
                Some(Value::String(code)) => code.clone(),
                _ => "UNKNOWN".to_owned(),
            })
            .collect();
        Some(AuditEntry {
            occurred_at: now(),
            kind: EventKind::Request,
            actor: Some(Actor::from(viewer)),
            request_id: self.meta.request_id.clone(),
            operation_type: if seen.mutation { OperationType::Mutation } else { OperationType::Query },
            operation_name: self.meta.operation_name.clone().or_else(|| seen.named_operation.clone()),
            root_fields: seen.root_fields.clone(),
            query_hash: Some(self.meta.query_hash.clone()),
            document_id: self.meta.document_id.clone(),
            variables: self.meta.variables.clone(),
            details: (!codes.is_empty()).then(|| serde_json::json!({ "errorCodes": codes }).to_string()),
            outcome: if errors.is_empty() { Outcome::Ok } else { Outcome::Errors },
            cases: seen.cases.clone(),
        })
    }
}

/// Notes, for the audit trail, that `Case.reporter` returned the reporter of case `case_id`.
pub fn note_reporter(ctx: &Context<'_>, case_id: i64) {
    if let Some(c) = ctx.data_opt::<Arc<AuditCollector>>() {
        c.saw_reporter(case_id);
    }
}

/// Notes, for the audit trail, that `Case.evidence` returned evidence of case `case_id`.
pub fn note_evidence(ctx: &Context<'_>, case_id: i64) {
    if let Some(c) = ctx.data_opt::<Arc<AuditCollector>>() {
        c.saw_evidence(case_id);
    }
}

/// A mutation's `WRITE` entry and the collector of its request, for
/// [`super::scoped_write`].
pub struct WriteScope {
    /// The entry the service appends inside its transaction.
    pub entry: AuditEntry,
    /// The request's collector, told when the write committed.
    pub collector: Option<Arc<AuditCollector>>,
}

/// A `WRITE` entry for mutation field `action` of the current request, with
/// the request's id, query hash, operation name and redacted variables. See
/// [`super::record_in`] for how a mutation must record it.
pub fn write_entry(ctx: &Context<'_>, action: &str) -> AppResult<WriteScope> {
    let viewer = ctx.viewer().ok_or(AppError::Unauthenticated)?;
    let mut entry = AuditEntry::write(viewer, action);
    let collector = ctx.data_opt::<Arc<AuditCollector>>().cloned();
    if let Some(c) = &collector {
        let meta = c.meta();
        entry.request_id.clone_from(&meta.request_id);
        entry.query_hash = Some(meta.query_hash.clone());
        entry.document_id.clone_from(&meta.document_id);
        entry.operation_name = meta.operation_name.clone().or_else(|| c.seen().named_operation.clone());
        entry.variables.clone_from(&meta.variables);
    }
    Ok(WriteScope { entry, collector })
}
