//! `publication`: a frozen statistics table that a Bawaslu office published.
//! Immutable: updates and deletes are refused here, so no code path can
//! change a published table; a correction is a new version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "publication")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub series: String,
    pub version: i32,
    pub title: String,
    pub scope_region_code: Option<String>,
    pub measure: String,
    pub dimensions: String,
    pub as_of: Date,
    pub threshold: i32,
    pub publisher_agency_id: i64,
    pub published_by: String,
    pub published_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub content_sha256: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert {
            Ok(self)
        } else {
            Err(DbErr::Custom("publications are immutable; publish a new version instead".into()))
        }
    }

    async fn before_delete<C>(self, _db: &C) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        Err(DbErr::Custom("publications are immutable and are never deleted".into()))
    }
}
