//! The agency registry and the region tree, held in memory so that
//! authentication needs no database round trip: a request's first SQL
//! statement is its own query.
//!
//! Freshness: database triggers bump `registry_version` on every write to
//! `agency` or `region`, whoever writes them (migration
//! `m20261201_000001_create_registry_version`). A background task reads that
//! one row every [`POLL_INTERVAL`] and reloads both tables when it moved; on
//! PostgreSQL it also listens on the `netra_registry` channel, so a change
//! made by any instance is seen at once. In-process writers may call
//! [`Registry::refresh`] to see their own change immediately.
//!
//! Availability: once loaded, the snapshot stays in use while the database is
//! unreachable (a failed refresh keeps the last good copy and is retried), so
//! an outage never turns a valid token into a refusal. Before the first load
//! [`Registry::is_loaded`] is false and [`Registry::snapshot`] waits at most
//! [`READY_WAIT`] for it.
//!
//! The task works through its own handle on the pool, without the metric
//! callback of the application's connection: its statements are not the
//! request's. It holds only a weak reference to the registry and stops when
//! the last [`Registry`] is dropped. Nothing here decides access.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, SqlxPostgresConnector, SqlxSqliteConnector,
    Statement,
};
use tokio::sync::watch;

use crate::domain::AgencyKind;
use crate::entity::{agency, region};

/// How often the version row is read.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How long a request waits for the first load before it is refused.
pub const READY_WAIT: Duration = Duration::from_secs(1);
/// The PostgreSQL channel the version trigger notifies.
pub const CHANNEL: &str = "netra_registry";

/// One agency of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredAgency {
    /// Registry id.
    pub id: i64,
    /// Code, e.g. `BAWASLU-16`.
    pub code: String,
    /// Kind.
    pub kind: AgencyKind,
    /// Root of its jurisdiction; `None` = national.
    pub region_code: Option<String>,
    /// First day it holds its role.
    pub valid_from: NaiveDate,
    /// Last day, for a dissolved agency.
    pub valid_to: Option<NaiveDate>,
}

impl RegisteredAgency {
    /// Whether the agency holds its role on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| to >= day)
    }
}

/// One region of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredRegion {
    /// Kemendagri code.
    pub code: String,
    /// 1 = province, 2 = kabupaten/kota, 3 = kecamatan, 4 = village.
    pub level: u8,
    /// Parent code; `None` for a province.
    pub parent_code: Option<String>,
}

/// A consistent copy of the registry at one version.
#[derive(Debug, Default)]
pub struct Snapshot {
    version: i64,
    agencies: HashMap<String, RegisteredAgency>,
    regions: HashMap<String, RegisteredRegion>,
    /// The full rows, for the reference fields of answers (`Case.region`,
    /// `Case.handlingAgency`, …): a few hundred rows that every nested page
    /// would otherwise fetch again.
    agency_rows: HashMap<i64, agency::Model>,
    region_rows: HashMap<String, region::Model>,
}

impl Snapshot {
    /// The `registry_version` this copy was loaded at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The agency with `code`, active or not.
    pub fn agency(&self, code: &str) -> Option<&RegisteredAgency> {
        self.agencies.get(code)
    }

    /// The region with `code`.
    pub fn region(&self, code: &str) -> Option<&RegisteredRegion> {
        self.regions.get(code)
    }

    /// The agency row with `id`.
    pub fn agency_row(&self, id: i64) -> Option<&agency::Model> {
        self.agency_rows.get(&id)
    }

    /// The region row with `code`.
    pub fn region_row(&self, code: &str) -> Option<&region::Model> {
        self.region_rows.get(code)
    }

    /// Number of agencies and regions, for logs.
    pub fn sizes(&self) -> (usize, usize) {
        (self.agencies.len(), self.regions.len())
    }
}

struct Inner {
    /// The uncounted handle on the application's pool.
    db: DatabaseConnection,
    current: RwLock<Option<Arc<Snapshot>>>,
    loaded: watch::Sender<bool>,
}

/// The in-memory registry; cheap to clone.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

/// A handle on `db`'s pool that does not report to `db`'s metric callback,
/// for background tasks whose statements are not a request's.
pub fn uncounted(db: &DatabaseConnection) -> DatabaseConnection {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            SqlxPostgresConnector::from_sqlx_postgres_pool(db.get_postgres_connection_pool().clone())
        }
        _ => SqlxSqliteConnector::from_sqlx_sqlite_pool(db.get_sqlite_connection_pool().clone()),
    }
}

/// Reads the version row.
async fn read_version(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let stmt = Statement::from_string(db.get_database_backend(), "SELECT version FROM registry_version WHERE id = 1");
    let row = db.query_one(stmt).await?.ok_or_else(|| DbErr::RecordNotFound("registry_version".into()))?;
    row.try_get_by_index::<i64>(0)
}

/// Loads both tables, reading the version first: a write that lands in
/// between is then seen again at the next poll, never missed.
async fn load(db: &DatabaseConnection) -> Result<Snapshot, DbErr> {
    let version = read_version(db).await?;
    let agency_rows: HashMap<i64, agency::Model> =
        agency::Entity::find().all(db).await?.into_iter().map(|a| (a.id, a)).collect();
    let agencies = agency_rows
        .values()
        .map(|a| {
            let r = RegisteredAgency {
                id: a.id,
                code: a.code.clone(),
                kind: a.kind,
                region_code: a.region_code.clone(),
                valid_from: a.valid_from,
                valid_to: a.valid_to,
            };
            (r.code.clone(), r)
        })
        .collect();
    let region_rows: HashMap<String, region::Model> =
        region::Entity::find().all(db).await?.into_iter().map(|r| (r.code.clone(), r)).collect();
    let regions = region_rows
        .values()
        .map(|r| {
            let level = u8::try_from(r.level).unwrap_or(0);
            (r.code.clone(), RegisteredRegion { code: r.code.clone(), level, parent_code: r.parent_code.clone() })
        })
        .collect();
    Ok(Snapshot { version, agencies, regions, agency_rows, region_rows })
}

impl Registry {
    /// A registry over `db`, loading in the background at once and then
    /// following changes. Call inside a Tokio runtime.
    pub fn start(db: &DatabaseConnection) -> Self {
        let registry = Self::unloaded(db);
        tokio::spawn(follow(Arc::downgrade(&registry.inner)));
        registry
    }

    /// A registry over `db`, loaded before it returns, that follows nothing:
    /// for one-shot tools. [`Registry::refresh`] still works.
    pub async fn load_once(db: &DatabaseConnection) -> Result<Self, DbErr> {
        let registry = Self::unloaded(db);
        registry.refresh().await?;
        Ok(registry)
    }

    fn unloaded(db: &DatabaseConnection) -> Self {
        let (loaded, _) = watch::channel(false);
        Self { inner: Arc::new(Inner { db: uncounted(db), current: RwLock::new(None), loaded }) }
    }

    /// Whether a copy has been loaded (it then stays available).
    pub fn is_loaded(&self) -> bool {
        *self.inner.loaded.borrow()
    }

    /// The current copy, waiting at most [`READY_WAIT`] for the first load.
    pub async fn snapshot(&self) -> Option<Arc<Snapshot>> {
        if let Some(s) = self.current() {
            return Some(s);
        }
        let mut rx = self.inner.loaded.subscribe();
        let _ = tokio::time::timeout(READY_WAIT, rx.wait_for(|loaded| *loaded)).await;
        self.current()
    }

    /// The current copy without waiting, `None` before the first load.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.inner.current.read().ok().and_then(|c| c.clone())
    }

    /// Reloads when the version row moved (or nothing is loaded yet).
    /// Returns whether a new copy was installed.
    pub async fn refresh(&self) -> Result<bool, DbErr> {
        let have = self.current().map(|s| s.version);
        if have.is_some() && have == Some(read_version(&self.inner.db).await?) {
            return Ok(false);
        }
        let fresh = load(&self.inner.db).await?;
        let (agencies, regions) = fresh.sizes();
        tracing::debug!(version = fresh.version, agencies, regions, "agency registry loaded");
        if let Ok(mut current) = self.inner.current.write() {
            *current = Some(Arc::new(fresh));
        }
        self.inner.loaded.send_replace(true);
        Ok(true)
    }
}

/// The background task: refresh now, then on every notification and poll,
/// until the registry is dropped.
async fn follow(inner: Weak<Inner>) {
    let mut listener = None;
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let Some(strong) = inner.upgrade() else { return };
        let registry = Registry { inner: strong };
        if let Err(e) = registry.refresh().await {
            // Keep the last good copy; try again at the next tick.
            tracing::warn!(error = %e, "agency registry refresh failed; keeping the loaded copy");
        }
        if listener.is_none() && registry.inner.db.get_database_backend() == DbBackend::Postgres {
            listener = listen(&registry.inner.db).await;
        }
        drop(registry);
        match listener.as_mut() {
            Some(l) => {
                tokio::select! {
                    msg = l.try_recv() => match msg {
                        Ok(Some(_)) => {}
                        // The connection was lost (notifications may be missed) or failed:
                        // refresh by polling and listen again later.
                        Ok(None) | Err(_) => listener = None,
                    },
                    _ = tick.tick() => {}
                }
            }
            None => {
                tick.tick().await;
            }
        }
    }
}

/// A listener on [`CHANNEL`], or `None` when one cannot be opened now.
async fn listen(db: &DatabaseConnection) -> Option<sea_orm::sqlx::postgres::PgListener> {
    let pool = db.get_postgres_connection_pool();
    let mut l = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await.ok()?;
    l.listen(CHANNEL).await.ok()?;
    Some(l)
}
