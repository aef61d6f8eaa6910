//! `case`: one handling (penanganan) of a report or finding.

use sea_orm::entity::prelude::*;

use crate::domain::{CaseSource, CaseState, Classification, ClosureReason};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub number: String,
    pub source: CaseSource,
    pub election_id: i64,
    pub handling_agency_id: i64,
    pub receipt_number: Option<String>,
    #[sea_orm(unique)]
    pub registration_number: Option<String>,
    pub region_code: String,
    pub province_code: String,
    pub regency_code: Option<String>,
    pub district_code: Option<String>,
    /// The categories of the case's acts as a bit set
    /// ([`crate::domain::ViolationCategory::bit`]), written with the
    /// allegations at intake (they never change afterwards).
    pub violation_categories: i32,
    pub occurred_on: Date,
    pub known_on: Date,
    pub received_on: Date,
    pub registered_on: Option<Date>,
    pub decided_on: Option<Date>,
    pub classification: Option<Classification>,
    pub state: CaseState,
    pub deadline_on: Option<Date>,
    pub closure_reason: Option<ClosureReason>,
    #[sea_orm(column_type = "Text", nullable)]
    pub not_registered_reason: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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

/// Cases whose place lies in the subtree of region `code` at `level`
/// (1 province … 4 village): one indexed equality on the materialised
/// ancestry. Policy scopes and case filters share it.
pub fn place_within(code: &str, level: u8) -> sea_orm::sea_query::SimpleExpr {
    match level {
        1 => Column::ProvinceCode.eq(code),
        2 => Column::RegencyCode.eq(code),
        3 => Column::DistrictCode.eq(code),
        _ => Column::RegionCode.eq(code),
    }
}
