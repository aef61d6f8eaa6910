//! Intake: a Bawaslu office or panwascam records a report (laporan) or its
//! own finding (temuan) with its subjects, acts, evidence and, for a report,
//! the reporter. The case starts RECEIVED; the formal check decides later
//! whether it is registered. Everything is validated before anything is
//! written, and everything is written in one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};

use crate::auth::Principal;
use crate::domain::{
    numbering, phase_of, Action, CaseSource, CaseState, EvidenceKind, Nik, Nip, PositionClass, RegionCode,
    ReporterKind, SubjectKind, ViolationCode,
};
use crate::entity::{agency, allegation, case, case_event, election, evidence, official, region, reporter};
use crate::error::{AppError, AppResult};
use crate::policy::actions::may_intake;

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

    /// The row for case `case_id`, submitted by `agency_id`.
    pub fn row(&self, case_id: i64, agency_id: i64) -> evidence::ActiveModel {
        let m = evidence::Model { case_id, submitted_by_id: agency_id, ..self.model() };
        let mut am = sea_orm::IntoActiveModel::into_active_model(m).reset_all();
        am.id = NotSet;
        am
    }

    /// The row as a model without id, case or submitter (the step fills them in).
    pub fn model(&self) -> evidence::Model {
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
            created_at: Utc::now(),
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

async fn region_exists(db: &impl sea_orm::ConnectionTrait, code: &RegionCode, field: &str) -> AppResult<()> {
    region::Entity::find_by_id(code.as_str().to_owned())
        .one(db)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::invalid(field, format!("{} is not a region netra knows", code.as_str())))
}

/// Records a new case as the caller's office.
pub async fn receive_case(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: super::engine::Rules,
    input: NewCase,
) -> AppResult<case::Model> {
    let actor = viewer.ok_or(AppError::Unauthenticated)?;
    if !may_intake(viewer, &input.place.ancestors()) {
        return Err(AppError::Forbidden);
    }
    let zone = super::engine::zone_of_actor(actor);
    let today = rules.clock.today(zone);
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
        _ => {}
    }
    if input.allegations.is_empty() {
        return Err(AppError::invalid("allegations", "name at least one official and act"));
    }
    if !input.election_region.contains(input.place.as_str()) {
        return Err(AppError::invalid("electionRegionCode", "the race's region must contain the place"));
    }
    for (i, e) in input.evidence.iter().enumerate() {
        e.validate(&format!("evidence.{i}"))?;
    }
    let txn = crate::db::begin_write(db).await?;
    region_exists(&txn, &input.place, "placeCode").await?;
    let election = election::Entity::find()
        .filter(election::Column::RegionCode.eq(input.election_region.as_str()))
        .filter(election::Column::Year.eq(2024))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::invalid("electionRegionCode", "no 2024 race is held in that region"))?;
    // Resolve every subject first, so a bad one writes nothing.
    let mut subjects = Vec::new();
    for (i, a) in input.allegations.iter().enumerate() {
        let field = format!("allegations.{i}");
        if a.act_on > input.known_on {
            return Err(AppError::invalid(format!("{field}.actOn"), "an act cannot postdate the day it became known"));
        }
        if let Some(place) = &a.place {
            region_exists(&txn, place, &format!("{field}.placeCode")).await?;
        }
        let found = match &a.subject {
            SubjectRef::Id(id) => official::Entity::find_by_id(*id).one(&txn).await?,
            SubjectRef::Nip(nip) => {
                official::Entity::find().filter(official::Column::Nip.eq(nip.as_str())).one(&txn).await?
            }
            SubjectRef::New(n) => {
                if n.kind.is_asn() != n.nip.is_some() {
                    return Err(AppError::invalid(
                        format!("{field}.official.nip"),
                        "civil servants (PNS, PPPK, camat/lurah) and only they have a NIP",
                    ));
                }
                let employer = agency::Entity::find()
                    .filter(agency::Column::Code.eq(n.employer_code.trim()))
                    .one(&txn)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(format!("{field}.official.employerCode"), "not an agency of the registry")
                    })?;
                region_exists(&txn, &n.work_region, &format!("{field}.official.workRegionCode")).await?;
                if let Some(nip) = &n.nip {
                    if official::Entity::find()
                        .filter(official::Column::Nip.eq(nip.as_str()))
                        .one(&txn)
                        .await?
                        .is_some()
                    {
                        return Err(AppError::Conflict(format!(
                            "an official with NIP {} exists; name them by NIP",
                            nip.masked()
                        )));
                    }
                }
                let m = official::ActiveModel {
                    id: NotSet,
                    subject_kind: Set(n.kind),
                    nip: Set(n.nip.as_ref().map(|x| x.as_str().to_owned())),
                    nrp: Set(n.nrp.clone()),
                    full_name: Set(n.full_name.trim().to_owned()),
                    position: Set(n.position.trim().to_owned()),
                    position_class: Set(n.position_class),
                    grade: Set(n.grade.clone()),
                    employer_id: Set(employer.id),
                    ppk_id: Set(None),
                    work_region_code: Set(n.work_region.as_str().to_owned()),
                }
                .insert(&txn)
                .await?;
                Some(m)
            }
        };
        subjects.push(found.ok_or_else(|| AppError::invalid(format!("{field}.official"), "no such official"))?);
    }
    let handling_region = agency::Entity::find_by_id(actor.agency_id)
        .one(&txn)
        .await?
        .and_then(|a| a.region_code)
        .unwrap_or_else(|| "00".into());
    let year = received_on.year();
    let prefix = numbering::case_prefix(&handling_region, input.source, year);
    let taken: Vec<String> = case::Entity::find()
        .select_only()
        .column(case::Column::Number)
        .filter(case::Column::Number.starts_with(&prefix))
        .into_tuple()
        .all(&txn)
        .await?;
    let seq = numbering::next_sequence(&prefix, taken.iter().map(String::as_str));
    let number = numbering::case_number(&prefix, seq);
    let now = rules.clock.now();
    let place = &input.place;
    let created = case::ActiveModel {
        id: NotSet,
        number: Set(number.clone()),
        source: Set(input.source),
        election_id: Set(election.id),
        handling_agency_id: Set(actor.agency_id),
        receipt_number: Set(Some(numbering::receipt_number(seq, &handling_region, input.source, year))),
        registration_number: Set(None),
        region_code: Set(place.as_str().to_owned()),
        province_code: Set(place.prefix(1).unwrap_or_default()),
        regency_code: Set(place.prefix(2)),
        district_code: Set(place.prefix(3)),
        occurred_on: Set(input.occurred_on),
        known_on: Set(input.known_on),
        received_on: Set(received_on),
        registered_on: Set(None),
        decided_on: Set(None),
        classification: Set(None),
        state: Set(CaseState::Received),
        deadline_on: Set(None),
        closure_reason: Set(None),
        not_registered_reason: Set(None),
        summary: Set(input.summary.trim().to_owned()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("case number {number} was just taken by a concurrent intake; submit again"))
        }
        _ => e.into(),
    })?;
    for (a, o) in input.allegations.iter().zip(&subjects) {
        allegation::ActiveModel {
            id: NotSet,
            case_id: Set(created.id),
            official_id: Set(o.id),
            violation_code: Set(a.violation),
            phase: Set(phase_of(a.act_on)),
            act_on: Set(a.act_on),
            place_region_code: Set(a.place.as_ref().unwrap_or(place).as_str().to_owned()),
            description: Set(a.description.trim().to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    if let Some(r) = &input.reporter {
        if r.name.trim().is_empty() {
            return Err(AppError::invalid("reporter.name", "the reporter's name is required"));
        }
        if let Some(v) = &r.voter_region {
            region_exists(&txn, v, "reporter.voterRegionCode").await?;
        }
        reporter::ActiveModel {
            id: NotSet,
            case_id: Set(created.id),
            kind: Set(r.kind),
            name: Set(r.name.trim().to_owned()),
            phone: Set(r.phone.clone()),
            email: Set(r.email.clone()),
            address: Set(r.address.clone()),
            nik: Set(r.nik.as_ref().map(|n| n.as_str().to_owned())),
            voter_region_code: Set(r.voter_region.as_ref().map(|v| v.as_str().to_owned())),
        }
        .insert(&txn)
        .await?;
    }
    for e in &input.evidence {
        e.row(created.id, actor.agency_id).insert(&txn).await?;
    }
    let at = rules.clock.instant(received_on, zone);
    case_event::ActiveModel {
        id: NotSet,
        case_id: Set(created.id),
        action: Set(Action::Receive.name().to_owned()),
        from_state: Set(None),
        to_state: Set(CaseState::Received),
        actor_agency_id: Set(actor.agency_id),
        actor_subject: Set(actor.subject.clone()),
        occurred_at: Set(at),
        document_ref: Set(input.document_ref.clone()),
        deadline_on: Set(None),
        note: Set(None),
    }
    .insert(&txn)
    .await?;
    let entry =
        crate::change::NewChange::step(created.id, Action::Receive, None, CaseState::Received, actor.agency_id, at);
    crate::change::record(&txn, entry).await?;
    crate::audit::record_scoped_write(&txn, created.id).await?;
    txn.commit().await?;
    Ok(created)
}

/// Adds evidence metadata to a case still with its handling office.
pub async fn add_evidence(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: super::engine::Rules,
    step: super::engine::Step,
    items: Vec<NewEvidence>,
) -> AppResult<case::Model> {
    if items.is_empty() {
        return Err(AppError::invalid("evidence", "give at least one item"));
    }
    for (i, e) in items.iter().enumerate() {
        e.validate(&format!("evidence.{i}"))?;
    }
    let rows: Vec<evidence::Model> = items.iter().map(NewEvidence::model).collect();
    super::engine::run(db, viewer, rules, step, Action::AddEvidence, Vec::new(), move |l, c| {
        super::steps::bawaslu::add_evidence(l, c, rows)
    })
    .await
}
