//! Published statistics: frozen, disclosure-controlled tables that a Bawaslu
//! office published. Rows are only ever inserted; a new version of the same
//! table (same scope, measure and dimensions: the `series`) is a new row.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::{index, Agency, Region};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Publication::Table)
                .col(big_integer(Publication::Id).auto_increment().primary_key())
                .col(string_len(Publication::Series, 200))
                .col(integer(Publication::Version))
                .col(string_len(Publication::Title, 300))
                .col(string_len_null(Publication::ScopeRegionCode, 16))
                .col(string_len(Publication::Measure, 40))
                .col(string_len(Publication::Dimensions, 100))
                .col(date(Publication::AsOf))
                .col(integer(Publication::Threshold))
                .col(big_integer(Publication::PublisherAgencyId))
                .col(string_len(Publication::PublishedBy, 200))
                .col(timestamp_with_time_zone(Publication::PublishedAt))
                .col(text(Publication::Content))
                .col(string_len(Publication::ContentSha256, 64))
                .foreign_key(
                    ForeignKey::create()
                        .from(Publication::Table, Publication::ScopeRegionCode)
                        .to(Region::Table, Region::Code),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Publication::Table, Publication::PublisherAgencyId)
                        .to(Agency::Table, Agency::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_publication_series_version")
                .table(Publication::Table)
                .col(Publication::Series)
                .col(Publication::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        index(m, Publication::Table, "idx_publication_scope", &[Publication::ScopeRegionCode]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Publication::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Publication {
    Table,
    Id,
    Series,
    Version,
    Title,
    ScopeRegionCode,
    Measure,
    Dimensions,
    AsOf,
    Threshold,
    PublisherAgencyId,
    PublishedBy,
    PublishedAt,
    Content,
    ContentSha256,
}
