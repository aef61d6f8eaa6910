//! Indexes for the case filters of issue 12:
//!
//! - `case (updated_at, id)`: the page order of `UPDATED_AT_ASC` and
//!   `UPDATED_AT_DESC` with its tie-break, so `updatedSince` plus that order
//!   (an incremental sync) is one index range read in page order, forward
//!   or backward.
//! - `case (deadline_on)`: the `overdue` filter, a range below today over
//!   the few cases whose step has a deadline.
//!
//! `updated_at` already records a case's last change: every step writes it
//! in the step's transaction (`case::effects::persist_effects`), intake sets
//! it with `created_at`, so no new column is needed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, definition) of the indexes this migration creates.
const CREATED: [(&str, &str); 2] =
    [("idx_case_updated_page", "\"case\" (updated_at, id)"), ("idx_case_deadline", "\"case\" (deadline_on)")];

async fn run(m: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    m.get_connection().execute_unprepared(sql).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, def) in CREATED {
            run(m, &format!("CREATE INDEX IF NOT EXISTS {name} ON {def}")).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in CREATED {
            run(m, &format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
