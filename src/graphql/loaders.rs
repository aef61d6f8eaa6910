//! Request-scoped batch loaders. Each nested field of a page asks its loader
//! for one key; the loader answers all keys of the same kind in one SQL
//! statement, so a page costs a constant number of statements whatever its
//! size. Loaders that return case data apply the caller's policy scope in the
//! same statement. They live in request data, so their caches never cross
//! callers.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::OnceCell;

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

/// A model together with its peers: the other models produced by the same
/// load (the rows of one page, the allegations of all cases of that page…).
/// When a nested field is first resolved, it is loaded for every peer at once,
/// so each nested relation costs one statement per level whatever the page
/// size — independent of how the resolvers' timing falls.
#[derive(Clone)]
pub struct Peered<M> {
    /// This model.
    pub this: M,
    /// All models loaded together with it (itself included).
    pub peers: Arc<[M]>,
}

impl<M: Clone> Peered<M> {
    /// Wraps a list of models as peers of each other.
    pub fn all(models: Vec<M>) -> Vec<Self> {
        let peers: Arc<[M]> = models.clone().into();
        models.into_iter().map(|this| Self { this, peers: peers.clone() }).collect()
    }

    /// Wraps a single model.
    pub fn one(this: M) -> Self {
        Self { peers: Arc::from(vec![this.clone()]), this }
    }
}

/// Declares `From<model>` for GraphQL wrapper types over a [`Peered`] model.
#[macro_export]
macro_rules! peered_from {
    ($($ty:ident: $model:ty),+ $(,)?) => {
        $(impl From<$model> for $ty {
            fn from(m: $model) -> Self {
                Self($crate::graphql::loaders::Peered::one(m))
            }
        })+
    };
}

/// One batch loaded for a peer set: values by key, and all of them as the
/// peer set of the next level.
pub struct Loaded<K, V, E> {
    map: HashMap<K, V>,
    peers: Arc<[E]>,
}

/// Batches already loaded, by (key type, parent peer set).
type PeerCache = Mutex<HashMap<(TypeId, usize), Arc<dyn Any + Send + Sync>>>;

/// This request's loaders.
pub struct Loaders {
    loader: DataLoader<Source, HashMapCache>,
    peers: PeerCache,
}

impl Loaders {
    /// Loaders for one request by `viewer`. Values are cached for the
    /// request, which is what lets peers share one batch.
    pub fn new(db: DatabaseConnection, viewer: Option<Principal>) -> Self {
        Self {
            loader: DataLoader::with_cache(Source { db, viewer }, tokio::spawn, HashMapCache::default()),
            peers: Mutex::new(HashMap::new()),
        }
    }

    fn internal(e: &LoadError) -> AppError {
        AppError::Internal(anyhow::anyhow!("loader: {e}"))
    }

    /// The cell holding the batch of one relation (identified by the type of
    /// its key function `F`: every closure has a type of its own) for
    /// `from`'s peer set. All peers share it, so the first to ask loads and
    /// the others wait for it.
    fn cell<F: 'static, K, V, E, M>(&self, from: &Peered<M>) -> Arc<OnceCell<Arc<Loaded<K, V, E>>>>
    where
        K: 'static,
        Loaded<K, V, E>: Send + Sync + 'static,
    {
        let slot = (TypeId::of::<F>(), Arc::as_ptr(&from.peers).cast::<u8>() as usize);
        let mut map = self.peers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map.entry(slot).or_insert_with(|| Arc::new(OnceCell::<Arc<Loaded<K, V, E>>>::new()));
        match entry.clone().downcast::<OnceCell<Arc<Loaded<K, V, E>>>>() {
            Ok(cell) => cell,
            // A stale slot from a freed peer set of another type: replace it.
            Err(_) => {
                let cell = Arc::new(OnceCell::new());
                *entry = cell.clone();
                cell
            }
        }
    }

    /// The single value `key` gives for `from`, loaded for all of `from`'s peers.
    pub async fn one<M, K, V, F>(&self, from: &Peered<M>, key: F) -> Result<Option<Peered<V>>, AppError>
    where
        F: Fn(&M) -> Option<K> + 'static,
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Clone + Send + Sync + 'static,
        Source: Loader<K, Value = V, Error = LoadError>,
    {
        let Some(own) = key(&from.this) else { return Ok(None) };
        let cell = self.cell::<F, K, V, V, M>(from);
        let loaded = cell
            .get_or_try_init(|| async {
                let keys: Vec<K> = from.peers.iter().filter_map(&key).chain(std::iter::once(own.clone())).collect();
                let map = self.loader.load_many(keys).await.map_err(|e| Self::internal(&e))?;
                let peers: Arc<[V]> = map.values().cloned().collect();
                Ok::<_, AppError>(Arc::new(Loaded { map, peers }))
            })
            .await?;
        let found = loaded.map.get(&own).cloned();
        match found {
            Some(this) => Ok(Some(Peered { this, peers: loaded.peers.clone() })),
            // Not among the peers' batch (a stale slot): load it alone.
            None if !from.peers.iter().filter_map(&key).any(|k| k == own) => {
                Ok(self.loader.load_one(own).await.map_err(|e| Self::internal(&e))?.map(Peered::one))
            }
            None => Ok(None),
        }
    }

    /// The list `key` gives for `from`, loaded for all of `from`'s peers.
    pub async fn many<M, K, V, F>(&self, from: &Peered<M>, key: F) -> Result<Vec<Peered<V>>, AppError>
    where
        F: Fn(&M) -> K + 'static,
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Clone + Send + Sync + 'static,
        Source: Loader<K, Value = Vec<V>, Error = LoadError>,
    {
        let own = key(&from.this);
        let cell = self.cell::<F, K, Vec<V>, V, M>(from);
        let loaded = cell
            .get_or_try_init(|| async {
                let keys: Vec<K> = from.peers.iter().map(&key).chain(std::iter::once(own.clone())).collect();
                let map = self.loader.load_many(keys).await.map_err(|e| Self::internal(&e))?;
                let peers: Arc<[V]> = map.values().flatten().cloned().collect();
                Ok::<_, AppError>(Arc::new(Loaded { map, peers }))
            })
            .await?;
        let mine = match loaded.map.get(&own) {
            Some(list) => list.clone(),
            None if !from.peers.iter().map(&key).any(|k| k == own) => {
                self.loader.load_one(own).await.map_err(|e| Self::internal(&e))?.unwrap_or_default()
            }
            None => Vec::new(),
        };
        Ok(mine.into_iter().map(|this| Peered { this, peers: loaded.peers.clone() }).collect())
    }

    /// A single value by key, outside any peer set (e.g. the caller's agency).
    pub async fn by_key<K, V>(&self, key: K) -> Result<Option<Peered<V>>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Clone + Send + Sync + 'static,
        Source: Loader<K, Value = V, Error = LoadError>,
    {
        Ok(self.loader.load_one(key).await.map_err(|e| Self::internal(&e))?.map(Peered::one))
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
        .filter(policy::evidence_scope(s.viewer.as_ref()))
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
            list.sort_by_key(|c| std::cmp::Reverse((c.received_on, c.id)));
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

/// The number and state of the case an allegation belongs to. Only these two
/// facts, so that a follow-up list can say which case a forwarding concerns
/// and whether it still waits, without revealing the case itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaseRefOfAllegation(pub i64);

/// A case's number and state.
#[derive(Clone, Debug)]
pub struct CaseRef {
    /// Case number.
    pub number: String,
    /// Current state.
    pub state: crate::domain::CaseState,
}

impl Loader<CaseRefOfAllegation> for Source {
    type Value = CaseRef;
    type Error = LoadError;

    async fn load(&self, keys: &[CaseRefOfAllegation]) -> Result<HashMap<CaseRefOfAllegation, CaseRef>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let pairs: Vec<(i64, i64)> = allegation::Entity::find()
            .select_only()
            .column(allegation::Column::Id)
            .column(allegation::Column::CaseId)
            .filter(allegation::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        let cases: HashMap<i64, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(pairs.iter().map(|p| p.1)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(pairs
            .into_iter()
            .filter_map(|(a, c)| {
                cases.get(&c).map(|c| (CaseRefOfAllegation(a), CaseRef { number: c.number.clone(), state: c.state }))
            })
            .collect())
    }
}
