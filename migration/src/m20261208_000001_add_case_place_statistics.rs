//! Tells PostgreSQL's planner that a case's place codes depend on each
//! other: a district lies in one regency, a regency in one province.
//!
//! netra lets PostgreSQL reuse a statement's generic plan, which is made
//! without the values. A Bawaslu province office asking for the newest cases
//! of one regency sends `province_code = $1 AND regency_code = $2 ORDER BY
//! received_on DESC LIMIT $3`; treating the two conditions as independent,
//! the planner expected 41 of the regency's 1,500 cases at national scale,
//! and sorted a bitmap of both indexes (12 ms) instead of walking the
//! regency's page index backwards (0.2 ms). With the functional
//! dependencies it estimates the regency alone. SQLite has no such
//! statistics and needs none.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared(
            r#"CREATE STATISTICS case_place_dependencies (dependencies)
                 ON province_code, regency_code, district_code FROM "case""#,
        )
        .await?;
        // Extended statistics exist only once analysed.
        db.execute_unprepared(r#"ANALYZE "case""#).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection().execute_unprepared("DROP STATISTICS case_place_dependencies").await?;
        Ok(())
    }
}
