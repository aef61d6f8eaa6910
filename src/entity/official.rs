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

/// Officials working in the subtree of region `code` (itself included).
///
/// Region codes are fixed-width prefixes of their descendants' codes
/// (`16` → `16.74` → `16.74.02`), so the subtree of a province,
/// kabupaten/kota or kecamatan is the officials whose code starts with it.
/// The prefix is written as the expression of the page-order indexes
/// (`idx_official_work_*_page`, migration `m20261204_000001`) with its
/// length inlined, so both engines drive the page from that index.
pub fn work_area(code: &crate::domain::RegionCode) -> sea_orm::Condition {
    use sea_orm::sea_query::Expr;
    let code = code.as_str();
    match code.len() {
        2 | 5 | 8 => sea_orm::Condition::all()
            .add(Expr::cust(format!("substr(\"official\".\"work_region_code\", 1, {})", code.len())).eq(code)),
        _ => sea_orm::Condition::all().add(Column::WorkRegionCode.eq(code)),
    }
}
