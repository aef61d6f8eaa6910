//! Indexes that give the national-scale lists their page order (issue 9;
//! plans in docs/performance.md):
//!
//! - `official (substr(work_region_code, 1, n), full_name, id)` for n = 2,
//!   5 and 8: region codes are fixed-width prefixes of their descendants'
//!   (`16`, `16.74`, `16.74.02`), so the `workRegionCode` filter of
//!   `officials` on a province, kabupaten/kota or kecamatan is one index
//!   range already in page order. The page walks it and stops after
//!   `first + 1` officials that have a visible case, instead of collecting
//!   every subject of the caller's cases and sorting them.
//! - `official (full_name, id)`: the same walk without a region filter
//!   (replaces `idx_official_name`).
//! - `case (province_code | regency_code | district_code, received_on, id)`:
//!   a page of the newest cases in a region subtree, with the tie-break
//!   (replace the indexes without `id`).
//!
//! Expression indexes are plain SQL, the same on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, definition) of the indexes this migration creates.
const CREATED: [(&str, &str); 7] = [
    ("idx_official_work_province_page", "official (substr(work_region_code, 1, 2), full_name, id)"),
    ("idx_official_work_regency_page", "official (substr(work_region_code, 1, 5), full_name, id)"),
    ("idx_official_work_district_page", "official (substr(work_region_code, 1, 8), full_name, id)"),
    ("idx_official_name_page", "official (full_name, id)"),
    ("idx_case_province_page", "\"case\" (province_code, received_on, id)"),
    ("idx_case_regency_page", "\"case\" (regency_code, received_on, id)"),
    ("idx_case_district_page", "\"case\" (district_code, received_on, id)"),
];

/// (name, definition) of the indexes the new ones make redundant.
const REPLACED: [(&str, &str); 4] = [
    ("idx_official_name", "official (full_name)"),
    ("idx_case_province_received", "\"case\" (province_code, received_on)"),
    ("idx_case_regency_received", "\"case\" (regency_code, received_on)"),
    ("idx_case_district", "\"case\" (district_code)"),
];

async fn run(m: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    m.get_connection().execute_unprepared(sql).await.map(|_| ())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, def) in CREATED {
            run(m, &format!("CREATE INDEX IF NOT EXISTS {name} ON {def}")).await?;
        }
        for (name, _) in REPLACED {
            run(m, &format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, def) in REPLACED {
            run(m, &format!("CREATE INDEX IF NOT EXISTS {name} ON {def}")).await?;
        }
        for (name, _) in CREATED {
            run(m, &format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
