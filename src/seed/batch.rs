//! Bulk writing for the generators: an id allocator, so that whole batches
//! are inserted with explicit ids and nothing is read back, and a batch of
//! rows of many cases written in one transaction, parents first: with
//! `COPY` on PostgreSQL (`seed::copy`), in multi-row `INSERT`s on SQLite.

use std::collections::HashMap;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, Statement, TransactionTrait,
};

use super::copy::copy_models;

use crate::entity::{
    agency_decision, allegation, case, case_event, escalation, evidence, execution_check, forwarding, official,
    reporter,
};
use crate::reference::insert_chunks;

/// Next free id per table.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    next: HashMap<&'static str, i64>,
}

/// Tables whose ids the allocator hands out.
pub const ID_TABLES: &[&str] = &[
    "official",
    "case",
    "allegation",
    "reporter",
    "evidence",
    "forwarding",
    "agency_decision",
    "execution_check",
    "escalation",
    "case_event",
];

impl Ids {
    /// Starts after the largest id present in each table.
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        let mut next = HashMap::new();
        for table in ID_TABLES {
            let sql = format!("SELECT COALESCE(MAX(id), 0) AS m FROM \"{table}\"");
            let row = db.query_one(Statement::from_string(db.get_database_backend(), sql)).await?;
            let max: i64 = row.map(|r| r.try_get("", "m")).transpose()?.unwrap_or(0);
            next.insert(*table, max + 1);
        }
        Ok(Self { next })
    }

    /// Takes the next id of `table`.
    pub fn take(&mut self, table: &'static str) -> i64 {
        let slot = self.next.entry(table).or_insert(1);
        let id = *slot;
        *slot += 1;
        id
    }
}

/// After explicit-id inserts, PostgreSQL's sequences must move past them.
pub async fn sync_sequences<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in ID_TABLES {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{table}\"), 1))"
        );
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}

/// Rows of many cases, ready to insert in foreign-key order.
#[derive(Debug, Default)]
pub struct Batch {
    /// Cases.
    pub cases: Vec<case::Model>,
    /// Allegations.
    pub allegations: Vec<allegation::Model>,
    /// Reporters.
    pub reporters: Vec<reporter::Model>,
    /// Evidence.
    pub evidence: Vec<evidence::Model>,
    /// Forwardings.
    pub forwardings: Vec<forwarding::Model>,
    /// Decisions.
    pub decisions: Vec<agency_decision::Model>,
    /// Execution checks.
    pub checks: Vec<execution_check::Model>,
    /// Escalations.
    pub escalations: Vec<escalation::Model>,
    /// Timeline events.
    pub events: Vec<case_event::Model>,
}

/// Inserts models with every column set (ids included).
async fn insert_models<E, C>(db: &C, rows: Vec<E::Model>) -> Result<(), sea_orm::DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    C: ConnectionTrait,
{
    use sea_orm::ActiveModelTrait;
    let rows: Vec<E::ActiveModel> = rows.into_iter().map(|m| m.into_active_model().reset_all()).collect();
    insert_chunks::<E, C>(db, rows).await
}

/// Writes officials (with their ids) in one transaction.
pub async fn write_officials(db: &DatabaseConnection, rows: Vec<official::Model>) -> anyhow::Result<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        let mut txn = db.get_postgres_connection_pool().begin().await?;
        copy_models::<official::Entity>(&mut txn, rows).await?;
        txn.commit().await?;
    } else {
        let txn = db.begin().await?;
        insert_models::<official::Entity, _>(&txn, rows).await?;
        txn.commit().await?;
    }
    Ok(())
}

impl Batch {
    /// Number of rows of every kind.
    pub fn len(&self) -> usize {
        self.cases.len()
            + self.allegations.len()
            + self.reporters.len()
            + self.evidence.len()
            + self.forwardings.len()
            + self.decisions.len()
            + self.checks.len()
            + self.escalations.len()
            + self.events.len()
    }

    /// Whether the batch holds no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes every row in one transaction, parents first.
    pub async fn write(self, db: &DatabaseConnection) -> anyhow::Result<()> {
        if db.get_database_backend() != DbBackend::Postgres {
            let txn = db.begin().await?;
            self.insert(&txn).await?;
            txn.commit().await?;
            return Ok(());
        }
        let mut txn = db.get_postgres_connection_pool().begin().await?;
        copy_models::<case::Entity>(&mut txn, self.cases).await?;
        copy_models::<allegation::Entity>(&mut txn, self.allegations).await?;
        copy_models::<reporter::Entity>(&mut txn, self.reporters).await?;
        copy_models::<evidence::Entity>(&mut txn, self.evidence).await?;
        copy_models::<forwarding::Entity>(&mut txn, self.forwardings).await?;
        copy_models::<agency_decision::Entity>(&mut txn, self.decisions).await?;
        copy_models::<execution_check::Entity>(&mut txn, self.checks).await?;
        copy_models::<escalation::Entity>(&mut txn, self.escalations).await?;
        copy_models::<case_event::Entity>(&mut txn, self.events).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Inserts every row in multi-row statements, parents first, on `db`.
    async fn insert<C: ConnectionTrait>(self, db: &C) -> Result<(), sea_orm::DbErr> {
        insert_models::<case::Entity, C>(db, self.cases).await?;
        insert_models::<allegation::Entity, C>(db, self.allegations).await?;
        insert_models::<reporter::Entity, C>(db, self.reporters).await?;
        insert_models::<evidence::Entity, C>(db, self.evidence).await?;
        insert_models::<forwarding::Entity, C>(db, self.forwardings).await?;
        insert_models::<agency_decision::Entity, C>(db, self.decisions).await?;
        insert_models::<execution_check::Entity, C>(db, self.checks).await?;
        insert_models::<escalation::Entity, C>(db, self.escalations).await?;
        insert_models::<case_event::Entity, C>(db, self.events).await
    }
}
