//! The API's intake: checks the form against the database (regions, the
//! race, the subjects, the next number), builds the rows with
//! [`intake_rows`] and writes them with the audit event in one transaction.
//! A bad subject writes nothing.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};

use super::rows::{check_form, intake_rows, Intaker};
use super::{NewCase, NewEvidence, SubjectRef};
use crate::auth::Principal;
use crate::case::engine::{self, Rules, Step};
use crate::domain::{numbering, Action, CaseState, RegionCode};
use crate::entity::{agency, allegation, case, case_event, election, evidence, official, region, reporter};
use crate::error::{AppError, AppResult};
use crate::policy::actions::may_intake;

async fn region_exists(db: &impl sea_orm::ConnectionTrait, code: &RegionCode, field: &str) -> AppResult<()> {
    region::Entity::find_by_id(code.as_str().to_owned())
        .one(db)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::invalid(field, format!("{} is not a region netra knows", code.as_str())))
}

/// The official an allegation names, creating a new one when asked.
async fn resolve_subject(txn: &DatabaseTransaction, subject: &SubjectRef, field: &str) -> AppResult<official::Model> {
    let found = match subject {
        SubjectRef::Id(id) => official::Entity::find_by_id(*id).one(txn).await?,
        SubjectRef::Nip(nip) => {
            official::Entity::find().filter(official::Column::Nip.eq(nip.as_str())).one(txn).await?
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
                .one(txn)
                .await?
                .ok_or_else(|| {
                    AppError::invalid(format!("{field}.official.employerCode"), "not an agency of the registry")
                })?;
            region_exists(txn, &n.work_region, &format!("{field}.official.workRegionCode")).await?;
            if let Some(nip) = &n.nip {
                if official::Entity::find().filter(official::Column::Nip.eq(nip.as_str())).one(txn).await?.is_some() {
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
            .insert(txn)
            .await?;
            Some(m)
        }
    };
    found.ok_or_else(|| AppError::invalid(format!("{field}.official"), "no such official"))
}

/// A model as a row to insert, its id left to the database.
fn new_row<A: ActiveModelTrait>(m: impl IntoActiveModel<A>, id: <A::Entity as EntityTrait>::Column) -> A {
    let mut am = m.into_active_model().reset_all();
    am.not_set(id);
    am
}

/// Records a new case as the caller's office.
pub async fn receive_case(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    input: NewCase,
) -> AppResult<case::Model> {
    let actor = viewer.ok_or(AppError::Unauthenticated)?;
    if !may_intake(viewer, &input.place.ancestors()) {
        return Err(AppError::Forbidden);
    }
    let zone = engine::zone_of_actor(actor);
    let received_on = check_form(&input, rules.clock.today(zone))?;
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
        if let Some(place) = &a.place {
            region_exists(&txn, place, &format!("{field}.placeCode")).await?;
        }
        subjects.push(resolve_subject(&txn, &a.subject, &field).await?);
    }
    if let Some(v) = input.reporter.as_ref().and_then(|r| r.voter_region.as_ref()) {
        region_exists(&txn, v, "reporter.voterRegionCode").await?;
    }
    let handling_region = agency::Entity::find_by_id(actor.agency_id)
        .one(&txn)
        .await?
        .and_then(|a| a.region_code)
        .unwrap_or_else(|| "00".into());
    let prefix = numbering::case_prefix(&handling_region, input.source, chrono::Datelike::year(&received_on));
    let taken: Vec<String> = case::Entity::find()
        .select_only()
        .column(case::Column::Number)
        .filter(case::Column::Number.starts_with(&prefix))
        .into_tuple()
        .all(&txn)
        .await?;
    let by = Intaker {
        agency_id: actor.agency_id,
        subject: &actor.subject,
        handling_region: &handling_region,
        election_id: election.id,
        seq: numbering::next_sequence(&prefix, taken.iter().map(String::as_str)),
        received_on,
        now: rules.clock.now(),
        at: rules.clock.instant(received_on, zone),
    };
    let rows = intake_rows(&input, &by, &subjects);
    let number = rows.case.number.clone();
    let created = new_row::<case::ActiveModel>(rows.case, case::Column::Id).insert(&txn).await.map_err(|e| match e
        .sql_err()
    {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(format!("case number {number} was just taken by a concurrent intake; submit again"))
        }
        _ => e.into(),
    })?;
    let case_id = created.id;
    for a in rows.allegations {
        new_row::<allegation::ActiveModel>(allegation::Model { case_id, ..a }, allegation::Column::Id)
            .insert(&txn)
            .await?;
    }
    if let Some(r) = rows.reporter {
        new_row::<reporter::ActiveModel>(reporter::Model { case_id, ..r }, reporter::Column::Id).insert(&txn).await?;
    }
    for e in rows.evidence {
        new_row::<evidence::ActiveModel>(evidence::Model { case_id, ..e }, evidence::Column::Id).insert(&txn).await?;
    }
    new_row::<case_event::ActiveModel>(case_event::Model { case_id, ..rows.event }, case_event::Column::Id)
        .insert(&txn)
        .await?;
    let entry =
        crate::change::NewChange::step(case_id, Action::Receive, None, CaseState::Received, actor.agency_id, by.at);
    crate::change::record(&txn, entry).await?;
    crate::audit::record_scoped_write(&txn, case_id).await?;
    txn.commit().await?;
    Ok(created)
}

/// Adds evidence metadata to a case still with its handling office.
pub async fn add_evidence(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    items: Vec<NewEvidence>,
) -> AppResult<case::Model> {
    if items.is_empty() {
        return Err(AppError::invalid("evidence", "give at least one item"));
    }
    for (i, e) in items.iter().enumerate() {
        e.validate(&format!("evidence.{i}"))?;
    }
    let now = rules.clock.now();
    let rows: Vec<evidence::Model> = items.iter().map(|e| e.model(now)).collect();
    engine::run(db, viewer, rules, step, Action::AddEvidence, Vec::new(), move |l, c| {
        crate::case::steps::bawaslu::add_evidence(l, c, rows)
    })
    .await
}
