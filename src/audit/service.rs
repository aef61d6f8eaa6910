//! Reading the audit trail: the filtered, keyset-paginated list behind
//! `auditEvents`, newest first. Only callers the policy lets read the trail
//! get anything.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};

use super::{CaseAccess, EventKind};
use crate::auth::Principal;
use crate::entity::{audit_event, audit_event_case, case};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::policy;

/// A validated filter of the audit trail; all given parts must hold.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// The acting agency's registry code.
    pub agency_code: Option<String>,
    /// The token subject.
    pub subject: Option<String>,
    /// Events concerning the case with this number …
    pub case_number: Option<String>,
    /// … in one of these ways (any way when empty).
    pub access: Vec<CaseAccess>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// An operation name as sent, or a root field (`cases`, `registerCase`).
    pub operation: Option<String>,
    /// Request or write events only.
    pub kind: Option<EventKind>,
}

impl AuditFilter {
    /// Checks cross-field rules.
    pub fn validate(self) -> AppResult<Self> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from >= to {
                return Err(AppError::invalid("filter.from", "must be before filter.to"));
            }
        }
        Ok(self)
    }

    fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(code) = &self.agency_code {
            c = c.add(audit_event::Column::AgencyCode.eq(code.trim()));
        }
        if let Some(subject) = &self.subject {
            c = c.add(audit_event::Column::Subject.eq(subject.as_str()));
        }
        if let Some(from) = self.from {
            c = c.add(audit_event::Column::OccurredAt.gte(from));
        }
        if let Some(to) = self.to {
            c = c.add(audit_event::Column::OccurredAt.lt(to));
        }
        if let Some(kind) = self.kind {
            c = c.add(audit_event::Column::Kind.eq(kind.as_str()));
        }
        if let Some(op) = &self.operation {
            // Root fields are stored comma-separated; `_` is a LIKE wildcard.
            let escaped = crate::db::escape_like(op);
            let like = |p: String| Expr::col(audit_event::Column::RootFields).like(LikeExpr::new(p).escape('\\'));
            c = c.add(
                Condition::any()
                    .add(audit_event::Column::OperationName.eq(op.as_str()))
                    .add(audit_event::Column::RootFields.eq(op.as_str()))
                    .add(like(format!("{escaped},%")))
                    .add(like(format!("%,{escaped}")))
                    .add(like(format!("%,{escaped},%"))),
            );
        }
        if self.case_number.is_some() || !self.access.is_empty() {
            let mut sub = Query::select();
            sub.column(audit_event_case::Column::EventId).from(audit_event_case::Entity);
            if let Some(number) = &self.case_number {
                let mut case_ids = Query::select();
                case_ids.column(case::Column::Id).from(case::Entity).and_where(case::Column::Number.eq(number.trim()));
                sub.and_where(audit_event_case::Column::CaseId.in_subquery(case_ids));
            }
            if !self.access.is_empty() {
                sub.and_where(audit_event_case::Column::Access.is_in(self.access.iter().map(|a| a.as_str())));
            }
            c = c.add(audit_event::Column::Id.in_subquery(sub));
        }
        c
    }
}

/// Keyset position in the newest-first list: the event id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditCursor {
    id: i64,
}

impl AuditCursor {
    /// The cursor just after `event`.
    pub fn of(event: &audit_event::Model) -> Self {
        Self { id: event.id }
    }
}

/// An event with the cases it concerns (id, number, how).
pub struct EventWithCases {
    /// The stored event.
    pub event: audit_event::Model,
    /// `(access, case id, case number)`, sorted.
    pub cases: Vec<(String, i64, Option<String>)>,
}

/// A page of the audit trail, newest first, for a caller allowed to read it.
pub async fn events(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &AuditFilter,
    page: &PageRequest<AuditCursor>,
) -> AppResult<Page<EventWithCases>> {
    if !policy::may_read_audit(viewer) {
        return Err(AppError::Forbidden);
    }
    let base = filter.condition();
    let total = page.total(audit_event::Entity::find().filter(base.clone()), db).await?;
    let mut cond = base;
    if let Some(after) = &page.after {
        cond = cond.add(audit_event::Column::Id.lt(after.id));
    }
    let fetched = audit_event::Entity::find()
        .filter(cond)
        .order_by_desc(audit_event::Column::Id)
        .limit(page.size + 1)
        .all(db)
        .await?;
    let page = Page::from_overfetch(fetched, page.size, total);
    let cases = cases_of(db, page.items.iter().map(|e| e.id).collect()).await?;
    Ok(page.map(|events| {
        events
            .into_iter()
            .map(|event| {
                let cases = cases.get(&event.id).cloned().unwrap_or_default();
                EventWithCases { event, cases }
            })
            .collect()
    }))
}

/// The case rows of `event_ids` with the case numbers, in one statement.
async fn cases_of(
    db: &DatabaseConnection,
    event_ids: Vec<i64>,
) -> AppResult<HashMap<i64, Vec<(String, i64, Option<String>)>>> {
    let mut out: HashMap<i64, Vec<(String, i64, Option<String>)>> = HashMap::new();
    if event_ids.is_empty() {
        return Ok(out);
    }
    let stmt = Query::select()
        .column((audit_event_case::Entity, audit_event_case::Column::EventId))
        .column((audit_event_case::Entity, audit_event_case::Column::Access))
        .column((audit_event_case::Entity, audit_event_case::Column::CaseId))
        .column((case::Entity, case::Column::Number))
        .from(audit_event_case::Entity)
        .left_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id))
                .equals((audit_event_case::Entity, audit_event_case::Column::CaseId)),
        )
        .and_where(Expr::col((audit_event_case::Entity, audit_event_case::Column::EventId)).is_in(event_ids))
        .order_by((audit_event_case::Entity, audit_event_case::Column::Access), sea_orm::Order::Asc)
        .order_by((audit_event_case::Entity, audit_event_case::Column::CaseId), sea_orm::Order::Asc)
        .to_owned();
    let backend = db.get_database_backend();
    for row in db.query_all(backend.build(&stmt)).await? {
        let event_id: i64 = row.try_get_by_index(0)?;
        out.entry(event_id).or_default().push((
            row.try_get_by_index(1)?,
            row.try_get_by_index(2)?,
            row.try_get_by_index(3)?,
        ));
    }
    Ok(out)
}
