//! The steps of the process as pure functions: each takes the loaded case,
//! its input and the step context (actor, date, deadlines, the agencies it
//! may name) and returns the [`Effects`](crate::case::effects::Effects), with
//! no I/O. The API runs them through `case::engine::run`; the demo goes
//! through the API's services; the synthetic generator calls them directly on
//! its in-memory cases. Split by actor: the handling Bawaslu office
//! (`bawaslu`), BKN (`bkn`), the PPK or receiving agency and Gakkumdu
//! (`receiver`).

pub mod bawaslu;
pub mod bkn;
pub mod receiver;

use chrono::NaiveDate;

use crate::case::effects::Effects;
use crate::case::engine::{Ctx, Loaded};
use crate::domain::routing::{competent, Receiver};
use crate::domain::{sanctions, DecisionKind, DecisionOutcome, SanctionCode};
use crate::entity::{agency_decision, forwarding, official};
use crate::error::{AppError, AppResult};

/// A new forwarding of allegation `allegation_id` (without id or due date).
pub(crate) fn forwarding_row(
    loaded: &Loaded,
    allegation_id: i64,
    to: i64,
    copy: Option<i64>,
    letter: &str,
    on: NaiveDate,
) -> forwarding::Model {
    forwarding::Model {
        id: 0,
        allegation_id,
        from_agency_id: loaded.case.handling_agency_id,
        to_agency_id: to,
        copy_to_agency_id: copy,
        letter_number: letter.to_owned(),
        sent_on: on,
        received_on: None,
        due_on: None,
        recommended_track: None,
        recommended_severity: None,
    }
}

/// The competent agency and the copy recipient for a subject, by the rule
/// of [`crate::domain::routing::competent`].
pub(crate) fn route(ctx: &Ctx<'_>, o: &official::Model) -> (i64, Option<i64>) {
    let (receiver, copy) = competent(o.subject_kind, &o.work_region_code);
    let to = match receiver {
        Receiver::Agency(code) => ctx.directory.id_of(&code).unwrap_or(o.employer_id),
        Receiver::Employer => o.employer_id,
    };
    (to, copy.then(|| o.ppk_id.unwrap_or(o.employer_id)))
}

/// Marks the actor's forwardings as received on `on`, with a new due date.
pub(crate) fn receive(effects: &mut Effects, loaded: &Loaded, ctx: &Ctx<'_>, due: NaiveDate) {
    let actor = ctx.actor_agency_id;
    for f in loaded.forwardings_of(actor) {
        let mut m = f.clone();
        if f.received_on.is_none() && f.to_agency_id == actor {
            m.received_on = Some(ctx.on);
        }
        m.due_on = Some(due);
        effects.updated_forwardings.push(m);
    }
}

/// The terms of one decision row, for each of the actor's forwardings.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    pub(crate) kind: DecisionKind,
    pub(crate) outcome: DecisionOutcome,
    pub(crate) code: Option<SanctionCode>,
    pub(crate) duration: Option<i32>,
    pub(crate) decree: Option<String>,
    pub(crate) effective: Option<(NaiveDate, Option<NaiveDate>)>,
}

/// Records `d` on each of the actor's forwardings of this case.
pub(crate) fn decide_each(effects: &mut Effects, loaded: &Loaded, ctx: &Ctx<'_>, d: &Decision) -> AppResult<()> {
    let before = effects.decisions.len();
    for f in loaded.forwardings_of(ctx.actor_agency_id) {
        effects.decisions.push(agency_decision::Model {
            id: 0,
            forwarding_id: f.id,
            agency_id: ctx.actor_agency_id,
            kind: d.kind,
            outcome: d.outcome,
            sanction_code: d.code,
            severity: d.code.and_then(|c| c.classify().1),
            duration_months: d.duration,
            decree_number: d.decree.clone(),
            decided_on: ctx.on,
            effective_from: d.effective.map(|e| e.0),
            effective_to: d.effective.and_then(|e| e.1),
            note: None,
        });
    }
    if effects.decisions.len() == before {
        return Err(AppError::Internal(anyhow::anyhow!("BUG: an authorized actor has no forwarding")));
    }
    Ok(())
}

/// Checks a sanction against every subject the actor decides on, and
/// returns its duration (the only one, when the sanction has one form).
pub(crate) fn check_sanction(
    loaded: &Loaded,
    ctx: &Ctx<'_>,
    code: SanctionCode,
    duration: Option<i32>,
) -> AppResult<Option<i32>> {
    for f in loaded.forwardings_of(ctx.actor_agency_id) {
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
