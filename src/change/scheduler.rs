//! Deadline entries: a forwarding whose case still waits for the receiving
//! agency becomes `DECISION_DUE` when its due date is at most
//! NETRA_DECISION_DUE_DAYS away and `FORWARDING_OVERDUE` once the date has
//! passed. Every instance runs [`run_once`] (the delivery worker calls it
//! once a minute, from a minute after start); it writes only what is missing; the `dedupe_key` unique index, keyed by kind,
//! forwarding and due date, makes each entry exist once however many
//! instances race, and a moved due date gives a new entry.

use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait};

use super::{record, ChangeKind, NewChange};
use crate::entity::{allegation, case, change_entry, forwarding};
use crate::error::AppResult;
use crate::policy::AWAITING_AGENCY;

/// Deadline entries written in one transaction (one turn of the outbox's
/// ordering lock): a first pass over national data writes tens of
/// thousands.
const CHUNK: usize = 256;

/// Writes the deadline entries due on `today`; returns how many are new.
///
/// One statement finds the forwardings whose entry is missing (an anti-join
/// on the entry's `dedupe_key`, computed in SQL as [`dedupe_key`] computes
/// it), so a round that finds everything written costs that statement alone
/// and not one look-up per awaited forwarding (37,000 at national scale,
/// every minute).
pub async fn run_once(db: &DatabaseConnection, today: NaiveDate, due_days: i64) -> AppResult<usize> {
    let backend = db.get_database_backend();
    let f = |c: &str| format!(r#""forwarding"."{c}""#);
    // SQLite stores dates as `YYYY-MM-DD` text already.
    let due = match backend {
        DbBackend::Postgres => format!("to_char({}, 'YYYY-MM-DD')", f("due_on")),
        _ => f("due_on"),
    };
    let id = format!("CAST({} AS TEXT)", f("id"));
    let key = format!(
        "CASE WHEN {due_on} < '{today}' THEN '{overdue}' ELSE '{due_soon}' END || ':' || {id} || ':' || {due}",
        due_on = f("due_on"),
        today = today.format("%Y-%m-%d"),
        overdue = ChangeKind::ForwardingOverdue.as_str(),
        due_soon = ChangeKind::DecisionDue.as_str(),
    );
    let written = Query::select()
        .expr(Expr::val(1))
        .from(change_entry::Entity)
        .and_where(Expr::col((change_entry::Entity, change_entry::Column::DedupeKey)).eq(Expr::cust(key)))
        .to_owned();
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
        .and_where(Expr::exists(written).not())
        .order_by((forwarding::Entity, forwarding::Column::Id), Order::Asc)
        .to_owned();
    let mut missing = Vec::new();
    for row in db.query_all(backend.build(&q)).await? {
        let (forwarding_id, case_id, due_on): (i64, i64, NaiveDate) =
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?);
        missing.push((forwarding_id, case_id, due_on));
    }
    let mut new = 0;
    for chunk in missing.chunks(CHUNK) {
        let txn = db.begin().await?;
        for &(forwarding_id, case_id, due_on) in chunk {
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
                dedupe_key: Some(dedupe_key(kind, forwarding_id, due_on)),
            };
            // Another instance may have written it since: the unique key skips it.
            if record(&txn, entry).await?.is_some() {
                new += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(new)
}

/// The key that makes a deadline entry exist once: kind, forwarding, due date.
fn dedupe_key(kind: ChangeKind, forwarding_id: i64, due_on: NaiveDate) -> String {
    format!("{}:{forwarding_id}:{}", kind.as_str(), due_on.format("%Y-%m-%d"))
}
