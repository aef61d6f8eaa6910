//! Officials (terlapor): the people a case names. NIP / NI PPPK and NRP are
//! unique when present (several NULLs are allowed on both engines).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20241101_000001_create_reference::{index, Agency, Region};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Official::Table)
                .col(big_integer(Official::Id).auto_increment().primary_key())
                .col(string_len(Official::SubjectKind, 40))
                .col(string_len_null(Official::Nip, 18).unique_key())
                .col(string_len_null(Official::Nrp, 20).unique_key())
                .col(string_len(Official::FullName, 200))
                .col(string_len(Official::Position, 200))
                .col(string_len_null(Official::PositionClass, 40))
                .col(string_len_null(Official::Grade, 16))
                .col(big_integer(Official::EmployerId))
                .col(big_integer_null(Official::PpkId))
                .col(string_len(Official::WorkRegionCode, 16))
                .foreign_key(
                    ForeignKey::create().from(Official::Table, Official::EmployerId).to(Agency::Table, Agency::Id),
                )
                .foreign_key(ForeignKey::create().from(Official::Table, Official::PpkId).to(Agency::Table, Agency::Id))
                .foreign_key(
                    ForeignKey::create()
                        .from(Official::Table, Official::WorkRegionCode)
                        .to(Region::Table, Region::Code),
                )
                .to_owned(),
        )
        .await?;
        index(m, Official::Table, "idx_official_employer", &[Official::EmployerId]).await?;
        index(m, Official::Table, "idx_official_name", &[Official::FullName]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Official::Table).to_owned()).await
    }
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Official {
    Table,
    Id,
    SubjectKind,
    Nip,
    Nrp,
    FullName,
    Position,
    PositionClass,
    Grade,
    EmployerId,
    PpkId,
    WorkRegionCode,
}
