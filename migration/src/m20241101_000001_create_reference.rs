//! Reference tables: regions (with aliases), agencies and elections.
//!
//! Region ancestry is materialised in `province_code`, `regency_code` and
//! `district_code` so that "everything below region R" is an equality on one
//! indexed column on both engines (a `LIKE 'R.%'` prefix would not use an
//! index under PostgreSQL's default collation).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Region::Table)
                .col(string_len(Region::Code, 16).primary_key())
                .col(string_len(Region::Name, 120))
                .col(string_len(Region::Kind, 40))
                .col(small_integer(Region::Level))
                .col(string_len_null(Region::ParentCode, 16))
                .col(string_len(Region::ProvinceCode, 16))
                .col(string_len_null(Region::RegencyCode, 16))
                .col(string_len_null(Region::DistrictCode, 16))
                .col(string_len(Region::SourceDecree, 60))
                .foreign_key(
                    ForeignKey::create().from(Region::Table, Region::ParentCode).to(Region::Table, Region::Code),
                )
                .to_owned(),
        )
        .await?;
        index(m, Region::Table, "idx_region_parent", &[Region::ParentCode]).await?;
        index(m, Region::Table, "idx_region_regency", &[Region::RegencyCode]).await?;
        index(m, Region::Table, "idx_region_district", &[Region::DistrictCode]).await?;

        m.create_table(
            Table::create()
                .table(RegionAlias::Table)
                .col(big_integer(RegionAlias::Id).auto_increment().primary_key())
                .col(string_len(RegionAlias::RegionCode, 16))
                .col(string_len_uniq(RegionAlias::Alias, 120))
                .foreign_key(
                    ForeignKey::create()
                        .from(RegionAlias::Table, RegionAlias::RegionCode)
                        .to(Region::Table, Region::Code)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(m, RegionAlias::Table, "idx_region_alias_region", &[RegionAlias::RegionCode]).await?;

        m.create_table(
            Table::create()
                .table(Agency::Table)
                .col(big_integer(Agency::Id).auto_increment().primary_key())
                .col(string_len_uniq(Agency::Code, 40))
                .col(string_len(Agency::Name, 200))
                .col(string_len(Agency::Kind, 40))
                .col(string_len_null(Agency::RegionCode, 16))
                .col(big_integer_null(Agency::ParentId))
                .col(date(Agency::ValidFrom))
                .col(date_null(Agency::ValidTo))
                .foreign_key(
                    ForeignKey::create().from(Agency::Table, Agency::RegionCode).to(Region::Table, Region::Code),
                )
                .foreign_key(ForeignKey::create().from(Agency::Table, Agency::ParentId).to(Agency::Table, Agency::Id))
                .to_owned(),
        )
        .await?;
        index(m, Agency::Table, "idx_agency_kind_region", &[Agency::Kind, Agency::RegionCode]).await?;

        m.create_table(
            Table::create()
                .table(Election::Table)
                .col(big_integer(Election::Id).auto_increment().primary_key())
                .col(string_len(Election::Kind, 40))
                .col(integer(Election::Year))
                .col(string_len(Election::RegionCode, 16))
                .col(string_len(Election::Name, 200))
                .col(date(Election::DeterminationOn))
                .col(date(Election::CampaignStartOn))
                .col(date(Election::CampaignEndOn))
                .col(date(Election::VotingOn))
                .col(date(Election::TallyEndOn))
                .foreign_key(
                    ForeignKey::create().from(Election::Table, Election::RegionCode).to(Region::Table, Region::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_election_race")
                .table(Election::Table)
                .col(Election::RegionCode)
                .col(Election::Year)
                .col(Election::Kind)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Election::Table.into_iden(),
            Agency::Table.into_iden(),
            RegionAlias::Table.into_iden(),
            Region::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// Creates a plain (non-unique) index; shared by every migration file.
pub(crate) async fn index<T: IntoIden + 'static, C: IntoIden + Copy + 'static>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: &[C],
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(*col);
    }
    m.create_index(stmt).await
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Region {
    Table,
    Code,
    Name,
    Kind,
    Level,
    ParentCode,
    ProvinceCode,
    RegencyCode,
    DistrictCode,
    SourceDecree,
}

#[derive(DeriveIden, Clone, Copy)]
enum RegionAlias {
    Table,
    Id,
    RegionCode,
    Alias,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Agency {
    Table,
    Id,
    Code,
    Name,
    Kind,
    RegionCode,
    ParentId,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum Election {
    Table,
    Id,
    Kind,
    Year,
    RegionCode,
    Name,
    DeterminationOn,
    CampaignStartOn,
    CampaignEndOn,
    VotingOn,
    TallyEndOn,
}
