//! Reading the outbox through the caller's scope: the `changes` connection
//! (catch-up) and the batches a subscription pushes. Ids ascend in commit
//! order, so "after id N" misses nothing and repeats nothing.

use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ChangeKind;
use crate::auth::Principal;
use crate::entity::{case, change_entry};
use crate::error::AppResult;
use crate::pagination::{Page, PageRequest};
use crate::policy;

/// Which entries a caller asks for; the policy's scope applies on top.
#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    /// Only these kinds; `None` = all.
    pub kinds: Option<Vec<ChangeKind>>,
    /// Only the entries of this case (by number).
    pub case_number: Option<String>,
}

impl ChangeFilter {
    /// The filter as a condition on `change_entry`.
    pub fn condition(&self) -> Condition {
        let mut cond = Condition::all();
        if let Some(kinds) = &self.kinds {
            cond = cond.add(change_entry::Column::Kind.is_in(kinds.iter().map(|k| k.as_str())));
        }
        if let Some(number) = &self.case_number {
            let ids = sea_orm::sea_query::Query::select()
                .column(case::Column::Id)
                .from(case::Entity)
                .and_where(case::Column::Number.eq(number.as_str()))
                .to_owned();
            cond = cond.add(change_entry::Column::CaseId.in_subquery(ids));
        }
        cond
    }

    /// Whether an entry of `kind` passes the kind filter.
    pub fn admits(&self, kind: &str) -> bool {
        self.kinds.as_ref().is_none_or(|ks| ks.iter().any(|k| k.as_str() == kind))
    }
}

/// One page of the caller's entries after the cursor (an entry id), oldest first.
pub async fn page(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &ChangeFilter,
    req: &PageRequest<i64>,
) -> AppResult<Page<change_entry::Model>> {
    let scoped = change_entry::Entity::find().filter(policy::change_scope(viewer)).filter(filter.condition());
    let total = req.total(scoped.clone(), db).await?;
    let fetched = scoped
        .filter(change_entry::Column::Id.gt(req.after.unwrap_or(0)))
        .order_by_asc(change_entry::Column::Id)
        .limit(req.size + 1)
        .all(db)
        .await?;
    Ok(Page::from_overfetch(fetched, req.size, total))
}

/// Up to `limit` of the caller's entries with id above `after`, oldest first.
pub async fn after(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &ChangeFilter,
    after: i64,
    limit: u64,
) -> AppResult<Vec<change_entry::Model>> {
    Ok(change_entry::Entity::find()
        .filter(policy::change_scope(viewer))
        .filter(filter.condition())
        .filter(change_entry::Column::Id.gt(after))
        .order_by_asc(change_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// The newest entry id, visible or not (0 when the outbox is empty): where a
/// new subscription without a cursor starts.
pub async fn head(db: &DatabaseConnection) -> AppResult<i64> {
    let max: Option<Option<i64>> = change_entry::Entity::find()
        .select_only()
        .column_as(change_entry::Column::Id.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}
