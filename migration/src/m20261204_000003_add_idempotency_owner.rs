//! Idempotency claims that survive a crash of the instance holding them:
//!
//! - `owner`: a random token of the request holding the claim. A write
//!   transaction of that request marks the claim as its own (below); a
//!   later retry may take over a claim that is older than the request
//!   timeout and whose write never committed, by replacing the owner.
//! - `committed_at`: set inside the write's own transaction, so it is true
//!   exactly when the write committed. A claim with it set and no stored
//!   answer is a write whose answer was lost (the instance died between the
//!   commit and storing the answer): it is never run again.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("ALTER TABLE idempotency_key ADD COLUMN owner varchar(64) NULL").await?;
        db.execute_unprepared("ALTER TABLE idempotency_key ADD COLUMN committed_at timestamp with time zone NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("ALTER TABLE idempotency_key DROP COLUMN committed_at").await?;
        db.execute_unprepared("ALTER TABLE idempotency_key DROP COLUMN owner").await?;
        Ok(())
    }
}
