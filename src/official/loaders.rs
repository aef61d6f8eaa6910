//! Batch loaders of the official slice: an official within the caller's
//! official scope, and the visible cases that name an official.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryTrait};

use crate::entity::{allegation, case, official};
use crate::graphql::batch::{loader, LoadError, Loader, Source};
use crate::policy;

loader!(
    /// An official by id, within the caller's official scope.
    OfficialById(i64) => one official::Model,
    |s, keys| official::Entity::find()
        .filter(official::Column::Id.is_in(keys))
        .filter(policy::official_scope(s.viewer.as_ref())),
    |r| r.id
);

/// The visible cases that name an official, newest first.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CasesOfOfficial(pub i64);

impl Loader<CasesOfOfficial> for Source {
    type Value = Vec<case::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[CasesOfOfficial]) -> Result<HashMap<CasesOfOfficial, Vec<case::Model>>, LoadError> {
        // One statement: the cases in scope, joined with the keys' allegations
        // (the case's scope is the allegation's).
        let officials: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut select = case::Entity::find()
            .filter(policy::case_scope(self.viewer.as_ref()))
            .order_by_desc(case::Column::ReceivedOn)
            .order_by_desc(case::Column::Id);
        QueryTrait::query(&mut select)
            .inner_join(
                allegation::Entity,
                Expr::col((allegation::Entity, allegation::Column::CaseId)).equals((case::Entity, case::Column::Id)),
            )
            .expr_as(Expr::col((allegation::Entity, allegation::Column::OfficialId)), Alias::new(CASE_OFFICIAL))
            .and_where(Expr::col((allegation::Entity, allegation::Column::OfficialId)).is_in(officials));
        let backend = self.db.get_database_backend();
        let mut out: HashMap<CasesOfOfficial, Vec<case::Model>> = HashMap::new();
        for row in self.db.query_all(backend.build(QueryTrait::query(&mut select))).await? {
            let official_id: i64 = row.try_get("", CASE_OFFICIAL)?;
            let c = case::Model::from_query_result(&row, "")?;
            // An official named twice in one case (two acts) lists it once.
            let list = out.entry(CasesOfOfficial(official_id)).or_default();
            if !list.iter().any(|x| x.id == c.id) {
                list.push(c);
            }
        }
        Ok(out)
    }
}

/// The alias of the official id the cases statement selects beside each case.
const CASE_OFFICIAL: &str = "case_official_id";
