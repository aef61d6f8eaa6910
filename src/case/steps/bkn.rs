//! BKN's steps on an ASN case: acknowledging a recommendation, verifying it
//! (and recommending a sanction to the PPK), and escalating against an
//! overdue PPK. Pure: (loaded case, input, context) → effects.

use chrono::Duration;

use super::{check_sanction, decide_each, receive, Decision};
use crate::case::effects::{Changes, Effects};
use crate::case::engine::{Ctx, Loaded};
use crate::domain::{
    sanctions, CaseState as S, ClosureReason, DecisionKind, DecisionOutcome, EscalationKind, SanctionCode,
};
use crate::entity::escalation;
use crate::error::{AppError, AppResult};

/// FORWARDED → AGENCY_VERIFYING: BKN acknowledges an ASN recommendation.
pub fn acknowledge(loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    let due = ctx.on + Duration::days(ctx.deadlines.verification_days);
    let mut effects = Effects::moving_to(S::AgencyVerifying, ctx)
        .with(Changes { deadline_on: Some(Some(due)), ..Changes::default() });
    receive(&mut effects, loaded, ctx, due);
    Ok(effects)
}

/// AGENCY_VERIFYING → SANCTION_RECOMMENDED when proven (with the sanction BKN
/// recommends to the PPK), or CLOSED when not proven, cancelled, rejected or
/// the subject has left the service.
pub fn verify(
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    outcome: DecisionOutcome,
    recommended: Option<SanctionCode>,
) -> AppResult<Effects> {
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
    let mut effects = Effects::moving_to(to, ctx);
    let verification = Decision {
        kind: DecisionKind::Verification,
        outcome,
        code: None,
        duration: None,
        decree: ctx.step.document_ref.clone(),
        effective: None,
    };
    decide_each(&mut effects, loaded, ctx, &verification)?;
    let mut deadline = None;
    if to == S::SanctionRecommended {
        let code = recommended
            .ok_or_else(|| AppError::invalid("recommendedSanction", "a proven case needs the recommended sanction"))?;
        // A recommendation names the shortest form; the PPK's decree fixes the duration.
        let duration = check_sanction(loaded, ctx, code, sanctions::allowed_durations(code).first().copied())?;
        let recommendation = Decision {
            kind: DecisionKind::Recommendation,
            outcome: DecisionOutcome::Sanctioned,
            code: Some(code),
            duration,
            ..verification
        };
        decide_each(&mut effects, loaded, ctx, &recommendation)?;
        let due = ctx.on + Duration::days(ctx.deadlines.ppk_days);
        receive(&mut effects, loaded, ctx, due);
        deadline = Some(due);
    }
    effects.changes = Changes { closure_reason: closure, deadline_on: Some(deadline), ..Changes::default() };
    Ok(effects)
}

/// SANCTION_RECOMMENDED → OVERDUE_ESCALATED: BKN blocks the record or sends a
/// warning once the PPK's time has passed.
pub fn escalate(
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    kind: EscalationKind,
    letter_number: Option<&str>,
) -> AppResult<Effects> {
    if kind == EscalationKind::SiasnUnblock {
        return Err(AppError::invalid("kind", "an escalation blocks the record or sends a warning letter"));
    }
    let mine: Vec<_> = loaded.forwardings.iter().filter(|f| f.to_agency_id == ctx.actor_agency_id).collect();
    if let Some(due) = mine.iter().filter_map(|f| f.due_on).max() {
        if ctx.on <= due {
            return Err(AppError::invalid("on", format!("the PPK has until {due}; escalation is possible after that")));
        }
    }
    let mut effects = Effects::moving_to(S::OverdueEscalated, ctx);
    effects.escalations = mine
        .into_iter()
        .map(|f| escalation::Model {
            id: 0,
            forwarding_id: f.id,
            agency_id: ctx.actor_agency_id,
            kind,
            letter_number: letter_number.map(str::to_owned),
            escalated_on: ctx.on,
            note: ctx.step.note.clone(),
        })
        .collect();
    Ok(effects)
}
