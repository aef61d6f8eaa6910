//! `evidence`: metadata of one evidence item; the file itself lives elsewhere.

use sea_orm::entity::prelude::*;

use crate::domain::EvidenceKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub kind: EvidenceKind,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub sha256: String,
    pub size_bytes: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub url: Option<String>,
    pub captured_at: DateTimeUtc,
    pub submitted_by_id: i64,
    pub access_level: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
