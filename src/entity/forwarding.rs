//! `forwarding`: Bawaslu's recommendation of one allegation to the competent agency.

use sea_orm::entity::prelude::*;

use crate::domain::{SanctionTrack, Severity};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "forwarding")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub allegation_id: i64,
    pub from_agency_id: i64,
    pub to_agency_id: i64,
    pub copy_to_agency_id: Option<i64>,
    pub letter_number: String,
    pub sent_on: Date,
    pub received_on: Option<Date>,
    pub due_on: Option<Date>,
    pub recommended_track: Option<SanctionTrack>,
    pub recommended_severity: Option<Severity>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
