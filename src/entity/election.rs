//! `election`: one race of the 2024 regional elections, with its key dates.

use sea_orm::entity::prelude::*;

use crate::domain::ElectionKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: ElectionKind,
    pub year: i32,
    pub region_code: String,
    pub name: String,
    pub determination_on: Date,
    pub campaign_start_on: Date,
    pub campaign_end_on: Date,
    pub voting_on: Date,
    pub tally_end_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
