//! `netra seed synthetic`: a deterministic national-scale data set for
//! benchmarks — officials in every province, and cases spread over every
//! state. The same seed always yields the same rows. Officials are master
//! data (`people`); each case is a plan (`cases`) played in memory with the
//! API's own intake and step rules (`seed::memory`), so its actions,
//! numbers, dates, deadlines and routing are exactly what the API writes.
//! Rows carry explicit ids and go to the database in bulk (`COPY` on
//! PostgreSQL), one transaction per batch.

mod cases;
mod people;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use futures_util::future::try_join_all;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait};

use self::cases::{plan_case, target_state, Facts};
use self::people::pick;
use super::batch::{sync_sequences, write_officials, Batch};
use super::book::Book;
use super::memory::Memory;
use super::planner::needs_bkn;
use crate::config::Deadlines;
use crate::domain::{code_contains, CaseState, RegionKind};
use crate::entity::{election, official};
use crate::reference::{self, REGIONS};

/// Parameters of a synthetic load.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticOptions {
    /// Officials to create.
    pub officials: u64,
    /// Cases to create.
    pub cases: u64,
    /// Random seed; the same seed gives the same data.
    pub seed: u64,
}

/// What a synthetic load inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticReport {
    /// Officials inserted.
    pub officials: u64,
    /// Cases inserted.
    pub cases: u64,
    /// Rows of every table inserted.
    pub rows: u64,
}

/// The subject of the synthetic data's timeline events.
pub const SYNTHETIC_ACTOR: &str = "synthetic-seed";

/// Places: every kabupaten/kota netra knows, and every other province as a whole.
fn places() -> Vec<&'static str> {
    let regencies: Vec<&str> =
        REGIONS.iter().filter(|r| matches!(r.kind, RegionKind::Kabupaten | RegionKind::Kota)).map(|r| r.code).collect();
    REGIONS
        .iter()
        .filter(|r| r.kind == RegionKind::Province && r.code != "34")
        .filter(|r| !regencies.iter().any(|k| *k != r.code && code_contains(r.code, k)))
        .map(|r| r.code)
        .chain(regencies.iter().copied())
        .collect()
}

/// Loads `opts.officials` officials and `opts.cases` cases under
/// `deadlines`, printing progress to standard error.
pub async fn load_synthetic(
    db: &DatabaseConnection,
    opts: SyntheticOptions,
    deadlines: Deadlines,
) -> anyhow::Result<SyntheticReport> {
    let started = Instant::now();
    reference::load(db).await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let book = Book::load(db).await?;
    let mut memory = Memory::load(db, &book, deadlines, SYNTHETIC_ACTOR).await?;
    let races: HashSet<String> = election::Entity::find().all(db).await?.into_iter().map(|e| e.region_code).collect();
    let places = places();
    let mut seen = HashSet::new();
    for nip in official::Entity::find().all(db).await?.into_iter().filter_map(|o| o.nip) {
        seen.insert(nip.parse::<u64>().unwrap_or_default());
    }

    // Officials, kept in memory and bucketed by place so that cases name local officials.
    let mut people: Vec<official::Model> = Vec::with_capacity(usize::try_from(opts.officials).unwrap_or(0));
    let mut by_place: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
    let mut rows_total = 0u64;
    let chunk = 20_000u64;
    let mut done = 0u64;
    let in_flight = if db.get_database_backend() == DbBackend::Postgres { 2 } else { 1 };
    let mut pending = Vec::new();
    while done < opts.officials {
        let n = chunk.min(opts.officials - done);
        let first = people.len();
        for _ in 0..n {
            let place = *pick(&mut rng, &places);
            let o = people::official(&mut rng, memory.take_id("official"), place, &book, &mut seen)?;
            let (asn, all) = by_place.entry(place).or_default();
            if o.subject_kind.is_asn() {
                asn.push(people.len());
            }
            all.push(people.len());
            people.push(o);
        }
        pending.push(people[first..].to_vec());
        done += n;
        // PostgreSQL writes two chunks at once, on two connections.
        if pending.len() == in_flight || done == opts.officials {
            try_join_all(pending.drain(..).map(|rows| write_officials(db, rows))).await?;
        }
        rows_total += n;
        eprintln!("officials {done}/{} ({:.0?})", opts.officials, started.elapsed());
    }

    let mut done = 0u64;
    let mut cases_total = 0u64;
    let chunk = 5_000u64;
    let mut batches = Vec::new();
    while done < opts.cases {
        let n = chunk.min(opts.cases - done);
        let mut batch = Batch::default();
        for serial in done..done + n {
            let place = *pick(&mut rng, &places);
            let Some((asn, all)) = by_place.get(place).filter(|(_, all)| !all.is_empty()) else { continue };
            let mut target = target_state(&mut rng);
            // BKN's steps need civil servants; without any here the case stops at forwarding.
            let bucket = if needs_bkn(target.0, target.1) && !asn.is_empty() { asn } else { all };
            if needs_bkn(target.0, target.1) && asn.is_empty() {
                target = (CaseState::Forwarded, None);
            }
            let first = &people[*pick(&mut rng, bucket)];
            let mut subjects = vec![first];
            if rng.random_range(0..10) >= 8 {
                // A second subject of the same kind, so that one agency takes the PPK's steps.
                let other = (0..5)
                    .map(|_| &people[*pick(&mut rng, bucket)])
                    .find(|o| o.id != first.id && o.subject_kind == first.subject_kind);
                subjects.extend(other);
            }
            let election = if races.contains(place) { place } else { &place[..2] };
            if !races.contains(election) {
                continue;
            }
            let facts = Facts { serial: serial + 1, place, election, subjects, target };
            let plan = plan_case(&mut rng, &facts, &book, &deadlines)?;
            let named: Vec<official::Model> = facts.subjects.iter().map(|o| (*o).clone()).collect();
            memory.play(&plan, &named, &mut batch)?;
        }
        rows_total += batch.len() as u64;
        cases_total += batch.cases.len() as u64;
        batches.push(batch);
        done += n;
        if batches.len() == in_flight || done == opts.cases {
            try_join_all(batches.drain(..).map(|b| b.write(db))).await?;
        }
        eprintln!("cases {done}/{} ({:.0?})", opts.cases, started.elapsed());
    }
    sync_sequences(db).await?;
    // Fresh planner statistics: without them PostgreSQL plans the scoped
    // queries over a million rows badly until autovacuum catches up.
    db.execute_unprepared("ANALYZE").await?;
    eprintln!("synthetic data loaded: {rows_total} rows in {:.1?}", started.elapsed());
    Ok(SyntheticReport { officials: opts.officials, cases: cases_total, rows: rows_total })
}
