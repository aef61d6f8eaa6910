//! Intake: a Bawaslu office or panwascam records a report (laporan) or its
//! own finding (temuan) with its subjects, acts, evidence and, for a report,
//! the reporter. The case starts RECEIVED; the formal check decides later
//! whether it is registered. This file holds the intake form; `rows` turns a
//! checked form into the rows intake writes (pure, shared with the synthetic
//! generator), `receive` validates against the database and writes them in
//! one transaction.

mod receive;
mod rows;

use chrono::{DateTime, NaiveDate, Utc};

pub use self::receive::{add_evidence, receive_case};
pub use self::rows::{check_form, intake_rows, IntakeRows, Intaker};
use crate::domain::{
    CaseSource, EvidenceKind, Nik, Nip, PositionClass, RegionCode, ReporterKind, SubjectKind, ViolationCode,
};
use crate::entity::evidence;
use crate::error::{AppError, AppResult};

/// Who the allegation names.
#[derive(Debug, Clone)]
pub enum SubjectRef {
    /// An official already in netra.
    Id(i64),
    /// An official found by exact NIP.
    Nip(Nip),
    /// A new official.
    New(NewOfficial),
}

/// A person not yet in netra.
#[derive(Debug, Clone)]
pub struct NewOfficial {
    /// Kind of subject.
    pub kind: SubjectKind,
    /// NIP / NI PPPK (required for PNS, PPPK, camat/lurah).
    pub nip: Option<Nip>,
    /// NRP (TNI, Polri).
    pub nrp: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    /// Position class.
    pub position_class: Option<PositionClass>,
    /// Grade.
    pub grade: Option<String>,
    /// Agency code of the employer.
    pub employer_code: String,
    /// Region code of the workplace.
    pub work_region: RegionCode,
}

/// One official × one act.
#[derive(Debug, Clone)]
pub struct NewAllegation {
    /// The official.
    pub subject: SubjectRef,
    /// The act.
    pub violation: ViolationCode,
    /// When.
    pub act_on: NaiveDate,
    /// Where (defaults to the case's place).
    pub place: Option<RegionCode>,
    /// What happened.
    pub description: String,
}

/// The reporter of a laporan.
#[derive(Debug, Clone)]
pub struct NewReporter {
    /// Voter, monitor or candidate side.
    pub kind: ReporterKind,
    /// Name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// NIK.
    pub nik: Option<Nik>,
    /// Where the reporter votes.
    pub voter_region: Option<RegionCode>,
}

/// Evidence metadata (the file itself is stored elsewhere).
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// Kind.
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// SHA-256 of the file, 64 hex digits.
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: Option<i64>,
    /// Link, for URL evidence.
    pub url: Option<String>,
    /// When it was captured.
    pub captured_at: DateTime<Utc>,
}

impl NewEvidence {
    /// Checks the hash, size and URL.
    pub fn validate(&self, field: &str) -> AppResult<()> {
        if self.sha256.len() != 64 || !self.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::invalid(format!("{field}.sha256"), "a SHA-256 is 64 hexadecimal digits"));
        }
        if self.size_bytes.is_some_and(|s| s < 0) {
            return Err(AppError::invalid(format!("{field}.sizeBytes"), "a size cannot be negative"));
        }
        if self.kind == EvidenceKind::Url
            && !self.url.as_deref().is_some_and(|u| u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(AppError::invalid(format!("{field}.url"), "URL evidence needs an http(s) link"));
        }
        if self.captured_at > Utc::now() {
            return Err(AppError::invalid(format!("{field}.capturedAt"), "evidence cannot be captured in the future"));
        }
        if self.description.trim().is_empty() {
            return Err(AppError::invalid(format!("{field}.description"), "say what the evidence shows"));
        }
        Ok(())
    }

    /// The row as a model without id, case or submitter (the step fills
    /// them in), recorded at `now`.
    pub fn model(&self, now: DateTime<Utc>) -> evidence::Model {
        evidence::Model {
            id: 0,
            case_id: 0,
            kind: self.kind,
            description: self.description.trim().to_owned(),
            sha256: self.sha256.to_lowercase(),
            size_bytes: self.size_bytes,
            url: self.url.clone(),
            captured_at: self.captured_at,
            submitted_by_id: 0,
            access_level: "RESTRICTED".to_owned(),
            created_at: now,
        }
    }
}

/// A new case as the intake form gives it.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Laporan or temuan.
    pub source: CaseSource,
    /// Where it happened.
    pub place: RegionCode,
    /// Region of the race concerned (the place's kab/kota or province).
    pub election_region: RegionCode,
    /// When the act happened.
    pub occurred_on: NaiveDate,
    /// When it became known or was found.
    pub known_on: NaiveDate,
    /// When Bawaslu received it (default today).
    pub received_on: Option<NaiveDate>,
    /// What happened.
    pub summary: String,
    /// The reporter (required for a laporan, refused for a temuan).
    pub reporter: Option<NewReporter>,
    /// The officials and their acts.
    pub allegations: Vec<NewAllegation>,
    /// Evidence metadata.
    pub evidence: Vec<NewEvidence>,
    /// Reference of the intake form or finding document.
    pub document_ref: Option<String>,
}
