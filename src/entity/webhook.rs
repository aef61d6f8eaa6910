//! `webhook`: an endpoint of an agency's system that netra delivers change
//! entries to. `secret` is the Standard Webhooks signing secret (`whsec_…`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agency_id: i64,
    pub url: String,
    pub change_kinds: Option<String>,
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub active: bool,
    pub disabled_reason: Option<String>,
    pub failed_in_a_row: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
