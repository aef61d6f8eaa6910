//! The change feed's outbox: one `change_entry` row per change a caller may
//! care about, written in the same transaction as the change itself. Rows are
//! only ever inserted. `id` ascends in commit order (netra takes a
//! transaction-scoped lock before allocating it on PostgreSQL; SQLite has one
//! writer), so a reader that has seen id N has seen every committed id below
//! N. `dedupe_key` makes the scheduler's deadline entries unique per subject
//! and day whichever instance produces them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::{index, Agency};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ChangeEntry::Table)
                .col(big_integer(ChangeEntry::Id).auto_increment().primary_key())
                .col(string_len(ChangeEntry::Kind, 40))
                .col(big_integer_null(ChangeEntry::CaseId))
                .col(timestamp_with_time_zone(ChangeEntry::OccurredAt))
                .col(timestamp_with_time_zone(ChangeEntry::RecordedAt))
                .col(string_len_null(ChangeEntry::Action, 40))
                .col(string_len_null(ChangeEntry::FromState, 40))
                .col(string_len_null(ChangeEntry::ToState, 40))
                .col(big_integer_null(ChangeEntry::ActorAgencyId))
                .col(big_integer_null(ChangeEntry::PublicationId))
                .col(big_integer_null(ChangeEntry::ForwardingId))
                .col(date_null(ChangeEntry::DueOn))
                .col(string_len_null(ChangeEntry::DedupeKey, 120))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChangeEntry::Table, ChangeEntry::ActorAgencyId)
                        .to(Agency::Table, Agency::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_change_entry_dedupe")
                .table(ChangeEntry::Table)
                .col(ChangeEntry::DedupeKey)
                .unique()
                .to_owned(),
        )
        .await?;
        index(m, ChangeEntry::Table, "idx_change_entry_case", &[ChangeEntry::CaseId]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChangeEntry::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ChangeEntry {
    Table,
    Id,
    Kind,
    CaseId,
    OccurredAt,
    RecordedAt,
    Action,
    FromState,
    ToState,
    ActorAgencyId,
    PublicationId,
    ForwardingId,
    DueOn,
    DedupeKey,
}
