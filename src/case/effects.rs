//! What a step does, as data: the case's next state and changed columns, and
//! the rows it adds. The pure step functions return [`Effects`]; the API
//! writes them with [`persist_effects`] (the one place a step's records reach
//! the database), the synthetic generator applies the same value to its
//! in-memory batches. Each step also writes its change-feed entry here.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter};

use super::engine::{stale, Ctx, Loaded};
use crate::auth::Principal;
use crate::change::NewChange;
use crate::domain::{Action, CaseState, Classification, ClosureReason};
use crate::entity::{agency_decision, case, case_event, escalation, evidence, execution_check, forwarding};
use crate::error::{AppError, AppResult};

/// What a transition changes on the case row besides state and version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// A new handling office (transfer).
    pub handling_agency_id: Option<i64>,
    /// The registration number (formal check passed).
    pub registration_number: Option<String>,
    /// The registration date.
    pub registered_on: Option<NaiveDate>,
    /// The plenary's decision date.
    pub decided_on: Option<NaiveDate>,
    /// The plenary's classification.
    pub classification: Option<Classification>,
    /// Why the case closed.
    pub closure_reason: Option<ClosureReason>,
    /// Why the case was not registered.
    pub not_registered_reason: Option<String>,
    /// The case's next deadline; `Some(None)` clears it.
    pub deadline_on: Option<Option<NaiveDate>>,
}

/// Everything one step writes. New rows carry `id: 0`; whoever persists them
/// assigns the ids (the database, or the generator's id allocator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    /// The state after the step (possibly the same).
    pub to: CaseState,
    /// Changed case columns.
    pub changes: Changes,
    /// The note of the timeline event (the step's note, possibly extended).
    pub note: Option<String>,
    /// New forwardings.
    pub forwardings: Vec<forwarding::Model>,
    /// Existing forwardings with new values (receipt, due date).
    pub updated_forwardings: Vec<forwarding::Model>,
    /// New agency decisions.
    pub decisions: Vec<agency_decision::Model>,
    /// New execution checks.
    pub checks: Vec<execution_check::Model>,
    /// New escalations.
    pub escalations: Vec<escalation::Model>,
    /// New evidence metadata.
    pub evidence: Vec<evidence::Model>,
}

impl Effects {
    /// A move to `to` with no other change, noting the step's note.
    pub fn moving_to(to: CaseState, ctx: &Ctx<'_>) -> Self {
        Self {
            to,
            changes: Changes::default(),
            note: ctx.step.note.clone(),
            forwardings: Vec::new(),
            updated_forwardings: Vec::new(),
            decisions: Vec::new(),
            checks: Vec::new(),
            escalations: Vec::new(),
            evidence: Vec::new(),
        }
    }

    /// The same effects with `changes`.
    pub fn with(mut self, changes: Changes) -> Self {
        self.changes = changes;
        self
    }

    /// The deadline the case has after the step.
    pub fn deadline(&self, before: Option<NaiveDate>) -> Option<NaiveDate> {
        self.changes.deadline_on.unwrap_or(before)
    }
}

/// The timeline event a step appends (without id).
pub fn event_of(
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    actor: &Principal,
    action: Action,
    effects: &Effects,
) -> case_event::Model {
    case_event::Model {
        id: 0,
        case_id: loaded.case.id,
        action: action.name().to_owned(),
        from_state: Some(loaded.case.state),
        to_state: effects.to,
        actor_agency_id: actor.agency_id,
        actor_subject: actor.subject.clone(),
        occurred_at: ctx.at,
        document_ref: ctx.step.document_ref.clone(),
        deadline_on: effects.changes.deadline_on.flatten(),
        note: effects.note.clone(),
    }
}

/// Clears the id of a new row so that the database assigns one.
fn fresh<A: ActiveModelTrait>(m: A, id: <A::Entity as EntityTrait>::Column) -> A {
    let mut m = m.reset_all();
    m.not_set(id);
    m
}

/// Writes a step's effects, in the step's transaction: the case row
/// (conditional on the version the caller read), every new and changed row,
/// the timeline event, and last the audit WRITE event of the mutation. Every
/// step's records reach the database here and nowhere else.
pub async fn persist_effects(
    txn: &DatabaseTransaction,
    actor: &Principal,
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    action: Action,
    effects: Effects,
) -> AppResult<case::Model> {
    let case = &loaded.case;
    let c = &effects.changes;
    let mut update = case::Entity::update_many()
        .col_expr(case::Column::State, Expr::value(effects.to.as_str()))
        .col_expr(case::Column::Version, Expr::value(case.version + 1))
        .col_expr(case::Column::UpdatedAt, Expr::value(ctx.now))
        .filter(case::Column::Id.eq(case.id))
        .filter(case::Column::Version.eq(ctx.step.expected_version));
    if let Some(v) = c.handling_agency_id {
        update = update.col_expr(case::Column::HandlingAgencyId, Expr::value(v));
    }
    if let Some(v) = &c.registration_number {
        update = update.col_expr(case::Column::RegistrationNumber, Expr::value(v.clone()));
    }
    if let Some(v) = c.registered_on {
        update = update.col_expr(case::Column::RegisteredOn, Expr::value(v));
    }
    if let Some(v) = c.decided_on {
        update = update.col_expr(case::Column::DecidedOn, Expr::value(v));
    }
    if let Some(v) = c.classification {
        update = update.col_expr(case::Column::Classification, Expr::value(v.as_str()));
    }
    if let Some(v) = c.closure_reason {
        update = update.col_expr(case::Column::ClosureReason, Expr::value(v.as_str()));
    }
    if let Some(v) = &c.not_registered_reason {
        update = update.col_expr(case::Column::NotRegisteredReason, Expr::value(v.clone()));
    }
    if let Some(v) = c.deadline_on {
        update = update.col_expr(case::Column::DeadlineOn, Expr::value(v));
    }
    if update.exec(txn).await?.rows_affected != 1 {
        // Another transaction moved the case first.
        return Err(stale(case, ctx.step.expected_version));
    }
    for f in &effects.forwardings {
        fresh(f.clone().into_active_model(), forwarding::Column::Id).insert(txn).await?;
    }
    for f in &effects.updated_forwardings {
        let mut m: forwarding::ActiveModel = f.clone().into_active_model();
        m = m.reset_all();
        m.update(txn).await?;
    }
    for d in &effects.decisions {
        fresh(d.clone().into_active_model(), agency_decision::Column::Id).insert(txn).await?;
    }
    for x in &effects.checks {
        fresh(x.clone().into_active_model(), execution_check::Column::Id).insert(txn).await?;
    }
    for e in &effects.escalations {
        fresh(e.clone().into_active_model(), escalation::Column::Id).insert(txn).await?;
    }
    for e in &effects.evidence {
        fresh(e.clone().into_active_model(), evidence::Column::Id).insert(txn).await?;
    }
    let event = event_of(loaded, ctx, actor, action, &effects);
    fresh(event.into_active_model(), case_event::Column::Id).insert(txn).await?;
    // The change feed's entry commits with the step (transactional outbox).
    let entry = NewChange::step(case.id, action, Some(case.state), effects.to, actor.agency_id, ctx.at);
    crate::change::record(txn, entry).await?;
    let changed = case::Entity::find_by_id(case.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case vanished")))?;
    // Last statement of the step: the audit event of the mutation, if one is being resolved.
    crate::audit::record_scoped_write(txn, case.id).await?;
    Ok(changed)
}
