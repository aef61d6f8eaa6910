//! Indexes for the national-scale reads (issue 9; plans in docs/performance.md):
//!
//! - `official (work_region_code, full_name, id)`: the `workRegionCode`
//!   filter of `officials` finds the officials of a regency by index, in
//!   page order, instead of walking all officials by name.
//! - `allegation (official_id, case_id)` and `allegation (case_id,
//!   official_id)`: the policy's official scope (the subjects of visible
//!   cases) and the loads of an official's cases are answered from the index
//!   alone, in both directions.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, columns).
const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("idx_official_work_region_name", "official", &["work_region_code", "full_name", "id"]),
    ("idx_allegation_official_case", "allegation", &["official_id", "case_id"]),
    ("idx_allegation_case_official", "allegation", &["case_id", "official_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for c in columns {
                index.col(Alias::new(*c));
            }
            m.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
