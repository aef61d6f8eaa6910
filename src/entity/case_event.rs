//! `case_event`: one step of a case's timeline. Rows are only ever inserted.

use sea_orm::entity::prelude::*;

use crate::domain::CaseState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub action: String,
    pub from_state: Option<CaseState>,
    pub to_state: CaseState,
    pub actor_agency_id: i64,
    pub actor_subject: String,
    pub occurred_at: DateTimeUtc,
    pub document_ref: Option<String>,
    pub deadline_on: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
