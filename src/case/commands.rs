//! The steps of the process after intake. Every command runs in one
//! transaction: it loads the case and the facts the policy needs, refuses a
//! caller who may not act exactly as a missing case (`NOT_FOUND`), refuses an
//! illegal step naming the current state and the allowed next ones
//! (`BAD_USER_INPUT`), refuses a stale version (`CONFLICT`), then changes the
//! case with a conditional update on its version and appends the timeline
//! event. Nothing is edited in place: decisions, checks and corrections are
//! new rows.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};

use super::workflow::{next_actions, Action};
use crate::auth::Principal;
use crate::config::Deadlines;
use crate::domain::{CaseState as S, Classification, ClosureReason};
use crate::entity::{agency, allegation, case, case_event, forwarding, official};
use crate::error::{AppError, AppResult};
use crate::policy::actions::{may_act, CaseFacts};

/// What every step carries: the case, the version the caller last saw, the
/// date the step happened (default today), a document reference, a note.
#[derive(Debug, Clone)]
pub struct Step {
    /// Case number.
    pub number: String,
    /// The version the caller read; a different current version is a conflict.
    pub expected_version: i32,
    /// When the step happened; today when absent. Never in the future.
    pub on: Option<NaiveDate>,
    /// Reference of the document behind the step (minutes, letter, decree).
    pub document_ref: Option<String>,
    /// Free-text note.
    pub note: Option<String>,
}

/// A case loaded for a step, with everything the rules need.
pub(crate) struct Loaded {
    pub(crate) case: case::Model,
    pub(crate) subjects: Vec<(allegation::Model, official::Model)>,
    pub(crate) forwardings: Vec<forwarding::Model>,
    pub(crate) via_bkn: bool,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The instant of a step dated `on`: now for today, else 09:00 WIB that day.
fn instant(on: NaiveDate) -> DateTime<Utc> {
    if on == today() {
        Utc::now()
    } else {
        on.and_hms_opt(2, 0, 0).map_or_else(Utc::now, |t| t.and_utc())
    }
}

/// The ids of the inspectorates of `governments`, by region.
async fn inspectorates_of<C: ConnectionTrait>(db: &C, governments: &[i64]) -> AppResult<Vec<i64>> {
    if governments.is_empty() {
        return Ok(Vec::new());
    }
    let regions: Vec<String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(governments.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|a| a.region_code)
        .collect();
    Ok(agency::Entity::find()
        .filter(agency::Column::Kind.eq(crate::domain::AgencyKind::Inspectorate))
        .filter(agency::Column::RegionCode.is_in(regions))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect())
}

/// Loads the case and checks that `viewer` may take `action` in its state.
pub(crate) async fn load(
    txn: &DatabaseTransaction,
    viewer: Option<&Principal>,
    step: &Step,
    action: Action,
) -> AppResult<Loaded> {
    let case = case::Entity::find()
        .filter(case::Column::Number.eq(step.number.trim()))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let subjects = allegation::Entity::find()
        .filter(allegation::Column::CaseId.eq(case.id))
        .find_also_related(official::Entity)
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(a, o)| o.map(|o| (a, o)))
        .collect::<Vec<_>>();
    let forwardings = forwarding::Entity::find()
        .filter(forwarding::Column::AllegationId.is_in(subjects.iter().map(|(a, _)| a.id)))
        .all(txn)
        .await?;
    let receivers: Vec<i64> = forwardings.iter().map(|f| f.to_agency_id).collect();
    let copies: Vec<i64> = forwardings.iter().filter_map(|f| f.copy_to_agency_id).collect();
    let governments: Vec<i64> = receivers.iter().chain(&copies).copied().collect();
    let facts = CaseFacts {
        handling_agency_id: case.handling_agency_id,
        inspectorates: inspectorates_of(txn, &governments).await?,
        receivers,
        copies,
    };
    if !may_act(viewer, action, &facts) {
        return Err(AppError::NotFound);
    }
    let via_bkn = subjects.iter().any(|(_, o)| o.subject_kind.is_asn());
    if !action.allowed_in(case.state, via_bkn) {
        let allowed: Vec<&str> = next_actions(case.state, via_bkn).iter().map(|a| a.name()).collect();
        let allowed = if allowed.is_empty() { "none (the case is closed)".to_owned() } else { allowed.join(", ") };
        return Err(AppError::invalid(
            "state",
            format!(
                "case {} is {}: {} is not possible; allowed next: {allowed}",
                case.number,
                case.state.as_str(),
                action.name()
            ),
        ));
    }
    if case.version != step.expected_version {
        return Err(stale(&case, step.expected_version));
    }
    Ok(Loaded { case, subjects, forwardings, via_bkn })
}

fn stale(case: &case::Model, expected: i32) -> AppError {
    AppError::Conflict(format!(
        "case {} changed since version {expected} (it is now version {}); reload it and try again",
        case.number, case.version
    ))
}

/// The date of a step: given or today; never in the future nor before receipt.
pub(crate) fn step_date(step: &Step, case: &case::Model) -> AppResult<NaiveDate> {
    let on = step.on.unwrap_or_else(today);
    if on > today() {
        return Err(AppError::invalid("on", "a step cannot be dated in the future"));
    }
    if on < case.received_on {
        return Err(AppError::invalid(
            "on",
            format!("the case was received on {}; a step cannot precede it", case.received_on),
        ));
    }
    Ok(on)
}

/// What a transition changes on the case row besides state and version.
#[derive(Default)]
pub(crate) struct Changes {
    pub(crate) handling_agency_id: Option<i64>,
    pub(crate) registration_number: Option<String>,
    pub(crate) registered_on: Option<NaiveDate>,
    pub(crate) decided_on: Option<NaiveDate>,
    pub(crate) classification: Option<Classification>,
    pub(crate) closure_reason: Option<ClosureReason>,
    pub(crate) not_registered_reason: Option<String>,
    /// `Some(None)` clears the deadline.
    pub(crate) deadline_on: Option<Option<NaiveDate>>,
}

/// Moves the case to `to` (possibly the same state), bumping its version only
/// if it is still `expected_version`, and appends the timeline event.
#[expect(
    clippy::too_many_arguments,
    reason = "each argument is a distinct fact of the step; a struct would only rename them"
)]
pub(crate) async fn transition(
    txn: &DatabaseTransaction,
    actor: &Principal,
    step: &Step,
    loaded: &Loaded,
    action: Action,
    to: S,
    on: NaiveDate,
    changes: Changes,
) -> AppResult<case::Model> {
    let case = &loaded.case;
    let now = Utc::now();
    let mut update = case::Entity::update_many()
        .col_expr(case::Column::State, Expr::value(to.as_str()))
        .col_expr(case::Column::Version, Expr::value(case.version + 1))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(case.id))
        .filter(case::Column::Version.eq(step.expected_version));
    if let Some(v) = changes.handling_agency_id {
        update = update.col_expr(case::Column::HandlingAgencyId, Expr::value(v));
    }
    if let Some(v) = &changes.registration_number {
        update = update.col_expr(case::Column::RegistrationNumber, Expr::value(v.clone()));
    }
    if let Some(v) = changes.registered_on {
        update = update.col_expr(case::Column::RegisteredOn, Expr::value(v));
    }
    if let Some(v) = changes.decided_on {
        update = update.col_expr(case::Column::DecidedOn, Expr::value(v));
    }
    if let Some(v) = changes.classification {
        update = update.col_expr(case::Column::Classification, Expr::value(v.as_str()));
    }
    if let Some(v) = changes.closure_reason {
        update = update.col_expr(case::Column::ClosureReason, Expr::value(v.as_str()));
    }
    if let Some(v) = &changes.not_registered_reason {
        update = update.col_expr(case::Column::NotRegisteredReason, Expr::value(v.clone()));
    }
    if let Some(v) = changes.deadline_on {
        update = update.col_expr(case::Column::DeadlineOn, Expr::value(v));
    }
    let result = update.exec(txn).await?;
    if result.rows_affected != 1 {
        // Another transaction moved the case first.
        return Err(stale(case, step.expected_version));
    }
    case_event::ActiveModel {
        id: NotSet,
        case_id: Set(case.id),
        action: Set(action.name().to_owned()),
        from_state: Set(Some(case.state)),
        to_state: Set(to),
        actor_agency_id: Set(actor.agency_id),
        actor_subject: Set(actor.subject.clone()),
        occurred_at: Set(instant(on)),
        document_ref: Set(step.document_ref.clone()),
        deadline_on: Set(changes.deadline_on.flatten()),
        note: Set(step.note.clone()),
    }
    .insert(txn)
    .await?;
    let changed = case::Entity::find_by_id(case.id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case vanished")))?;
    // Last statement of the step: the audit event of the mutation, if one is being resolved.
    crate::audit::record_scoped_write(txn, case.id).await?;
    Ok(changed)
}

/// Runs `body` in a transaction as `viewer`, which must be authenticated.
pub(crate) async fn in_txn<T, F>(db: &DatabaseConnection, viewer: Option<&Principal>, body: F) -> AppResult<T>
where
    F: for<'a> FnOnce(&'a DatabaseTransaction, &'a Principal) -> futures_util::future::BoxFuture<'a, AppResult<T>>,
{
    let actor = viewer.ok_or(AppError::Unauthenticated)?;
    let txn = crate::db::begin_write(db).await?;
    match body(&txn, actor).await {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// A transition with no record besides the event.
pub(crate) async fn simple(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    action: Action,
    to: S,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, action).await?;
            let on = step_date(&step, &loaded.case)?;
            transition(txn, actor, &step, &loaded, action, to, on, Changes::default()).await
        })
    })
    .await
}

/// RECEIVED → FORMAL_MATERIAL_CHECK.
pub async fn start_formal_check(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
) -> AppResult<case::Model> {
    simple(db, viewer, step, Action::StartFormalCheck, S::FormalMaterialCheck).await
}

/// Why a case fails the formal or material requirements, if it does.
pub(crate) async fn requirement_failures(
    txn: &DatabaseTransaction,
    loaded: &Loaded,
    deadlines: &Deadlines,
) -> AppResult<Vec<String>> {
    let case = &loaded.case;
    let mut why = Vec::new();
    let limit = case.known_on + Duration::days(deadlines.report_days);
    if case.received_on > limit {
        why.push(format!(
            "filed on {}, more than {} days after the act became known on {} (limit {limit})",
            case.received_on, deadlines.report_days, case.known_on
        ));
    }
    if case.source == crate::domain::CaseSource::Laporan {
        let reporter = crate::entity::reporter::Entity::find()
            .filter(crate::entity::reporter::Column::CaseId.eq(case.id))
            .one(txn)
            .await?;
        match reporter {
            None => why.push("formal: the reporter's identity is missing".to_owned()),
            Some(r) if r.nik.is_none() || r.voter_region_code.is_none() => {
                why.push("formal: the reporter's NIK and voter region are required".to_owned());
            }
            Some(_) => {}
        }
        let evidence = crate::entity::evidence::Entity::find()
            .filter(crate::entity::evidence::Column::CaseId.eq(case.id))
            .one(txn)
            .await?;
        if evidence.is_none() {
            why.push("material: no evidence was submitted".to_owned());
        }
    }
    if loaded.subjects.is_empty() {
        why.push("material: no reported official".to_owned());
    }
    Ok(why)
}

/// FORMAL_MATERIAL_CHECK → REGISTERED (with a registration number), or
/// NOT_REGISTERED with the reasons when the report is late or incomplete.
pub async fn complete_formal_check(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::CompleteFormalCheck).await?;
            let on = step_date(&step, &loaded.case)?;
            let failures = requirement_failures(txn, &loaded, &deadlines).await?;
            let (to, changes) = if failures.is_empty() {
                let number = &loaded.case.number;
                let (prefix, seq) = number.rsplit_once('/').unwrap_or((number, "0"));
                let registration = format!("{seq}/Reg/{prefix}");
                let deadline = loaded.case.received_on + Duration::days(deadlines.decision_days);
                (
                    S::Registered,
                    Changes {
                        registration_number: Some(registration),
                        registered_on: Some(on),
                        deadline_on: Some(Some(deadline)),
                        ..Changes::default()
                    },
                )
            } else {
                (
                    S::NotRegistered,
                    Changes {
                        not_registered_reason: Some(failures.join("; ")),
                        deadline_on: Some(None),
                        ..Changes::default()
                    },
                )
            };
            transition(txn, actor, &step, &loaded, Action::CompleteFormalCheck, to, on, changes).await
        })
    })
    .await
}

/// RECEIVED → RECEIVED at another Bawaslu office whose jurisdiction covers the place.
pub async fn transfer(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
    to_agency_code: String,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Transfer).await?;
            let on = step_date(&step, &loaded.case)?;
            let target = agency::Entity::find()
                .filter(agency::Column::Code.eq(to_agency_code.trim()))
                .one(txn)
                .await?
                .filter(|a| crate::policy::Role::of_kind(a.kind) == crate::policy::Role::Bawaslu)
                .ok_or_else(|| {
                    AppError::invalid("toAgencyCode", format!("`{to_agency_code}` is not a Bawaslu office"))
                })?;
            let place = &loaded.case;
            let ancestors: Vec<String> = [
                Some(place.province_code.clone()),
                place.regency_code.clone(),
                place.district_code.clone(),
                Some(place.region_code.clone()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let covers = target.region_code.as_ref().is_none_or(|r| ancestors.contains(r));
            if !covers || target.id == loaded.case.handling_agency_id {
                return Err(AppError::invalid(
                    "toAgencyCode",
                    format!("{} does not cover {} or already handles the case", target.code, place.region_code),
                ));
            }
            let changes = Changes { handling_agency_id: Some(target.id), ..Changes::default() };
            transition(txn, actor, &step, &loaded, Action::Transfer, S::Received, on, changes).await
        })
    })
    .await
}

/// REGISTERED → CLARIFICATION_ASSESSMENT.
pub async fn start_clarification(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    step: Step,
) -> AppResult<case::Model> {
    simple(db, viewer, step, Action::StartClarification, S::ClarificationAssessment).await
}

/// The plenary's decision: no violation or the KPU's administrative track
/// close the case; the neutrality track waits for forwarding; the criminal
/// track goes to Gakkumdu at once. The decision is due within the decision
/// deadline of receipt, extended once when more information was needed.
pub async fn decide(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    deadlines: Deadlines,
    step: Step,
    classification: Classification,
    extended: bool,
) -> AppResult<case::Model> {
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load(txn, Some(actor), &step, Action::Decide).await?;
            let on = step_date(&step, &loaded.case)?;
            let due = loaded.case.received_on + Duration::days(deadlines.decision_days);
            let extended_due = due + Duration::days(deadlines.extension_days);
            if on > due && !extended {
                return Err(AppError::invalid(
                    "extended",
                    format!("the decision was due on {due}; set `extended` when more information was needed (due {extended_due})"),
                ));
            }
            let mut step = step;
            if on > extended_due {
                let late = (on - extended_due).num_days();
                let note = format!("decided {late} day(s) after the extended deadline of {extended_due}");
                step.note = Some(step.note.map_or(note.clone(), |n| format!("{n}; {note}")));
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
            if to == S::CriminalProcess {
                let region = agency::Entity::find_by_id(loaded.case.handling_agency_id)
                    .one(txn)
                    .await?
                    .and_then(|a| a.region_code)
                    .unwrap_or_default();
                let gakkumdu = agency::Entity::find()
                    .filter(agency::Column::Code.eq(format!("GAKKUMDU-{region}")))
                    .one(txn)
                    .await?
                    .ok_or_else(|| AppError::invalid("classification", format!("no Gakkumdu centre is registered for {region}")))?;
                for (a, _) in &loaded.subjects {
                    forwarding::ActiveModel {
                        id: NotSet,
                        allegation_id: Set(a.id),
                        from_agency_id: Set(loaded.case.handling_agency_id),
                        to_agency_id: Set(gakkumdu.id),
                        copy_to_agency_id: Set(None),
                        letter_number: Set(step.document_ref.clone().unwrap_or_else(|| format!("GAKKUMDU/{}", loaded.case.number))),
                        sent_on: Set(on),
                        received_on: Set(Some(on)),
                        due_on: Set(Some(on + Duration::days(14))),
                        recommended_track: Set(Some(crate::domain::SanctionTrack::Criminal)),
                        recommended_severity: Set(None),
                    }
                    .insert(txn)
                    .await?;
                }
            }
            let changes = Changes {
                decided_on: Some(on),
                classification: Some(classification),
                closure_reason: closure,
                deadline_on: Some(None),
                ..Changes::default()
            };
            transition(txn, actor, &step, &loaded, Action::Decide, to, on, changes).await
        })
    })
    .await
}
