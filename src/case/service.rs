//! Reads of cases, always within the policy's case scope: lists with filters,
//! ordering and keyset pagination, and single lookups.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::domain::{CaseSource, CaseState, RegionCode, SubjectKind, ViolationCode};
use crate::entity::{agency_decision, allegation, case, forwarding, official};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::policy;

/// A validated case filter.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    /// Place in the subtree of this region.
    pub region: Option<RegionCode>,
    /// Any of these states.
    pub states: Vec<CaseState>,
    /// Some allegation with any of these acts.
    pub violation_codes: Vec<ViolationCode>,
    /// Some allegation against a subject of any of these kinds.
    pub subject_kinds: Vec<SubjectKind>,
    /// Laporan or temuan.
    pub source: Option<CaseSource>,
    /// Received on or after.
    pub received_from: Option<NaiveDate>,
    /// Received on or before.
    pub received_to: Option<NaiveDate>,
    /// Exactly this case number.
    pub number: Option<String>,
    /// Changed (any step, evidence, correction) after this instant, at the
    /// millisecond precision `updatedAt` is given in: the case whose
    /// `updatedAt` a client passes back does not come again.
    pub updated_since: Option<DateTime<Utc>>,
    /// Handled now by the agency with this id (resolved from its code).
    pub handling_agency_id: Option<i64>,
    /// Past the current step's deadline (`true`) or not (`false`), on the
    /// given day (the caller's today); see [`crate::case::is_overdue`].
    pub overdue: Option<(bool, NaiveDate)>,
}

impl CaseFilter {
    /// Checks cross-field rules.
    pub fn validate(self) -> AppResult<Self> {
        if let (Some(from), Some(to)) = (self.received_from, self.received_to) {
            if from > to {
                return Err(AppError::invalid("filter.receivedFrom", "must not be after receivedTo"));
            }
        }
        Ok(self)
    }

    /// The filter as a condition on `case` (the statistics reuse it).
    pub(crate) fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(r) = &self.region {
            c = c.add(case::place_within(r.as_str(), r.level()));
        }
        if !self.states.is_empty() {
            c = c.add(case::Column::State.is_in(self.states.clone()));
        }
        if let Some(source) = self.source {
            c = c.add(case::Column::Source.eq(source));
        }
        if let Some(from) = self.received_from {
            c = c.add(case::Column::ReceivedOn.gte(from));
        }
        if let Some(to) = self.received_to {
            c = c.add(case::Column::ReceivedOn.lte(to));
        }
        if let Some(number) = &self.number {
            c = c.add(case::Column::Number.eq(number.trim()));
        }
        if let Some(since) = self.updated_since {
            // `updatedAt` is answered cut to the millisecond; "after" it is
            // from the next millisecond on.
            let ms = since.timestamp_millis().saturating_add(1);
            let from = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or(since);
            c = c.add(case::Column::UpdatedAt.gte(from));
        }
        if let Some(id) = self.handling_agency_id {
            c = c.add(case::Column::HandlingAgencyId.eq(id));
        }
        match self.overdue {
            Some((true, today)) => c = c.add(super::overdue(today)),
            Some((false, today)) => c = c.add(super::overdue(today).not()),
            None => {}
        }
        if !self.violation_codes.is_empty() || !self.subject_kinds.is_empty() {
            let mut sub = Query::select();
            sub.column((allegation::Entity, allegation::Column::CaseId)).from(allegation::Entity);
            if !self.violation_codes.is_empty() {
                sub.and_where(allegation::Column::ViolationCode.is_in(self.violation_codes.clone()));
            }
            if !self.subject_kinds.is_empty() {
                sub.inner_join(
                    official::Entity,
                    Expr::col((official::Entity, official::Column::Id))
                        .equals((allegation::Entity, allegation::Column::OfficialId)),
                )
                .and_where(official::Column::SubjectKind.is_in(self.subject_kinds.clone()));
            }
            c = c.add(case::Column::Id.in_subquery(sub));
        }
        c
    }
}

/// Orderings of the case list; every one ends with the id as a tie-breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum CaseOrdering {
    /// Newest received first (default).
    #[default]
    ReceivedDesc,
    /// Oldest received first.
    ReceivedAsc,
    /// By case number, ascending.
    NumberAsc,
    /// Most recently changed first.
    UpdatedDesc,
    /// Least recently changed first: with `updated_since`, the order of an
    /// incremental sync.
    UpdatedAsc,
}

impl CaseOrdering {
    /// The keyset: the sort column and the id as tie-break, in one direction.
    fn keyset(self) -> [(case::Column, Order); 2] {
        let (col, dir) = match self {
            Self::ReceivedDesc => (case::Column::ReceivedOn, Order::Desc),
            Self::ReceivedAsc => (case::Column::ReceivedOn, Order::Asc),
            Self::NumberAsc => (case::Column::Number, Order::Asc),
            Self::UpdatedDesc => (case::Column::UpdatedAt, Order::Desc),
            Self::UpdatedAsc => (case::Column::UpdatedAt, Order::Asc),
        };
        [(col, dir.clone()), (case::Column::Id, dir)]
    }
}

/// Keyset position: the ordering it belongs to, the sort key and the id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseCursor {
    o: CaseOrdering,
    k: String,
    id: i64,
}

impl CaseCursor {
    /// The cursor just after `m` in `order`.
    pub fn of(m: &case::Model, order: CaseOrdering) -> Self {
        let k = match order {
            CaseOrdering::ReceivedDesc | CaseOrdering::ReceivedAsc => m.received_on.to_string(),
            CaseOrdering::NumberAsc => m.number.clone(),
            CaseOrdering::UpdatedDesc | CaseOrdering::UpdatedAsc => m.updated_at.to_rfc3339(),
        };
        Self { o: order, k, id: m.id }
    }

    /// The cursor's values in the columns of `order`'s keyset; `arg` names
    /// the argument it came in (`after` or `before`).
    fn key(&self, order: CaseOrdering, arg: &'static str) -> AppResult<Vec<sea_orm::Value>> {
        let bad = || AppError::invalid(arg, "not a cursor returned by this connection");
        if self.o != order {
            return Err(AppError::invalid(arg, "the cursor belongs to another ordering"));
        }
        let sort: sea_orm::Value = match order {
            CaseOrdering::ReceivedDesc | CaseOrdering::ReceivedAsc => {
                self.k.parse::<NaiveDate>().map_err(|_| bad())?.into()
            }
            CaseOrdering::NumberAsc => self.k.clone().into(),
            CaseOrdering::UpdatedDesc | CaseOrdering::UpdatedAsc => {
                DateTime::parse_from_rfc3339(&self.k).map_err(|_| bad())?.with_timezone(&Utc).into()
            }
        };
        Ok(vec![sort, self.id.into()])
    }
}

/// A page of the cases in the caller's scope.
pub async fn cases(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    order: CaseOrdering,
    page: &PageRequest<CaseCursor>,
) -> AppResult<Page<case::Model>> {
    // The filter narrows the policy's scope; it never replaces it.
    let scoped = case::Entity::find().filter(policy::case_scope(viewer)).filter(filter.condition());
    let total = page.total(scoped.clone(), db).await?;
    page.fetch(db, scoped, &order.keyset(), |c, arg| c.key(order, arg), total).await
}

/// The id of the agency with registry code `code`, for a filter argument
/// `arg`: from the registry's copy when it has it, else one lookup. An
/// unknown code is the caller's mistake, said as such.
pub async fn agency_id_by_code(
    db: &DatabaseConnection,
    registry: Option<&crate::registry::Snapshot>,
    code: &str,
    arg: &str,
) -> AppResult<i64> {
    let code = code.trim();
    if let Some(a) = registry.and_then(|r| r.agency(code)) {
        return Ok(a.id);
    }
    crate::reference::service::agency_by_code(db, code)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| AppError::invalid(arg, format!("no agency has the code {code:?}")))
}

/// One case by number, within scope (absent and out of scope look the same).
pub async fn case_by_number(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    number: &str,
) -> AppResult<Option<case::Model>> {
    Ok(case::Entity::find()
        .filter(case::Column::Number.eq(number.trim()))
        .filter(policy::case_scope(viewer))
        .one(db)
        .await?)
}

/// One allegation by id, within scope (`node`).
pub async fn allegation_by_id(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<Option<allegation::Model>> {
    Ok(allegation::Entity::find_by_id(id).filter(policy::allegation_scope(viewer)).one(db).await?)
}

/// One forwarding by id, within scope (`node`).
pub async fn forwarding_by_id(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<Option<forwarding::Model>> {
    Ok(forwarding::Entity::find_by_id(id).filter(policy::forwarding_scope(viewer)).one(db).await?)
}

/// One agency decision by id, within scope (`node`).
pub async fn decision_by_id(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<Option<agency_decision::Model>> {
    Ok(agency_decision::Entity::find_by_id(id).filter(policy::decision_scope(viewer)).one(db).await?)
}

/// One case by id, within scope.
pub async fn case_by_id(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<Option<case::Model>> {
    Ok(case::Entity::find_by_id(id).filter(policy::case_scope(viewer)).one(db).await?)
}

/// Overdue forwardings the caller follows up, oldest due first (keyset on id
/// within the due-date order is kept simple: by id, as due dates follow sending),
/// in either direction.
pub async fn overdue_forwardings(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    today: chrono::NaiveDate,
    page: &PageRequest<i64>,
) -> AppResult<Page<forwarding::Model>> {
    let waiting = Query::select()
        .column((allegation::Entity, allegation::Column::Id))
        .from(allegation::Entity)
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((allegation::Entity, allegation::Column::CaseId)),
        )
        .and_where(case::Column::State.is_in(policy::AWAITING_AGENCY))
        .to_owned();
    let base = Condition::all()
        .add(policy::follow_up_scope(viewer))
        .add(forwarding::Column::DueOn.lt(today))
        .add(forwarding::Column::AllegationId.in_subquery(waiting));
    let scoped = forwarding::Entity::find().filter(base);
    let total = page.total(scoped.clone(), db).await?;
    page.fetch(db, scoped, &[(forwarding::Column::Id, Order::Asc)], |id, _| Ok(vec![(*id).into()]), total).await
}
