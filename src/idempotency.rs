//! Idempotent mutations: a client that sends `Idempotency-Key: <key>` with a
//! mutation and retries it (a timeout, a lost connection) gets the first
//! answer again, and nothing is written twice, whichever instance the retry
//! reaches.
//!
//! The key is scoped to the caller's agency and lives [`RETENTION`] (24 h).
//! Before the mutation runs, the handler *claims* the key: it inserts the row
//! `(agency, key, request hash)` without an answer; the primary key lets one
//! instance win. After the mutation, the claim is *completed* with the HTTP
//! status and body that were sent when a write committed, or *released* when
//! nothing was written (the client may then simply try again). A retry finds:
//!
//! - a completed row with the same request hash: the stored answer, replayed;
//! - a row with another request hash: `BAD_USER_INPUT` naming the key;
//! - a claimed row still without an answer, younger than the request
//!   timeout: `CONFLICT` (the first request is still running);
//! - a claimed row without an answer whose write committed (`committed_at`):
//!   `CONFLICT` saying so (the instance died between the commit and storing
//!   the answer); it is never run again;
//! - an older claimed row whose write never committed (its instance died
//!   first): the retry *takes it over* and runs.
//!
//! Every write transaction of a request holding a claim starts by marking
//! the claim with `committed_at`, but only while the claim's `owner` is
//! still this request ([`hold`]): the mark commits or rolls back with the
//! write, and a request whose claim was taken over writes nothing. On
//! PostgreSQL the mark's row lock orders a takeover after a committing
//! write, which then sees `committed_at` and leaves the claim alone; on
//! SQLite writes are serial. So a key's write commits at most once, even
//! when a takeover races a slow first request.
//!
//! Statements go through sea-query, so both engines run the same code.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// How long a key and its answer are kept.
pub const RETENTION: Duration = Duration::hours(24);

/// Longest key accepted, in bytes.
pub const MAX_KEY_LEN: usize = 255;

/// The request header.
pub const HEADER: &str = "idempotency-key";

const TABLE: &str = "idempotency_key";

/// A key this request holds until it completes or releases it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The caller's agency.
    pub agency_id: i64,
    /// The client's key.
    pub key: String,
    /// This request's random token in the claim's `owner` column.
    pub owner: String,
}

tokio::task_local! {
    /// The claim of the request whose GraphQL execution runs in this task,
    /// for [`hold`] in its write transactions.
    pub static CURRENT: Option<Claim>;
}

/// Marks the claim of the request running in this task (if any) as
/// committed, inside `txn`: the first statement of every write transaction
/// ([`crate::db::begin_write`]). Refused with `CONFLICT` when a retry took
/// the claim over (this request was presumed dead): then nothing is written.
pub async fn hold<C: ConnectionTrait>(txn: &C) -> AppResult<()> {
    let Some(claim) = CURRENT.try_with(Clone::clone).ok().flatten() else { return Ok(()) };
    let q = Query::update()
        .table(table())
        .value(col("committed_at"), Utc::now())
        .and_where(Expr::col(col("agency_id")).eq(claim.agency_id))
        .and_where(Expr::col(col("client_key")).eq(claim.key.as_str()))
        .and_where(Expr::col(col("owner")).eq(claim.owner.as_str()))
        .to_owned();
    if exec(txn, build(txn.get_database_backend(), &q)).await? == 1 {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "the Idempotency-Key `{}` was taken over by a later retry of this request; this attempt wrote nothing",
            claim.key
        )))
    }
}

fn new_owner() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key is this request's: run the mutation.
    Claimed(Claim),
    /// The first answer to this request: send it again.
    Replay {
        /// Its HTTP status.
        status: u16,
        /// Its body.
        body: String,
    },
}

/// Checks a header value: 1 to [`MAX_KEY_LEN`] visible ASCII characters.
pub fn parse_key(raw: &[u8]) -> AppResult<String> {
    let ok = !raw.is_empty() && raw.len() <= MAX_KEY_LEN && raw.iter().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!("the key must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    String::from_utf8(raw.to_vec()).map_err(|_| AppError::invalid("Idempotency-Key", "the key is not ASCII"))
}

/// SHA-256 over what makes two requests "the same": document, operation
/// name and variables.
pub fn request_hash(query: &str, operation_name: Option<&str>, variables: &serde_json::Value) -> String {
    let canonical = serde_json::json!([query, operation_name, variables]).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn table() -> Alias {
    Alias::new(TABLE)
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

async fn exec<C: ConnectionTrait>(db: &C, stmt: sea_orm::Statement) -> AppResult<u64> {
    Ok(db.execute(stmt).await?.rows_affected())
}

fn build<S: sea_orm::StatementBuilder>(backend: DbBackend, q: &S) -> sea_orm::Statement {
    backend.build(q)
}

/// Claims `key` for `agency_id` and a request with `hash`, or finds what an
/// earlier request with that key left.
///
/// `lease` is how long an unanswered claim is presumed to belong to a
/// running request (the request timeout); an older one whose write never
/// committed is taken over.
pub async fn begin(
    db: &DatabaseConnection,
    agency_id: i64,
    key: &str,
    hash: &str,
    lease: std::time::Duration,
) -> AppResult<Begin> {
    let backend = db.get_database_backend();
    let now = Utc::now();
    // Forget this key's expired use, then try to claim it.
    let expired = Query::delete()
        .from_table(table())
        .and_where(Expr::col(col("agency_id")).eq(agency_id))
        .and_where(Expr::col(col("client_key")).eq(key))
        .and_where(Expr::col(col("created_at")).lt(now - RETENTION))
        .to_owned();
    exec(db, build(backend, &expired)).await?;
    let owner = new_owner();
    let claim = Query::insert()
        .into_table(table())
        .columns([col("agency_id"), col("client_key"), col("request_hash"), col("created_at"), col("owner")])
        .values_panic([agency_id.into(), key.into(), hash.into(), now.into(), owner.as_str().into()])
        .on_conflict(OnConflict::columns([col("agency_id"), col("client_key")]).do_nothing().to_owned())
        .to_owned();
    if exec(db, build(backend, &claim)).await? == 1 {
        purge(db, now).await;
        return Ok(Begin::Claimed(Claim { agency_id, key: key.to_owned(), owner }));
    }
    let find = Query::select()
        .columns([
            col("request_hash"),
            col("status"),
            col("response"),
            col("owner"),
            col("committed_at"),
            col("created_at"),
        ])
        .from(table())
        .and_where(Expr::col(col("agency_id")).eq(agency_id))
        .and_where(Expr::col(col("client_key")).eq(key))
        .to_owned();
    let Some(row) = db.query_one(build(backend, &find)).await? else {
        // Deleted between the two statements (released): the caller may retry.
        return Err(in_progress(key));
    };
    let stored_hash: String = row.try_get_by_index(0)?;
    if stored_hash != hash {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!("the key `{key}` was already used with a different request; use a new key for a new request"),
        ));
    }
    let status: Option<i32> = row.try_get_by_index(1)?;
    let body: Option<String> = row.try_get_by_index(2)?;
    if let (Some(status), Some(body)) = (status.and_then(|s| u16::try_from(s).ok()), body) {
        return Ok(Begin::Replay { status, body });
    }
    let old_owner: Option<String> = row.try_get_by_index(3)?;
    let committed_at: Option<DateTime<Utc>> = row.try_get_by_index(4)?;
    let created_at: DateTime<Utc> = row.try_get_by_index(5)?;
    if committed_at.is_some() {
        return Err(AppError::Conflict(format!(
            "the request with the Idempotency-Key `{key}` was applied, but its answer was lost when netra stopped; \
             it is not run again: read the result instead"
        )));
    }
    let lease = Duration::from_std(lease).unwrap_or(RETENTION);
    if created_at >= now - lease {
        return Err(in_progress(key));
    }
    // The holder is presumed dead and wrote nothing: take the claim over.
    // Its write transactions, should it still be running, now fail `hold`.
    let mut take = Query::update();
    take.table(table())
        .value(col("owner"), owner.as_str())
        .value(col("created_at"), now)
        .and_where(Expr::col(col("agency_id")).eq(agency_id))
        .and_where(Expr::col(col("client_key")).eq(key))
        .and_where(Expr::col(col("committed_at")).is_null())
        .and_where(Expr::col(col("status")).is_null());
    match &old_owner {
        Some(o) => take.and_where(Expr::col(col("owner")).eq(o.as_str())),
        None => take.and_where(Expr::col(col("owner")).is_null()),
    };
    if exec(db, build(backend, &take)).await? == 1 {
        tracing::warn!(key, "took over an idempotency claim whose request never committed");
        Ok(Begin::Claimed(Claim { agency_id, key: key.to_owned(), owner }))
    } else {
        Err(in_progress(key))
    }
}

fn in_progress(key: &str) -> AppError {
    AppError::Conflict(format!("a request with the Idempotency-Key `{key}` is still in progress; it is not run again"))
}

/// Stores the answer a committed mutation was given.
pub async fn complete(db: &DatabaseConnection, claim: &Claim, status: u16, body: &str) -> AppResult<()> {
    let q = Query::update()
        .table(table())
        .value(col("status"), i32::from(status))
        .value(col("response"), body)
        .and_where(Expr::col(col("agency_id")).eq(claim.agency_id))
        .and_where(Expr::col(col("client_key")).eq(claim.key.as_str()))
        .and_where(Expr::col(col("owner")).eq(claim.owner.as_str()))
        .to_owned();
    exec(db, build(db.get_database_backend(), &q)).await.map(|_| ())
}

/// Gives the key back: the mutation wrote nothing, so a retry may run it.
pub async fn release(db: &DatabaseConnection, claim: &Claim) -> AppResult<()> {
    let q = Query::delete()
        .from_table(table())
        .and_where(Expr::col(col("agency_id")).eq(claim.agency_id))
        .and_where(Expr::col(col("client_key")).eq(claim.key.as_str()))
        .and_where(Expr::col(col("owner")).eq(claim.owner.as_str()))
        .and_where(Expr::col(col("status")).is_null())
        .and_where(Expr::col(col("committed_at")).is_null())
        .to_owned();
    exec(db, build(db.get_database_backend(), &q)).await.map(|_| ())
}

/// Deletes every expired row (any agency); a failure only delays it.
async fn purge(db: &DatabaseConnection, now: DateTime<Utc>) {
    let q = Query::delete().from_table(table()).and_where(Expr::col(col("created_at")).lt(now - RETENTION)).to_owned();
    if let Err(e) = db.execute(build(db.get_database_backend(), &q)).await {
        tracing::warn!(error = %e, "expired idempotency keys were not purged");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert_eq!(parse_key(b"retry-7f3a").unwrap(), "retry-7f3a");
        assert!(parse_key(b"").is_err());
        assert!(parse_key(b"has space").is_err());
        assert!(parse_key(&[b'a'; MAX_KEY_LEN + 1]).is_err());
    }

    #[test]
    fn the_hash_changes_with_the_variables() {
        let a = request_hash("mutation { x }", None, &serde_json::json!({ "n": 1 }));
        let b = request_hash("mutation { x }", None, &serde_json::json!({ "n": 2 }));
        assert_ne!(a, b);
        assert_eq!(a, request_hash("mutation { x }", None, &serde_json::json!({ "n": 1 })));
    }
}
