//! The audit trail: who saw or changed what, tamper-evident.
//!
//! Two kinds of events land in one hash chain per database:
//!
//! - **`REQUEST`**: written by the GraphQL handler for every authenticated
//!   request that resolved a root field other than the public ones
//!   ([`is_public_root_field`]), *before* the response leaves. If the event
//!   cannot be stored the caller gets an error (`SERVICE_UNAVAILABLE` or
//!   `INTERNAL`) and no data. Anonymous requests get published data only and
//!   leave no event. Writes go through the group-commit
//!   [`writer::AuditWriter`]: concurrent requests share one transaction and
//!   one insert.
//! - **`WRITE`**: appended by a mutation inside its own transaction with
//!   [`record_in`], so the change and its event commit or roll back together.
//!
//! A mutation request whose writes committed is recorded by their `WRITE`
//! events, which commit with the change: the answer never contradicts the
//! database. It also gets a `REQUEST` event when there is more to say (an
//! error, or reporter identity or evidence its payload returned), stored on
//! a best-effort basis. A mutation that wrote nothing is recorded like any
//! request: its `REQUEST` event is stored before the answer leaves.
//!
//! What an event holds, the redaction rule ([`redact`]) and the chain
//! ([`chain`]) are documented in their modules and in `docs/audit.md`.
//! Who may read the trail is the policy module's call
//! (`policy::may_read_audit`); this slice never tests agency kinds.

mod batch;
pub mod chain;
pub mod collector;
pub mod graphql;
pub mod redact;
pub mod service;
pub mod writer;

use std::collections::BTreeSet;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::DatabaseTransaction;

use crate::auth::Principal;
use crate::error::AppResult;

pub use collector::{note_evidence, note_reporter, write_entry, AuditCollector, RequestMeta, WriteScope};
pub use writer::AuditWriter;

/// Root fields that answer public data only; a request that resolves nothing
/// else leaves no event. Every other root field — including ones added later
/// — is audited: the list names what is exempt, never what is audited.
pub const PUBLIC_ROOT_FIELDS: [&str; 7] =
    ["regions", "region", "agencies", "agency", "elections", "publications", "publication"];

/// Whether the root field `name` answers public data only (reference data,
/// published statistics, introspection).
pub fn is_public_root_field(name: &str) -> bool {
    name.starts_with("__") || PUBLIC_ROOT_FIELDS.contains(&name)
}

/// Declares a closed set of stored strings.
macro_rules! stored {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
        pub enum $name { $($(#[$vm])* #[graphql(name = $s)] $v),+ }

        impl $name {
            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }

            /// Parses [`Self::as_str`].
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($s => Some(Self::$v),)+ _ => None }
            }
        }
    };
}

stored! {
    /// What produced an event.
    EventKind {
        /// The GraphQL handler, for a request that returned non-public data.
        Request = "REQUEST",
        /// A mutation, inside its own transaction.
        Write = "WRITE",
    }
}

stored! {
    /// The GraphQL operation type of the request.
    OperationType {
        /// A query.
        Query = "QUERY",
        /// A mutation.
        Mutation = "MUTATION",
    }
}

stored! {
    /// How the request ended.
    Outcome {
        /// No error.
        Ok = "OK",
        /// At least one error; the data, if any, was partial.
        Errors = "ERRORS",
    }
}

stored! {
    /// How an event concerns a case.
    CaseAccess {
        /// The case's reporter identity was returned (a non-null `Case.reporter`).
        Reporter = "REPORTER",
        /// The case's evidence was returned (a non-empty `Case.evidence`).
        Evidence = "EVIDENCE",
        /// The case was changed by a mutation.
        Write = "WRITE",
    }
}

/// Who acted: the token's issuer and subject, and the agency it speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Token issuer (`iss`).
    pub issuer: String,
    /// Token subject (`sub`).
    pub subject: String,
    /// Registry id of the agency.
    pub agency_id: i64,
    /// Registry code of the agency.
    pub agency_code: String,
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        Self {
            issuer: p.issuer.clone(),
            subject: p.subject.clone(),
            agency_id: p.agency_id,
            agency_code: p.agency_code.clone(),
        }
    }
}

/// An event before it is chained: everything but its id and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When (UTC, whole microseconds so that both engines store it exactly).
    pub occurred_at: DateTime<Utc>,
    /// Request or write.
    pub kind: EventKind,
    /// The caller; `None` for an anonymous request.
    pub actor: Option<Actor>,
    /// The HTTP request id (`x-request-id`), to match the logs.
    pub request_id: Option<String>,
    /// Query or mutation.
    pub operation_type: OperationType,
    /// The operation's name as the client sent it or named it in the document.
    pub operation_name: Option<String>,
    /// The root fields resolved (for a write: the mutation's field).
    pub root_fields: BTreeSet<String>,
    /// SHA-256 of the normalized query document ([`redact::query_hash`]).
    pub query_hash: Option<String>,
    /// The trusted document's id (SHA-256 hex) when the request came by id
    /// or hash, or sent a document of the manifest.
    pub document_id: Option<String>,
    /// The variables as JSON text, personal values redacted ([`redact::variables`]).
    pub variables: String,
    /// JSON text: a write's details, or a failed request's error codes.
    pub details: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The cases concerned and how.
    pub cases: BTreeSet<(CaseAccess, i64)>,
}

/// The current instant, truncated to microseconds.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl AuditEntry {
    /// A `WRITE` event for mutation `action` (its GraphQL field, e.g.
    /// `registerCase`) by `viewer`. Prefer [`write_entry`] in a resolver: it
    /// also carries the request's id, query hash and redacted variables.
    pub fn write(viewer: &Principal, action: &str) -> Self {
        Self {
            occurred_at: now(),
            kind: EventKind::Write,
            actor: Some(Actor::from(viewer)),
            request_id: None,
            operation_type: OperationType::Mutation,
            operation_name: None,
            root_fields: BTreeSet::from([action.to_owned()]),
            query_hash: None,
            document_id: None,
            variables: "{}".to_owned(),
            details: None,
            outcome: Outcome::Ok,
            cases: BTreeSet::new(),
        }
    }

    /// Adds a case the write changed.
    #[must_use]
    pub fn case(mut self, case_id: i64) -> Self {
        self.cases.insert((CaseAccess::Write, case_id));
        self
    }

    /// Sets the write's details (e.g. `{"from": "RECEIVED", "to": "REGISTERED"}`).
    /// Never put personal values here: the details are stored as given.
    #[must_use]
    pub fn details(mut self, details: &serde_json::Value) -> Self {
        self.details = Some(details.to_string());
        self
    }
}

/// Appends `entry` to the audit chain inside the mutation's own transaction.
///
/// How a mutation must use it:
///
/// 1. The resolver builds the entry with [`write_entry`]`(ctx, "fieldName")`
///    and hands it to the service with the other inputs.
/// 2. The service opens the transaction, checks the policy, makes its
///    changes, adds the changed cases (`.case(id)`) and non-personal details
///    (`.details(&json!({...}))`), then calls `record_in(&txn, entry)` as its
///    **last statement before `txn.commit()`**, propagating its error with
///    `?` so that a write whose event cannot be stored rolls back.
///
/// Calling it last matters on PostgreSQL: appending locks the chain head
/// until the transaction ends, so every other audited write waits for it.
/// A rolled-back transaction leaves no event (and no gap: ids are taken
/// under the same lock).
pub async fn record_in(txn: &DatabaseTransaction, entry: AuditEntry) -> AppResult<i64> {
    let ids = chain::append(txn, vec![entry]).await?;
    Ok(ids.first().copied().unwrap_or_default())
}

tokio::task_local! {
    /// The `WRITE` entry of the mutation being resolved, for its service.
    static WRITE_ENTRY: AuditEntry;
}

/// Runs a mutation's service with its `WRITE` entry in scope, so that the
/// service's transaction can append it ([`record_scoped_write`]) without the
/// entry threading through every service signature. When the service
/// succeeds (its transaction, and the event, committed), the request's
/// collector is told: the answer then carries the data whatever happens to
/// the request's own event (see `writer::RequestAudit::finish`).
pub async fn scoped_write<T, E, F>(scope: WriteScope, fut: F) -> Result<T, E>
where
    F: std::future::Future<Output = Result<T, E>>,
{
    let WriteScope { entry, collector } = scope;
    let out = WRITE_ENTRY.scope(entry, fut).await;
    if let (Ok(_), Some(c)) = (&out, collector) {
        c.committed_write();
    }
    out
}

/// Appends the scoped `WRITE` entry, naming `case_id`, inside `txn` — the
/// workflow calls it as the last statement of each step. Outside a mutation
/// (the demo seeder, tools) there is no entry and nothing is written.
pub async fn record_scoped_write(txn: &DatabaseTransaction, case_id: i64) -> AppResult<()> {
    if let Ok(entry) = WRITE_ENTRY.try_with(Clone::clone) {
        record_in(txn, entry.case(case_id)).await?;
    }
    Ok(())
}

/// Appends the scoped `WRITE` entry with non-personal `details` (for writes
/// that concern no case, such as a publication) inside `txn`.
pub async fn record_scoped_write_details(txn: &DatabaseTransaction, details: &serde_json::Value) -> AppResult<()> {
    if let Ok(entry) = WRITE_ENTRY.try_with(Clone::clone) {
        record_in(txn, entry.details(details)).await?;
    }
    Ok(())
}
