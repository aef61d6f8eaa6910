//! Reads of cases, always within the policy's case scope: lists with filters,
//! ordering and keyset pagination, and single lookups.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect};
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
            CaseOrdering::UpdatedDesc => m.updated_at.to_rfc3339(),
        };
        Self { o: order, k, id: m.id }
    }
}

fn after_condition(order: CaseOrdering, cursor: &CaseCursor) -> AppResult<Condition> {
    let bad = || AppError::invalid("after", "not a cursor returned by this connection");
    if cursor.o != order {
        return Err(AppError::invalid("after", "the cursor belongs to another ordering"));
    }
    let (col, value, desc): (case::Column, sea_orm::Value, bool) = match order {
        CaseOrdering::ReceivedDesc | CaseOrdering::ReceivedAsc => {
            let d: NaiveDate = cursor.k.parse().map_err(|_| bad())?;
            (case::Column::ReceivedOn, d.into(), order == CaseOrdering::ReceivedDesc)
        }
        CaseOrdering::NumberAsc => (case::Column::Number, cursor.k.clone().into(), false),
        CaseOrdering::UpdatedDesc => {
            let t = chrono::DateTime::parse_from_rfc3339(&cursor.k).map_err(|_| bad())?.with_timezone(&chrono::Utc);
            (case::Column::UpdatedAt, t.into(), true)
        }
    };
    let beyond = |v: sea_orm::Value| if desc { col.lt(v) } else { col.gt(v) };
    let id_beyond = if desc { case::Column::Id.lt(cursor.id) } else { case::Column::Id.gt(cursor.id) };
    Ok(Condition::any().add(beyond(value.clone())).add(Condition::all().add(col.eq(value)).add(id_beyond)))
}

/// A page of the cases in the caller's scope.
pub async fn cases(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    order: CaseOrdering,
    page: &PageRequest<CaseCursor>,
) -> AppResult<Page<case::Model>> {
    let base = Condition::all().add(policy::case_scope(viewer)).add(filter.condition());
    let total = page.total(case::Entity::find().filter(base.clone()), db).await?;
    let mut cond = base;
    if let Some(after) = &page.after {
        cond = cond.add(after_condition(order, after)?);
    }
    let (col, dir) = match order {
        CaseOrdering::ReceivedDesc => (case::Column::ReceivedOn, Order::Desc),
        CaseOrdering::ReceivedAsc => (case::Column::ReceivedOn, Order::Asc),
        CaseOrdering::NumberAsc => (case::Column::Number, Order::Asc),
        CaseOrdering::UpdatedDesc => (case::Column::UpdatedAt, Order::Desc),
    };
    let fetched = case::Entity::find()
        .filter(cond)
        .order_by(col, dir.clone())
        .order_by(case::Column::Id, dir)
        .limit(page.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_overfetch(fetched, page.first, total))
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
/// within the due-date order is kept simple: by id, as due dates follow sending).
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
    let total = page.total(forwarding::Entity::find().filter(base.clone()), db).await?;
    let mut cond = base;
    if let Some(after) = page.after {
        cond = cond.add(forwarding::Column::Id.gt(after));
    }
    let fetched = forwarding::Entity::find()
        .filter(cond)
        .order_by_asc(forwarding::Column::Id)
        .limit(page.first + 1)
        .all(db)
        .await?;
    Ok(Page::from_overfetch(fetched, page.first, total))
}
