//! Deadline entries: a forwarding whose case still waits for the receiving
//! agency becomes `DECISION_DUE` when its due date is at most
//! NETRA_DECISION_DUE_DAYS away and `FORWARDING_OVERDUE` once the date has
//! passed. Every instance runs [`run_once`] (the delivery worker calls it
//! once a minute, from a minute after start); it writes only what is missing; the `dedupe_key` unique index, keyed by kind,
//! forwarding and due date, makes each entry exist once however many
//! instances race, and a moved due date gives a new entry.

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::{record, ChangeKind, NewChange};
use crate::entity::{allegation, case, change_entry, forwarding};
use crate::error::AppResult;
use crate::policy::AWAITING_AGENCY;

/// Writes the deadline entries due on `today`; returns how many are new.
pub async fn run_once(db: &DatabaseConnection, today: NaiveDate, due_days: i64) -> AppResult<usize> {
    let q = Query::select()
        .column((forwarding::Entity, forwarding::Column::Id))
        .column((allegation::Entity, allegation::Column::CaseId))
        .column((forwarding::Entity, forwarding::Column::DueOn))
        .from(forwarding::Entity)
        .inner_join(
            allegation::Entity,
            Expr::col((allegation::Entity, allegation::Column::Id))
                .equals((forwarding::Entity, forwarding::Column::AllegationId)),
        )
        .inner_join(
            case::Entity,
            Expr::col((case::Entity, case::Column::Id)).equals((allegation::Entity, allegation::Column::CaseId)),
        )
        .and_where(forwarding::Column::DueOn.lte(today + Duration::days(due_days)))
        .and_where(case::Column::State.is_in(AWAITING_AGENCY.iter().map(|s| s.as_str())))
        .to_owned();
    let backend = db.get_database_backend();
    let rows = db.query_all(backend.build(&q)).await?;
    let mut new = 0;
    for row in rows {
        let (forwarding_id, case_id, due_on): (i64, i64, NaiveDate) =
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?);
        let kind = if due_on < today { ChangeKind::ForwardingOverdue } else { ChangeKind::DecisionDue };
        let entry = NewChange {
            kind,
            case_id: Some(case_id),
            occurred_at: Utc::now(),
            action: None,
            from_state: None,
            to_state: None,
            actor_agency_id: None,
            publication_id: None,
            forwarding_id: Some(forwarding_id),
            due_on: Some(due_on),
            dedupe_key: Some(format!("{}:{forwarding_id}:{due_on}", kind.as_str())),
        };
        // Read-only first: most rounds find every entry written already.
        let key = entry.dedupe_key.clone().unwrap_or_default();
        let exists = change_entry::Entity::find().filter(change_entry::Column::DedupeKey.eq(key)).one(db).await?;
        if exists.is_some() {
            continue;
        }
        let txn = db.begin().await?;
        if record(&txn, entry).await?.is_some() {
            new += 1;
        }
        txn.commit().await?;
    }
    Ok(new)
}
