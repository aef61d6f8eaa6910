//! Demo and synthetic data. The demo scenario is hand-written (`demo_data`)
//! and played through the API's services (`demo`); the synthetic data set is
//! generated deterministically at national scale (`synthetic`) as case plans
//! (`plan`, `planner`) played in memory with the API's own step rules
//! (`memory`) and written in bulk (`batch`, with `copy` on PostgreSQL). `replay` plays explicit plans
//! either way, so a test can hold the generator to the API. The demo also
//! publishes two statistics tables (`publications`).

pub mod batch;
pub mod book;
mod copy;
mod demo;
mod demo_data;
pub mod memory;
pub mod plan;
pub mod planner;
mod publications;
pub mod replay;
pub mod synthetic;

pub use demo::{load_demo, DemoReport};

use crate::domain::{
    CaseSource, CaseState, ClosureReason, EvidenceKind, PositionClass, ReporterKind, SanctionCode, SubjectKind,
    ViolationCode,
};

/// An invented official of the demo.
pub struct DemoOfficial {
    /// Key that cases use to name the official.
    pub key: &'static str,
    /// Kind of subject.
    pub kind: SubjectKind,
    /// NIP or NI PPPK, for civil servants.
    pub nip: Option<&'static str>,
    /// NRP, for TNI and Polri.
    pub nrp: Option<&'static str>,
    /// Full name.
    pub full_name: &'static str,
    /// Position.
    pub position: &'static str,
    /// Position class.
    pub position_class: Option<PositionClass>,
    /// Grade.
    pub grade: Option<&'static str>,
    /// Agency code of the employer.
    pub employer: &'static str,
    /// Region code of the workplace.
    pub work_region: &'static str,
}

/// The reporter of a demo report.
pub struct DemoReporter {
    /// Voter, monitor or candidate side.
    pub kind: ReporterKind,
    /// Name.
    pub name: &'static str,
    /// Phone.
    pub phone: &'static str,
    /// NIK.
    pub nik: &'static str,
    /// Voter region code.
    pub voter_region: &'static str,
}

/// One allegation of a demo case.
pub struct DemoAllegation {
    /// Key of the official.
    pub official: &'static str,
    /// The act.
    pub violation: ViolationCode,
    /// Date of the act.
    pub act_on: &'static str,
    /// Region code of the place.
    pub place: &'static str,
    /// Description.
    pub description: &'static str,
}

/// One evidence item of a demo case.
pub struct DemoEvidence {
    /// Kind.
    pub kind: EvidenceKind,
    /// Description.
    pub description: &'static str,
    /// Capture date.
    pub captured_on: &'static str,
}

/// A demo case and the state it has reached.
pub struct DemoCase {
    /// Laporan or temuan.
    pub source: CaseSource,
    /// Agency code of the handling Bawaslu office.
    pub handling: &'static str,
    /// Region code of the place.
    pub place: &'static str,
    /// Region code of the race.
    pub election: &'static str,
    /// Date of the act.
    pub occurred_on: &'static str,
    /// Date it became known.
    pub known_on: &'static str,
    /// Date received.
    pub received_on: &'static str,
    /// State reached.
    pub state: CaseState,
    /// Closure reason, for closed cases.
    pub closure: Option<ClosureReason>,
    /// Summary.
    pub summary: &'static str,
    /// Reporter, for reports.
    pub reporter: Option<DemoReporter>,
    /// Allegations.
    pub allegations: &'static [DemoAllegation],
    /// Evidence.
    pub evidence: &'static [DemoEvidence],
    /// Sanction, for cases that reached one.
    pub sanction: Option<SanctionCode>,
}
