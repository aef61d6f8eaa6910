//! `agency_decision`: a receiving agency's verification, recommendation,
//! sanction decree, appeal outcome or verdict on a forwarding.

use sea_orm::entity::prelude::*;

use crate::domain::{DecisionKind, DecisionOutcome, SanctionCode, Severity};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agency_decision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub forwarding_id: i64,
    pub agency_id: i64,
    pub kind: DecisionKind,
    pub outcome: DecisionOutcome,
    pub sanction_code: Option<SanctionCode>,
    pub severity: Option<Severity>,
    pub duration_months: Option<i32>,
    pub decree_number: Option<String>,
    pub decided_on: Date,
    pub effective_from: Option<Date>,
    pub effective_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
