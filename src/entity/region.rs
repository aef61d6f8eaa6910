//! `region`: a Kemendagri region code with its materialised ancestry.

use sea_orm::entity::prelude::*;

use crate::domain::RegionKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub level: i16,
    pub parent_code: Option<String>,
    pub province_code: String,
    pub regency_code: Option<String>,
    pub district_code: Option<String>,
    pub source_decree: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Codes of the regions in the subtree of region `code` at `level` (the
/// region itself included), as a sub-select.
pub fn codes_within(code: &str, level: u8) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::Query;
    let col = match level {
        1 => Column::ProvinceCode,
        2 => Column::RegencyCode,
        3 => Column::DistrictCode,
        _ => Column::Code,
    };
    Query::select().column(Column::Code).from(Entity).and_where(col.eq(code)).to_owned()
}
