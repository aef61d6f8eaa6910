//! The vocabularies of the reference data: regions, agencies, officials
//! (subject kinds, position classes) and races.

use async_graphql::Enum;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

vocabulary! {
    /// Kind of an administrative region in the Kemendagri code list (BRIEF §8.2).
    RegionKind {
        /// Provinsi (`PP`).
        Province = "PROVINCE",
        /// Kabupaten, a regency (`PP.KK`, KK 01–69).
        Kabupaten = "KABUPATEN",
        /// Kota, a city (`PP.KK`, KK 71–99).
        Kota = "KOTA",
        /// Kecamatan, a district (`PP.KK.CC`).
        Kecamatan = "KECAMATAN",
        /// Kelurahan, an urban ward (village part starting with 1).
        Kelurahan = "KELURAHAN",
        /// Desa, a village (village part starting with 2).
        Desa = "DESA",
        /// Desa adat, a customary village (village part starting with 3).
        DesaAdat = "DESA_ADAT",
    }
}

vocabulary! {
    /// Kind of an agency (organisation) registered in netra.
    AgencyKind {
        /// Bawaslu RI, the national election supervisory body.
        BawasluRi = "BAWASLU_RI",
        /// Bawaslu Provinsi.
        BawasluProvince = "BAWASLU_PROVINCE",
        /// Bawaslu Kabupaten/Kota.
        BawasluRegency = "BAWASLU_REGENCY",
        /// Panwaslu Kecamatan (panwascam), the ad hoc district supervisor.
        Panwascam = "PANWASCAM",
        /// Inspektorat daerah, the regional internal auditor.
        Inspectorate = "INSPECTORATE",
        /// Pemerintah daerah: the regional government whose head is the PPK.
        RegionalGovernment = "REGIONAL_GOVERNMENT",
        /// Badan Kepegawaian Negara, holder of the ASN oversight role since 24 Aug 2024.
        Bkn = "BKN",
        /// Kepolisian Negara Republik Indonesia (Propam for ethics).
        Polri = "POLRI",
        /// Tentara Nasional Indonesia.
        Tni = "TNI",
        /// Sentra Gakkumdu, the integrated criminal-enforcement centre.
        Gakkumdu = "GAKKUMDU",
        /// Komisi ASN, dissolved; kept for cases before 24 Aug 2024.
        Kasn = "KASN",
        /// Kementerian Dalam Negeri (home affairs).
        Kemendagri = "KEMENDAGRI",
        /// Kementerian PAN-RB (civil-service reform).
        Kemenpanrb = "KEMENPANRB",
    }
}

vocabulary! {
    /// Kind of the reported official (terlapor), which decides where a proven
    /// allegation is forwarded (BRIEF §3).
    SubjectKind {
        /// Pegawai Negeri Sipil, a permanent civil servant (ASN).
        Pns = "PNS",
        /// Pegawai Pemerintah dengan Perjanjian Kerja, a contract civil servant (ASN).
        Pppk = "PPPK",
        /// Non-ASN contract staff (honorer).
        NonAsn = "NON_ASN",
        /// Pejabat negara or pejabat daerah, including an acting (Pj) regional head.
        StateOfficial = "STATE_OFFICIAL",
        /// Camat or lurah: an ASN who heads a district or ward.
        CamatLurah = "CAMAT_LURAH",
        /// Kepala desa, a village head (UU Desa).
        VillageHead = "VILLAGE_HEAD",
        /// Perangkat desa, village staff.
        VillageOfficial = "VILLAGE_OFFICIAL",
        /// Member of the armed forces.
        Tni = "TNI",
        /// Member of the national police.
        Polri = "POLRI",
    }
}

impl SubjectKind {
    /// Whether the subject is an ASN (civil servant), whose cases go through BKN.
    pub fn is_asn(self) -> bool {
        matches!(self, Self::Pns | Self::Pppk | Self::CamatLurah)
    }
}

vocabulary! {
    /// Position class used in the published breakdowns (BRIEF §4.3).
    PositionClass {
        /// Jabatan Pimpinan Tinggi, senior executive.
        Jpt = "JPT",
        /// Jabatan administrator.
        Administrator = "ADMINISTRATOR",
        /// Jabatan pengawas.
        Pengawas = "PENGAWAS",
        /// Jabatan pelaksana, staff.
        Pelaksana = "PELAKSANA",
        /// Jabatan fungsional (teachers, doctors, auditors…).
        Fungsional = "FUNGSIONAL",
        /// Kepala wilayah: camat or lurah.
        KepalaWilayah = "KEPALA_WILAYAH",
    }
}

vocabulary! {
    /// The race of a regional election.
    ElectionKind {
        /// Pemilihan gubernur (governor).
        Governor = "GOVERNOR",
        /// Pemilihan bupati (regent).
        Regent = "REGENT",
        /// Pemilihan walikota (mayor).
        Mayor = "MAYOR",
    }
}
