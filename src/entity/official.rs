//! `official`: a person named in a case (terlapor).

use sea_orm::entity::prelude::*;

use crate::domain::{PositionClass, SubjectKind};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "official")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub subject_kind: SubjectKind,
    #[sea_orm(unique)]
    pub nip: Option<String>,
    #[sea_orm(unique)]
    pub nrp: Option<String>,
    pub full_name: String,
    pub position: String,
    pub position_class: Option<PositionClass>,
    pub grade: Option<String>,
    pub employer_id: i64,
    pub ppk_id: Option<i64>,
    pub work_region_code: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::allegation::Entity")]
    Allegation,
}

impl Related<super::allegation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Allegation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
