//! `region`: a Kemendagri region code with its materialised ancestry.

use sea_orm::entity::prelude::*;

use crate::domain::RegionKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub level: i16,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub regency_code: Option<String>,
    pub district_code: Option<String>,
    pub source_decree: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
