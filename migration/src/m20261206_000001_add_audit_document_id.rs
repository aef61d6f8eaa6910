//! `audit_event.document_id`: the trusted document a request named by id or
//! hash, or whose text matched the manifest (SHA-256 hex), so that auditors
//! see which reviewed operation ran. Nullable: events written before it, and
//! requests that sent an ad-hoc query, have none. Events that have one are
//! hashed in the chain's v2 form (see `audit::chain` in the netra crate);
//! the others keep the v1 form, so the existing chain verifies unchanged.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("ALTER TABLE audit_event ADD COLUMN document_id varchar(64) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection().execute_unprepared("ALTER TABLE audit_event DROP COLUMN document_id").await?;
        Ok(())
    }
}
