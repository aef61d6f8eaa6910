//! The batching machinery behind every nested field: request-scoped loaders
//! and peer sets. Each nested field of a page asks for one key; all keys of
//! the same kind are answered in one SQL statement, so a page costs a
//! constant number of statements whatever its size. The key types and their
//! statements live in the slices (`case::loaders`, `official::loaders`,
//! `reference::loaders`), declared with [`loader!`]; loaders that return case
//! data apply the caller's policy scope in the same statement. Loaders live
//! in request data, so their caches never cross callers.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use async_graphql::dataloader::Loader;
use async_graphql::dataloader::{DataLoader, HashMapCache};
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use crate::auth::Principal;
use crate::error::AppError;

/// Errors a loader can return (cloneable, as the loader API requires).
pub type LoadError = Arc<sea_orm::DbErr>;

/// The batch source of one request: the pool and the caller. The slices
/// implement `Loader<TheirKey>` for it (see [`loader!`]).
pub struct Source {
    /// The pool.
    pub(crate) db: DatabaseConnection,
    /// The caller, whose policy scope case-data loaders apply.
    pub(crate) viewer: Option<Principal>,
    /// The in-memory registry at the start of the request: reference rows
    /// (agencies, regions) are answered from it without SQL.
    pub(crate) reference: Option<Arc<crate::registry::Snapshot>>,
}

/// Identifies one peer set for the life of the process: the batching cache
/// is keyed by it, never by a memory address that a freed set could hand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerSetId(u64);

impl PeerSetId {
    fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
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
    /// The identity of `peers`, shared by every member.
    set: PeerSetId,
}

impl<M: Clone> Peered<M> {
    /// Wraps a list of models as peers of each other.
    pub fn all(models: Vec<M>) -> Vec<Self> {
        let peers: Arc<[M]> = models.clone().into();
        let set = PeerSetId::fresh();
        models.into_iter().map(|this| Self { this, peers: peers.clone(), set }).collect()
    }

    /// Wraps a single model.
    pub fn one(this: M) -> Self {
        Self { peers: Arc::from(vec![this.clone()]), this, set: PeerSetId::fresh() }
    }

    /// `this` as a member of the loaded set `peers` identified by `set`.
    fn member(this: M, peers: &Arc<[M]>, set: PeerSetId) -> Self {
        Self { this, peers: peers.clone(), set }
    }
}

/// Declares `From<model>` for GraphQL wrapper types over a [`Peered`] model.
#[macro_export]
macro_rules! peered_from {
    ($($ty:ident: $model:ty),+ $(,)?) => {
        $(impl From<$model> for $ty {
            fn from(m: $model) -> Self {
                Self($crate::graphql::batch::Peered::one(m))
            }
        })+
    };
}

/// One batch loaded for a peer set: values by key, and all of them as the
/// peer set of the next level.
pub struct Loaded<K, V, E> {
    map: HashMap<K, V>,
    peers: Arc<[E]>,
    set: PeerSetId,
}

/// The cell one relation's batch for one peer set is loaded into.
type BatchCell<K, V, E> = Arc<OnceCell<Arc<Loaded<K, V, E>>>>;

/// Batches already loaded, by (relation, parent peer set). A relation is
/// the type of its key function: every closure has a type of its own, and
/// the key, value and model types follow from it, so one slot always holds
/// one type.
type PeerCache = Mutex<HashMap<(TypeId, PeerSetId), Arc<dyn Any + Send + Sync>>>;

/// This request's loaders.
pub struct Loaders {
    loader: DataLoader<Source, HashMapCache>,
    peers: PeerCache,
}

impl Loaders {
    /// Loaders for one request by `viewer`. Values are cached for the
    /// request, which is what lets peers share one batch.
    pub fn new(db: DatabaseConnection, viewer: Option<Principal>) -> Self {
        Self::with_reference(db, viewer, None)
    }

    /// Loaders that answer agencies and regions from `reference` (the
    /// registry's copy), falling back to SQL for rows it does not hold yet.
    pub fn with_reference(
        db: DatabaseConnection,
        viewer: Option<Principal>,
        reference: Option<Arc<crate::registry::Snapshot>>,
    ) -> Self {
        Self {
            loader: DataLoader::with_cache(Source { db, viewer, reference }, tokio::spawn, HashMapCache::default()),
            peers: Mutex::new(HashMap::new()),
        }
    }

    /// The registry's copy of agencies and regions this request started
    /// with, if it was loaded: lookups by code that need no statement.
    pub fn reference(&self) -> Option<&crate::registry::Snapshot> {
        self.loader.loader().reference.as_deref()
    }

    fn internal(e: &LoadError) -> AppError {
        if crate::error::is_unavailable(e) {
            return AppError::Unavailable;
        }
        AppError::Internal(anyhow::anyhow!("loader: {e}"))
    }

    /// The cell holding the batch of one relation (identified by the type of
    /// its key function `F`) for `from`'s peer set. All peers share it, so the
    /// first to ask loads and the others wait for it.
    fn cell<F: 'static, K, V, E, M>(&self, from: &Peered<M>) -> Result<BatchCell<K, V, E>, AppError>
    where
        K: 'static,
        Loaded<K, V, E>: Send + Sync + 'static,
    {
        self.cell_of::<F, K, V, E>(from.set)
    }

    /// The cell of relation `F` for the peer set `set`.
    fn cell_of<F: 'static, K, V, E>(&self, set: PeerSetId) -> Result<BatchCell<K, V, E>, AppError>
    where
        K: 'static,
        Loaded<K, V, E>: Send + Sync + 'static,
    {
        let slot = (TypeId::of::<F>(), set);
        let mut map = self.peers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = map.entry(slot).or_insert_with(|| Arc::new(OnceCell::<Arc<Loaded<K, V, E>>>::new()));
        entry
            .clone()
            .downcast::<OnceCell<Arc<Loaded<K, V, E>>>>()
            .map_err(|_| AppError::Internal(anyhow::anyhow!("BUG: one batch slot holds two relation types")))
    }

    /// One batch of `keys`, straight from its statement. A peer set hands
    /// over all its keys at once and its cell keeps the result, so the
    /// `DataLoader`'s collecting window (a timer and a spawned task per
    /// batch) would only add latency.
    async fn load<K, V>(&self, keys: &[K]) -> Result<HashMap<K, V>, AppError>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        Source: Loader<K, Value = V, Error = LoadError>,
    {
        let mut out = HashMap::with_capacity(keys.len());
        // Bound the parameters of one statement (SQLite and PostgreSQL both
        // limit them); a page's batch is far below this.
        for chunk in keys.chunks(MAX_KEYS_PER_STATEMENT) {
            out.extend(Loader::load(self.loader.loader(), chunk).await.map_err(|e| Self::internal(&e))?);
        }
        Ok(out)
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
        let cell = self.cell::<F, K, V, V, M>(from)?;
        let loaded = cell
            .get_or_try_init(|| async {
                // `from.this` is one of `from.peers`, so its key is among these.
                let keys: Vec<K> = distinct(from.peers.iter().filter_map(&key));
                let map = self.load(&keys).await?;
                let peers: Arc<[V]> = map.values().cloned().collect();
                Ok::<_, AppError>(Arc::new(Loaded { map, peers, set: PeerSetId::fresh() }))
            })
            .await?;
        Ok(loaded.map.get(&own).cloned().map(|this| Peered::member(this, &loaded.peers, loaded.set)))
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
        let cell = self.cell::<F, K, Vec<V>, V, M>(from)?;
        let loaded = cell
            .get_or_try_init(|| async {
                let keys: Vec<K> = distinct(from.peers.iter().map(&key));
                let map = self.load(&keys).await?;
                let peers: Arc<[V]> = map.values().flatten().cloned().collect();
                Ok::<_, AppError>(Arc::new(Loaded { map, peers, set: PeerSetId::fresh() }))
            })
            .await?;
        let mine = loaded.map.get(&own).cloned().unwrap_or_default();
        Ok(mine.into_iter().map(|this| Peered::member(this, &loaded.peers, loaded.set)).collect())
    }

    /// The list `key` gives for `from`, each value with the single value
    /// of relation `side` it names, loaded for all of `from`'s peers by one
    /// statement (a join: the loader of `K` returns the pairs). The side
    /// values become `side`'s batch for the new peer set, so that
    /// `one(value, side)` answers from them without a statement of its own.
    /// The join must apply the same scope as `side`'s own loader would.
    pub async fn many_joined<M, K, V, F, SK, SV, S>(
        &self,
        from: &Peered<M>,
        key: F,
        side: S,
    ) -> Result<Vec<Peered<V>>, AppError>
    where
        F: Fn(&M) -> K + 'static,
        K: Send + Sync + Hash + Eq + Clone + 'static,
        V: Clone + Send + Sync + 'static,
        S: Fn(&V) -> Option<SK> + 'static,
        SK: Send + Sync + Hash + Eq + Clone + 'static,
        SV: Clone + Send + Sync + 'static,
        Source: Loader<K, Value = Vec<(V, SV)>, Error = LoadError>,
    {
        let own = key(&from.this);
        let cell = self.cell::<F, K, Vec<V>, V, M>(from)?;
        let loaded = cell
            .get_or_try_init(|| async {
                let keys: Vec<K> = distinct(from.peers.iter().map(&key));
                let joined = self.load(&keys).await?;
                let mut sides: HashMap<SK, SV> = HashMap::new();
                let mut map: HashMap<K, Vec<V>> = HashMap::with_capacity(joined.len());
                for (k, pairs) in joined {
                    let values = pairs
                        .into_iter()
                        .map(|(v, sv)| {
                            if let Some(sk) = side(&v) {
                                sides.insert(sk, sv);
                            }
                            v
                        })
                        .collect();
                    map.insert(k, values);
                }
                let peers: Arc<[V]> = map.values().flatten().cloned().collect();
                let loaded = Arc::new(Loaded { map, peers, set: PeerSetId::fresh() });
                let side_peers: Arc<[SV]> = sides.values().cloned().collect();
                let side_batch = Arc::new(Loaded { map: sides, peers: side_peers, set: PeerSetId::fresh() });
                let side_cell = self.cell_of::<S, SK, SV, SV>(loaded.set)?;
                // A fresh peer set: nobody can have filled its cell yet.
                let _ = side_cell.set(side_batch);
                Ok::<_, AppError>(loaded)
            })
            .await?;
        let mine = loaded.map.get(&own).cloned().unwrap_or_default();
        Ok(mine.into_iter().map(|this| Peered::member(this, &loaded.peers, loaded.set)).collect())
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

/// The value of a relation the data model always fills: a NOT NULL foreign
/// key whose row every caller who reaches the parent may also see (reference
/// rows, or case data under the same case scope as the parent). The schema
/// declares such a field non-null, so a missing row is a broken invariant:
/// `INTERNAL` naming the relation, never a silent null.
pub fn required<T>(found: Option<T>, relation: &'static str) -> Result<T, AppError> {
    found.ok_or_else(|| AppError::Internal(anyhow::anyhow!("BUG: the {relation} of a loaded row is missing")))
}

/// Most keys one batched statement binds.
const MAX_KEYS_PER_STATEMENT: usize = 4096;

/// The keys of `keys` without repeats, in first-seen order.
fn distinct<K: Hash + Eq + Clone>(keys: impl Iterator<Item = K>) -> Vec<K> {
    let mut seen = std::collections::HashSet::new();
    keys.filter(|k| seen.insert(k.clone())).collect()
}

/// Groups models by a key.
pub(crate) fn group<M, K: Hash + Eq>(rows: Vec<M>, key: impl Fn(&M) -> K) -> HashMap<K, Vec<M>> {
    let mut out: HashMap<K, Vec<M>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

/// Declares a key type and its loader (used by the slices): `rows` builds the statement for all
/// keys, `key` extracts the grouping key of a row. `one` loaders keep the
/// first row per key; `many` loaders keep them all.
macro_rules! loader {
    ($(#[$m:meta])* $key:ident($kty:ty) => one $model:ty, |$src:ident, $keys:ident| $rows:expr, |$row:ident| $keyof:expr) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $kty);

        impl $crate::graphql::batch::Loader<$key> for $crate::graphql::batch::Source {
            type Value = $model;
            type Error = $crate::graphql::batch::LoadError;

            async fn load(&self, keys: &[$key]) -> Result<std::collections::HashMap<$key, $model>, $crate::graphql::batch::LoadError> {
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

        impl $crate::graphql::batch::Loader<$key> for $crate::graphql::batch::Source {
            type Value = Vec<$model>;
            type Error = $crate::graphql::batch::LoadError;

            async fn load(&self, keys: &[$key]) -> Result<std::collections::HashMap<$key, Vec<$model>>, $crate::graphql::batch::LoadError> {
                let $src = self;
                let $keys: Vec<$kty> = keys.iter().map(|k| k.0.clone()).collect();
                let rows: Vec<$model> = $rows.all(&self.db).await?;
                Ok($crate::graphql::batch::group(rows, |$row| $keyof).into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

pub(crate) use loader;
