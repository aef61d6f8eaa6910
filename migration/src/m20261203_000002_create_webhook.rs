//! Webhooks of agency systems: the endpoints an agency registered
//! (`webhook`), one delivery per (endpoint, change entry) with its attempts
//! (`webhook_delivery`), and the one-row cursor up to which the outbox has
//! been fanned out to the endpoints (`webhook_cursor`). The cursor row is
//! structure (the workers lock it), not data, so it is inserted here.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::{index, Agency};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Webhook::Table)
                .col(big_integer(Webhook::Id).auto_increment().primary_key())
                .col(big_integer(Webhook::AgencyId))
                .col(string_len(Webhook::Url, 2000))
                .col(string_len_null(Webhook::ChangeKinds, 1000))
                .col(string_len(Webhook::Secret, 200))
                .col(string_len(Webhook::CreatedBy, 200))
                .col(timestamp_with_time_zone(Webhook::CreatedAt))
                .col(boolean(Webhook::Active))
                .col(string_len_null(Webhook::DisabledReason, 500))
                .col(integer(Webhook::FailedInARow))
                .foreign_key(ForeignKey::create().from(Webhook::Table, Webhook::AgencyId).to(Agency::Table, Agency::Id))
                .to_owned(),
        )
        .await?;
        index(m, Webhook::Table, "idx_webhook_agency", &[Webhook::AgencyId]).await?;
        m.create_table(
            Table::create()
                .table(WebhookDelivery::Table)
                .col(big_integer(WebhookDelivery::Id).auto_increment().primary_key())
                .col(big_integer(WebhookDelivery::WebhookId))
                .col(big_integer(WebhookDelivery::ChangeId))
                .col(string_len(WebhookDelivery::Status, 20))
                .col(integer(WebhookDelivery::Attempts))
                .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDelivery::LastAttemptAt))
                .col(integer_null(WebhookDelivery::ResponseCode))
                .col(string_len_null(WebhookDelivery::LastError, 500))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDelivery::Table, WebhookDelivery::WebhookId)
                        .to(Webhook::Table, Webhook::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_webhook_delivery_once")
                .table(WebhookDelivery::Table)
                .col(WebhookDelivery::WebhookId)
                .col(WebhookDelivery::ChangeId)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            WebhookDelivery::Table,
            "idx_webhook_delivery_due",
            &[WebhookDelivery::Status, WebhookDelivery::NextAttemptAt],
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookCursor::Table)
                .col(integer(WebhookCursor::Id).primary_key())
                .col(big_integer(WebhookCursor::LastId))
                .to_owned(),
        )
        .await?;
        m.get_connection().execute_unprepared("INSERT INTO webhook_cursor (id, last_id) VALUES (1, 0)").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookCursor::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(WebhookDelivery::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Webhook::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Webhook {
    Table,
    Id,
    AgencyId,
    Url,
    ChangeKinds,
    Secret,
    CreatedBy,
    CreatedAt,
    Active,
    DisabledReason,
    FailedInARow,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDelivery {
    Table,
    Id,
    WebhookId,
    ChangeId,
    Status,
    Attempts,
    CreatedAt,
    NextAttemptAt,
    LastAttemptAt,
    ResponseCode,
    LastError,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookCursor {
    Table,
    Id,
    LastId,
}
