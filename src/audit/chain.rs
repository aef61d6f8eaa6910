//! The hash chain: appending events and verifying the chain.
//!
//! **One chain per database.** The single row of `audit_chain` holds the last
//! event's id and hash. Every append gives the new events the next ids,
//! chains their hashes, inserts them and moves the head in one transaction,
//! in one of two ways. [`append`] (a write's event, inside the write's own
//! transaction) first makes sure the row exists (`INSERT … ON CONFLICT DO
//! NOTHING`, which on SQLite also takes the database's write lock), then reads
//! it — `FOR UPDATE` on PostgreSQL, so a second netra instance appending at
//! the same time waits for this transaction to end. The group commit of
//! request events ([`Pending::write_if_head`]) instead moves the head with a
//! conditional update from the head it expects and inserts only if that
//! matched; when another writer got there first it rereads and retries.
//! Either way appends are serialized across instances and ids are contiguous
//! (1, 2, 3, …) in chain order.
//!
//! **Canonical form.** An event's hash is the lower-case hex SHA-256 of the
//! UTF-8 bytes of this compact JSON array (serde_json's escaping; `null` for
//! an absent value; integers as JSON numbers):
//!
//! ```text
//! ["netra-audit-v1", id, occurred_at, kind, issuer, subject, agency_id,
//!  agency_code, request_id, operation_type, operation_name, root_fields,
//!  query_hash, variables, details, outcome, [[access, case_id], …], prev_hash]
//! ```
//!
//! An event that names a trusted document (`document_id`, added in
//! December 2026) hashes the `netra-audit-v2` form instead: the same array
//! with `"netra-audit-v2"` first and the document id right after
//! `query_hash`. Every other event keeps the v1 form, so events written
//! before the column existed verify unchanged, and a v2 event whose
//! document id is removed no longer matches its hash.
//!
//! `occurred_at` is RFC 3339 in UTC with exactly six fractional digits and a
//! `Z` (`2024-11-27T08:15:00.123456Z`); `root_fields` is the stored
//! comma-separated text; the case pairs are sorted by access, then case id.
//! The first event's `prev_hash` is 64 zeros ([`GENESIS`]). Every stored
//! column except `hash` itself is covered, and so are the event's
//! `audit_event_case` rows.
//!
//! **What verification proves.** A changed field or case row breaks the
//! event's own hash; a removed event leaves a gap in the ids; a reordered,
//! removed or replaced event breaks the next event's `prev_hash`; removing
//! events from the end is caught by the head row. Someone able to rewrite the
//! whole table *and* the head can forge a consistent chain; to detect that,
//! keep the head hash printed by `netra audit verify` somewhere else.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement,
};
use serde_json::json;

pub use super::batch::Pending;
use super::redact::sha256_hex;
use super::AuditEntry;
use crate::entity::{audit_chain, audit_event, audit_event_case};

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of `event` (its `hash` field is ignored) with its case rows:
/// the `netra-audit-v1` form, or `netra-audit-v2` when the event names a
/// trusted document.
pub fn event_hash(event: &audit_event::Model, cases: &BTreeSet<(String, i64)>) -> String {
    let cases: Vec<serde_json::Value> = cases.iter().map(|(access, id)| json!([access, id])).collect();
    let form = if event.document_id.is_some() { "netra-audit-v2" } else { "netra-audit-v1" };
    let mut canonical = vec![
        json!(form),
        json!(event.id),
        json!(canonical_time(event.occurred_at)),
        json!(event.kind),
        json!(event.issuer),
        json!(event.subject),
        json!(event.agency_id),
        json!(event.agency_code),
        json!(event.request_id),
        json!(event.operation_type),
        json!(event.operation_name),
        json!(event.root_fields),
        json!(event.query_hash),
    ];
    // v2 only: the trusted document right after the query's hash.
    if let Some(document_id) = &event.document_id {
        canonical.push(json!(document_id));
    }
    canonical.extend([
        json!(event.variables),
        json!(event.details),
        json!(event.outcome),
        json!(cases),
        json!(event.prev_hash),
    ]);
    sha256_hex(serde_json::Value::Array(canonical).to_string().as_bytes())
}

/// RFC 3339, UTC, six fractional digits, `Z`.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Makes sure the head row exists (on SQLite this also takes the write lock).
pub(super) async fn ensure_head<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    conn.execute(Statement::from_string(
        conn.get_database_backend(),
        format!(
            "INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, 0, '{GENESIS}') ON CONFLICT (id) DO NOTHING"
        ),
    ))
    .await?;
    Ok(())
}

/// Reads the head, locking it (`FOR UPDATE` on PostgreSQL) when `lock`.
pub(super) async fn select_head<C: ConnectionTrait>(conn: &C, lock: bool) -> Result<(i64, String), DbErr> {
    let backend = conn.get_database_backend();
    let lock = if lock && backend == DbBackend::Postgres { " FOR UPDATE" } else { "" };
    let row = conn
        .query_one(Statement::from_string(
            backend,
            format!("SELECT last_id, last_hash FROM audit_chain WHERE id = 1{lock}"),
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_chain head".into()))?;
    Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?))
}

/// Reads the head without locking it, creating the row if needed: the
/// starting point of an optimistic append ([`Pending::write_if_head`]).
pub async fn read_head(db: &DatabaseConnection) -> Result<(i64, String), DbErr> {
    ensure_head(db).await?;
    select_head(db, false).await
}

/// Appends `entries`, in order, to the chain. Must run inside a transaction
/// (the caller's): the head stays locked until it ends. Returns the new ids.
pub async fn append<C: ConnectionTrait>(conn: &C, entries: Vec<AuditEntry>) -> Result<Vec<i64>, DbErr> {
    Pending::new(entries).append_locked(conn).await
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The event at which it breaks.
    pub event_id: i64,
    /// Why, for a human.
    pub reason: String,
}

/// What `netra audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events checked.
    pub events: u64,
    /// Time of the first and the last event checked.
    pub span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The head: the last event's id and hash (id 0 and [`GENESIS`] when empty).
    pub head: (i64, String),
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}

/// Events read per statement while verifying.
const VERIFY_BATCH: u64 = 1000;

/// Walks the chain from the first event to the head read at the start
/// (events appended meanwhile are left for the next run) and reports the
/// first break.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    let head = audit_chain::Entity::find_by_id(1).one(db).await?;
    let (head_id, head_hash) = head.map_or((0, GENESIS.to_owned()), |h| (h.last_id, h.last_hash));
    let mut out = Verification { events: 0, span: None, head: (head_id, head_hash.clone()), broken: None };
    let (mut prev_id, mut prev_hash) = (0_i64, GENESIS.to_owned());
    let brk = |event_id: i64, reason: String| Some(ChainBreak { event_id, reason });
    loop {
        let batch = audit_event::Entity::find()
            .filter(audit_event::Column::Id.gt(prev_id))
            .filter(audit_event::Column::Id.lte(head_id.max(prev_id)))
            .order_by_asc(audit_event::Column::Id)
            .limit(VERIFY_BATCH)
            .all(db)
            .await?;
        let Some(last) = batch.last() else { break };
        let (first_id, last_id) = (batch[0].id, last.id);
        let mut cases: BTreeMap<i64, BTreeSet<(String, i64)>> = BTreeMap::new();
        for row in audit_event_case::Entity::find()
            .filter(audit_event_case::Column::EventId.between(first_id, last_id))
            .all(db)
            .await?
        {
            cases.entry(row.event_id).or_default().insert((row.access, row.case_id));
        }
        for event in &batch {
            let expected = prev_id + 1;
            let reason = if event.id != expected {
                let missing = if event.id - 1 == expected {
                    format!("event {expected} is")
                } else {
                    format!("events {expected} to {} are", event.id - 1)
                };
                Some(format!("the chain skips from event {prev_id} to event {}: {missing} missing", event.id))
            } else if event.prev_hash != prev_hash {
                Some(format!(
                    "its prev_hash does not match the hash of event {prev_id}: an event was changed, removed, \
                     inserted or moved before it"
                ))
            } else if event_hash(event, cases.get(&event.id).unwrap_or(&BTreeSet::new())) != event.hash {
                Some("its stored fields or case rows do not match its hash: the event was modified".to_owned())
            } else {
                None
            };
            if let Some(reason) = reason {
                out.broken = brk(event.id, reason);
                return Ok(out);
            }
            out.events += 1;
            out.span = Some(out.span.map_or((event.occurred_at, event.occurred_at), |(f, _)| (f, event.occurred_at)));
            prev_id = event.id;
            prev_hash.clone_from(&event.hash);
        }
    }
    if prev_id != head_id || prev_hash != head_hash {
        out.broken = brk(
            prev_id + 1,
            format!(
                "the chain head records event {head_id} with hash {head_hash}, but the trail ends at event {prev_id}: \
                 events were removed from the end or the head was altered"
            ),
        );
    }
    Ok(out)
}

/// What `netra audit verify` prints: what was checked, and the head hash to
/// keep elsewhere.
pub fn summary(v: &Verification) -> String {
    let span = v.span.map_or_else(
        || "no events".to_owned(),
        |(first, last)| format!("{} to {}", canonical_time(first), canonical_time(last)),
    );
    let verdict = match &v.broken {
        None => "intact".to_owned(),
        Some(b) => format!("BROKEN at event {}", b.event_id),
    };
    format!(
        "audit chain {verdict}\n  events checked: {} ({span})\n  head: event {}, hash {}\n",
        v.events, v.head.0, v.head.1
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn event() -> audit_event::Model {
        audit_event::Model {
            id: 1,
            occurred_at: Utc.with_ymd_and_hms(2024, 11, 27, 8, 15, 0).unwrap()
                + chrono::Duration::microseconds(123_456),
            kind: "REQUEST".into(),
            issuer: Some("netra-dev".into()),
            subject: Some("u".into()),
            agency_id: Some(7),
            agency_code: Some("BAWASLU-16.73".into()),
            request_id: None,
            operation_type: "QUERY".into(),
            operation_name: Some("Q".into()),
            root_fields: "case".into(),
            query_hash: Some("ab".into()),
            variables: "{}".into(),
            details: None,
            outcome: "OK".into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            document_id: None,
        }
    }

    #[test]
    fn the_canonical_form_is_the_documented_json_array() {
        let cases = BTreeSet::from([("REPORTER".to_owned(), 3)]);
        let expected = r#"["netra-audit-v1",1,"2024-11-27T08:15:00.123456Z","REQUEST","netra-dev","u",7,"BAWASLU-16.73",null,"QUERY","Q","case","ab","{}",null,"OK",[["REPORTER",3]],"0000000000000000000000000000000000000000000000000000000000000000"]"#;
        assert_eq!(event_hash(&event(), &cases), sha256_hex(expected.as_bytes()));
    }

    #[test]
    fn an_event_naming_a_document_hashes_the_v2_form_and_others_keep_v1() {
        let cases = BTreeSet::from([("REPORTER".to_owned(), 3)]);
        let mut e = event();
        e.document_id = Some("d".repeat(64));
        let expected = format!(
            r#"["netra-audit-v2",1,"2024-11-27T08:15:00.123456Z","REQUEST","netra-dev","u",7,"BAWASLU-16.73",null,"QUERY","Q","case","ab","{}","{{}}",null,"OK",[["REPORTER",3]],"{GENESIS}"]"#,
            "d".repeat(64)
        );
        assert_eq!(event_hash(&e, &cases), sha256_hex(expected.as_bytes()));
        let mut changed = e.clone();
        changed.document_id = Some("e".repeat(64));
        assert_ne!(event_hash(&changed, &cases), event_hash(&e, &cases));
    }

    #[test]
    fn every_field_and_case_row_changes_the_hash() {
        let cases = BTreeSet::from([("REPORTER".to_owned(), 3)]);
        let base = event_hash(&event(), &cases);
        let changes: &[fn(&mut audit_event::Model)] = &[
            |e| e.id = 2,
            |e| e.occurred_at += chrono::Duration::microseconds(1),
            |e| e.kind = "WRITE".into(),
            |e| e.issuer = None,
            |e| e.subject = Some("v".into()),
            |e| e.agency_id = Some(8),
            |e| e.agency_code = Some("BAWASLU".into()),
            |e| e.request_id = Some("r".into()),
            |e| e.operation_type = "MUTATION".into(),
            |e| e.operation_name = None,
            |e| e.root_fields = "cases".into(),
            |e| e.query_hash = None,
            |e| e.variables = "{\"a\":1}".into(),
            |e| e.details = Some("{}".into()),
            |e| e.outcome = "ERRORS".into(),
            |e| e.prev_hash = "1".repeat(64),
            |e| e.document_id = Some("d".repeat(64)),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut e = event();
            change(&mut e);
            assert_ne!(event_hash(&e, &cases), base, "change {i}");
        }
        assert_ne!(event_hash(&event(), &BTreeSet::new()), base);
        assert_ne!(event_hash(&event(), &BTreeSet::from([("EVIDENCE".to_owned(), 3)])), base);
        // The stored hash itself is not an input.
        let mut e = event();
        e.hash = "x".into();
        assert_eq!(event_hash(&e, &cases), base);
    }
}
