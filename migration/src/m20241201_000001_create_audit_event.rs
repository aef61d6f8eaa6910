//! The audit trail: `audit_event` (one row per audited request or write,
//! chained by hash), `audit_event_case` (which cases' reporter identity or
//! evidence an event returned, or which cases it wrote) and `audit_chain`
//! (the single head row that serialises appends across netra instances).
//!
//! Event ids are assigned by the appender under the head row's lock, so they
//! are contiguous and follow the chain; they are not auto-incremented. The
//! tables have no foreign keys: the trail must outlive and never block the
//! data it describes, and `netra audit verify` checks its integrity instead.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditEvent::Table)
                .col(big_integer(AuditEvent::Id).primary_key())
                .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                .col(string_len(AuditEvent::Kind, 16))
                .col(string_len_null(AuditEvent::Issuer, 200))
                .col(string_len_null(AuditEvent::Subject, 200))
                .col(big_integer_null(AuditEvent::AgencyId))
                .col(string_len_null(AuditEvent::AgencyCode, 40))
                .col(string_len_null(AuditEvent::RequestId, 64))
                .col(string_len(AuditEvent::OperationType, 16))
                .col(string_len_null(AuditEvent::OperationName, 200))
                .col(text(AuditEvent::RootFields))
                .col(string_len_null(AuditEvent::QueryHash, 64))
                .col(text(AuditEvent::Variables))
                .col(text_null(AuditEvent::Details))
                .col(string_len(AuditEvent::Outcome, 16))
                .col(string_len(AuditEvent::PrevHash, 64))
                .col(string_len(AuditEvent::Hash, 64))
                .to_owned(),
        )
        .await?;
        index(m, AuditEvent::Table, "idx_audit_event_occurred", &[AuditEvent::OccurredAt]).await?;
        index(m, AuditEvent::Table, "idx_audit_event_agency", &[AuditEvent::AgencyCode]).await?;
        index(m, AuditEvent::Table, "idx_audit_event_subject", &[AuditEvent::Subject]).await?;

        m.create_table(
            Table::create()
                .table(AuditEventCase::Table)
                .col(big_integer(AuditEventCase::EventId))
                .col(string_len(AuditEventCase::Access, 16))
                .col(big_integer(AuditEventCase::CaseId))
                .primary_key(
                    Index::create()
                        .col(AuditEventCase::EventId)
                        .col(AuditEventCase::Access)
                        .col(AuditEventCase::CaseId),
                )
                .to_owned(),
        )
        .await?;
        index(m, AuditEventCase::Table, "idx_audit_event_case_case", &[AuditEventCase::CaseId, AuditEventCase::Access])
            .await?;

        m.create_table(
            Table::create()
                .table(AuditChain::Table)
                .col(integer(AuditChain::Id).primary_key())
                .col(big_integer(AuditChain::LastId))
                .col(string_len(AuditChain::LastHash, 64))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditChain::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AuditEventCase::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AuditEvent::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    Kind,
    Issuer,
    Subject,
    AgencyId,
    AgencyCode,
    RequestId,
    OperationType,
    OperationName,
    RootFields,
    QueryHash,
    Variables,
    Details,
    Outcome,
    PrevHash,
    Hash,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEventCase {
    Table,
    EventId,
    Access,
    CaseId,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditChain {
    Table,
    Id,
    LastId,
    LastHash,
}
