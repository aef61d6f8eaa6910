//! Request-scoped batch loaders. Each nested field of a page asks its loader
//! for one key; the loader answers all keys of the same kind in one SQL
//! statement, so a page costs a constant number of statements whatever its
//! size. Loaders that return case data apply the caller's policy scope in the
//! same statement. They live in request data, so their caches never cross
//! callers.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::auth::Principal;
use crate::domain::DecisionKind;
use crate::entity::{
    agency, agency_decision, allegation, case, case_event, election, escalation, evidence, execution_check, forwarding,
    official, region, region_alias, reporter,
};
use crate::error::AppError;
use crate::policy;

/// Errors a loader can return (cloneable, as the loader API requires).
pub type LoadError = Arc<sea_orm::DbErr>;

/// The batch source of one request: the pool and the caller.
pub struct Source {
    db: DatabaseConnection,
    viewer: Option<Principal>,
}

/// This request's loaders.
pub struct Loaders(DataLoader<Source>);

impl Loaders {
    /// Loaders for one request by `viewer`.
    pub fn new(db: DatabaseConnection, viewer: Option<Principal>) -> Self {
        Self(DataLoader::new(Source { db, viewer }, tokio::spawn))
    }

    /// Loads one value; `None` if absent or out of scope.
    pub async fn one<K>(&self, key: K) -> Result<Option<<Source as Loader<K>>::Value>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Source: Loader<K, Error = LoadError>,
    {
        self.0.load_one(key).await.map_err(|e| AppError::Internal(anyhow::anyhow!("loader: {e}")))
    }

    /// Loads a list-valued key; empty if absent or out of scope.
    pub async fn many<K, V>(&self, key: K) -> Result<Vec<V>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Source: Loader<K, Value = Vec<V>, Error = LoadError>,
    {
        Ok(self.one(key).await?.unwrap_or_default())
    }
}

/// Groups models by a key.
fn group<M, K: Hash + Eq>(rows: Vec<M>, key: impl Fn(&M) -> K) -> HashMap<K, Vec<M>> {
    let mut out: HashMap<K, Vec<M>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

/// Declares a key type and its loader: `rows` builds the statement for all
/// keys, `key` extracts the grouping key of a row. `one` loaders keep the
/// first row per key; `many` loaders keep them all.
macro_rules! loader {
    ($(#[$m:meta])* $key:ident($kty:ty) => one $model:ty, |$src:ident, $keys:ident| $rows:expr, |$row:ident| $keyof:expr) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $kty);

        impl Loader<$key> for Source {
            type Value = $model;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $model>, LoadError> {
                let $src = self;
                let $keys: Vec<$kty> = keys.iter().map(|k| k.0.clone()).collect();
                let rows: Vec<$model> = $rows.all(&self.db).await?;
                Ok(rows.into_iter().map(|$row| ($key($keyof), $row)).collect())
            }
        }
    };
    ($(#[$m:meta])* $key:ident($kty:ty) => many $model:ty, |$src:ident, $keys:ident| $rows:expr, |$row:ident| $keyof:expr) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $kty);

        impl Loader<$key> for Source {
            type Value = Vec<$model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$model>>, LoadError> {
                let $src = self;
                let $keys: Vec<$kty> = keys.iter().map(|k| k.0.clone()).collect();
                let rows: Vec<$model> = $rows.all(&self.db).await?;
                Ok(group(rows, |$row| $keyof).into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

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
loader!(
    /// An official by id, within the caller's official scope.
    OfficialById(i64) => one official::Model,
    |s, keys| official::Entity::find()
        .filter(official::Column::Id.is_in(keys))
        .filter(policy::official_scope(s.viewer.as_ref())),
    |r| r.id
);
loader!(
    /// A case by id, within the caller's case scope.
    CaseById(i64) => one case::Model,
    |s, keys| case::Entity::find().filter(case::Column::Id.is_in(keys)).filter(policy::case_scope(s.viewer.as_ref())),
    |r| r.id
);
loader!(
    /// The allegations of a case, within scope.
    AllegationsOfCase(i64) => many allegation::Model,
    |s, keys| allegation::Entity::find()
        .filter(allegation::Column::CaseId.is_in(keys))
        .filter(policy::allegation_scope(s.viewer.as_ref()))
        .order_by_asc(allegation::Column::Id),
    |r| r.case_id
);
loader!(
    /// The reporter of a case, only where the caller may see reporters.
    ReporterOfCase(i64) => one reporter::Model,
    |s, keys| reporter::Entity::find()
        .filter(reporter::Column::CaseId.is_in(keys))
        .filter(policy::reporter_scope(s.viewer.as_ref())),
    |r| r.case_id
);
loader!(
    /// The evidence metadata of a case, where the caller may see evidence.
    EvidenceOfCase(i64) => many evidence::Model,
    |s, keys| evidence::Entity::find()
        .filter(evidence::Column::CaseId.is_in(keys))
        .filter(policy::evidence_case_ids(s.viewer.as_ref()))
        .order_by_asc(evidence::Column::Id),
    |r| r.case_id
);
loader!(
    /// The timeline of a case, oldest first.
    EventsOfCase(i64) => many case_event::Model,
    |s, keys| case_event::Entity::find()
        .filter(case_event::Column::CaseId.is_in(keys))
        .filter(Condition::all().add(case_event::Column::CaseId.in_subquery(policy::visible_case_ids(s.viewer.as_ref()))))
        .order_by_asc(case_event::Column::OccurredAt)
        .order_by_asc(case_event::Column::Id),
    |r| r.case_id
);
loader!(
    /// The forwardings of an allegation (allegations are reached only in scope).
    ForwardingsOfAllegation(i64) => many forwarding::Model,
    |_s, keys| forwarding::Entity::find().filter(forwarding::Column::AllegationId.is_in(keys)).order_by_asc(forwarding::Column::Id),
    |r| r.allegation_id
);
loader!(
    /// The decisions on a forwarding, oldest first.
    DecisionsOfForwarding(i64) => many agency_decision::Model,
    |_s, keys| agency_decision::Entity::find()
        .filter(agency_decision::Column::ForwardingId.is_in(keys))
        .order_by_asc(agency_decision::Column::DecidedOn)
        .order_by_asc(agency_decision::Column::Id),
    |r| r.forwarding_id
);
loader!(
    /// The escalations of a forwarding.
    EscalationsOfForwarding(i64) => many escalation::Model,
    |_s, keys| escalation::Entity::find().filter(escalation::Column::ForwardingId.is_in(keys)).order_by_asc(escalation::Column::Id),
    |r| r.forwarding_id
);
loader!(
    /// The execution checks of a decision.
    ChecksOfDecision(i64) => many execution_check::Model,
    |_s, keys| execution_check::Entity::find().filter(execution_check::Column::DecisionId.is_in(keys)).order_by_asc(execution_check::Column::Id),
    |r| r.decision_id
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
            list.sort_by(|a, b| (b.received_on, b.id).cmp(&(a.received_on, a.id)));
        }
        Ok(out)
    }
}

/// The sanctions decided in a case: decisions other than verification and
/// recommendation that carry a sanction code, oldest first, within scope.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SanctionsOfCase(pub i64);

impl Loader<SanctionsOfCase> for Source {
    type Value = Vec<agency_decision::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[SanctionsOfCase]) -> Result<HashMap<SanctionsOfCase, Self::Value>, LoadError> {
        let case_ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let stmt = Query::select()
            .column((forwarding::Entity, forwarding::Column::Id))
            .column((allegation::Entity, allegation::Column::CaseId))
            .from(forwarding::Entity)
            .inner_join(
                allegation::Entity,
                Expr::col((allegation::Entity, allegation::Column::Id))
                    .equals((forwarding::Entity, forwarding::Column::AllegationId)),
            )
            .and_where(Expr::col((allegation::Entity, allegation::Column::CaseId)).is_in(case_ids))
            .and_where(
                Expr::col((allegation::Entity, allegation::Column::CaseId))
                    .in_subquery(policy::visible_case_ids(self.viewer.as_ref())),
            )
            .to_owned();
        let backend = self.db.get_database_backend();
        let mut case_of_forwarding: HashMap<i64, i64> = HashMap::new();
        for row in self.db.query_all(backend.build(&stmt)).await? {
            case_of_forwarding.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        }
        let decisions = agency_decision::Entity::find()
            .filter(agency_decision::Column::ForwardingId.is_in(case_of_forwarding.keys().copied()))
            .filter(agency_decision::Column::SanctionCode.is_not_null())
            .filter(agency_decision::Column::Kind.is_not_in([DecisionKind::Verification, DecisionKind::Recommendation]))
            .order_by_asc(agency_decision::Column::DecidedOn)
            .order_by_asc(agency_decision::Column::Id)
            .all(&self.db)
            .await?;
        Ok(group(decisions, |d| SanctionsOfCase(case_of_forwarding.get(&d.forwarding_id).copied().unwrap_or_default())))
    }
}
