//! The synthetic cases: random facts (place, subjects, act, dates, reporter,
//! evidence) and a target state, turned into a [`CasePlan`] whose steps the
//! planner derives from the workflow. Facts agree with the target: a case
//! meant to be refused registration is filed late, every other report is
//! complete and on time, and a case meant for BKN names civil servants.

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::people::{pick, ACTS, FAMILY, GIVEN};
use crate::case::intake::{NewAllegation, NewCase, NewEvidence, NewReporter, SubjectRef};
use crate::config::Deadlines;
use crate::domain::{CaseSource, CaseState, ClosureReason, EvidenceKind, Nik, RegionCode, ReporterKind, ViolationCode};
use crate::entity::official;
use crate::seed::book::Book;
use crate::seed::plan::CasePlan;
use crate::seed::planner::{plan_steps, Outline};

/// A target state drawn with the shares of a national load.
pub(super) fn target_state(rng: &mut StdRng) -> (CaseState, Option<ClosureReason>) {
    use CaseState as S;
    use ClosureReason as C;
    match rng.random_range(0..100) {
        0..3 => (S::Received, None),
        3..5 => (S::FormalMaterialCheck, None),
        5..8 => (S::NotRegistered, None),
        8..10 => (S::Registered, None),
        10..13 => (S::ClarificationAssessment, None),
        13..15 => (S::Decided, None),
        15..20 => (S::Forwarded, None),
        20..30 => (S::AgencyVerifying, None),
        30..38 => (S::SanctionRecommended, None),
        38..42 => (S::PpkExamination, None),
        42..45 => (S::SanctionImposed, None),
        45..48 => (S::OverdueEscalated, None),
        48..49 => (S::AdminAppeal, None),
        49..51 => (S::CriminalProcess, None),
        51..55 => (S::ExecutionMonitoring, None),
        55..67 => (S::Closed, Some(C::NotAViolation)),
        67..71 => (S::Closed, Some(C::NotProven)),
        71..73 => (S::Closed, Some(C::Rejected)),
        73..74 => (S::Closed, Some(C::Cancelled)),
        74..75 => (S::Closed, Some(C::SubjectSeparated)),
        75..76 => (S::Closed, Some(C::CriminalVerdict)),
        76..77 => (S::Closed, Some(C::AdministrativeTrack)),
        _ => (S::Closed, Some(C::SanctionExecuted)),
    }
}

/// The facts of one synthetic case.
pub(super) struct Facts<'a> {
    /// A number unique within the load.
    pub serial: u64,
    /// Region code of the place (a kabupaten/kota or a whole province).
    pub place: &'a str,
    /// Region code of the race (the place's, or its province's).
    pub election: &'a str,
    /// The subjects, all of one kind.
    pub subjects: Vec<&'a official::Model>,
    /// The state to reach and why it closed.
    pub target: (CaseState, Option<ClosureReason>),
}

fn region(code: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(code).map_err(|e| anyhow::anyhow!("synthetic: {e}"))
}

fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

/// The plan of a case with `facts`, its dates drawn from `rng` around 2024.
pub(super) fn plan_case(
    rng: &mut StdRng,
    facts: &Facts<'_>,
    book: &Book,
    deadlines: &Deadlines,
) -> anyhow::Result<CasePlan> {
    let (target, closure) = facts.target;
    let base = NaiveDate::from_ymd_opt(2024, 3, 1).context("BUG: base date")?;
    let source = if rng.random_bool(0.5) { CaseSource::Laporan } else { CaseSource::Temuan };
    let received = base + Duration::days(rng.random_range(0..270));
    let report_days = deadlines.report_days.max(0);
    // A case refused registration was filed too late; every other one on time.
    let delay = if target == CaseState::NotRegistered {
        report_days + rng.random_range(1..=5)
    } else {
        rng.random_range(0..=report_days.min(6))
    };
    let known = received - Duration::days(delay);
    let occurred = known - Duration::days(rng.random_range(0..=3));
    let act: ViolationCode = *pick(rng, ACTS);
    let place = region(facts.place)?;
    let allegations = facts
        .subjects
        .iter()
        .map(|o| NewAllegation {
            subject: SubjectRef::Id(o.id),
            violation: act,
            act_on: occurred,
            place: Some(place.clone()),
            description: format!("Synthetic allegation: {}", act.as_str()),
        })
        .collect();
    let reporter = match source {
        CaseSource::Temuan => None,
        CaseSource::Laporan => Some(NewReporter {
            kind: ReporterKind::Voter,
            name: format!("{} {}", pick(rng, GIVEN), pick(rng, FAMILY)),
            phone: Some(format!("08{:010}", rng.random_range(0..10_000_000_000u64))),
            email: None,
            address: None,
            nik: Some(
                Nik::parse(&format!("{:016}", rng.random_range(1_100_000_000_000_000u64..9_999_999_999_999_999)))
                    .map_err(|e| anyhow::anyhow!("synthetic: {e}"))?,
            ),
            voter_region: Some(place.clone()),
        }),
    };
    // A report needs evidence to be registered; a finding may have none.
    let least = u32::from(source == CaseSource::Laporan);
    let evidence = (0..rng.random_range(least..=2))
        .map(|i| {
            let digest = sha256_hex(&format!("synthetic#{}#{i}", facts.serial));
            let captured = occurred.and_hms_opt(3, 0, 0).context("BUG: valid time")?.and_utc();
            Ok(NewEvidence {
                kind: EvidenceKind::Screenshot,
                description: "Synthetic screenshot".into(),
                sha256: digest.clone(),
                size_bytes: Some(i64::from_str_radix(&digest[..5], 16).unwrap_or(4096) * 16 + 1024),
                url: None,
                captured_at: captured,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let handling = book.agency(&format!("BAWASLU-{}", facts.place))?;
    let first = facts.subjects.first().context("BUG: a case without subjects")?;
    let outline = Outline {
        serial: facts.serial,
        handling,
        subject: first,
        act,
        received_on: received,
        target,
        closure,
        sanction: None,
    };
    let intake = NewCase {
        source,
        place,
        election_region: region(facts.election)?,
        occurred_on: occurred,
        known_on: known,
        received_on: Some(received),
        summary: format!("Synthetic case: {} at {}.", act.as_str(), facts.place),
        reporter,
        allegations,
        evidence,
        document_ref: Some(format!("Form A.{}", if source == CaseSource::Laporan { "1" } else { "2" })),
    };
    Ok(CasePlan { handling: handling.code.clone(), intake, steps: plan_steps(&outline, book, deadlines)? })
}
