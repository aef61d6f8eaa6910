//! Reference data netra ships: regions (BRIEF §8.2), the agencies of the
//! registry, and the Pilkada 2024 races with their key dates. `load` is
//! idempotent: it inserts what is missing and never changes existing rows.

pub mod graphql;
pub mod loaders;
mod regions;
pub mod service;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ConnectionTrait, EntityTrait, QuerySelect, TransactionTrait,
};

use crate::domain::{agencies, AgencyKind, ElectionKind, RegionCode, RegionKind};
use crate::entity::{agency, election, region, region_alias};

pub use regions::REGIONS;

/// The decree the shipped region codes come from.
pub const SOURCE_DECREE: &str = "Kepmendagri 100.1.1-6117/2022";

/// One region of the Kemendagri list as netra ships it.
pub struct RegionSeed {
    /// Dotted code, e.g. `16.73`.
    pub code: &'static str,
    /// Official name, e.g. `Kota Lubuk Linggau`.
    pub name: &'static str,
    /// Province, kabupaten, kota, kecamatan, kelurahan or desa.
    pub kind: RegionKind,
    /// Other spellings in use ("Lubuklinggau").
    pub aliases: &'static [&'static str],
}

/// One agency of the registry, before it has an id.
#[derive(Debug, Clone)]
pub struct AgencySeed {
    /// Registry code, e.g. `BAWASLU-16.73`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind, which decides the policy that applies.
    pub kind: AgencyKind,
    /// Root of the jurisdiction; `None` = national.
    pub region: Option<String>,
    /// Code of the parent agency.
    pub parent: Option<String>,
    /// First day the agency holds its role.
    pub valid_from: NaiveDate,
    /// Last day, for a dissolved agency.
    pub valid_to: Option<NaiveDate>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("BUG: reference dates are valid")
}

/// The region name without its "Kabupaten "/"Kota " prefix.
fn bare(name: &str) -> &str {
    name.strip_prefix("Kabupaten ").or_else(|| name.strip_prefix("Kota ")).unwrap_or(name)
}

/// The agencies of the registry, parents before children. Bawaslu, the
/// government and Gakkumdu exist for every region netra ships down to
/// kabupaten/kota, panwascam for every kecamatan.
pub fn agencies() -> Vec<AgencySeed> {
    let since = date(2017, 8, 16);
    let national = |code: &str, name: &str, kind| AgencySeed {
        code: code.into(),
        name: name.into(),
        kind,
        region: None,
        parent: None,
        valid_from: since,
        valid_to: None,
    };
    let mut out = vec![
        national("BAWASLU", "Badan Pengawas Pemilihan Umum Republik Indonesia", AgencyKind::BawasluRi),
        national("BKN", "Badan Kepegawaian Negara", AgencyKind::Bkn),
        national("POLRI", "Kepolisian Negara Republik Indonesia", AgencyKind::Polri),
        national("TNI", "Tentara Nasional Indonesia", AgencyKind::Tni),
        national("KEMENDAGRI", "Kementerian Dalam Negeri", AgencyKind::Kemendagri),
        national(
            "KEMENPANRB",
            "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
            AgencyKind::Kemenpanrb,
        ),
        AgencySeed {
            valid_to: Some(date(2024, 8, 23)),
            ..national("KASN", "Komisi Aparatur Sipil Negara", AgencyKind::Kasn)
        },
    ];
    let local = |code: String, name: String, kind, region: &str, parent: Option<String>| AgencySeed {
        code,
        name,
        kind,
        region: Some(region.to_owned()),
        parent,
        valid_from: since,
        valid_to: None,
    };
    for r in REGIONS {
        let code = r.code;
        let parent_region = RegionCode::parse(code).ok().and_then(|c| c.parent());
        match r.kind {
            RegionKind::Province => {
                let p = Some(agencies::BAWASLU_RI.to_owned());
                out.push(local(
                    agencies::bawaslu(code),
                    format!("Bawaslu Provinsi {}", r.name),
                    AgencyKind::BawasluProvince,
                    code,
                    p,
                ));
                out.push(local(
                    agencies::pemda(code),
                    format!("Pemerintah Provinsi {}", r.name),
                    AgencyKind::RegionalGovernment,
                    code,
                    None,
                ));
                out.push(local(
                    agencies::inspectorate(code),
                    format!("Inspektorat Provinsi {}", r.name),
                    AgencyKind::Inspectorate,
                    code,
                    Some(agencies::pemda(code)),
                ));
                out.push(local(
                    agencies::gakkumdu(code),
                    format!("Sentra Gakkumdu Provinsi {}", r.name),
                    AgencyKind::Gakkumdu,
                    code,
                    None,
                ));
            }
            RegionKind::Kabupaten | RegionKind::Kota => {
                let p = parent_region.map(|p| agencies::bawaslu(&p));
                out.push(local(
                    agencies::bawaslu(code),
                    format!("Bawaslu {}", r.name),
                    AgencyKind::BawasluRegency,
                    code,
                    p,
                ));
                out.push(local(
                    agencies::pemda(code),
                    format!("Pemerintah {}", r.name),
                    AgencyKind::RegionalGovernment,
                    code,
                    None,
                ));
                out.push(local(
                    agencies::inspectorate(code),
                    format!("Inspektorat {}", r.name),
                    AgencyKind::Inspectorate,
                    code,
                    Some(agencies::pemda(code)),
                ));
                out.push(local(
                    agencies::gakkumdu(code),
                    format!("Sentra Gakkumdu {}", r.name),
                    AgencyKind::Gakkumdu,
                    code,
                    None,
                ));
            }
            RegionKind::Kecamatan => {
                let p = parent_region.map(|p| agencies::bawaslu(&p));
                out.push(local(
                    format!("PANWASCAM-{code}"),
                    format!("Panwaslu Kecamatan {}", r.name),
                    AgencyKind::Panwascam,
                    code,
                    p,
                ));
            }
            RegionKind::Kelurahan | RegionKind::Desa | RegionKind::DesaAdat => {}
        }
    }
    out
}

/// The Pilkada 2024 races for the shipped regions: a governor race in every
/// province but DI Yogyakarta (whose governor is not elected), and a bupati or
/// walikota race in every shipped kabupaten/kota.
pub fn elections() -> Vec<election::ActiveModel> {
    REGIONS
        .iter()
        .filter_map(|r| {
            let (kind, title) = match r.kind {
                RegionKind::Province if r.code != "34" => (ElectionKind::Governor, "Gubernur"),
                RegionKind::Kabupaten => (ElectionKind::Regent, "Bupati"),
                RegionKind::Kota => (ElectionKind::Mayor, "Wali Kota"),
                _ => return None,
            };
            Some(election::ActiveModel {
                id: NotSet,
                kind: Set(kind),
                year: Set(2024),
                region_code: Set(r.code.to_owned()),
                name: Set(format!("Pemilihan {title} {} 2024", bare(r.name))),
                determination_on: Set(date(2024, 9, 22)),
                campaign_start_on: Set(date(2024, 9, 25)),
                campaign_end_on: Set(date(2024, 11, 23)),
                voting_on: Set(date(2024, 11, 27)),
                tally_end_on: Set(date(2024, 12, 16)),
            })
        })
        .collect()
}

fn region_row(seed: &RegionSeed) -> region::ActiveModel {
    let code = RegionCode::parse(seed.code).expect("BUG: shipped region codes are well formed");
    region::ActiveModel {
        code: Set(seed.code.to_owned()),
        name: Set(seed.name.to_owned()),
        kind: Set(seed.kind),
        level: Set(i16::from(code.level())),
        parent_code: Set(code.parent()),
        province_code: Set(code.prefix(1).unwrap_or_default()),
        regency_code: Set(code.prefix(2)),
        district_code: Set(code.prefix(3)),
        source_decree: Set(SOURCE_DECREE.to_owned()),
    }
}

/// Inserts whatever reference data is missing, in one transaction.
pub async fn load<C: TransactionTrait>(db: &C) -> anyhow::Result<()> {
    let txn = db.begin().await?;
    let have: HashSet<String> = region::Entity::find()
        .select_only()
        .column(region::Column::Code)
        .into_tuple()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let missing: Vec<_> = REGIONS.iter().filter(|r| !have.contains(r.code)).map(region_row).collect();
    insert_chunks::<region::Entity, _>(&txn, missing).await?;

    let aliases: HashSet<String> = region_alias::Entity::find()
        .select_only()
        .column(region_alias::Column::Alias)
        .into_tuple()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let new_aliases: Vec<_> = REGIONS
        .iter()
        .flat_map(|r| r.aliases.iter().map(move |a| (r.code, *a)))
        .filter(|(_, a)| !aliases.contains(*a))
        .map(|(code, alias)| region_alias::ActiveModel {
            id: NotSet,
            region_code: Set(code.to_owned()),
            alias: Set(alias.to_owned()),
        })
        .collect();
    insert_chunks::<region_alias::Entity, _>(&txn, new_aliases).await?;

    load_agencies(&txn).await?;

    let races: HashSet<(String, ElectionKind)> = election::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .filter(|e| e.year == 2024)
        .map(|e| (e.region_code, e.kind))
        .collect();
    let new_races: Vec<_> = elections()
        .into_iter()
        .filter(|e| !races.contains(&(e.region_code.clone().unwrap(), e.kind.clone().unwrap())))
        .collect();
    insert_chunks::<election::Entity, _>(&txn, new_races).await?;
    txn.commit().await?;
    Ok(())
}

/// Inserts agencies tier by tier so that each parent id is known first.
async fn load_agencies<C: ConnectionTrait>(db: &C) -> anyhow::Result<()> {
    let seeds = agencies();
    // Tier = length of the parent chain; parents always sit in a lower tier.
    let parent_of: HashMap<&str, Option<&str>> = seeds.iter().map(|s| (s.code.as_str(), s.parent.as_deref())).collect();
    let tier = |code: &str| {
        let mut n = 0;
        let mut cur = parent_of.get(code).copied().flatten();
        while let Some(p) = cur {
            n += 1;
            cur = parent_of.get(p).copied().flatten();
        }
        n
    };
    for level in 0..4 {
        let ids = agency_ids(db).await?;
        let rows: Vec<_> = seeds
            .iter()
            .filter(|s| tier(&s.code) == level && !ids.contains_key(&s.code))
            .map(|s| agency::ActiveModel {
                id: NotSet,
                code: Set(s.code.clone()),
                name: Set(s.name.clone()),
                kind: Set(s.kind),
                region_code: Set(s.region.clone()),
                parent_id: Set(s.parent.as_ref().and_then(|p| ids.get(p).copied())),
                valid_from: Set(s.valid_from),
                valid_to: Set(s.valid_to),
            })
            .collect();
        insert_chunks::<agency::Entity, _>(db, rows).await?;
    }
    Ok(())
}

/// Agency ids by code.
pub async fn agency_ids<C: ConnectionTrait>(db: &C) -> anyhow::Result<HashMap<String, i64>> {
    Ok(agency::Entity::find()
        .select_only()
        .column(agency::Column::Code)
        .column(agency::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Inserts rows in multi-row statements, each under SQLite's limit of 32,766
/// bound parameters (PostgreSQL allows 65,535).
pub async fn insert_chunks<E, C>(db: &C, rows: Vec<E::ActiveModel>) -> Result<(), sea_orm::DbErr>
where
    E: EntityTrait,
    E::Model: sea_orm::IntoActiveModel<E::ActiveModel>,
    C: ConnectionTrait,
{
    use sea_orm::Iterable;
    let per_statement = (30_000 / E::Column::iter().count().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(per_statement).collect();
        E::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(())
}
