//! `allegation`: one official × one act within a case.

use sea_orm::entity::prelude::*;

use crate::domain::{Phase, ViolationCode};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allegation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub official_id: i64,
    pub violation_code: ViolationCode,
    pub phase: Phase,
    pub act_on: Date,
    pub place_region_code: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::case::Entity", from = "Column::CaseId", to = "super::case::Column::Id")]
    Case,
    #[sea_orm(belongs_to = "super::official::Entity", from = "Column::OfficialId", to = "super::official::Column::Id")]
    Official,
}

impl Related<super::case::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Case.def()
    }
}

impl Related<super::official::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Official.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
