//! Plans the steps that take a case to a target state, along
//! `domain::workflow::path_to`: who acts (the handling office, BKN, the PPK
//! or receiving agency by `domain::routing::competent` and the subject's
//! `ppk_id`, Gakkumdu), on which day (counted from receipt within the
//! configured `Deadlines`) and with which input (the sanction from
//! `domain::sanctions`). The numbers of letters and decrees are the plan's
//! own inputs, as an officer would type them.

use chrono::{Datelike, Duration, NaiveDate};

use super::book::Book;
use super::plan::{Act, PlannedStep};
use crate::case::commands::Decree;
use crate::config::Deadlines;
use crate::domain::routing::{competent, Receiver};
use crate::domain::workflow::path_to;
use crate::domain::{
    agencies, sanctions, CaseState as S, Classification, ClosureReason as Close, DecisionOutcome, EscalationKind,
    ExecutionStatus, SanctionCode, ViolationCode,
};
use crate::entity::{agency, official};

/// What the planner needs to know of a case.
#[derive(Debug, Clone, Copy)]
pub struct Outline<'a> {
    /// A number unique within the load, used in letter and decree numbers.
    pub serial: u64,
    /// The receiving Bawaslu office.
    pub handling: &'a agency::Model,
    /// The first subject: their routing decides who takes the PPK's steps.
    pub subject: &'a official::Model,
    /// The act.
    pub act: ViolationCode,
    /// The date of receipt.
    pub received_on: NaiveDate,
    /// The state to reach.
    pub target: S,
    /// Why it closed, for a closed target.
    pub closure: Option<Close>,
    /// The sanction, when not the default for the subject and act.
    pub sanction: Option<SanctionCode>,
}

/// Whether reaching `target` (with `closure`) needs BKN's steps.
pub fn needs_bkn(target: S, closure: Option<Close>) -> bool {
    matches!(target, S::AgencyVerifying | S::SanctionRecommended | S::OverdueEscalated)
        || (target == S::Closed
            && matches!(closure, Some(Close::NotProven | Close::Cancelled | Close::Rejected | Close::SubjectSeparated)))
}

/// The agency that takes the PPK's steps for `o`: for ASN the PPK (its
/// `ppk_id`, else the employer), for others the competent receiver.
fn ppk_code(o: &official::Model, book: &Book) -> anyhow::Result<String> {
    let (receiver, copy) = competent(o.subject_kind, &o.work_region_code);
    Ok(match receiver {
        _ if copy => book.code(o.ppk_id.unwrap_or(o.employer_id))?.to_owned(),
        Receiver::Agency(code) => code,
        Receiver::Employer => book.code(o.employer_id)?.to_owned(),
    })
}

fn verification(closure: Option<Close>) -> DecisionOutcome {
    match closure {
        Some(Close::NotProven) => DecisionOutcome::NotProven,
        Some(Close::Cancelled) => DecisionOutcome::Cancelled,
        Some(Close::Rejected) => DecisionOutcome::Rejected,
        _ => DecisionOutcome::SubjectSeparated,
    }
}

/// The steps after intake that take the case of `o` to its target.
pub fn plan_steps(o: &Outline<'_>, book: &Book, deadlines: &Deadlines) -> anyhow::Result<Vec<PlannedStep>> {
    let via_bkn = o.subject.subject_kind.is_asn();
    let path = path_to(o.target, o.closure, via_bkn);
    let handling = o.handling.code.clone();
    let region = o.handling.region_code.clone().unwrap_or_default();
    let ppk = ppk_code(o.subject, book)?;
    let code = o.sanction.unwrap_or_else(|| sanctions::default_sanction(o.subject.subject_kind, o.act));
    let serial = o.serial;
    let year = o.received_on.year();
    let decree = Decree {
        code,
        duration_months: sanctions::allowed_durations(code).first().copied(),
        number: format!("800.1.6/{serial:06}/SK/{year}"),
        effective_from: None,
    };
    let mut steps = Vec::new();
    let mut day = o.received_on;
    let mut push = |actor: &str, on: NaiveDate, document_ref: Option<String>, act: Act| {
        steps.push(PlannedStep { actor: actor.to_owned(), on, document_ref, act });
    };
    let mut i = 1;
    while i < path.len() {
        let next = path.get(i + 1).copied();
        match (path[i - 1], path[i]) {
            (_, S::FormalMaterialCheck) => push(&handling, day, None, Act::StartFormalCheck),
            (_, S::Registered | S::NotRegistered) => {
                day += Duration::days(1);
                push(&handling, day, None, Act::CompleteFormalCheck);
            }
            (_, S::ClarificationAssessment) => push(&handling, day, None, Act::StartClarification),
            (_, S::Decided) => {
                let classification = match (next, o.closure) {
                    (Some(S::CriminalProcess), _) => Classification::TindakPidanaPemilihan,
                    (Some(S::Closed), Some(Close::AdministrativeTrack)) => Classification::AdministrasiPemilihan,
                    (Some(S::Closed), _) => Classification::BukanPelanggaran,
                    _ => Classification::PerundanganLainnya,
                };
                day = day.max(o.received_on + Duration::days(deadlines.decision_days));
                let minutes = Some(format!("BA-PLENO/{serial:06}/{year}"));
                push(&handling, day, minutes, Act::Decide { classification, extended: false });
                if classification != Classification::PerundanganLainnya {
                    // The decision itself closed the case or opened the criminal track.
                    i += 1;
                }
            }
            (_, S::Forwarded) => {
                day += Duration::days(1);
                let letter_number = format!("{serial:06}/PP.01.02/K.{region}/{:02}/{year}", day.month());
                push(&handling, day, None, Act::Forward { letter_number });
            }
            (_, S::AgencyVerifying) => {
                day += Duration::days(2);
                push(agencies::BKN, day, None, Act::Acknowledge);
            }
            (S::AgencyVerifying, verified) => {
                day += Duration::days((deadlines.verification_days - 1).max(1));
                let (outcome, recommended) = if verified == S::Closed {
                    (verification(o.closure), None)
                } else {
                    (DecisionOutcome::Proven, Some(code))
                };
                let minutes = Some(format!("BKN-VER/{serial:06}/{year}"));
                push(agencies::BKN, day, minutes, Act::Verify { outcome, recommended });
            }
            (_, S::OverdueEscalated) => {
                day += Duration::days(deadlines.ppk_days + 1);
                let letter_number = Some(format!("B-{serial:06}/BKN/{year}"));
                push(agencies::BKN, day, None, Act::Escalate { kind: EscalationKind::SiasnBlock, letter_number });
            }
            (_, S::PpkExamination) => {
                day += Duration::days(3);
                push(&ppk, day, None, Act::OpenExamination);
            }
            (_, S::SanctionImposed) => {
                day += Duration::days(7);
                push(&ppk, day, None, Act::ImposeSanction(decree.clone()));
            }
            (_, S::AdminAppeal) => {
                day += Duration::days(7);
                push(&ppk, day, None, Act::FileAppeal);
            }
            (_, S::ExecutionMonitoring) => {
                day += Duration::days(3);
                push(&ppk, day, None, Act::StartMonitoring);
            }
            (S::ExecutionMonitoring, S::Closed) => {
                day += Duration::days(14);
                let proof_ref = Some(format!("BA-{serial:06}/PENGAWASAN/{year}"));
                push(&handling, day, None, Act::CheckExecution { status: ExecutionStatus::Done, proof_ref });
                push(&handling, day, None, Act::Close);
            }
            (S::CriminalProcess, S::Closed) => {
                day += Duration::days(30);
                let number = format!("{serial}/Pid.S/{year}/PN");
                push(&agencies::gakkumdu(&region), day, None, Act::RecordVerdict { guilty: true, number });
            }
            (from, to) => anyhow::bail!("BUG: no step plans {} → {}", from.as_str(), to.as_str()),
        }
        i += 1;
    }
    Ok(steps)
}
