//! Events waiting to be chained, and the optimistic append of a group
//! commit: the events are numbered and hashed after the head the writer
//! believes current, and written only if the head still is that one (a
//! conditional update of the `audit_chain` row). No lock is held between
//! round trips and no head is read per batch: an instance keeps the head it
//! wrote last, and rereads it only when another writer moved it meanwhile.
//! The chain's rules (canonical form, contiguous ids) are `chain`'s.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::chain::{self, event_hash};
use super::AuditEntry;
use crate::entity::{audit_chain, audit_event, audit_event_case};

/// Most case rows in one insert statement (3 bind values each).
const CASE_ROWS_PER_INSERT: usize = 4000;

/// Events built from their entries, to be chained after some head. Chaining
/// again after another head renumbers and rehashes them, so an optimistic
/// append that lost a race is retried without rebuilding anything.
pub struct Pending {
    events: Vec<(audit_event::Model, BTreeSet<(String, i64)>)>,
}

impl Pending {
    /// The events of `entries`, in order, not chained yet.
    pub fn new(entries: Vec<AuditEntry>) -> Self {
        let events = entries
            .into_iter()
            .map(|e| {
                let cases: BTreeSet<(String, i64)> = e.cases.iter().map(|(a, c)| (a.as_str().to_owned(), *c)).collect();
                let model = audit_event::Model {
                    id: 0,
                    occurred_at: e.occurred_at,
                    kind: e.kind.as_str().to_owned(),
                    issuer: e.actor.as_ref().map(|a| a.issuer.clone()),
                    subject: e.actor.as_ref().map(|a| a.subject.clone()),
                    agency_id: e.actor.as_ref().map(|a| a.agency_id),
                    agency_code: e.actor.as_ref().map(|a| a.agency_code.clone()),
                    request_id: e.request_id,
                    operation_type: e.operation_type.as_str().to_owned(),
                    operation_name: e.operation_name,
                    root_fields: e.root_fields.into_iter().collect::<Vec<_>>().join(","),
                    query_hash: e.query_hash,
                    variables: e.variables,
                    details: e.details,
                    outcome: e.outcome.as_str().to_owned(),
                    prev_hash: String::new(),
                    hash: String::new(),
                    document_id: e.document_id,
                };
                (model, cases)
            })
            .collect();
        Self { events }
    }

    /// Whether there is nothing to append.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Numbers and hashes the events after `head`; returns the new head.
    pub fn chain_after(&mut self, head: &(i64, String)) -> (i64, String) {
        let (mut last_id, mut last_hash) = head.clone();
        for (model, cases) in &mut self.events {
            model.id = last_id + 1;
            model.prev_hash = std::mem::take(&mut last_hash);
            model.hash = event_hash(model, cases);
            last_id = model.id;
            last_hash.clone_from(&model.hash);
        }
        (last_id, last_hash)
    }

    /// The ids given by the last [`Pending::chain_after`].
    pub fn ids(&self) -> Vec<i64> {
        self.events.iter().map(|(m, _)| m.id).collect()
    }

    /// Inserts the chained events and their case rows (multi-row statements).
    async fn insert<C: ConnectionTrait>(&self, conn: &C) -> Result<(), DbErr> {
        let events = self.events.iter().map(|(m, _)| audit_event::ActiveModel::from(m.clone()));
        audit_event::Entity::insert_many(events).exec_without_returning(conn).await?;
        let mut case_rows: Vec<audit_event_case::ActiveModel> = self
            .events
            .iter()
            .flat_map(|(m, cases)| {
                cases.iter().map(|(access, case_id)| audit_event_case::ActiveModel {
                    event_id: Set(m.id),
                    access: Set(access.clone()),
                    case_id: Set(*case_id),
                })
            })
            .collect();
        while !case_rows.is_empty() {
            let rest = case_rows.split_off(case_rows.len().min(CASE_ROWS_PER_INSERT));
            audit_event_case::Entity::insert_many(std::mem::replace(&mut case_rows, rest))
                .exec_without_returning(conn)
                .await?;
        }
        Ok(())
    }

    /// Appends the events after the head, locked (`FOR UPDATE` on PostgreSQL)
    /// until the caller's transaction ends. Returns the new ids.
    pub async fn append_locked<C: ConnectionTrait>(mut self, conn: &C) -> Result<Vec<i64>, DbErr> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        chain::ensure_head(conn).await?;
        let head = chain::select_head(conn, true).await?;
        let (last_id, last_hash) = self.chain_after(&head);
        self.insert(conn).await?;
        audit_chain::Entity::update_many()
            .col_expr(audit_chain::Column::LastId, Expr::value(last_id))
            .col_expr(audit_chain::Column::LastHash, Expr::value(last_hash))
            .filter(audit_chain::Column::Id.eq(1))
            .exec(conn)
            .await?;
        Ok(self.ids())
    }

    /// Appends the events, chained after `expected`, if and only if the head
    /// still is `expected`; returns whether it was. The head moves to `new`
    /// (the result of `chain_after(expected)`). The conditional head update
    /// is what keeps one chain across instances: when another writer moved
    /// the head, nothing is written and the caller rereads and retries.
    ///
    /// PostgreSQL: one statement (the head update and both inserts as
    /// data-modifying CTEs over `unnest` arrays, a constant text) in its own
    /// implicit transaction. SQLite: a transaction of the head update and the
    /// multi-row inserts.
    pub async fn write_if_head(
        &self,
        db: &DatabaseConnection,
        expected: &(i64, String),
        new: &(i64, String),
    ) -> Result<bool, DbErr> {
        if db.get_database_backend() == DbBackend::Postgres {
            return self.write_if_head_pg(db, expected, new).await;
        }
        let txn = db.begin().await?;
        let moved = audit_chain::Entity::update_many()
            .col_expr(audit_chain::Column::LastId, Expr::value(new.0))
            .col_expr(audit_chain::Column::LastHash, Expr::value(new.1.clone()))
            .filter(audit_chain::Column::Id.eq(1))
            .filter(audit_chain::Column::LastId.eq(expected.0))
            .filter(audit_chain::Column::LastHash.eq(expected.1.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        self.insert(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }

    async fn write_if_head_pg(
        &self,
        db: &DatabaseConnection,
        expected: &(i64, String),
        new: &(i64, String),
    ) -> Result<bool, DbErr> {
        let ev = |f: fn(&audit_event::Model) -> Option<String>| -> Vec<Option<String>> {
            self.events.iter().map(|(m, _)| f(m)).collect()
        };
        let cases = self.events.iter().flat_map(|(m, c)| c.iter().map(move |(a, id)| (m.id, a.clone(), *id)));
        let (case_event, (case_access, case_id)): (Vec<i64>, (Vec<String>, Vec<i64>)) =
            cases.map(|(e, a, c)| (e, (a, c))).unzip();
        let affected = sea_orm::sqlx::query(PG_APPEND)
            .bind(new.0)
            .bind(&new.1)
            .bind(expected.0)
            .bind(&expected.1)
            .bind(self.events.iter().map(|(m, _)| m.id).collect::<Vec<i64>>())
            .bind(self.events.iter().map(|(m, _)| m.occurred_at).collect::<Vec<DateTime<Utc>>>())
            .bind(ev(|m| Some(m.kind.clone())))
            .bind(ev(|m| m.issuer.clone()))
            .bind(ev(|m| m.subject.clone()))
            .bind(self.events.iter().map(|(m, _)| m.agency_id).collect::<Vec<Option<i64>>>())
            .bind(ev(|m| m.agency_code.clone()))
            .bind(ev(|m| m.request_id.clone()))
            .bind(ev(|m| Some(m.operation_type.clone())))
            .bind(ev(|m| m.operation_name.clone()))
            .bind(ev(|m| Some(m.root_fields.clone())))
            .bind(ev(|m| m.query_hash.clone()))
            .bind(ev(|m| Some(m.variables.clone())))
            .bind(ev(|m| m.details.clone()))
            .bind(ev(|m| Some(m.outcome.clone())))
            .bind(ev(|m| Some(m.prev_hash.clone())))
            .bind(ev(|m| Some(m.hash.clone())))
            .bind(case_event)
            .bind(case_access)
            .bind(case_id)
            .bind(ev(|m| m.document_id.clone()))
            .fetch_one(db.get_postgres_connection_pool())
            .await
            .map_err(|e| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e)))?;
        let moved: i64 =
            sea_orm::sqlx::Row::try_get(&affected, 0).map_err(|e| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e)))?;
        Ok(moved == 1)
    }
}

/// The optimistic append on PostgreSQL: the inserts happen only when the
/// conditional head update matched (all three in one statement, so all or
/// nothing). Foreign keys are checked at the end of the statement.
const PG_APPEND: &str = "WITH head AS (\
    UPDATE audit_chain SET last_id = $1, last_hash = $2 \
    WHERE id = 1 AND last_id = $3 AND last_hash = $4 RETURNING id), \
  ev AS (INSERT INTO audit_event (id, occurred_at, kind, issuer, subject, agency_id, agency_code, request_id, \
    operation_type, operation_name, root_fields, query_hash, variables, details, outcome, prev_hash, hash, \
    document_id) \
    SELECT * FROM unnest($5::bigint[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::bigint[], \
      $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], \
      $19::text[], $20::text[], $21::text[], $25::text[]) \
    WHERE EXISTS (SELECT 1 FROM head)), \
  ca AS (INSERT INTO audit_event_case (event_id, access, case_id) \
    SELECT * FROM unnest($22::bigint[], $23::text[], $24::bigint[]) WHERE EXISTS (SELECT 1 FROM head)) \
  SELECT count(*) FROM head";
