//! The inputs of intake and of new evidence: the case, its officials and
//! acts, its reporter and evidence, each converted with `TryFrom`/`From`
//! into the validated domain values of `case::intake`.

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{InputObject, ID};

use super::StepInput;
use crate::case::intake::{NewAllegation, NewCase, NewEvidence, NewOfficial, NewReporter, SubjectRef};
use crate::domain::{
    CaseSource, EvidenceKind, Nik, Nip, PositionClass, RegionCode, ReporterKind, SubjectKind, ViolationCode,
};
use crate::error::{AppError, AppResult};
use crate::graphql::node::parse_global_id;

fn region(field: &str, raw: &str) -> AppResult<RegionCode> {
    RegionCode::parse(raw).map_err(|_| AppError::invalid(field, format!("'{raw}' is not a region code")))
}

/// A person not yet in netra.
#[derive(InputObject)]
pub struct NewOfficialInput {
    /// Kind of subject.
    pub subject_kind: SubjectKind,
    /// NIP / NI PPPK: required for PNS, PPPK and camat/lurah, refused for others.
    pub nip: Option<String>,
    /// NRP, for TNI and Polri.
    pub nrp: Option<String>,
    /// Full name.
    pub full_name: String,
    /// Position (jabatan).
    pub position: String,
    /// Position class.
    pub position_class: Option<PositionClass>,
    /// Grade (golongan).
    pub grade: Option<String>,
    /// Agency code of the employer, e.g. `PEMDA-16.73`.
    pub employer_code: String,
    /// Region code of the workplace.
    pub work_region_code: String,
}

/// One official × one act. Name the official by exactly one of `officialId`, `nip`, `newOfficial`.
#[derive(InputObject)]
pub struct AllegationInput {
    /// Global id of an official already in netra.
    pub official_id: Option<ID>,
    /// Exact NIP of an official already in netra.
    pub nip: Option<String>,
    /// A new official.
    pub new_official: Option<NewOfficialInput>,
    /// The act.
    pub violation_code: ViolationCode,
    /// When it happened.
    pub act_on: Date,
    /// Where it happened (default: the case's place).
    pub place_code: Option<String>,
    /// What happened.
    pub description: String,
}

/// The reporter of a laporan.
#[derive(InputObject)]
pub struct ReporterInput {
    /// Voter, monitor or candidate side.
    pub kind: ReporterKind,
    /// Full name.
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// NIK (16 digits); required to register the report.
    pub nik: Option<String>,
    /// Where the reporter votes; required to register the report.
    pub voter_region_code: Option<String>,
}

/// Evidence metadata; file upload is not part of netra.
#[derive(InputObject)]
pub struct EvidenceInput {
    /// Kind.
    pub kind: EvidenceKind,
    /// What it shows.
    pub description: String,
    /// SHA-256 of the file (64 hex digits).
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: Option<i64>,
    /// Link, for URL evidence.
    pub url: Option<String>,
    /// When it was captured (UTC).
    pub captured_at: DateTime,
}

impl From<EvidenceInput> for NewEvidence {
    fn from(e: EvidenceInput) -> Self {
        Self {
            kind: e.kind,
            description: e.description,
            sha256: e.sha256,
            size_bytes: e.size_bytes,
            url: e.url,
            captured_at: e.captured_at.into(),
        }
    }
}

/// A new report (laporan) or finding (temuan).
#[derive(InputObject)]
pub struct ReceiveCaseInput {
    /// Laporan (needs `reporter`) or temuan.
    pub source: CaseSource,
    /// Region code of the place.
    pub place_code: String,
    /// Region code of the race concerned: the place's kabupaten/kota (bupati or walikota race) or province (governor race).
    pub election_region_code: String,
    /// When the act happened.
    pub occurred_on: Date,
    /// When it became known or was found (starts the 7-day window).
    pub known_on: Date,
    /// When it was received (default today).
    pub received_on: Option<Date>,
    /// What happened.
    pub summary: String,
    /// The reporter of a laporan.
    pub reporter: Option<ReporterInput>,
    /// The officials and their acts.
    pub allegations: Vec<AllegationInput>,
    /// Evidence metadata.
    #[graphql(default)]
    pub evidence: Vec<EvidenceInput>,
    /// Reference of the intake form or finding document.
    pub document_ref: Option<String>,
}

impl TryFrom<ReceiveCaseInput> for NewCase {
    type Error = AppError;

    fn try_from(i: ReceiveCaseInput) -> AppResult<Self> {
        let mut allegations = Vec::new();
        for (n, a) in i.allegations.into_iter().enumerate() {
            let field = format!("allegations.{n}");
            let subject = match (a.official_id, a.nip, a.new_official) {
                (Some(id), None, None) => match parse_global_id(&id) {
                    Some((kind, key)) if kind == "Official" => SubjectRef::Id(
                        key.parse()
                            .map_err(|_| AppError::invalid(format!("{field}.officialId"), "not an official id"))?,
                    ),
                    _ => return Err(AppError::invalid(format!("{field}.officialId"), "not an official id")),
                },
                (None, Some(nip), None) => SubjectRef::Nip(
                    Nip::parse(&nip).map_err(|_| AppError::invalid(format!("{field}.nip"), "not a valid NIP"))?,
                ),
                (None, None, Some(o)) => SubjectRef::New(NewOfficial {
                    kind: o.subject_kind,
                    nip: o
                        .nip
                        .map(|n| Nip::parse(&n))
                        .transpose()
                        .map_err(|_| AppError::invalid(format!("{field}.newOfficial.nip"), "not a valid NIP"))?,
                    nrp: o.nrp,
                    full_name: o.full_name,
                    position: o.position,
                    position_class: o.position_class,
                    grade: o.grade,
                    employer_code: o.employer_code,
                    work_region: region(&format!("{field}.newOfficial.workRegionCode"), &o.work_region_code)?,
                }),
                _ => {
                    return Err(AppError::invalid(
                        field,
                        "name the official by exactly one of officialId, nip, newOfficial",
                    ))
                }
            };
            allegations.push(NewAllegation {
                subject,
                violation: a.violation_code,
                act_on: a.act_on.into(),
                place: a.place_code.map(|p| region(&format!("{field}.placeCode"), &p)).transpose()?,
                description: a.description,
            });
        }
        let reporter = match i.reporter {
            None => None,
            Some(r) => Some(NewReporter {
                kind: r.kind,
                name: r.name,
                phone: r.phone,
                email: r.email,
                address: r.address,
                nik: r
                    .nik
                    .map(|n| Nik::parse(&n))
                    .transpose()
                    .map_err(|_| AppError::invalid("reporter.nik", "a NIK has exactly 16 digits"))?,
                voter_region: r.voter_region_code.map(|v| region("reporter.voterRegionCode", &v)).transpose()?,
            }),
        };
        Ok(Self {
            source: i.source,
            place: region("placeCode", &i.place_code)?,
            election_region: region("electionRegionCode", &i.election_region_code)?,
            occurred_on: i.occurred_on.into(),
            known_on: i.known_on.into(),
            received_on: i.received_on.map(Into::into),
            summary: i.summary,
            reporter,
            allegations,
            evidence: i.evidence.into_iter().map(NewEvidence::from).collect(),
            document_ref: i.document_ref,
        })
    }
}

/// More evidence for a case still with its handling office.
#[derive(InputObject)]
pub struct AddEvidenceInput {
    #[graphql(flatten)]
    pub step: StepInput,
    /// The items.
    pub evidence: Vec<EvidenceInput>,
}
