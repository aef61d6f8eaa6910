//! Wakes subscribers and delivery workers when entries commit. The hub holds
//! the newest entry id this instance knows of, in a `watch` channel. On
//! PostgreSQL a background task LISTENs on [`CHANNEL`](super::CHANNEL),
//! whose notifications (sent only on commit, by any instance) carry just the
//! id; it also polls as a fallback for a lost connection. On SQLite the task
//! polls the newest id. A subscriber that wakes reads its entries through its
//! own scope (`feed::after`); a notification never carries data.
//!
//! The task uses a handle on the pool that does not report to the
//! application's metric callback, and stops when the last [`Hub`] is dropped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use tokio::sync::watch;

use super::feed;

/// How often the newest id is read on SQLite.
pub const SQLITE_POLL: Duration = Duration::from_millis(100);
/// How often it is read on PostgreSQL besides the notifications.
pub const POSTGRES_POLL: Duration = Duration::from_secs(2);

struct Inner {
    db: DatabaseConnection,
    head: watch::Sender<i64>,
}

/// The wake-up signal of the change feed; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl Hub {
    /// A hub over `db`, following new entries in the background. Call inside a Tokio runtime.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (head, _) = watch::channel(0);
        let hub = Self { inner: Arc::new(Inner { db: crate::registry::uncounted(db), head }) };
        tokio::spawn(follow(Arc::downgrade(&hub.inner)));
        hub
    }

    /// A receiver of the newest known entry id.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.inner.head.subscribe()
    }

    /// Tells the hub that entries up to `id` committed (an in-process writer
    /// may call it to skip the poll interval).
    pub fn seen(&self, id: i64) {
        self.inner.head.send_if_modified(|h| {
            let newer = id > *h;
            if newer {
                *h = id;
            }
            newer
        });
    }
}

async fn follow(inner: Weak<Inner>) {
    let mut listener = None;
    loop {
        let Some(strong) = inner.upgrade() else { return };
        let hub = Hub { inner: strong };
        let pg = hub.inner.db.get_database_backend() == DbBackend::Postgres;
        match feed::head(&hub.inner.db).await {
            Ok(id) => hub.seen(id),
            Err(e) => tracing::warn!(error = %e, "change feed: reading the newest entry failed"),
        }
        if pg && listener.is_none() {
            listener = listen(&hub.inner.db).await;
        }
        let poll = if pg { POSTGRES_POLL } else { SQLITE_POLL };
        match listener.as_mut() {
            Some(l) => {
                // Wait for a notification or the poll, without holding the hub.
                drop(hub);
                tokio::select! {
                    msg = l.try_recv() => match msg {
                        Ok(Some(n)) => {
                            if let (Some(strong), Ok(id)) = (inner.upgrade(), n.payload().parse::<i64>()) {
                                Hub { inner: strong }.seen(id);
                            }
                        }
                        Ok(None) | Err(_) => listener = None,
                    },
                    () = tokio::time::sleep(poll) => {}
                }
            }
            None => {
                drop(hub);
                tokio::time::sleep(poll).await;
            }
        }
    }
}

async fn listen(db: &DatabaseConnection) -> Option<sea_orm::sqlx::postgres::PgListener> {
    let pool = db.get_postgres_connection_pool();
    let mut l = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await.ok()?;
    l.listen(super::CHANNEL).await.ok()?;
    Some(l)
}
