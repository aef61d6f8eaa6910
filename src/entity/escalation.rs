//! `escalation`: record blocking or a warning letter when the PPK is overdue.

use sea_orm::entity::prelude::*;

use crate::domain::EscalationKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "escalation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub forwarding_id: i64,
    pub agency_id: i64,
    pub kind: EscalationKind,
    pub letter_number: Option<String>,
    pub escalated_on: Date,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
