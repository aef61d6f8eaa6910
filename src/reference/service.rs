//! Reads of the public reference data: regions, agencies, elections. These
//! are open to every caller, anonymous included (DESIGN "Visibility").

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::{AgencyKind, ElectionKind, RegionCode, RegionKind};
use crate::entity::{agency, election, region, region_alias};
use crate::error::{AppError, AppResult};

/// Largest number of regions one `regions` call returns.
pub const MAX_REGIONS: u64 = 1000;

/// Filter of the `regions` list.
#[derive(Debug, Default)]
pub struct RegionFilter {
    /// Children of this region; with no parent and no search, the provinces.
    pub parent: Option<RegionCode>,
    /// Case-insensitive substring of the name or an alias.
    pub search: Option<String>,
    /// Only this kind.
    pub kind: Option<RegionKind>,
}

/// Regions in code order.
pub async fn regions(db: &DatabaseConnection, filter: RegionFilter) -> AppResult<Vec<region::Model>> {
    let mut q = region::Entity::find().order_by_asc(region::Column::Code).limit(MAX_REGIONS);
    match (&filter.parent, &filter.search) {
        (Some(parent), _) => q = q.filter(region::Column::ParentCode.eq(parent.as_str())),
        (None, None) if filter.kind.is_none() => q = q.filter(region::Column::Level.eq(1)),
        _ => {}
    }
    if let Some(kind) = filter.kind {
        q = q.filter(region::Column::Kind.eq(kind));
    }
    if let Some(search) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if search.chars().count() > 100 {
            return Err(AppError::invalid("search", "at most 100 characters"));
        }
        let pattern = crate::db::contains_pattern(&search.to_lowercase());
        let by_alias = sea_orm::sea_query::Query::select()
            .column(region_alias::Column::RegionCode)
            .from(region_alias::Entity)
            .and_where(Expr::expr(Func::lower(Expr::col(region_alias::Column::Alias))).like(pattern.clone()))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col((region::Entity, region::Column::Name)))).like(pattern))
                .add(region::Column::Code.in_subquery(by_alias)),
        );
    }
    Ok(q.all(db).await?)
}

/// One region by code, or by an alias or exact name ("Lubuklinggau").
pub async fn region_by_code(db: &DatabaseConnection, code_or_name: &str) -> AppResult<Option<region::Model>> {
    let key = code_or_name.trim();
    if let Ok(code) = RegionCode::parse(key) {
        return Ok(region::Entity::find_by_id(code.as_str().to_owned()).one(db).await?);
    }
    let lowered = key.to_lowercase();
    let alias = region_alias::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(region_alias::Column::Alias))).eq(lowered.clone()))
        .one(db)
        .await?;
    if let Some(alias) = alias {
        return Ok(region::Entity::find_by_id(alias.region_code).one(db).await?);
    }
    Ok(region::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(region::Column::Name))).eq(lowered))
        .order_by_asc(region::Column::Code)
        .one(db)
        .await?)
}

/// Agencies, optionally of one kind and/or rooted in one region.
pub async fn agencies(
    db: &DatabaseConnection,
    kind: Option<AgencyKind>,
    region: Option<RegionCode>,
) -> AppResult<Vec<agency::Model>> {
    let mut q = agency::Entity::find().order_by_asc(agency::Column::Code);
    if let Some(kind) = kind {
        q = q.filter(agency::Column::Kind.eq(kind));
    }
    if let Some(region) = region {
        q = q.filter(agency::Column::RegionCode.eq(region.as_str()));
    }
    Ok(q.all(db).await?)
}

/// One agency by id.
pub async fn agency_by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<agency::Model>> {
    Ok(agency::Entity::find_by_id(id).one(db).await?)
}

/// One agency by registry code.
pub async fn agency_by_code(db: &DatabaseConnection, code: &str) -> AppResult<Option<agency::Model>> {
    Ok(agency::Entity::find().filter(agency::Column::Code.eq(code)).one(db).await?)
}

/// Election races, optionally in one region (that region's own race and the
/// races of its ancestors, e.g. the mayor and the governor race for a city).
pub async fn elections(
    db: &DatabaseConnection,
    region: Option<RegionCode>,
    kind: Option<ElectionKind>,
) -> AppResult<Vec<election::Model>> {
    let mut q =
        election::Entity::find().order_by_asc(election::Column::RegionCode).order_by_asc(election::Column::Kind);
    if let Some(region) = region {
        let codes: Vec<String> = (1..=region.level()).filter_map(|l| region.prefix(l)).collect();
        q = q.filter(election::Column::RegionCode.is_in(codes));
    }
    if let Some(kind) = kind {
        q = q.filter(election::Column::Kind.eq(kind));
    }
    Ok(q.all(db).await?)
}

/// One election by id.
pub async fn election_by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<election::Model>> {
    Ok(election::Entity::find_by_id(id).one(db).await?)
}
