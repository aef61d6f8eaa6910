//! `netra seed synthetic`: a deterministic national-scale data set for
//! benchmarks — officials in every province, and cases with allegations,
//! forwardings, decisions and timelines spread over every state. The same
//! seed always yields the same rows. Rows are generated in memory and
//! inserted in large multi-row statements, one transaction per batch.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::history::{self, AllegationPlan, Batch, CasePlan, Directory, EvidencePlan, Ids, ReporterPlan};
use crate::domain::{
    agencies, code_contains, CaseSource, CaseState, ClosureReason, EvidenceKind, PositionClass, RegionKind,
    ReporterKind, SanctionCode, SubjectKind, ViolationCode,
};
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

const GIVEN: &[&str] = &[
    "Adi", "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dewi", "Dian", "Eko", "Endang", "Fajar",
    "Fitri", "Hadi", "Hendra", "Indah", "Irwan", "Joko", "Kartika", "Lestari", "Made", "Maya", "Nur", "Putri",
    "Rahmat", "Rina", "Rudi", "Sari", "Sri", "Taufik", "Tri", "Wahyu", "Wati", "Yanti", "Yudi", "Zainal", "Ratna",
    "Surya", "Wulan",
];
const FAMILY: &[&str] = &[
    "Saputra",
    "Pratama",
    "Wijaya",
    "Santoso",
    "Hidayat",
    "Nugroho",
    "Siregar",
    "Harahap",
    "Lubis",
    "Nasution",
    "Pohan",
    "Simanjuntak",
    "Rahman",
    "Syahputra",
    "Kurniawan",
    "Setiawan",
    "Permana",
    "Hasibuan",
    "Utami",
    "Lestari",
    "Purba",
    "Wibowo",
    "Susanto",
    "Gunawan",
    "Halim",
    "Fauzi",
    "Ramadhan",
    "Anggraini",
    "Maulana",
    "Yusuf",
];
const POSITIONS: &[(&str, PositionClass)] = &[
    ("Guru", PositionClass::Fungsional),
    ("Perawat", PositionClass::Fungsional),
    ("Analis Kebijakan", PositionClass::Fungsional),
    ("Kepala Bidang", PositionClass::Administrator),
    ("Kepala Seksi", PositionClass::Pengawas),
    ("Kepala Dinas", PositionClass::Jpt),
    ("Staf Pelaksana", PositionClass::Pelaksana),
    ("Pengadministrasi Umum", PositionClass::Pelaksana),
];
const ACTS: &[ViolationCode] = &[
    ViolationCode::DisSocmedInteract,
    ViolationCode::EthSocmedInteract,
    ViolationCode::DisSocmedCampaign,
    ViolationCode::DisPartisanActivity,
    ViolationCode::EthPhotoSymbol,
    ViolationCode::DisPhotoSymbol,
    ViolationCode::DisDeclarationActive,
    ViolationCode::CampaignJoin,
    ViolationCode::StateFacilities,
    ViolationCode::DisPartyApproach,
    ViolationCode::DisTeamPost,
    ViolationCode::ProgramMisuse,
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn subject_kind(rng: &mut StdRng) -> SubjectKind {
    match rng.random_range(0..100) {
        0..70 => SubjectKind::Pns,
        70..85 => SubjectKind::Pppk,
        85..89 => SubjectKind::CamatLurah,
        89..93 => SubjectKind::VillageHead,
        93..95 => SubjectKind::VillageOfficial,
        95..98 => SubjectKind::NonAsn,
        98 => SubjectKind::Tni,
        _ => SubjectKind::Polri,
    }
}

/// A NIP (or NI PPPK) that passes validation, unique within `seen`.
fn nip(rng: &mut StdRng, pppk: bool, seen: &mut HashSet<u64>) -> String {
    loop {
        let birth =
            NaiveDate::from_ymd_opt(1965, 1, 1).unwrap_or_default() + Duration::days(rng.random_range(0..12_000));
        let year: i32 = birth.format("%Y").to_string().parse().unwrap_or(1980);
        let appointed = rng.random_range((year + 19).min(2023)..=2023);
        let gender = rng.random_range(1..=2);
        let seq = rng.random_range(1..=999);
        let middle = if pppk {
            format!("{appointed}{}", rng.random_range(21..=24))
        } else {
            format!("{appointed}{:02}", rng.random_range(1..=12))
        };
        let text = format!("{}{middle}{gender}{seq:03}", birth.format("%Y%m%d"));
        if seen.insert(text.parse().unwrap_or_default()) {
            return text;
        }
    }
}

fn target_state(rng: &mut StdRng) -> (CaseState, Option<ClosureReason>) {
    use CaseState as S;
    use ClosureReason as C;
    match rng.random_range(0..100) {
        0..3 => (S::Received, None),
        3..5 => (S::FormalMaterialCheck, None),
        5..8 => (S::NotRegistered, None),
        8..10 => (S::Registered, None),
        10..13 => (S::ClarificationAssessment, None),
        13..15 => (S::Decided, None),
        15..20 => (S::Forwarded, None),
        20..30 => (S::AgencyVerifying, None),
        30..38 => (S::SanctionRecommended, None),
        38..42 => (S::PpkExamination, None),
        42..45 => (S::SanctionImposed, None),
        45..48 => (S::OverdueEscalated, None),
        48..49 => (S::AdminAppeal, None),
        49..51 => (S::CriminalProcess, None),
        51..55 => (S::ExecutionMonitoring, None),
        55..67 => (S::Closed, Some(C::NotAViolation)),
        67..71 => (S::Closed, Some(C::NotProven)),
        71..73 => (S::Closed, Some(C::Rejected)),
        73..74 => (S::Closed, Some(C::Cancelled)),
        74..75 => (S::Closed, Some(C::SubjectSeparated)),
        75..76 => (S::Closed, Some(C::CriminalVerdict)),
        76..77 => (S::Closed, Some(C::AdministrativeTrack)),
        _ => (S::Closed, Some(C::SanctionExecuted)),
    }
}

fn sanction_for(act: ViolationCode, kind: SubjectKind, criminal: bool) -> SanctionCode {
    if criminal {
        SanctionCode::Pidana
    } else {
        crate::domain::sanctions::default_sanction(kind, act)
    }
}

/// Loads `opts.officials` officials and `opts.cases` cases, printing progress
/// to standard error.
pub async fn load_synthetic(db: &DatabaseConnection, opts: SyntheticOptions) -> anyhow::Result<SyntheticReport> {
    let started = Instant::now();
    reference::load(db).await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let agency_ids = reference::agency_ids(db).await?;
    let elections: HashMap<String, i64> = election::Entity::find()
        .filter(election::Column::Year.eq(2024))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.region_code, e.id))
        .collect();
    // Places: every kabupaten/kota netra knows, and every other province as a whole.
    let regencies: Vec<&str> =
        REGIONS.iter().filter(|r| matches!(r.kind, RegionKind::Kabupaten | RegionKind::Kota)).map(|r| r.code).collect();
    let places: Vec<&str> = REGIONS
        .iter()
        .filter(|r| r.kind == RegionKind::Province && r.code != "34")
        .filter(|r| !regencies.iter().any(|k| *k != r.code && code_contains(r.code, k)))
        .map(|r| r.code)
        .chain(regencies.iter().copied())
        .collect();
    let mut ids = Ids::load(db).await?;
    let mut seen = HashSet::new();
    for nip in official::Entity::find().all(db).await?.into_iter().filter_map(|o| o.nip) {
        seen.insert(nip.parse::<u64>().unwrap_or_default());
    }

    // Officials, bucketed by place so that cases name local officials.
    let mut by_place: HashMap<&str, Vec<(i64, SubjectKind, i64)>> = HashMap::new();
    let mut rows_total = 0u64;
    let chunk = 20_000u64;
    let mut done = 0u64;
    while done < opts.officials {
        let n = chunk.min(opts.officials - done);
        let mut rows = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let place = *pick(&mut rng, &places);
            let kind = subject_kind(&mut rng);
            let employer_code = match kind {
                SubjectKind::Tni => agencies::TNI.to_owned(),
                SubjectKind::Polri => agencies::POLRI.to_owned(),
                _ => agencies::pemda(place),
            };
            let employer = *agency_ids.get(&employer_code).with_context(|| format!("no agency {employer_code}"))?;
            let id = ids.take("official");
            let (position, class) = match kind {
                SubjectKind::CamatLurah => ("Camat".to_owned(), Some(PositionClass::KepalaWilayah)),
                SubjectKind::VillageHead => ("Kepala Desa".to_owned(), None),
                SubjectKind::VillageOfficial => ("Sekretaris Desa".to_owned(), None),
                SubjectKind::NonAsn => ("Tenaga Honorer".to_owned(), None),
                SubjectKind::Tni | SubjectKind::Polri => ("Anggota".to_owned(), None),
                _ => {
                    let (p, c) = pick(&mut rng, POSITIONS);
                    ((*p).to_owned(), Some(*c))
                }
            };
            let nip_value = match kind {
                SubjectKind::Pns | SubjectKind::CamatLurah => Some(nip(&mut rng, false, &mut seen)),
                SubjectKind::Pppk => Some(nip(&mut rng, true, &mut seen)),
                _ => None,
            };
            let nrp = matches!(kind, SubjectKind::Tni | SubjectKind::Polri).then(|| format!("9{id:09}"));
            rows.push(official::ActiveModel {
                id: Set(id),
                subject_kind: Set(kind),
                nip: Set(nip_value),
                nrp: Set(nrp),
                full_name: Set(format!(
                    "{} {} {}",
                    pick(&mut rng, GIVEN),
                    pick(&mut rng, GIVEN),
                    pick(&mut rng, FAMILY)
                )),
                position: Set(position),
                position_class: Set(class),
                grade: Set(None),
                employer_id: Set(employer),
                ppk_id: Set(None),
                work_region_code: Set(place.to_owned()),
            });
            by_place.entry(place).or_default().push((id, kind, employer));
        }
        let txn = db.begin().await?;
        reference::insert_chunks::<official::Entity, _>(&txn, rows).await?;
        txn.commit().await?;
        done += n;
        rows_total += n;
        eprintln!("officials {done}/{} ({:.0?})", opts.officials, started.elapsed());
    }

    let dir = Directory { ids: &agency_ids };
    let base = NaiveDate::from_ymd_opt(2024, 3, 1).context("BUG: base date")?;
    let mut per_office: HashMap<String, u64> = HashMap::new();
    let mut done = 0u64;
    let mut cases_total = 0u64;
    let chunk = 5_000u64;
    while done < opts.cases {
        let n = chunk.min(opts.cases - done);
        let mut batch = Batch::default();
        for _ in 0..n {
            let place = *pick(&mut rng, &places);
            let Some(locals) = by_place.get(place).filter(|l| !l.is_empty()) else { continue };
            let (target, closure) = target_state(&mut rng);
            let source = if rng.random_bool(0.5) { CaseSource::Laporan } else { CaseSource::Temuan };
            let received = base + Duration::days(rng.random_range(0..270));
            let known = received - Duration::days(rng.random_range(0..=6));
            let occurred = known - Duration::days(rng.random_range(0..=3));
            let criminal =
                matches!(target, CaseState::CriminalProcess) || closure == Some(ClosureReason::CriminalVerdict);
            let mut allegations = Vec::new();
            let count = if rng.random_range(0..10) < 8 { 1 } else { 2 };
            let act = *pick(&mut rng, ACTS);
            let mut kinds = Vec::new();
            for _ in 0..count {
                let (official_id, kind, employer) = *pick(&mut rng, locals);
                if allegations.iter().any(|a: &AllegationPlan| a.official_id == official_id) {
                    continue;
                }
                kinds.push(kind);
                allegations.push(AllegationPlan {
                    official_id,
                    subject_kind: kind,
                    employer_id: employer,
                    work_region: place.to_owned(),
                    violation: act,
                    act_on: occurred,
                    place: place.to_owned(),
                    description: format!("Synthetic allegation: {}", act.as_str()),
                });
            }
            let office = format!("BAWASLU-{place}");
            let handling = *agency_ids.get(&office).with_context(|| format!("no agency {office}"))?;
            let election = elections.get(place).or_else(|| elections.get(&place[..2])).copied();
            let Some(election_id) = election else { continue };
            let seq = per_office.entry(place.to_owned()).or_default();
            *seq += 1;
            let kind = if source == CaseSource::Laporan { "LP" } else { "TM" };
            let sanction = Some(sanction_for(act, kinds[0], criminal));
            let plan = CasePlan {
                number: format!("{place}/{kind}/2024/S{:06}", *seq),
                source,
                election_id,
                handling_agency_id: handling,
                handling_region: place.to_owned(),
                place: place.to_owned(),
                occurred_on: occurred,
                known_on: known,
                received_on: received,
                target,
                closure,
                summary: format!("Synthetic case: {} at {place}.", act.as_str()),
                sanction,
                not_registered_reason: Some("Material requirements not met.".into()),
                allegations,
                reporter: (source == CaseSource::Laporan).then(|| ReporterPlan {
                    kind: ReporterKind::Voter,
                    name: format!("{} {}", pick(&mut rng, GIVEN), pick(&mut rng, FAMILY)),
                    phone: Some(format!("08{:010}", rng.random_range(0..10_000_000_000u64))),
                    nik: None,
                    voter_region: Some(place.to_owned()),
                }),
                evidence: (0..rng.random_range(0..=2))
                    .map(|_| EvidencePlan {
                        kind: EvidenceKind::Screenshot,
                        description: "Synthetic screenshot".into(),
                        captured_on: occurred,
                    })
                    .collect(),
            };
            history::expand(plan, &dir, &mut ids, "synthetic-seed", &mut batch);
        }
        rows_total += batch.len() as u64;
        cases_total += batch.cases.len() as u64;
        let txn = db.begin().await?;
        batch.insert(&txn).await?;
        txn.commit().await?;
        done += n;
        eprintln!("cases {done}/{} ({:.0?})", opts.cases, started.elapsed());
    }
    history::sync_sequences(db).await?;
    // Fresh planner statistics: without them PostgreSQL plans the scoped
    // queries over a million rows badly until autovacuum catches up.
    db.execute_unprepared("ANALYZE").await?;
    eprintln!("synthetic data loaded: {rows_total} rows in {:.1?}", started.elapsed());
    Ok(SyntheticReport { officials: opts.officials, cases: cases_total, rows: rows_total })
}
