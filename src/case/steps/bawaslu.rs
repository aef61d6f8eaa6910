//! The handling Bawaslu office's steps: the formal and material check, a
//! transfer, clarification, the plenary's decision, forwarding, evidence,
//! corrections and closure. Pure: (loaded case, input, context) → effects.

use chrono::Duration;

use super::{forwarding_row, route};
use crate::case::effects::{Changes, Effects};
use crate::case::engine::{Ctx, Loaded};
use crate::domain::SanctionTrack;
use crate::domain::{agencies, code_contains, numbering, CaseSource, CaseState as S, Classification, ClosureReason};
use crate::entity::{agency, evidence};
use crate::error::{AppError, AppResult};

/// RECEIVED → FORMAL_MATERIAL_CHECK.
pub fn start_formal_check(_: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    Ok(Effects::moving_to(S::FormalMaterialCheck, ctx))
}

/// REGISTERED → CLARIFICATION_ASSESSMENT.
pub fn start_clarification(_: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    Ok(Effects::moving_to(S::ClarificationAssessment, ctx))
}

/// Why a case fails the formal or material requirements, if it does.
pub fn requirement_failures(loaded: &Loaded, ctx: &Ctx<'_>) -> Vec<String> {
    let case = &loaded.case;
    let days = ctx.deadlines.report_days;
    let mut why = Vec::new();
    let limit = case.known_on + Duration::days(days);
    if case.received_on > limit {
        why.push(format!(
            "filed on {}, more than {days} days after the act became known on {} (limit {limit})",
            case.received_on, case.known_on
        ));
    }
    if case.source == CaseSource::Laporan {
        match &loaded.reporter {
            None => why.push("formal: the reporter's identity is missing".to_owned()),
            Some(r) if r.nik.is_none() || r.voter_region_code.is_none() => {
                why.push("formal: the reporter's NIK and voter region are required".to_owned());
            }
            Some(_) => {}
        }
        if !loaded.has_evidence {
            why.push("material: no evidence was submitted".to_owned());
        }
    }
    if loaded.subjects.is_empty() {
        why.push("material: no reported official".to_owned());
    }
    why
}

/// FORMAL_MATERIAL_CHECK → REGISTERED (with a registration number and the
/// decision deadline), or NOT_REGISTERED with the reasons when the report is
/// late or incomplete.
pub fn complete_formal_check(loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    let failures = requirement_failures(loaded, ctx);
    Ok(if failures.is_empty() {
        let deadline = loaded.case.received_on + Duration::days(ctx.deadlines.decision_days);
        Effects::moving_to(S::Registered, ctx).with(Changes {
            registration_number: Some(numbering::registration_number(&loaded.case.number)),
            registered_on: Some(ctx.on),
            deadline_on: Some(Some(deadline)),
            ..Changes::default()
        })
    } else {
        Effects::moving_to(S::NotRegistered, ctx).with(Changes {
            not_registered_reason: Some(failures.join("; ")),
            deadline_on: Some(None),
            ..Changes::default()
        })
    })
}

/// RECEIVED → RECEIVED at another Bawaslu office whose jurisdiction covers the place.
pub fn transfer(loaded: &Loaded, ctx: &Ctx<'_>, to_agency_code: &str) -> AppResult<Effects> {
    let target: &agency::Model = ctx
        .directory
        .by_code
        .get(to_agency_code.trim())
        .filter(|a| crate::policy::Role::of_kind(a.kind) == crate::policy::Role::Bawaslu)
        .ok_or_else(|| AppError::invalid("toAgencyCode", format!("`{to_agency_code}` is not a Bawaslu office")))?;
    let place = &loaded.case.region_code;
    let covers = target.region_code.as_ref().is_none_or(|r| code_contains(r, place));
    if !covers || target.id == loaded.case.handling_agency_id {
        return Err(AppError::invalid(
            "toAgencyCode",
            format!("{} does not cover {place} or already handles the case", target.code),
        ));
    }
    Ok(Effects::moving_to(S::Received, ctx).with(Changes { handling_agency_id: Some(target.id), ..Changes::default() }))
}

/// The plenary's decision: no violation or the KPU's administrative track
/// close the case; the neutrality track waits for forwarding; the criminal
/// track goes to the Gakkumdu centre at once. The decision is due within the
/// decision deadline of receipt, extended once when more information was needed.
pub fn decide(loaded: &Loaded, ctx: &Ctx<'_>, classification: Classification, extended: bool) -> AppResult<Effects> {
    let on = ctx.on;
    let due = loaded.case.received_on + Duration::days(ctx.deadlines.decision_days);
    let extended_due = due + Duration::days(ctx.deadlines.extension_days);
    if on > due && !extended {
        return Err(AppError::invalid(
            "extended",
            format!(
                "the decision was due on {due}; set `extended` when more information was needed (due {extended_due})"
            ),
        ));
    }
    let (to, closure) = match classification {
        Classification::BukanPelanggaran => (S::Closed, Some(ClosureReason::NotAViolation)),
        Classification::AdministrasiPemilihan => (S::Closed, Some(ClosureReason::AdministrativeTrack)),
        Classification::PerundanganLainnya => (S::Decided, None),
        Classification::TindakPidanaPemilihan => (S::CriminalProcess, None),
        Classification::KodeEtikPenyelenggara => {
            return Err(AppError::invalid(
                "classification",
                "the ethics of election organisers go to DKPP; netra handles officials' neutrality",
            ))
        }
    };
    let mut effects = Effects::moving_to(to, ctx).with(Changes {
        decided_on: Some(on),
        classification: Some(classification),
        closure_reason: closure,
        deadline_on: Some(None),
        ..Changes::default()
    });
    if on > extended_due {
        let late = (on - extended_due).num_days();
        let note = format!("decided {late} day(s) after the extended deadline of {extended_due}");
        effects.note = Some(effects.note.map_or(note.clone(), |n| format!("{n}; {note}")));
    }
    if to == S::CriminalProcess {
        let region = ctx.directory.handling_region.clone().unwrap_or_default();
        let gakkumdu = ctx.directory.id_of(&agencies::gakkumdu(&region)).ok_or_else(|| {
            AppError::invalid("classification", format!("no Gakkumdu centre is registered for {region}"))
        })?;
        let letter = ctx.step.document_ref.clone().unwrap_or_else(|| format!("GAKKUMDU/{}", loaded.case.number));
        for (a, _) in &loaded.subjects {
            let mut f = forwarding_row(loaded, a.id, gakkumdu, None, &letter, on);
            f.received_on = Some(on);
            f.due_on = Some(on + Duration::days(ctx.deadlines.ppk_days));
            f.recommended_track = Some(SanctionTrack::Criminal);
            effects.forwardings.push(f);
        }
    }
    Ok(effects)
}

/// DECIDED → FORWARDED: one recommendation per proven allegation (all when
/// `allegation_ids` is empty) to the competent agency, due after BKN's
/// verification time (ASN) or the PPK's time (others).
pub fn forward(loaded: &Loaded, ctx: &Ctx<'_>, letter_number: &str, allegation_ids: &[i64]) -> AppResult<Effects> {
    if letter_number.trim().is_empty() {
        return Err(AppError::invalid("letterNumber", "the recommendation letter's number is required"));
    }
    let chosen: Vec<_> =
        loaded.subjects.iter().filter(|(a, _)| allegation_ids.is_empty() || allegation_ids.contains(&a.id)).collect();
    if chosen.is_empty() || chosen.len() < allegation_ids.len() {
        return Err(AppError::invalid("allegationIds", "name allegations of this case"));
    }
    let mut effects = Effects::moving_to(S::Forwarded, ctx);
    let mut due = None;
    for (a, o) in chosen {
        let (to, copy) = route(ctx, o);
        let days = if o.subject_kind.is_asn() { ctx.deadlines.verification_days } else { ctx.deadlines.ppk_days };
        due = Some(ctx.on + Duration::days(days));
        let mut f = forwarding_row(loaded, a.id, to, copy, letter_number.trim(), ctx.on);
        f.due_on = due;
        f.recommended_track = Some(a.violation_code.track());
        f.recommended_severity = a.violation_code.default_severity();
        effects.forwardings.push(f);
    }
    effects.changes.deadline_on = Some(due);
    Ok(effects)
}

/// EXECUTION_MONITORING → CLOSED (sanction executed): the handling office
/// closes once an execution check found the sanction carried out.
pub fn close(loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    if !loaded.executed {
        return Err(AppError::invalid("state", "no execution check has found the sanction carried out yet"));
    }
    Ok(Effects::moving_to(S::Closed, ctx)
        .with(Changes { closure_reason: Some(ClosureReason::SanctionExecuted), ..Changes::default() }))
}

/// Evidence metadata added to a case still with its handling office.
pub fn add_evidence(loaded: &Loaded, ctx: &Ctx<'_>, items: Vec<evidence::Model>) -> AppResult<Effects> {
    let mut effects = Effects::moving_to(loaded.case.state, ctx);
    effects.evidence = items
        .into_iter()
        .map(|e| evidence::Model { case_id: loaded.case.id, submitted_by_id: ctx.actor_agency_id, ..e })
        .collect();
    Ok(effects)
}

/// A correction or remark recorded as a new timeline event; nothing changes in place.
pub fn correct(loaded: &Loaded, ctx: &Ctx<'_>) -> AppResult<Effects> {
    if ctx.step.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(AppError::invalid("note", "say what is corrected"));
    }
    Ok(Effects::moving_to(loaded.case.state, ctx))
}
