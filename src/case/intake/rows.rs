//! The rows an intake writes, as a pure function of the checked form: the
//! case (numbered by `domain::numbering`), its allegations, reporter and
//! evidence, and the RECEIVE event. No I/O: the API resolves the election,
//! the subjects and the sequence from the database and inserts the rows;
//! the synthetic generator resolves them in memory and writes them in bulk.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{NewCase, NewEvidence};
use crate::domain::{numbering, phase_of, Action, CaseSource, CaseState, ViolationCategory};
use crate::entity::{allegation, case, case_event, evidence, official, reporter};
use crate::error::{AppError, AppResult};

/// The checks of an intake form that need no database: the dates (against
/// the acting office's `today`), the summary, the reporter, the allegations,
/// the race's region and the evidence. Returns the date of receipt.
pub fn check_form(input: &NewCase, today: NaiveDate) -> AppResult<NaiveDate> {
    let received_on = input.received_on.unwrap_or(today);
    if !(input.occurred_on <= input.known_on && input.known_on <= received_on && received_on <= today) {
        return Err(AppError::invalid("knownOn", "dates must satisfy occurredOn ≤ knownOn ≤ receivedOn ≤ today"));
    }
    if input.summary.trim().is_empty() {
        return Err(AppError::invalid("summary", "describe what happened"));
    }
    match (input.source, &input.reporter) {
        (CaseSource::Laporan, None) => {
            return Err(AppError::invalid("reporter", "a report (laporan) names its reporter"))
        }
        (CaseSource::Temuan, Some(_)) => {
            return Err(AppError::invalid("reporter", "a finding (temuan) has no reporter"))
        }
        (_, Some(r)) if r.name.trim().is_empty() => {
            return Err(AppError::invalid("reporter.name", "the reporter's name is required"))
        }
        _ => {}
    }
    if input.allegations.is_empty() {
        return Err(AppError::invalid("allegations", "name at least one official and act"));
    }
    if !input.election_region.contains(input.place.as_str()) {
        return Err(AppError::invalid("electionRegionCode", "the race's region must contain the place"));
    }
    for (i, a) in input.allegations.iter().enumerate() {
        if a.act_on > input.known_on {
            return Err(AppError::invalid(
                format!("allegations.{i}.actOn"),
                "an act cannot postdate the day it became known",
            ));
        }
    }
    for (i, e) in input.evidence.iter().enumerate() {
        e.validate(&format!("evidence.{i}"))?;
    }
    Ok(received_on)
}

/// Who receives the case, and what the database (or the generator) resolved
/// for it.
#[derive(Debug, Clone, Copy)]
pub struct Intaker<'a> {
    /// The receiving office's agency id.
    pub agency_id: i64,
    /// The subject of the user recording it.
    pub subject: &'a str,
    /// The region of the receiving office (`00` for Bawaslu RI).
    pub handling_region: &'a str,
    /// The id of the 2024 race concerned.
    pub election_id: i64,
    /// The case's sequence under its number prefix (`numbering::case_prefix`).
    pub seq: u32,
    /// The date of receipt (from [`check_form`]).
    pub received_on: NaiveDate,
    /// The current instant (the clock's).
    pub now: DateTime<Utc>,
    /// The instant of the RECEIVE event (`Clock::instant` of the receipt date).
    pub at: DateTime<Utc>,
}

/// What an intake writes. Rows carry id 0 and children case id 0; whoever
/// persists them assigns the ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeRows {
    /// The case, RECEIVED, version 1.
    pub case: case::Model,
    /// One allegation per subject and act.
    pub allegations: Vec<allegation::Model>,
    /// The reporter of a report.
    pub reporter: Option<reporter::Model>,
    /// The evidence metadata.
    pub evidence: Vec<evidence::Model>,
    /// The RECEIVE event of the timeline.
    pub event: case_event::Model,
}

/// The rows of the checked form `input` received by `by`, naming `subjects`
/// (one per allegation, in order).
pub fn intake_rows(input: &NewCase, by: &Intaker<'_>, subjects: &[official::Model]) -> IntakeRows {
    let year = by.received_on.year();
    let prefix = numbering::case_prefix(by.handling_region, input.source, year);
    let place = &input.place;
    let case = case::Model {
        id: 0,
        number: numbering::case_number(&prefix, by.seq),
        source: input.source,
        election_id: by.election_id,
        handling_agency_id: by.agency_id,
        receipt_number: Some(numbering::receipt_number(by.seq, by.handling_region, input.source, year)),
        registration_number: None,
        region_code: place.as_str().to_owned(),
        province_code: place.prefix(1).unwrap_or_default(),
        regency_code: place.prefix(2),
        district_code: place.prefix(3),
        violation_categories: ViolationCategory::mask(input.allegations.iter().map(|a| a.violation)),
        occurred_on: input.occurred_on,
        known_on: input.known_on,
        received_on: by.received_on,
        registered_on: None,
        decided_on: None,
        classification: None,
        state: CaseState::Received,
        deadline_on: None,
        closure_reason: None,
        not_registered_reason: None,
        summary: input.summary.trim().to_owned(),
        version: 1,
        created_at: by.now,
        updated_at: by.now,
    };
    let allegations = input
        .allegations
        .iter()
        .zip(subjects)
        .map(|(a, o)| allegation::Model {
            id: 0,
            case_id: 0,
            official_id: o.id,
            violation_code: a.violation,
            phase: phase_of(a.act_on),
            act_on: a.act_on,
            place_region_code: a.place.as_ref().unwrap_or(place).as_str().to_owned(),
            description: a.description.trim().to_owned(),
        })
        .collect();
    let reporter = input.reporter.as_ref().map(|r| reporter::Model {
        id: 0,
        case_id: 0,
        kind: r.kind,
        name: r.name.trim().to_owned(),
        phone: r.phone.clone(),
        email: r.email.clone(),
        address: r.address.clone(),
        nik: r.nik.as_ref().map(|n| n.as_str().to_owned()),
        voter_region_code: r.voter_region.as_ref().map(|v| v.as_str().to_owned()),
    });
    let evidence = input
        .evidence
        .iter()
        .map(|e| evidence::Model { submitted_by_id: by.agency_id, ..NewEvidence::model(e, by.now) })
        .collect();
    let event = case_event::Model {
        id: 0,
        case_id: 0,
        action: Action::Receive.name().to_owned(),
        from_state: None,
        to_state: CaseState::Received,
        actor_agency_id: by.agency_id,
        actor_subject: by.subject.to_owned(),
        occurred_at: by.at,
        document_ref: input.document_ref.clone(),
        deadline_on: None,
        note: None,
    };
    IntakeRows { case, allegations, reporter, evidence, event }
}
