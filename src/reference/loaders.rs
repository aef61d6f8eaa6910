//! Batch loaders of the reference slice: regions, their children and
//! aliases, agencies and elections. Reference data is public, so these
//! apply no scope.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{agency, election, region, region_alias};
use crate::graphql::batch::loader;

loader!(
    /// A region by code.
    RegionByCode(String) => one region::Model,
    |_s, keys| region::Entity::find().filter(region::Column::Code.is_in(keys)),
    |r| r.code.clone()
);
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
    /// An agency by id.
    AgencyById(i64) => one agency::Model,
    |_s, keys| agency::Entity::find().filter(agency::Column::Id.is_in(keys)),
    |r| r.id
);
loader!(
    /// An election by id.
    ElectionById(i64) => one election::Model,
    |_s, keys| election::Entity::find().filter(election::Column::Id.is_in(keys)),
    |r| r.id
);
