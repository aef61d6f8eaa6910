//! Batch loaders of the reference slice: regions, their children and
//! aliases, agencies and elections. Reference data is public, so these
//! apply no scope.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{agency, election, region, region_alias};
use crate::graphql::batch::{loader, LoadError, Loader, Source};

/// A region by code: from the registry's copy, SQL only for codes it lacks.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RegionByCode(pub String);

impl Loader<RegionByCode> for Source {
    type Value = region::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[RegionByCode]) -> Result<HashMap<RegionByCode, region::Model>, LoadError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for key in keys {
            match self.reference.as_ref().and_then(|r| r.region_row(&key.0)) {
                Some(row) => {
                    found.insert(key.clone(), row.clone());
                }
                None => missing.push(key.0.clone()),
            }
        }
        if !missing.is_empty() {
            for row in region::Entity::find().filter(region::Column::Code.is_in(missing)).all(&self.db).await? {
                found.insert(RegionByCode(row.code.clone()), row);
            }
        }
        Ok(found)
    }
}

/// An agency by id: from the registry's copy, SQL only for ids it lacks.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AgencyById(pub i64);

impl Loader<AgencyById> for Source {
    type Value = agency::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[AgencyById]) -> Result<HashMap<AgencyById, agency::Model>, LoadError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for key in keys {
            match self.reference.as_ref().and_then(|r| r.agency_row(key.0)) {
                Some(row) => {
                    found.insert(key.clone(), row.clone());
                }
                None => missing.push(key.0),
            }
        }
        if !missing.is_empty() {
            for row in agency::Entity::find().filter(agency::Column::Id.is_in(missing)).all(&self.db).await? {
                found.insert(AgencyById(row.id), row);
            }
        }
        Ok(found)
    }
}

loader!(
    /// The child regions of a region.
    RegionChildren(String) => many region::Model,
    |_s, keys| region::Entity::find().filter(region::Column::ParentCode.is_in(keys)).order_by_asc(region::Column::Code),
    |r| r.parent_code.clone().unwrap_or_default()
);
loader!(
    /// The aliases of a region.
    RegionAliases(String) => many region_alias::Model,
    |_s, keys| region_alias::Entity::find().filter(region_alias::Column::RegionCode.is_in(keys)).order_by_asc(region_alias::Column::Alias),
    |r| r.region_code.clone()
);
loader!(
    /// An election by id.
    ElectionById(i64) => one election::Model,
    |_s, keys| election::Entity::find().filter(election::Column::Id.is_in(keys)),
    |r| r.id
);
