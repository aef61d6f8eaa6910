//! The steps of the PPK or receiving agency (examination, decree, appeal,
//! monitoring, execution checks) and of Gakkumdu (the verdict). Pure:
//! (loaded case, input, context) → effects.

use chrono::{Duration, NaiveDate};

use super::{check_sanction, decide_each, receive, Decision};
use crate::case::effects::{Changes, Effects};
use crate::case::engine::{Ctx, Loaded};
use crate::domain::SubjectKind;
use crate::domain::{CaseState as S, ClosureReason, DecisionKind, DecisionOutcome, ExecutionStatus, SanctionCode};
use crate::entity::execution_check;
use crate::error::{AppError, AppResult};

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

/// → PPK_EXAMINATION: the PPK (for ASN, after BKN's recommendation or an
/// escalation) or the receiving agency (non-ASN) opens its examination.
pub fn open_examination(loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    let own = ctx.on + Duration::days(ctx.deadlines.ppk_days);
    let due = if loaded.via_bkn { loaded.case.deadline_on.unwrap_or(own) } else { own };
    let mut effects =
        Effects::moving_to(S::PpkExamination, ctx).with(Changes { deadline_on: Some(Some(due)), ..Changes::default() });
    if !loaded.via_bkn {
        receive(&mut effects, loaded, ctx, due);
    }
    Ok(effects)
}

/// The decision rows of a decree, checked against the act's track and
/// default severity and the subject's kind. A sanction of m months ends the
/// day before the same date m months on.
fn record_decree(
    effects: &mut Effects,
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    decree: &Decree,
    kind: DecisionKind,
    outcome: DecisionOutcome,
) -> AppResult<()> {
    if decree.number.trim().is_empty() {
        return Err(AppError::invalid("decreeNumber", "the decree (SK) number is required"));
    }
    let duration = check_sanction(loaded, ctx, decree.code, decree.duration_months)?;
    let from = decree.effective_from.unwrap_or(ctx.on + Duration::days(1));
    if from < ctx.on {
        return Err(AppError::invalid("effectiveFrom", "a sanction cannot take effect before its decree"));
    }
    let to = duration
        .and_then(|m| from.checked_add_months(chrono::Months::new(u32::try_from(m).unwrap_or(0))))
        .map(|d| d - Duration::days(1));
    let internal = loaded.subjects.iter().any(|(_, o)| matches!(o.subject_kind, SubjectKind::Tni | SubjectKind::Polri));
    let kind = if internal && kind == DecisionKind::SanctionDecree { DecisionKind::Internal } else { kind };
    let d = Decision {
        kind,
        outcome,
        code: Some(decree.code),
        duration,
        decree: Some(decree.number.trim().to_owned()),
        effective: Some((from, to)),
    };
    decide_each(effects, loaded, ctx, &d)
}

/// PPK_EXAMINATION → SANCTION_IMPOSED: the decree.
pub fn impose_sanction(loaded: &Loaded, ctx: &Ctx<'_>, decree: &Decree) -> AppResult<Effects> {
    let mut effects =
        Effects::moving_to(S::SanctionImposed, ctx).with(Changes { deadline_on: Some(None), ..Changes::default() });
    record_decree(&mut effects, loaded, ctx, decree, DecisionKind::SanctionDecree, DecisionOutcome::Sanctioned)?;
    Ok(effects)
}

/// SANCTION_IMPOSED → ADMIN_APPEAL: an objection or administrative appeal is filed.
pub fn file_appeal(_: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    Ok(Effects::moving_to(S::AdminAppeal, ctx))
}

/// ADMIN_APPEAL → SANCTION_IMPOSED: upheld (the decree stands) or changed (a new decree).
pub fn resolve_appeal(loaded: &Loaded, ctx: &Ctx<'_>, changed: Option<&Decree>) -> AppResult<Effects> {
    let mut effects = Effects::moving_to(S::SanctionImposed, ctx);
    match changed {
        Some(decree) => {
            record_decree(&mut effects, loaded, ctx, decree, DecisionKind::AppealOutcome, DecisionOutcome::Changed)?;
        }
        None => {
            let upheld = Decision {
                kind: DecisionKind::AppealOutcome,
                outcome: DecisionOutcome::Upheld,
                code: None,
                duration: None,
                decree: ctx.step.document_ref.clone(),
                effective: None,
            };
            decide_each(&mut effects, loaded, ctx, &upheld)?;
        }
    }
    Ok(effects)
}

/// SANCTION_IMPOSED → EXECUTION_MONITORING: the sanction is in force.
pub fn start_monitoring(_: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    Ok(Effects::moving_to(S::ExecutionMonitoring, ctx))
}

/// A check of the sanction's execution (the case stays in monitoring), one
/// row per current sanction.
pub fn check_execution(
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    status: ExecutionStatus,
    proof_ref: Option<&str>,
) -> AppResult<Effects> {
    if status == ExecutionStatus::Done && proof_ref.is_none_or(|p| p.trim().is_empty()) {
        return Err(AppError::invalid("proofRef", "a completed execution needs a proof reference"));
    }
    let mut effects = Effects::moving_to(S::ExecutionMonitoring, ctx);
    effects.checks = loaded
        .current_sanctions()
        .into_iter()
        .map(|d| execution_check::Model {
            id: 0,
            decision_id: d.id,
            agency_id: ctx.actor_agency_id,
            status,
            proof_ref: proof_ref.map(str::to_owned),
            checked_on: ctx.on,
            note: ctx.step.note.clone(),
        })
        .collect();
    Ok(effects)
}

/// CRIMINAL_PROCESS → CLOSED (criminal verdict), recorded by Gakkumdu.
pub fn record_verdict(loaded: &Loaded, ctx: &Ctx<'_>, guilty: bool, verdict_number: &str) -> AppResult<Effects> {
    let (outcome, code) =
        if guilty { (DecisionOutcome::Guilty, Some(SanctionCode::Pidana)) } else { (DecisionOutcome::Acquitted, None) };
    let mut effects = Effects::moving_to(S::Closed, ctx).with(Changes {
        closure_reason: Some(ClosureReason::CriminalVerdict),
        deadline_on: Some(None),
        ..Changes::default()
    });
    let d = Decision {
        kind: DecisionKind::Verdict,
        outcome,
        code,
        duration: None,
        decree: Some(verdict_number.to_owned()),
        effective: guilty.then_some((ctx.on, None)),
    };
    decide_each(&mut effects, loaded, ctx, &d)?;
    Ok(effects)
}
