//! Batch loaders of the official slice: an official within the caller's
//! official scope, and the visible cases that name an official.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

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
        let officials: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let pairs: Vec<(i64, i64)> = allegation::Entity::find()
            .select_only()
            .column(allegation::Column::OfficialId)
            .column(allegation::Column::CaseId)
            .filter(allegation::Column::OfficialId.is_in(officials))
            .filter(policy::allegation_scope(self.viewer.as_ref()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let case_ids: Vec<i64> = pairs.iter().map(|p| p.1).collect();
        let cases: HashMap<i64, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(case_ids))
            .filter(policy::case_scope(self.viewer.as_ref()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let mut out: HashMap<CasesOfOfficial, Vec<case::Model>> = HashMap::new();
        for (official_id, case_id) in pairs {
            let list = out.entry(CasesOfOfficial(official_id)).or_default();
            if let Some(c) = cases.get(&case_id) {
                if !list.iter().any(|x| x.id == case_id) {
                    list.push(c.clone());
                }
            }
        }
        for list in out.values_mut() {
            list.sort_by_key(|c| std::cmp::Reverse((c.received_on, c.id)));
        }
        Ok(out)
    }
}
