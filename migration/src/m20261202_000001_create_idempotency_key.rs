//! The answers of idempotent mutations (`Idempotency-Key`): one row per
//! agency and key, claimed before the mutation runs (the primary key makes
//! the claim exclusive across instances) and completed with the HTTP status
//! and body of the first answer. Rows older than 24 h are purged by netra.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE TABLE idempotency_key (\
               agency_id bigint NOT NULL, \
               client_key varchar(255) NOT NULL, \
               request_hash varchar(64) NOT NULL, \
               status integer NULL, \
               response text NULL, \
               created_at timestamp with time zone NOT NULL, \
               PRIMARY KEY (agency_id, client_key))",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX idempotency_key_created_at ON idempotency_key (created_at)").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("DROP TABLE idempotency_key").await?;
        Ok(())
    }
}
