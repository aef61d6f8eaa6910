//! Database connection and migration. SQLite is the embedded default (a file
//! created on first start); PostgreSQL is the production engine.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

/// Prepared statements kept per connection. sqlx's default is 100; netra's
/// batched loads send one text per list length (`IN ($1, …, $n)`), so a
/// deep page alone can use dozens, and a miss costs a parse and plan.
pub const STATEMENT_CACHE: usize = 512;

/// The CPUs this process may use.
fn cores() -> u32 {
    std::thread::available_parallelism().map_or(2, |n| u32::try_from(n.get()).unwrap_or(2))
}

/// PostgreSQL pool size for a machine with `cores` CPUs: four connections per
/// core (a request waits on the database most of its time, and the audit
/// writer and the registry listener hold one each), at least 16, at most 64
/// (beyond that PostgreSQL spends its time switching, not working). See
/// docs/performance.md.
pub fn pool_size(cores: u32) -> u32 {
    (cores * 4).clamp(16, 64)
}

/// The acquire timeout of tools and tests; `serve` uses NETRA_DB_ACQUIRE_TIMEOUT_MS.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections of the audit writer's own pool (PostgreSQL): request events
/// never wait behind requests for a connection, and requests never wait
/// behind a stuck audit commit.
pub const AUDIT_POOL_SIZE: u32 = 2;

/// The session settings of every PostgreSQL connection: the statement cache.
///
/// PostgreSQL keeps its default `plan_cache_mode = auto`: after five runs
/// of a cached statement it may reuse a generic plan, made without the
/// values, and planning is most of the database's work for netra's short
/// statements (0.3-0.9 ms to plan a nested load that runs in 0.05 ms, at
/// national scale). netra's statements are written so that their generic
/// plans are as good as custom ones: batched loads name their keys inside
/// the scope sub-select (`policy::visible_case_ids_among`), and the planner
/// knows that a case's regency decides its province (migration
/// `m20261208_000001`). An operator who still wants a plan per execution
/// sets it on netra's database role (`ALTER ROLE … SET plan_cache_mode =
/// force_custom_plan`); see docs/performance.md.
fn postgres_session(o: sea_orm::sqlx::postgres::PgConnectOptions) -> sea_orm::sqlx::postgres::PgConnectOptions {
    o.statement_cache_capacity(STATEMENT_CACHE)
}

/// A pooled PostgreSQL connection idle at least this long is tested (a
/// round trip) before it is handed out.
const TEST_WHEN_IDLE: Duration = Duration::from_secs(1);

/// `pool` testing a connection before handing it out only when it sat idle
/// for [`TEST_WHEN_IDLE`]: a connection that served a statement a moment ago
/// is used as it is. sqlx's default tests every one, a round trip before
/// each of a request's statements (6 % of netra's CPU on a page of 50 cases
/// at national scale); the connections left over from before a database
/// restart have all been idle and are still tested, and closed if dead.
fn tested_when_idle(
    pool: sea_orm::sqlx::pool::PoolOptions<sea_orm::sqlx::Postgres>,
) -> sea_orm::sqlx::pool::PoolOptions<sea_orm::sqlx::Postgres> {
    use sea_orm::sqlx::Connection as _;
    pool.test_before_acquire(false).before_acquire(|conn, meta| {
        Box::pin(async move {
            if meta.idle_for >= TEST_WHEN_IDLE {
                conn.ping().await?;
            }
            Ok(true)
        })
    })
}

/// Opens a pool for `url` with settings suited to each engine.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// Opens a pool for `url` whose statements wait at most `acquire` for a
/// connection (a new one included): when the database is down, a request
/// fails after `acquire` instead of queueing.
pub async fn connect_with(url: &str, acquire: Duration) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(acquire).acquire_timeout(acquire);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's rule; a small pool avoids lock churn.
        opts.max_connections(4)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| o.statement_cache_capacity(STATEMENT_CACHE));
    } else {
        let size = pool_size(cores());
        opts.max_connections(size);
        let connect = url
            .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
            .with_context(|| format!("cannot read the database URL {}", redact(url)))?;
        use sea_orm::sqlx::ConnectOptions as _;
        let pool = tested_when_idle(opts.sqlx_pool_options())
            .connect_with(postgres_session(connect.disable_statement_logging()))
            .await
            .with_context(|| format!("cannot open the database at {}", redact(url)))?;
        return Ok(sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool));
    }
    let db = Database::connect(opts).await.with_context(|| format!("cannot open the database at {}", redact(url)))?;
    if db.get_database_backend() == DbBackend::Sqlite {
        // WAL lets readers work while one request writes; foreign keys are off
        // by default in SQLite and netra relies on them.
        for pragma in [
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
        ] {
            db.execute_unprepared(pragma).await.context("configure SQLite")?;
        }
    }
    Ok(db)
}

/// A second, small pool on the PostgreSQL database of `db` for the audit
/// writer, opened lazily (no connection until the first batch); on SQLite,
/// which has one writer anyway, `db` itself.
pub fn audit_pool(db: &DatabaseConnection, url: &str, acquire: Duration) -> DatabaseConnection {
    use sea_orm::sqlx::postgres::PgPoolOptions;
    if db.get_database_backend() != DbBackend::Postgres {
        return db.clone();
    }
    let opts = tested_when_idle(PgPoolOptions::new().max_connections(AUDIT_POOL_SIZE).acquire_timeout(acquire));
    match url.parse::<sea_orm::sqlx::postgres::PgConnectOptions>() {
        Ok(connect) => {
            sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(opts.connect_lazy_with(postgres_session(connect)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the audit writer shares the request pool: its URL did not parse");
            db.clone()
        }
    }
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// first: a transaction that reads and only then writes fails with "database
/// is locked" when another writer committed in between (WAL snapshots cannot
/// be upgraded), while one that starts with a write simply waits its turn
/// (`busy_timeout`). Any write statement takes the lock, even one that
/// matches no row. PostgreSQL needs nothing: row locks and the conditional
/// version update serialize writers.
///
/// Its first statement after that marks the `Idempotency-Key` claim of the
/// request running in this task, if any ([`crate::idempotency::hold`]): a
/// request whose claim a retry took over gets `CONFLICT` and writes nothing.
pub async fn begin_write(db: &DatabaseConnection) -> crate::error::AppResult<sea_orm::DatabaseTransaction> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        txn.execute_unprepared("UPDATE \"case\" SET version = version WHERE id = -1").await?;
    }
    crate::idempotency::hold(&txn).await?;
    Ok(txn)
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("apply migrations")
}

/// The URL with any password replaced, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pool_grows_with_the_cores_within_bounds() {
        assert_eq!(super::pool_size(2), 16);
        assert_eq!(super::pool_size(8), 32);
        assert_eq!(super::pool_size(16), 64);
        assert_eq!(super::pool_size(64), 64);
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://netra.db?mode=rwc"), "sqlite://netra.db?mode=rwc");
    }
}

/// `text` with the LIKE wildcards `%` and `_` (and the escape character `\`)
/// escaped, to be used with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A LIKE pattern for values that contain `text` literally: the caller's
/// `%` and `_` match only themselves, on SQLite and PostgreSQL alike.
pub fn contains_pattern(text: &str) -> LikeExpr {
    LikeExpr::new(format!("%{}%", escape_like(text))).escape('\\')
}

#[cfg(test)]
mod like_tests {
    use super::escape_like;

    #[test]
    fn wildcards_and_the_escape_character_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
        assert_eq!(escape_like("plain"), "plain");
    }
}
