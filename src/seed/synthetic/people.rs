//! The synthetic officials: names, positions and kinds drawn from small
//! tables, valid unique NIPs, employers by the registry's conventions. Master
//! data, inserted directly (as the API's intake would insert a new official).

use std::collections::HashSet;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::Rng;

use crate::domain::{agencies, PositionClass, SubjectKind, ViolationCode};
use crate::entity::official;
use crate::seed::book::Book;

pub(super) const GIVEN: &[&str] = &[
    "Adi", "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dewi", "Dian", "Eko", "Endang", "Fajar",
    "Fitri", "Hadi", "Hendra", "Indah", "Irwan", "Joko", "Kartika", "Lestari", "Made", "Maya", "Nur", "Putri",
    "Rahmat", "Rina", "Rudi", "Sari", "Sri", "Taufik", "Tri", "Wahyu", "Wati", "Yanti", "Yudi", "Zainal", "Ratna",
    "Surya", "Wulan",
];
pub(super) const FAMILY: &[&str] = &[
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
pub(super) const ACTS: &[ViolationCode] = &[
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

/// One of `items`.
pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
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

/// A new official working at `place`, with id `id`.
pub(super) fn official(
    rng: &mut StdRng,
    id: i64,
    place: &str,
    book: &Book,
    seen: &mut HashSet<u64>,
) -> anyhow::Result<official::Model> {
    let kind = subject_kind(rng);
    let employer_code = match kind {
        SubjectKind::Tni => agencies::TNI.to_owned(),
        SubjectKind::Polri => agencies::POLRI.to_owned(),
        _ => agencies::pemda(place),
    };
    let employer = book.agency(&employer_code).context("an official's employer")?.id;
    let (position, class) = match kind {
        SubjectKind::CamatLurah => ("Camat".to_owned(), Some(PositionClass::KepalaWilayah)),
        SubjectKind::VillageHead => ("Kepala Desa".to_owned(), None),
        SubjectKind::VillageOfficial => ("Sekretaris Desa".to_owned(), None),
        SubjectKind::NonAsn => ("Tenaga Honorer".to_owned(), None),
        SubjectKind::Tni | SubjectKind::Polri => ("Anggota".to_owned(), None),
        _ => {
            let (p, c) = pick(rng, POSITIONS);
            ((*p).to_owned(), Some(*c))
        }
    };
    let nip_value = match kind {
        SubjectKind::Pns | SubjectKind::CamatLurah => Some(nip(rng, false, seen)),
        SubjectKind::Pppk => Some(nip(rng, true, seen)),
        _ => None,
    };
    let nrp = matches!(kind, SubjectKind::Tni | SubjectKind::Polri).then(|| format!("9{id:09}"));
    // The PPK of a civil servant is the head of the government employing them.
    let ppk_id = kind.is_asn().then_some(employer);
    Ok(official::Model {
        id,
        subject_kind: kind,
        nip: nip_value,
        nrp,
        full_name: format!("{} {} {}", pick(rng, GIVEN), pick(rng, GIVEN), pick(rng, FAMILY)),
        position,
        position_class: class,
        grade: None,
        employer_id: employer,
        ppk_id,
        work_region_code: place.to_owned(),
    })
}
