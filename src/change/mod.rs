//! The change feed: a transactional outbox of every change a caller could
//! care about, read back through the policy.
//!
//! - [`record`] writes one `change_entry` in the caller's transaction (the
//!   workflow's `persist_effects`, intake, publications, the deadline
//!   scheduler). Ids ascend in commit order: on PostgreSQL `record` first
//!   takes a transaction-scoped advisory lock, so no entry gets an id while
//!   an earlier-numbered one is still uncommitted; SQLite has one writer.
//!   That is what makes `id > cursor` a gap-free catch-up (`docs/changes.md`).
//! - [`feed`] reads entries through `policy::change_scope`, per entry, at
//!   read time; [`hub`] wakes subscribers when entries commit (PostgreSQL
//!   LISTEN/NOTIFY carrying only the id, or polling on SQLite).
//! - [`graphql`] serves `changes`, the `changes` subscription and the
//!   webhook mutations; [`webhook`], [`delivery`] and [`sign`] register
//!   endpoints and deliver signed entries; [`scheduler`] writes the deadline
//!   entries once across instances.
//!
//! Nothing here decides access: the policy does.

pub mod delivery;
pub mod feed;
pub mod graphql;
pub mod hub;
pub mod payload;
pub mod scheduler;
pub mod send;
pub mod sign;
pub mod webhook;
pub mod webhook_graphql;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, DbBackend, EntityTrait, Set, Statement};

use crate::domain::{Action, CaseState};
use crate::entity::change_entry;
use crate::error::AppResult;

/// The PostgreSQL channel a committed entry's id is notified on.
pub const CHANNEL: &str = "netra_changes";

/// The advisory lock key that orders outbox writers on PostgreSQL ("netra.ch").
const ORDER_LOCK: i64 = 0x6e65_7472_612e_6368;

/// Declares [`ChangeKind`] from one list: stored name = GraphQL name.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// What an entry of the change feed reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
        pub enum ChangeKind {
            $($(#[$doc])* #[graphql(name = $name)] $variant,)+
        }

        impl ChangeKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)+ }
            }

            /// Parses [`ChangeKind::as_str`].
            pub fn parse(raw: &str) -> Option<Self> {
                match raw { $($name => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

kinds! {
    /// A Bawaslu office received a report or recorded a finding.
    CaseReceived = "CASE_RECEIVED",
    /// Any other step of the timeline (registration, assessment, decision, evidence, transfer, correction).
    CaseStep = "CASE_STEP",
    /// Allegations were forwarded to the competent agencies.
    ForwardingSent = "FORWARDING_SENT",
    /// A receiving agency acknowledged, verified, examined, escalated or a court decided.
    AgencyDecision = "AGENCY_DECISION",
    /// A sanction decree was issued (or changed on appeal).
    SanctionImposed = "SANCTION_IMPOSED",
    /// The sanction's execution is followed up or was checked.
    SanctionExecuted = "SANCTION_EXECUTED",
    /// An objection or administrative appeal was filed.
    SanctionAppealed = "SANCTION_APPEALED",
    /// The case was closed.
    CaseClosed = "CASE_CLOSED",
    /// Bawaslu published a statistics table.
    PublicationPublished = "PUBLICATION_PUBLISHED",
    /// A forwarding passed its due date while the case still waits for the receiving agency.
    ForwardingOverdue = "FORWARDING_OVERDUE",
    /// A forwarding's decision falls due within the configured number of days.
    DecisionDue = "DECISION_DUE",
}

impl ChangeKind {
    /// The kind of the entry a workflow step writes.
    pub fn of_step(action: Action, to: CaseState) -> Self {
        if to == CaseState::Closed {
            return Self::CaseClosed;
        }
        match action {
            Action::Receive => Self::CaseReceived,
            Action::Forward => Self::ForwardingSent,
            Action::Acknowledge
            | Action::Verify
            | Action::OpenExamination
            | Action::Escalate
            | Action::RecordVerdict => Self::AgencyDecision,
            Action::ImposeSanction | Action::ResolveAppeal => Self::SanctionImposed,
            Action::FileAppeal => Self::SanctionAppealed,
            Action::StartMonitoring | Action::CheckExecution => Self::SanctionExecuted,
            Action::Close => Self::CaseClosed,
            Action::StartFormalCheck
            | Action::CompleteFormalCheck
            | Action::Transfer
            | Action::StartClarification
            | Action::Decide
            | Action::AddEvidence
            | Action::Correct => Self::CaseStep,
        }
    }
}

/// An entry to write; only the fields of its kind are set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    /// What it reports.
    pub kind: ChangeKind,
    /// The case concerned, if any.
    pub case_id: Option<i64>,
    /// When the change happened (the step's instant).
    pub occurred_at: DateTime<Utc>,
    /// The workflow action.
    pub action: Option<Action>,
    /// The case's state before.
    pub from_state: Option<CaseState>,
    /// The case's state after.
    pub to_state: Option<CaseState>,
    /// The acting agency.
    pub actor_agency_id: Option<i64>,
    /// The publication published.
    pub publication_id: Option<i64>,
    /// The forwarding a deadline concerns.
    pub forwarding_id: Option<i64>,
    /// The due date a deadline concerns.
    pub due_on: Option<NaiveDate>,
    /// Unique per (kind, subject, day) for scheduler entries; `None` otherwise.
    pub dedupe_key: Option<String>,
}

impl NewChange {
    /// The entry of a workflow step (or an intake) on case `case_id`.
    pub fn step(
        case_id: i64,
        action: Action,
        from: Option<CaseState>,
        to: CaseState,
        actor_agency_id: i64,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            kind: ChangeKind::of_step(action, to),
            case_id: Some(case_id),
            occurred_at: at,
            action: Some(action),
            from_state: from,
            to_state: Some(to),
            actor_agency_id: Some(actor_agency_id),
            publication_id: None,
            forwarding_id: None,
            due_on: None,
            dedupe_key: None,
        }
    }

    /// The entry of a published statistics table.
    pub fn publication(publication_id: i64, actor_agency_id: i64, at: DateTime<Utc>) -> Self {
        Self {
            kind: ChangeKind::PublicationPublished,
            case_id: None,
            occurred_at: at,
            action: None,
            from_state: None,
            to_state: None,
            actor_agency_id: Some(actor_agency_id),
            publication_id: Some(publication_id),
            forwarding_id: None,
            due_on: None,
            dedupe_key: None,
        }
    }
}

/// Writes `change` in the caller's transaction and returns its id; `None`
/// when an entry with the same `dedupe_key` exists already. On PostgreSQL it
/// takes the outbox's ordering lock (held to the end of the transaction) and
/// queues a `NOTIFY` with the id, which PostgreSQL delivers only on commit.
/// Call it after the change's own writes and before the audit event, so the
/// locks are always taken in the same order.
pub async fn record<C: ConnectionTrait>(txn: &C, change: NewChange) -> AppResult<Option<i64>> {
    let pg = txn.get_database_backend() == DbBackend::Postgres;
    if pg {
        txn.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [ORDER_LOCK.into()],
        ))
        .await?;
    }
    let row = change_entry::ActiveModel {
        id: NotSet,
        kind: Set(change.kind.as_str().to_owned()),
        case_id: Set(change.case_id),
        occurred_at: Set(change.occurred_at),
        recorded_at: Set(Utc::now()),
        action: Set(change.action.map(|a| a.name().to_owned())),
        from_state: Set(change.from_state.map(|s| s.as_str().to_owned())),
        to_state: Set(change.to_state.map(|s| s.as_str().to_owned())),
        actor_agency_id: Set(change.actor_agency_id),
        publication_id: Set(change.publication_id),
        forwarding_id: Set(change.forwarding_id),
        due_on: Set(change.due_on),
        dedupe_key: Set(change.dedupe_key),
    };
    let inserted = change_entry::Entity::insert(row)
        .on_conflict(OnConflict::column(change_entry::Column::DedupeKey).do_nothing().to_owned())
        .exec(txn)
        .await;
    let id = match inserted {
        Ok(r) => r.last_insert_id,
        Err(sea_orm::DbErr::RecordNotInserted) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if pg {
        txn.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), id.to_string().into()],
        ))
        .await?;
    }
    Ok(Some(id))
}
