//! Reads of officials, always through the policy's scope.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, Order, QueryFilter};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::domain::{Nip, SubjectKind};
use crate::entity::official;
use crate::error::AppResult;
use crate::pagination::{Page, PageRequest};
use crate::policy;

/// Filter of the `officials` list.
#[derive(Debug, Default)]
pub struct OfficialFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Only these kinds.
    pub subject_kinds: Vec<SubjectKind>,
    /// Only officials working in this region's subtree.
    pub work_region: Option<crate::domain::RegionCode>,
}

/// Keyset position in the name-ordered list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OfficialCursor {
    name: String,
    id: i64,
}

impl OfficialCursor {
    /// The cursor of `m` (the same whichever way the page runs).
    pub fn of(m: &official::Model) -> Self {
        Self { name: m.full_name.clone(), id: m.id }
    }
}

/// The list's keyset: by name, then id.
const ORDER: [(official::Column, Order); 2] =
    [(official::Column::FullName, Order::Asc), (official::Column::Id, Order::Asc)];

/// One official by exact NIP. Bawaslu may find any official (to open a
/// case); every other caller only the subjects of its visible cases.
pub async fn official_by_nip(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    nip: &Nip,
) -> AppResult<Option<official::Model>> {
    let mut q = official::Entity::find().filter(official::Column::Nip.eq(nip.as_str()));
    if !policy::may_lookup_any_official_by_nip(viewer) {
        q = q.filter(policy::official_scope(viewer));
    }
    Ok(q.one(db).await?)
}

/// One official by id, within scope.
pub async fn official_by_id(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    id: i64,
) -> AppResult<Option<official::Model>> {
    Ok(official::Entity::find_by_id(id).filter(policy::official_scope(viewer)).one(db).await?)
}

/// A page of the officials in scope.
pub async fn officials(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &OfficialFilter,
    page: &PageRequest<OfficialCursor>,
) -> AppResult<Page<official::Model>> {
    let mut cond = Condition::all().add(policy::official_scope(viewer));
    if let Some(name) = filter.name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = crate::db::contains_pattern(&name.to_lowercase());
        cond =
            cond.add(Expr::expr(Func::lower(Expr::col((official::Entity, official::Column::FullName)))).like(pattern));
    }
    if !filter.subject_kinds.is_empty() {
        cond = cond.add(official::Column::SubjectKind.is_in(filter.subject_kinds.clone()));
    }
    if let Some(region) = &filter.work_region {
        cond = cond.add(official::work_area(region));
    }
    let scoped = official::Entity::find().filter(cond);
    let total = page.total(scoped.clone(), db).await?;
    page.fetch(db, scoped, &ORDER, |c, _| Ok(vec![c.name.clone().into(), c.id.into()]), total).await
}
