//! `execution_check`: a follow-up of whether a sanction was carried out.

use sea_orm::entity::prelude::*;

use crate::domain::ExecutionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "execution_check")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub decision_id: i64,
    pub agency_id: i64,
    pub status: ExecutionStatus,
    pub proof_ref: Option<String>,
    pub checked_on: Date,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
