//! The steps after Bawaslu's decision: forwarding to the competent agencies
//! and what those agencies record — BKN's verification and recommendation,
//! the PPK's examination, decree, appeal and execution, escalation of an
//! overdue PPK, a Gakkumdu verdict, and closure. Same pipeline as
//! `commands`: load, authorize, check the transition, update on the version,
//! append the event.

use chrono::{Duration, NaiveDate};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use super::commands::{in_txn, load, simple, step_date, transition, Changes, Loaded, Step};
use super::workflow::Action;
use crate::auth::Principal;
use crate::config::Deadlines;
use crate::domain::{
    sanctions, CaseState as S, ClosureReason, DecisionKind, DecisionOutcome, EscalationKind, ExecutionStatus,
    SanctionCode, SubjectKind,
};
use crate::entity::{agency, agency_decision, case, escalation, execution_check, forwarding, official};
use crate::error::{AppError, AppResult};

async fn agency_id(txn: &DatabaseTransaction, code: &str) -> AppResult<Option<i64>> {
    Ok(agency::Entity::find().filter(agency::Column::Code.eq(code)).one(txn).await?.map(|a| a.id))
}

/// The competent agency and the copy recipient for a subject, by the rule
/// of [`crate::domain::routing::competent`].
async fn route(txn: &DatabaseTransaction, o: &official::Model) -> AppResult<(i64, Option<i64>)> {
    use crate::domain::routing::{competent, Receiver};
    let (receiver, copy) = competent(o.subject_kind, &o.work_region_code);
    let to = match receiver {
        Receiver::Agency(code) => agency_id(txn, &code).await?.unwrap_or(o.employer_id),
        Receiver::Employer => o.employer_id,
    };
    Ok((to, copy.then(|| o.ppk_id.unwrap_or(o.employer_id))))
}

/// DECIDED → FORWARDED: one recommendation per proven allegation (all when
/// `allegation_ids` is empty) to the competent agency.
pub async fn forward(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
    letter_number: String,
    allegation_ids: Vec<i64>,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Forward).await?;
            let on = step_date(&step, &loaded.case)?;
            if letter_number.trim().is_empty() {
                return Err(AppError::invalid("letterNumber", "the recommendation letter's number is required"));
            }
            let chosen: Vec<_> = loaded
                .subjects
                .iter()
                .filter(|(a, _)| allegation_ids.is_empty() || allegation_ids.contains(&a.id))
                .collect();
            if chosen.is_empty() || chosen.len() < allegation_ids.len() {
                return Err(AppError::invalid("allegationIds", "name allegations of this case"));
            }
            let mut due = None;
            for (a, o) in chosen {
                let (to, copy) = route(txn, o).await?;
                let days = if o.subject_kind.is_asn() { deadlines.verification_days } else { deadlines.ppk_days };
                due = Some(on + Duration::days(days));
                forwarding::ActiveModel {
                    id: NotSet,
                    allegation_id: Set(a.id),
                    from_agency_id: Set(loaded.case.handling_agency_id),
                    to_agency_id: Set(to),
                    copy_to_agency_id: Set(copy),
                    letter_number: Set(letter_number.trim().to_owned()),
                    sent_on: Set(on),
                    received_on: Set(None),
                    due_on: Set(due),
                    recommended_track: Set(Some(a.violation_code.track())),
                    recommended_severity: Set(a.violation_code.default_severity()),
                }
                .insert(txn)
                .await?;
            }
            let changes = Changes { deadline_on: Some(due), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::Forward, S::Forwarded, on, changes).await
        })
    })
    .await
}

/// Marks the actor's forwardings as received on `on`, with a new due date.
async fn receive(
    txn: &DatabaseTransaction,
    loaded: &Loaded,
    actor: i64,
    on: NaiveDate,
    due: NaiveDate,
) -> AppResult<()> {
    for f in loaded.forwardings.iter().filter(|f| f.to_agency_id == actor || f.copy_to_agency_id == Some(actor)) {
        let mut m: forwarding::ActiveModel = f.clone().into();
        if f.received_on.is_none() && f.to_agency_id == actor {
            m.received_on = Set(Some(on));
        }
        m.due_on = Set(Some(due));
        m.update(txn).await?;
    }
    Ok(())
}

/// FORWARDED → AGENCY_VERIFYING: BKN acknowledges an ASN recommendation.
pub async fn acknowledge(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Acknowledge).await?;
            let on = step_date(&step, &loaded.case)?;
            let due = on + Duration::days(deadlines.verification_days);
            receive(txn, &loaded, actor.agency_id, on, due).await?;
            let changes = Changes { deadline_on: Some(Some(due)), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::Acknowledge, S::AgencyVerifying, on, changes).await
        })
    })
    .await
}

/// Records a decision on each of the actor's forwardings of this case.
#[expect(clippy::too_many_arguments, reason = "the columns of a decision row")]
async fn decide_each(
    txn: &DatabaseTransaction,
    loaded: &Loaded,
    actor: &Principal,
    kind: DecisionKind,
    outcome: DecisionOutcome,
    code: Option<SanctionCode>,
    duration: Option<i32>,
    decree: Option<String>,
    on: NaiveDate,
    effective: Option<(NaiveDate, Option<NaiveDate>)>,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for f in loaded
        .forwardings
        .iter()
        .filter(|f| f.to_agency_id == actor.agency_id || f.copy_to_agency_id == Some(actor.agency_id))
    {
        let m = agency_decision::ActiveModel {
            id: NotSet,
            forwarding_id: Set(f.id),
            agency_id: Set(actor.agency_id),
            kind: Set(kind),
            outcome: Set(outcome),
            sanction_code: Set(code),
            severity: Set(code.and_then(|c| c.classify().1)),
            duration_months: Set(duration),
            decree_number: Set(decree.clone()),
            decided_on: Set(on),
            effective_from: Set(effective.map(|e| e.0)),
            effective_to: Set(effective.and_then(|e| e.1)),
            note: Set(None),
        }
        .insert(txn)
        .await?;
        ids.push(m.id);
    }
    if ids.is_empty() {
        return Err(AppError::Internal(anyhow::anyhow!("BUG: an authorized actor has no forwarding")));
    }
    Ok(ids)
}

/// Checks a sanction against every subject of the case the actor decides on.
fn check_sanction(loaded: &Loaded, actor: i64, code: SanctionCode, duration: Option<i32>) -> AppResult<Option<i32>> {
    for f in loaded.forwardings.iter().filter(|f| f.to_agency_id == actor || f.copy_to_agency_id == Some(actor)) {
        if let Some((a, o)) = loaded.subjects.iter().find(|(a, _)| a.id == f.allegation_id) {
            if let Some(why) = sanctions::misfit(o.subject_kind, a.violation_code, code) {
                return Err(AppError::invalid("sanctionCode", why));
            }
        }
    }
    let allowed = sanctions::allowed_durations(code);
    match (duration, allowed) {
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(*only)),
        (Some(d), list) if list.contains(&d) => Ok(Some(d)),
        (_, []) => Err(AppError::invalid("durationMonths", format!("{} has no duration", code.as_str()))),
        (_, list) => Err(AppError::invalid("durationMonths", format!("{} lasts {list:?} months", code.as_str()))),
    }
}

/// AGENCY_VERIFYING → SANCTION_RECOMMENDED when proven (with the sanction BKN
/// recommends to the PPK), or CLOSED when not proven, cancelled, rejected or
/// the subject has left the service.
pub async fn verify(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
    outcome: DecisionOutcome,
    recommended: Option<SanctionCode>,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Verify).await?;
            let on = step_date(&step, &loaded.case)?;
            let (to, closure) = match outcome {
                DecisionOutcome::Proven => (S::SanctionRecommended, None),
                DecisionOutcome::NotProven => (S::Closed, Some(ClosureReason::NotProven)),
                DecisionOutcome::Cancelled => (S::Closed, Some(ClosureReason::Cancelled)),
                DecisionOutcome::Rejected => (S::Closed, Some(ClosureReason::Rejected)),
                DecisionOutcome::SubjectSeparated => (S::Closed, Some(ClosureReason::SubjectSeparated)),
                _ => {
                    return Err(AppError::invalid(
                        "outcome",
                        "a verification is PROVEN, NOT_PROVEN, CANCELLED, REJECTED or SUBJECT_SEPARATED",
                    ))
                }
            };
            decide_each(
                txn,
                &loaded,
                actor,
                DecisionKind::Verification,
                outcome,
                None,
                None,
                step.document_ref.clone(),
                on,
                None,
            )
            .await?;
            let mut deadline = None;
            if to == S::SanctionRecommended {
                let code = recommended.ok_or_else(|| {
                    AppError::invalid("recommendedSanction", "a proven case needs the recommended sanction")
                })?;
                // A recommendation names the shortest form; the PPK's decree fixes the duration.
                let duration = check_sanction(
                    &loaded,
                    actor.agency_id,
                    code,
                    sanctions::allowed_durations(code).first().copied(),
                )?;
                decide_each(
                    txn,
                    &loaded,
                    actor,
                    DecisionKind::Recommendation,
                    DecisionOutcome::Sanctioned,
                    Some(code),
                    duration,
                    step.document_ref.clone(),
                    on,
                    None,
                )
                .await?;
                let due = on + Duration::days(deadlines.ppk_days);
                receive(txn, &loaded, actor.agency_id, on, due).await?;
                deadline = Some(due);
            }
            let changes = Changes { closure_reason: closure, deadline_on: Some(deadline), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::Verify, to, on, changes).await
        })
    })
    .await
}

/// → PPK_EXAMINATION: the PPK (for ASN, after BKN's recommendation or an
/// escalation) or the receiving agency (non-ASN) opens its examination.
pub async fn open_examination(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::OpenExamination).await?;
            let on = step_date(&step, &loaded.case)?;
            let due = if loaded.via_bkn {
                loaded.case.deadline_on.unwrap_or(on + Duration::days(deadlines.ppk_days))
            } else {
                on + Duration::days(deadlines.ppk_days)
            };
            if !loaded.via_bkn {
                receive(txn, &loaded, actor.agency_id, on, due).await?;
            }
            let changes = Changes { deadline_on: Some(Some(due)), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::OpenExamination, S::PpkExamination, on, changes).await
        })
    })
    .await
}

/// The terms of a sanction decree.
#[derive(Debug, Clone)]
pub struct Decree {
    /// Sanction code (BRIEF §4.2).
    pub code: SanctionCode,
    /// Duration in months, where the sanction has one.
    pub duration_months: Option<i32>,
    /// Decree (SK) number.
    pub number: String,
    /// First day in force (default: the day after the decree).
    pub effective_from: Option<NaiveDate>,
}

async fn record_decree(
    txn: &DatabaseTransaction,
    loaded: &Loaded,
    actor: &Principal,
    decree: &Decree,
    kind: DecisionKind,
    outcome: DecisionOutcome,
    on: NaiveDate,
) -> AppResult<()> {
    if decree.number.trim().is_empty() {
        return Err(AppError::invalid("decreeNumber", "the decree (SK) number is required"));
    }
    let duration = check_sanction(loaded, actor.agency_id, decree.code, decree.duration_months)?;
    let from = decree.effective_from.unwrap_or(on + Duration::days(1));
    if from < on {
        return Err(AppError::invalid("effectiveFrom", "a sanction cannot take effect before its decree"));
    }
    // A sanction of m months ends the day before the same date m months on.
    let to = duration
        .and_then(|m| from.checked_add_months(chrono::Months::new(u32::try_from(m).unwrap_or(0))))
        .map(|d| d - Duration::days(1));
    let kind = if loaded.subjects.iter().any(|(_, o)| matches!(o.subject_kind, SubjectKind::Tni | SubjectKind::Polri))
        && kind == DecisionKind::SanctionDecree
    {
        DecisionKind::Internal
    } else {
        kind
    };
    decide_each(
        txn,
        loaded,
        actor,
        kind,
        outcome,
        Some(decree.code),
        duration,
        Some(decree.number.trim().to_owned()),
        on,
        Some((from, to)),
    )
    .await?;
    Ok(())
}

/// PPK_EXAMINATION → SANCTION_IMPOSED: the decree, checked against the act's
/// track and default severity and the subject's kind.
pub async fn impose_sanction(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    decree: Decree,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::ImposeSanction).await?;
            let on = step_date(&step, &loaded.case)?;
            record_decree(txn, &loaded, actor, &decree, DecisionKind::SanctionDecree, DecisionOutcome::Sanctioned, on)
                .await?;
            let changes = Changes { deadline_on: Some(None), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::ImposeSanction, S::SanctionImposed, on, changes).await
        })
    })
    .await
}

/// SANCTION_IMPOSED → ADMIN_APPEAL: an objection or administrative appeal is filed.
pub async fn file_appeal(db: &DatabaseConnection, viewer: Option<&Principal>, step: Step) -> AppResult<case::Model> {
    simple(db, viewer, step, Action::FileAppeal, S::AdminAppeal).await
}

/// ADMIN_APPEAL → SANCTION_IMPOSED: upheld (the decree stands) or changed (a new decree).
pub async fn resolve_appeal(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    changed: Option<Decree>,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::ResolveAppeal).await?;
            let on = step_date(&step, &loaded.case)?;
            match &changed {
                Some(decree) => {
                    record_decree(
                        txn,
                        &loaded,
                        actor,
                        decree,
                        DecisionKind::AppealOutcome,
                        DecisionOutcome::Changed,
                        on,
                    )
                    .await?
                }
                None => {
                    decide_each(
                        txn,
                        &loaded,
                        actor,
                        DecisionKind::AppealOutcome,
                        DecisionOutcome::Upheld,
                        None,
                        None,
                        step.document_ref.clone(),
                        on,
                        None,
                    )
                    .await?;
                }
            }
            transition(txn, actor, &step, &loaded, Action::ResolveAppeal, S::SanctionImposed, on, Changes::default())
                .await
        })
    })
    .await
}

/// SANCTION_IMPOSED → EXECUTION_MONITORING: the sanction is in force.
pub async fn start_monitoring(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
) -> AppResult<case::Model> {
    simple(db, viewer, step, Action::StartMonitoring, S::ExecutionMonitoring).await
}

/// The latest sanction decisions of the case (one per forwarding).
async fn current_sanctions(txn: &DatabaseTransaction, loaded: &Loaded) -> AppResult<Vec<agency_decision::Model>> {
    let all = agency_decision::Entity::find()
        .filter(agency_decision::Column::ForwardingId.is_in(loaded.forwardings.iter().map(|f| f.id)))
        .filter(agency_decision::Column::SanctionCode.is_not_null())
        .filter(agency_decision::Column::Kind.is_not_in([DecisionKind::Recommendation]))
        .all(txn)
        .await?;
    let mut latest: Vec<agency_decision::Model> = Vec::new();
    for d in all {
        match latest.iter_mut().find(|l| l.forwarding_id == d.forwarding_id) {
            Some(l) if (d.decided_on, d.id) > (l.decided_on, l.id) => *l = d,
            Some(_) => {}
            None => latest.push(d),
        }
    }
    Ok(latest)
}

/// A check of the sanction's execution (the case stays in monitoring).
pub async fn check_execution(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    status: ExecutionStatus,
    proof_ref: Option<String>,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::CheckExecution).await?;
            let on = step_date(&step, &loaded.case)?;
            if status == ExecutionStatus::Done && proof_ref.as_deref().is_none_or(|p| p.trim().is_empty()) {
                return Err(AppError::invalid("proofRef", "a completed execution needs a proof reference"));
            }
            for d in current_sanctions(txn, &loaded).await? {
                execution_check::ActiveModel {
                    id: NotSet,
                    decision_id: Set(d.id),
                    agency_id: Set(actor.agency_id),
                    status: Set(status),
                    proof_ref: Set(proof_ref.clone()),
                    checked_on: Set(on),
                    note: Set(step.note.clone()),
                }
                .insert(txn)
                .await?;
            }
            transition(
                txn,
                actor,
                &step,
                &loaded,
                Action::CheckExecution,
                S::ExecutionMonitoring,
                on,
                Changes::default(),
            )
            .await
        })
    })
    .await
}

/// EXECUTION_MONITORING → CLOSED (sanction executed): the handling office
/// closes once an execution check found the sanction carried out.
pub async fn close(db: &DatabaseConnection, viewer: Option<&Principal>, step: Step) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Close).await?;
            let on = step_date(&step, &loaded.case)?;
            let decisions: Vec<i64> = current_sanctions(txn, &loaded).await?.iter().map(|d| d.id).collect();
            let done = execution_check::Entity::find()
                .filter(execution_check::Column::DecisionId.is_in(decisions))
                .filter(execution_check::Column::Status.eq(ExecutionStatus::Done))
                .one(txn)
                .await?;
            if done.is_none() {
                return Err(AppError::invalid("state", "no execution check has found the sanction carried out yet"));
            }
            let changes = Changes { closure_reason: Some(ClosureReason::SanctionExecuted), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::Close, S::Closed, on, changes).await
        })
    })
    .await
}

/// SANCTION_RECOMMENDED → OVERDUE_ESCALATED: BKN blocks the record or sends a
/// warning once the PPK's time has passed.
pub async fn escalate(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    kind: EscalationKind,
    letter_number: Option<String>,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Escalate).await?;
            let on = step_date(&step, &loaded.case)?;
            if kind == EscalationKind::SiasnUnblock {
                return Err(AppError::invalid("kind", "an escalation blocks the record or sends a warning letter"));
            }
            let mine: Vec<&forwarding::Model> =
                loaded.forwardings.iter().filter(|f| f.to_agency_id == actor.agency_id).collect();
            if let Some(due) = mine.iter().filter_map(|f| f.due_on).max() {
                if on <= due {
                    return Err(AppError::invalid(
                        "on",
                        format!("the PPK has until {due}; escalation is possible after that"),
                    ));
                }
            }
            for f in mine {
                escalation::ActiveModel {
                    id: NotSet,
                    forwarding_id: Set(f.id),
                    agency_id: Set(actor.agency_id),
                    kind: Set(kind),
                    letter_number: Set(letter_number.clone()),
                    escalated_on: Set(on),
                    note: Set(step.note.clone()),
                }
                .insert(txn)
                .await?;
            }
            transition(txn, actor, &step, &loaded, Action::Escalate, S::OverdueEscalated, on, Changes::default()).await
        })
    })
    .await
}

/// CRIMINAL_PROCESS → CLOSED (criminal verdict), recorded by Gakkumdu.
pub async fn record_verdict(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    guilty: bool,
    decree_number: String,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::RecordVerdict).await?;
            let on = step_date(&step, &loaded.case)?;
            let (outcome, code) = if guilty {
                (DecisionOutcome::Guilty, Some(SanctionCode::Pidana))
            } else {
                (DecisionOutcome::Acquitted, None)
            };
            decide_each(
                txn,
                &loaded,
                actor,
                DecisionKind::Verdict,
                outcome,
                code,
                None,
                Some(decree_number),
                on,
                guilty.then_some((on, None)),
            )
            .await?;
            let changes = Changes {
                closure_reason: Some(ClosureReason::CriminalVerdict),
                deadline_on: Some(None),
                ..Changes::default()
            };
            transition(txn, actor, &step, &loaded, Action::RecordVerdict, S::Closed, on, changes).await
        })
    })
    .await
}

/// A correction or remark recorded as a new timeline event; nothing changes in place.
pub async fn correct(db: &DatabaseConnection, viewer: Option<&Principal>, step: Step) -> AppResult<case::Model> {
    if step.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("note", "say what is corrected"));
    }
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Correct).await?;
            let on = step_date(&step, &loaded.case)?;
            let state = loaded.case.state;
            transition(txn, actor, &step, &loaded, Action::Correct, state, on, Changes::default()).await
        })
    })
    .await
}
