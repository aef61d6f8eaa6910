//! Batch loaders of the reference slice: regions, their children and
//! aliases, agencies and elections. Reference data is public, so these
//! apply no scope.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{agency, election, region, region_alias};
use crate::graphql::batch::{loader, LoadError, Loader, Source};

/// Answers `keys` from the registry's copy (`cached`), and the keys it
/// lacks (a row created since the copy was taken) with one statement
/// built by `fetch`.
async fn cached_or_fetched<K, M, Q>(
    source: &Source,
    keys: &[K],
    cached: impl Fn(&crate::registry::Snapshot, &K) -> Option<M>,
    fetch: impl FnOnce(Vec<K>) -> Q,
    key_of: impl Fn(&M) -> K,
) -> Result<HashMap<K, M>, LoadError>
where
    K: Clone + Eq + std::hash::Hash,
    Q: std::future::Future<Output = Result<Vec<M>, sea_orm::DbErr>>,
{
    let mut found = HashMap::new();
    let mut missing = Vec::new();
    for key in keys {
        match source.reference.as_deref().and_then(|r| cached(r, key)) {
            Some(row) => {
                found.insert(key.clone(), row);
            }
            None => missing.push(key.clone()),
        }
    }
    if !missing.is_empty() {
        for row in fetch(missing).await? {
            found.insert(key_of(&row), row);
        }
    }
    Ok(found)
}

/// A region by code: from the registry's copy, SQL only for codes it lacks.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RegionByCode(pub String);

impl Loader<RegionByCode> for Source {
    type Value = region::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[RegionByCode]) -> Result<HashMap<RegionByCode, region::Model>, LoadError> {
        cached_or_fetched(
            self,
            keys,
            |r, k| r.region_row(&k.0).cloned(),
            |missing| {
                let codes: Vec<String> = missing.into_iter().map(|k| k.0).collect();
                region::Entity::find().filter(region::Column::Code.is_in(codes)).all(&self.db)
            },
            |row| RegionByCode(row.code.clone()),
        )
        .await
    }
}

/// An agency by id: from the registry's copy, SQL only for ids it lacks.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AgencyById(pub i64);

impl Loader<AgencyById> for Source {
    type Value = agency::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[AgencyById]) -> Result<HashMap<AgencyById, agency::Model>, LoadError> {
        cached_or_fetched(
            self,
            keys,
            |r, k| r.agency_row(k.0).cloned(),
            |missing| {
                let ids: Vec<i64> = missing.into_iter().map(|k| k.0).collect();
                agency::Entity::find().filter(agency::Column::Id.is_in(ids)).all(&self.db)
            },
            |row| AgencyById(row.id),
        )
        .await
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
