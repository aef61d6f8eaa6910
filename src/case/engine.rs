//! The workflow engine: runs one step of the process in one transaction.
//! [`run`] loads the case and the facts the policy needs, refuses a caller
//! who may not act exactly as a missing case (`NOT_FOUND`), refuses an
//! illegal step naming the current state and the allowed next ones
//! (`BAD_USER_INPUT`), refuses a stale version (`CONFLICT`), checks the
//! step's date, asks the step's pure function (in `steps`) for its
//! [`Effects`], and hands them to [`persist_effects`], the one place where a
//! step's records are written: the case row (conditional on its version), the
//! new rows, the timeline event and the audit WRITE event. Nothing is edited
//! in place: decisions, checks and corrections are new rows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};

use super::effects::{persist_effects, Effects};
use crate::auth::Principal;
use crate::clock::{Clock, Zone};
use crate::config::{Config, Deadlines};
use crate::domain::{agencies, next_actions, Action, ExecutionStatus};
use crate::entity::{
    agency, agency_decision, allegation, case, evidence, execution_check, forwarding, official, reporter,
};
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

/// A case with everything the step rules read. The API loads it from the
/// database ([`load_case`]); the synthetic generator keeps one in memory.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The case row.
    pub case: case::Model,
    /// Its allegations with their officials.
    pub subjects: Vec<(allegation::Model, official::Model)>,
    /// The forwardings of its allegations.
    pub forwardings: Vec<forwarding::Model>,
    /// Whether a subject is ASN, so the case goes through BKN.
    pub via_bkn: bool,
    /// The reporter, for a report (laporan).
    pub reporter: Option<reporter::Model>,
    /// Whether any evidence was submitted.
    pub has_evidence: bool,
    /// The sanction decisions on its forwardings (see `domain::sanctions::is_sanction`).
    pub sanctions: Vec<agency_decision::Model>,
    /// Whether an execution check found a current sanction carried out.
    pub executed: bool,
}

impl Loaded {
    /// The latest sanction decision per forwarding.
    pub fn current_sanctions(&self) -> Vec<&agency_decision::Model> {
        let mut latest: Vec<&agency_decision::Model> = Vec::new();
        for d in &self.sanctions {
            match latest.iter_mut().find(|l| l.forwarding_id == d.forwarding_id) {
                Some(l) if (d.decided_on, d.id) > (l.decided_on, l.id) => *l = d,
                Some(_) => {}
                None => latest.push(d),
            }
        }
        latest
    }

    /// The forwardings addressed or copied to agency `id`.
    pub fn forwardings_of(&self, id: i64) -> impl Iterator<Item = &forwarding::Model> {
        self.forwardings.iter().filter(move |f| f.to_agency_id == id || f.copy_to_agency_id == Some(id))
    }
}

/// The agencies a step may name, by registry code (the competent receivers,
/// the Gakkumdu centre of the handling office, a transfer's target).
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// Agencies by code.
    pub by_code: HashMap<String, agency::Model>,
    /// The region of the handling office (`None` for Bawaslu RI).
    pub handling_region: Option<String>,
}

impl Directory {
    /// The id of the agency with `code`, if it is registered.
    pub fn id_of(&self, code: &str) -> Option<i64> {
        self.by_code.get(code).map(|a| a.id)
    }
}

/// The configuration a step runs under: the deadlines and the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Deadlines.
    pub deadlines: Deadlines,
    /// The clock.
    pub clock: Clock,
}

impl Rules {
    /// The rules `config` sets.
    pub fn of(config: &Config) -> Self {
        Self { deadlines: config.deadlines, clock: config.clock }
    }
}

impl Default for Rules {
    /// Default deadlines on the system clock.
    fn default() -> Self {
        Self { deadlines: Deadlines::default(), clock: Clock::system() }
    }
}

/// What a step function may read besides the case: who acts, on which day,
/// the configured deadlines and the agencies it may name.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The acting agency.
    pub actor_agency_id: i64,
    /// The date of the step (checked: not in the future, not before receipt).
    pub on: NaiveDate,
    /// The instant recorded on the timeline.
    pub at: DateTime<Utc>,
    /// The clock's current instant (the case row's `updated_at`).
    pub now: DateTime<Utc>,
    /// The acting office's today (its local date).
    pub today: NaiveDate,
    /// The acting office's time zone.
    pub zone: Zone,
    /// Deadlines from configuration.
    pub deadlines: Deadlines,
    /// The agencies the step may name.
    pub directory: &'a Directory,
    /// The step's common input.
    pub step: &'a Step,
}

/// Loads the case numbered `number` with everything the rules read.
pub async fn load_case(txn: &DatabaseTransaction, number: &str) -> AppResult<Loaded> {
    let case = case::Entity::find()
        .filter(case::Column::Number.eq(number.trim()))
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
    let reporter = reporter::Entity::find().filter(reporter::Column::CaseId.eq(case.id)).one(txn).await?;
    let has_evidence = evidence::Entity::find().filter(evidence::Column::CaseId.eq(case.id)).one(txn).await?.is_some();
    let sanctions = agency_decision::Entity::find()
        .filter(agency_decision::Column::ForwardingId.is_in(forwardings.iter().map(|f| f.id)))
        .filter(super::sanction_decisions())
        .all(txn)
        .await?;
    let mut loaded = Loaded {
        via_bkn: subjects.iter().any(|(_, o)| o.subject_kind.is_asn()),
        case,
        subjects,
        forwardings,
        reporter,
        has_evidence,
        sanctions,
        executed: false,
    };
    let current: Vec<i64> = loaded.current_sanctions().iter().map(|d| d.id).collect();
    loaded.executed = !current.is_empty()
        && execution_check::Entity::find()
            .filter(execution_check::Column::DecisionId.is_in(current))
            .filter(execution_check::Column::Status.eq(ExecutionStatus::Done))
            .one(txn)
            .await?
            .is_some();
    Ok(loaded)
}

/// The facts the policy decides on: the handling office, receivers, copies
/// and the inspectorates of the governments among them.
async fn facts_of(txn: &DatabaseTransaction, loaded: &Loaded) -> AppResult<CaseFacts> {
    let receivers: Vec<i64> = loaded.forwardings.iter().map(|f| f.to_agency_id).collect();
    let copies: Vec<i64> = loaded.forwardings.iter().filter_map(|f| f.copy_to_agency_id).collect();
    let governments: Vec<i64> = receivers.iter().chain(&copies).copied().collect();
    let mut inspectorates = Vec::new();
    if !governments.is_empty() {
        let regions: Vec<String> = agency::Entity::find()
            .filter(agency::Column::Id.is_in(governments))
            .all(txn)
            .await?
            .into_iter()
            .filter_map(|a| a.region_code)
            .collect();
        inspectorates = agency::Entity::find()
            .filter(agency::Column::Kind.eq(crate::domain::AgencyKind::Inspectorate))
            .filter(agency::Column::RegionCode.is_in(regions))
            .all(txn)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
    }
    Ok(CaseFacts { handling_agency_id: loaded.case.handling_agency_id, receivers, copies, inspectorates })
}

/// Loads the agencies a step of `loaded` may name, plus `extra` codes.
async fn directory_of(txn: &DatabaseTransaction, loaded: &Loaded, extra: &[String]) -> AppResult<Directory> {
    let handling_region =
        agency::Entity::find_by_id(loaded.case.handling_agency_id).one(txn).await?.and_then(|a| a.region_code);
    let codes = candidate_codes(loaded, handling_region.as_deref(), extra);
    let by_code = agency::Entity::find()
        .filter(agency::Column::Code.is_in(codes))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect();
    Ok(Directory { by_code, handling_region })
}

/// The codes a step may look up: the competent receivers of every subject,
/// the Gakkumdu centre at the handling office's region, and `extra`.
pub fn candidate_codes(loaded: &Loaded, handling_region: Option<&str>, extra: &[String]) -> Vec<String> {
    use crate::domain::routing::{competent, Receiver};
    let mut codes: Vec<String> = extra.iter().map(|c| c.trim().to_owned()).collect();
    codes.push(agencies::gakkumdu(handling_region.unwrap_or_default()));
    for (_, o) in &loaded.subjects {
        if let (Receiver::Agency(code), _) = competent(o.subject_kind, &o.work_region_code) {
            codes.push(code);
        }
    }
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Refuses `action` when the case's state does not allow it.
pub fn check_transition(loaded: &Loaded, action: Action) -> AppResult<()> {
    let case = &loaded.case;
    if action.allowed_in(case.state, loaded.via_bkn) {
        return Ok(());
    }
    let allowed: Vec<&str> = next_actions(case.state, loaded.via_bkn).iter().map(|a| a.name()).collect();
    let allowed = if allowed.is_empty() { "none (the case is closed)".to_owned() } else { allowed.join(", ") };
    Err(AppError::invalid(
        "state",
        format!(
            "case {} is {}: {} is not possible; allowed next: {allowed}",
            case.number,
            case.state.as_str(),
            action.name()
        ),
    ))
}

/// The refusal of a step taken on a stale version.
pub(crate) fn stale(case: &case::Model, expected: i32) -> AppError {
    AppError::Conflict(format!(
        "case {} changed since version {expected} (it is now version {}); reload it and try again",
        case.number, case.version
    ))
}

/// The date of a step: given or `today`; never in the future nor before receipt.
pub fn step_date(step: &Step, case: &case::Model, today: NaiveDate) -> AppResult<NaiveDate> {
    let on = step.on.unwrap_or(today);
    if on > today {
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

/// The time zone of the office `actor` acts for: its region's province's
/// (reference data), WIB for national agencies.
pub fn zone_of_actor(actor: &Principal) -> Zone {
    crate::clock::zone_of(actor.jurisdiction.as_ref().map(|j| j.code.as_str()))
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

/// Runs one step: in one transaction, load the case, authorize `viewer` for
/// `action` through the policy, check the transition, the version and the
/// date, compute the step's effects with `rule` (pure), and persist them with
/// the timeline and audit events. `extra_codes` are agency codes the step's
/// input names (a transfer's target).
pub async fn run<R>(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    rules: Rules,
    step: Step,
    action: Action,
    extra_codes: Vec<String>,
    rule: R,
) -> AppResult<case::Model>
where
    R: FnOnce(&Loaded, &Ctx<'_>) -> AppResult<Effects> + Send + 'static,
{
    in_txn(db, viewer, |txn, actor| {
        Box::pin(async move {
            let loaded = load_case(txn, &step.number).await?;
            if !may_act(Some(actor), action, &facts_of(txn, &loaded).await?) {
                return Err(AppError::NotFound);
            }
            check_transition(&loaded, action)?;
            if loaded.case.version != step.expected_version {
                return Err(stale(&loaded.case, step.expected_version));
            }
            let zone = zone_of_actor(actor);
            let today = rules.clock.today(zone);
            let on = step_date(&step, &loaded.case, today)?;
            let directory = directory_of(txn, &loaded, &extra_codes).await?;
            let ctx = Ctx {
                actor_agency_id: actor.agency_id,
                on,
                at: rules.clock.instant(on, zone),
                now: rules.clock.now(),
                today,
                zone,
                deadlines: rules.deadlines,
                directory: &directory,
                step: &step,
            };
            let effects = rule(&loaded, &ctx)?;
            persist_effects(txn, actor, &loaded, &ctx, action, effects).await
        })
    })
    .await
}
