//! The closed vocabularies of the domain (BRIEF §4, §6, §7), shared by the
//! database and the API.
//!
//! Each enumeration is stored as its SCREAMING_SNAKE_CASE name (a string column,
//! portable across SQLite and PostgreSQL) and exposed to GraphQL under the same
//! name. Deriving both on one type is deliberate: two copies of the same list
//! would drift, and the stored value *is* the wire value. No logic lives here
//! beyond small, pure facts about a value.

use async_graphql::Enum;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

/// Declares a string-backed enumeration usable as a sea-orm column and as a
/// GraphQL enum. Every variant's stored value is its GraphQL name.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Enum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
        pub enum $name {
            $( $(#[$vmeta])* #[sea_orm(string_value = $value)] #[graphql(name = $value)] $variant ),+
        }

        impl $name {
            /// The stored (and GraphQL) name of this value.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $value ),+ }
            }
        }
    };
}

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
    /// How a case reached Bawaslu.
    CaseSource {
        /// Laporan: a report by a voter, an election monitor or a candidate.
        Laporan = "LAPORAN",
        /// Temuan: a finding by Bawaslu's own supervisors.
        Temuan = "TEMUAN",
    }
}

vocabulary! {
    /// State of a case in the handling process (BRIEF §6).
    CaseState {
        /// Penerimaan: received by a Bawaslu office (or a finding was set).
        Received = "RECEIVED",
        /// Formal and material requirements are being checked.
        FormalMaterialCheck = "FORMAL_MATERIAL_CHECK",
        /// Registered with a registration number.
        Registered = "REGISTERED",
        /// Not registered: late or incomplete (terminal).
        NotRegistered = "NOT_REGISTERED",
        /// Clarification hearings and legal assessment (kajian).
        ClarificationAssessment = "CLARIFICATION_ASSESSMENT",
        /// The commissioners' plenary has decided.
        Decided = "DECIDED",
        /// Recommendation sent to the competent agency (penerusan).
        Forwarded = "FORWARDED",
        /// BKN (or the Satgas) verifies the recommendation.
        AgencyVerifying = "AGENCY_VERIFYING",
        /// BKN recommended a sanction to the PPK.
        SanctionRecommended = "SANCTION_RECOMMENDED",
        /// The PPK's examination (superior, inspectorate, personnel unit).
        PpkExamination = "PPK_EXAMINATION",
        /// The sanction decree (SK) is issued.
        SanctionImposed = "SANCTION_IMPOSED",
        /// The PPK is overdue; record blocking or warning letters.
        OverdueEscalated = "OVERDUE_ESCALATED",
        /// Keberatan or banding administratif against the sanction.
        AdminAppeal = "ADMIN_APPEAL",
        /// Criminal track at Gakkumdu and the courts.
        CriminalProcess = "CRIMINAL_PROCESS",
        /// The sanction runs; execution is being followed up.
        ExecutionMonitoring = "EXECUTION_MONITORING",
        /// Closed, with a closure reason.
        Closed = "CLOSED",
    }
}

vocabulary! {
    /// Bawaslu's classification of a decided case (BRIEF §4.3).
    Classification {
        /// Pelanggaran administrasi pemilihan (goes to the KPU track).
        AdministrasiPemilihan = "ADMINISTRASI_PEMILIHAN",
        /// Tindak pidana pemilihan (criminal, Gakkumdu).
        TindakPidanaPemilihan = "TINDAK_PIDANA_PEMILIHAN",
        /// Kode etik penyelenggara (ethics of election organisers).
        KodeEtikPenyelenggara = "KODE_ETIK_PENYELENGGARA",
        /// Pelanggaran peraturan perundang-undangan lainnya: the neutrality track.
        PerundanganLainnya = "PERUNDANGAN_LAINNYA",
        /// Bukan pelanggaran: not a violation.
        BukanPelanggaran = "BUKAN_PELANGGARAN",
    }
}

vocabulary! {
    /// The act alleged against one official (BRIEF §4.1): ethics track (`ETH_`),
    /// discipline track (`DIS_`), PP 94/2021 Art. 5(n) and UU Pilkada acts.
    ViolationCode {
        /// Installing banners or billboards for a prospective candidate (ethics).
        EthPropsPre = "ETH_PROPS_PRE",
        /// Online promotion of a prospective candidate (ethics).
        EthSocmedPre = "ETH_SOCMED_PRE",
        /// Attending a declaration and actively supporting (ethics).
        EthDeclarationPre = "ETH_DECLARATION_PRE",
        /// Posting, commenting, sharing, liking or following a winning-team account (ethics).
        EthSocmedInteract = "ETH_SOCMED_INTERACT",
        /// Publishing photos with partisan gestures or attributes (ethics).
        EthPhotoSymbol = "ETH_PHOTO_SYMBOL",
        /// Joining a campaign or introduction event of a prospective candidate (ethics).
        EthCampaignIntro = "ETH_CAMPAIGN_INTRO",
        /// Joining a campaign for a spouse who is a candidate (ethics).
        EthSpouseCampaign = "ETH_SPOUSE_CAMPAIGN",
        /// Installing campaign props (discipline, heavy).
        DisProps = "DIS_PROPS",
        /// Social-media campaigning (discipline, heavy).
        DisSocmedCampaign = "DIS_SOCMED_CAMPAIGN",
        /// Approaching a party as a prospective candidate without unpaid leave (discipline, moderate).
        DisPartyApproach = "DIS_PARTY_APPROACH",
        /// Attending a declaration or campaign and actively supporting (discipline, heavy).
        DisDeclarationActive = "DIS_DECLARATION_ACTIVE",
        /// Member or officer of a political party (dismissal without honour).
        DisPartyMember = "DIS_PARTY_MEMBER",
        /// Interacting with a winning-team account (discipline, heavy).
        DisSocmedInteract = "DIS_SOCMED_INTERACT",
        /// Publishing partisan photos (discipline, heavy).
        DisPhotoSymbol = "DIS_PHOTO_SYMBOL",
        /// Meetings, appeals or gifts favouring a candidate (discipline, heavy).
        DisPartisanActivity = "DIS_PARTISAN_ACTIVITY",
        /// Expert, winning-team member or consultant before determination (discipline, moderate).
        DisTeamPre = "DIS_TEAM_PRE",
        /// Expert, winning-team member or consultant after determination (discipline, heavy).
        DisTeamPost = "DIS_TEAM_POST",
        /// Support letter or ID-card copies for an independent candidate (discipline, heavy).
        DisKtpSupport = "DIS_KTP_SUPPORT",
        /// A decision or action that benefits or harms a candidate (discipline, heavy).
        DisFavoringDecision = "DIS_FAVORING_DECISION",
        /// Joining a campaign (PP 94/2021 Art. 5(n)).
        CampaignJoin = "CAMPAIGN_JOIN",
        /// Campaigning in party or civil-service attributes (PP 94/2021 Art. 5(n)).
        CampaignAttributes = "CAMPAIGN_ATTRIBUTES",
        /// Mobilising other civil servants (PP 94/2021 Art. 5(n)).
        MobilizePns = "MOBILIZE_PNS",
        /// Using state facilities (PP 94/2021 Art. 5(n)).
        StateFacilities = "STATE_FACILITIES",
        /// Using authority, programmes or activities in the protected window (UU Pilkada Art. 71(3)).
        ProgramMisuse = "PROGRAM_MISUSE",
        /// Replacing officials in the protected window without approval (UU Pilkada Art. 71(2)).
        OfficialRotation = "OFFICIAL_ROTATION",
        /// Involving officials in a campaign, on the candidate side (UU Pilkada Art. 70(1)).
        CampaignInvolvement = "CAMPAIGN_INVOLVEMENT",
        /// Anything else; the allegation's description says what.
        Other = "OTHER",
    }
}

impl ViolationCode {
    /// The sanction track the act falls under by default.
    pub fn track(self) -> SanctionTrack {
        match self.as_str() {
            s if s.starts_with("ETH_") => SanctionTrack::Ethics,
            "DIS_PARTY_MEMBER" => SanctionTrack::Dismissal,
            _ => SanctionTrack::Discipline,
        }
    }

    /// Default severity under the 2022 joint decree (SKB), where it names one.
    pub fn default_severity(self) -> Option<Severity> {
        match self {
            Self::EthPropsPre
            | Self::EthSocmedPre
            | Self::EthDeclarationPre
            | Self::EthSocmedInteract
            | Self::EthPhotoSymbol
            | Self::EthCampaignIntro
            | Self::EthSpouseCampaign => Some(Severity::Moral),
            Self::DisPartyApproach | Self::DisTeamPre => Some(Severity::Moderate),
            Self::DisPartyMember => Some(Severity::Dismissal),
            Self::DisProps
            | Self::DisSocmedCampaign
            | Self::DisDeclarationActive
            | Self::DisSocmedInteract
            | Self::DisPhotoSymbol
            | Self::DisPartisanActivity
            | Self::DisTeamPost
            | Self::DisKtpSupport
            | Self::DisFavoringDecision => Some(Severity::Heavy),
            _ => None,
        }
    }
}

vocabulary! {
    /// Whether an act happened before or after candidate determination
    /// (penetapan paslon, 22 Sep 2024), which changes the sanction.
    Phase {
        /// Before determination (bakal calon).
        BeforeDetermination = "BEFORE_DETERMINATION",
        /// On or after determination.
        AfterDetermination = "AFTER_DETERMINATION",
    }
}

vocabulary! {
    /// Who filed a report (pelapor).
    ReporterKind {
        /// Pemilih: a voter registered in the region.
        Voter = "VOTER",
        /// Pemantau: an accredited election monitor.
        Monitor = "MONITOR",
        /// Peserta: a candidate pair or its team.
        Participant = "PARTICIPANT",
    }
}

vocabulary! {
    /// Kind of an evidence item (metadata only; files live elsewhere).
    EvidenceKind {
        /// A photograph.
        Photo = "PHOTO",
        /// A video recording.
        Video = "VIDEO",
        /// A screenshot, typically of social media.
        Screenshot = "SCREENSHOT",
        /// A link to a public page or post.
        Url = "URL",
        /// A document (letter, decree, minutes).
        Document = "DOCUMENT",
        /// A witness statement.
        WitnessStatement = "WITNESS_STATEMENT",
    }
}

vocabulary! {
    /// Legal track of a sanction (BRIEF §4.2).
    SanctionTrack {
        /// Code of ethics (PP 42/2004): moral sanctions.
        Ethics = "ETHICS",
        /// Discipline (PP 94/2021).
        Discipline = "DISCIPLINE",
        /// Dismissal without honour (UU ASN).
        Dismissal = "DISMISSAL",
        /// Forms of the former discipline regulation (PP 53/2010).
        Legacy = "LEGACY",
        /// Administrative measure by BKN (record blocking).
        AdminMeasure = "ADMIN_MEASURE",
        /// Village-law sanctions (UU Desa Art. 30).
        Village = "VILLAGE",
        /// Criminal sanction (UU Pilkada Art. 188/189).
        Criminal = "CRIMINAL",
        /// Internal TNI or Polri discipline or ethics.
        Internal = "INTERNAL",
        /// Coaching or a stern warning with no statutory basis.
        NonStatutory = "NON_STATUTORY",
    }
}

vocabulary! {
    /// Severity of a sanction.
    Severity {
        /// Moral sanction (ethics track).
        Moral = "MORAL",
        /// Ringan: light discipline.
        Light = "LIGHT",
        /// Sedang: moderate discipline.
        Moderate = "MODERATE",
        /// Berat: heavy discipline.
        Heavy = "HEAVY",
        /// PTDH: dismissal without honour.
        Dismissal = "DISMISSAL",
    }
}

vocabulary! {
    /// Sanction codes (BRIEF §4.2). The codes are the terms of the regulations.
    SanctionCode {
        /// Moral statement announced privately (ethics).
        MoralClosed = "MORAL_CLOSED",
        /// Moral statement announced publicly (ethics).
        MoralOpen = "MORAL_OPEN",
        /// Oral reprimand (light discipline; also village law).
        TeguranLisan = "TEGURAN_LISAN",
        /// Written reprimand (light discipline; also village law).
        TeguranTertulis = "TEGURAN_TERTULIS",
        /// Written statement of dissatisfaction (light discipline).
        PernyataanTidakPuas = "PERNYATAAN_TIDAK_PUAS",
        /// Performance allowance cut 25% for 6, 9 or 12 months (moderate).
        TukinCut25 = "TUKIN_CUT_25",
        /// Demotion one level for 12 months (heavy).
        Demotion12m = "DEMOTION_12M",
        /// Removal to a staff role for 12 months (heavy).
        ReliefToPelaksana12m = "RELIEF_TO_PELAKSANA_12M",
        /// Honourable dismissal not at own request (heavy).
        Pdhtaps = "PDHTAPS",
        /// Dismissal without honour.
        Ptdh = "PTDH",
        /// Deferred periodic raise for one year (legacy).
        DeferKgb1y = "DEFER_KGB_1Y",
        /// Deferred promotion for one year (legacy).
        DeferRank1y = "DEFER_RANK_1Y",
        /// Rank down one level for one year (legacy).
        RankDown1y = "RANK_DOWN_1Y",
        /// Rank down one level for three years (legacy).
        RankDown3y = "RANK_DOWN_3Y",
        /// BKN blocks personnel services until the PPK complies.
        SiasnBlock = "SIASN_BLOCK",
        /// Temporary removal of a village head.
        BerhentiSementara = "BERHENTI_SEMENTARA",
        /// Permanent removal of a village head.
        Berhenti = "BERHENTI",
        /// Criminal sentence (prison and/or fine).
        Pidana = "PIDANA",
        /// TNI or Polri internal discipline.
        InternalDiscipline = "INTERNAL_DISCIPLINE",
        /// TNI or Polri internal ethics.
        InternalEthics = "INTERNAL_ETHICS",
        /// Coaching (pembinaan), non-statutory.
        Pembinaan = "PEMBINAAN",
        /// Stern warning, non-statutory.
        PeringatanKeras = "PERINGATAN_KERAS",
    }
}

impl SanctionCode {
    /// The track and severity a sanction code belongs to.
    pub fn classify(self) -> (SanctionTrack, Option<Severity>) {
        use SanctionTrack as T;
        match self {
            Self::MoralClosed | Self::MoralOpen => (T::Ethics, Some(Severity::Moral)),
            Self::TeguranLisan | Self::TeguranTertulis | Self::PernyataanTidakPuas => {
                (T::Discipline, Some(Severity::Light))
            }
            Self::TukinCut25 => (T::Discipline, Some(Severity::Moderate)),
            Self::Demotion12m | Self::ReliefToPelaksana12m | Self::Pdhtaps => (T::Discipline, Some(Severity::Heavy)),
            Self::Ptdh => (T::Dismissal, Some(Severity::Dismissal)),
            Self::DeferKgb1y | Self::DeferRank1y | Self::RankDown1y => (T::Legacy, Some(Severity::Moderate)),
            Self::RankDown3y => (T::Legacy, Some(Severity::Heavy)),
            Self::SiasnBlock => (T::AdminMeasure, None),
            Self::BerhentiSementara | Self::Berhenti => (T::Village, None),
            Self::Pidana => (T::Criminal, None),
            Self::InternalDiscipline | Self::InternalEthics => (T::Internal, None),
            Self::Pembinaan | Self::PeringatanKeras => (T::NonStatutory, None),
        }
    }
}

vocabulary! {
    /// Kind of a decision recorded by a receiving agency.
    DecisionKind {
        /// BKN's (or the Satgas') verification of a recommendation.
        Verification = "VERIFICATION",
        /// BKN's sanction recommendation to the PPK.
        Recommendation = "RECOMMENDATION",
        /// The PPK's sanction decree (SK).
        SanctionDecree = "SANCTION_DECREE",
        /// The outcome of an administrative appeal.
        AppealOutcome = "APPEAL_OUTCOME",
        /// A court verdict on the criminal track.
        Verdict = "VERDICT",
        /// A TNI or Polri internal outcome, recorded as reported.
        Internal = "INTERNAL",
    }
}

vocabulary! {
    /// Outcome of an agency decision.
    DecisionOutcome {
        /// The violation is proven.
        Proven = "PROVEN",
        /// Not proven.
        NotProven = "NOT_PROVEN",
        /// Cancelled (for example a duplicate).
        Cancelled = "CANCELLED",
        /// Rejected as outside the agency's remit.
        Rejected = "REJECTED",
        /// The subject retired or resigned.
        SubjectSeparated = "SUBJECT_SEPARATED",
        /// A sanction is recommended or imposed.
        Sanctioned = "SANCTIONED",
        /// An appeal upheld the sanction.
        Upheld = "UPHELD",
        /// An appeal changed the sanction.
        Changed = "CHANGED",
        /// A court found the subject guilty.
        Guilty = "GUILTY",
        /// A court acquitted the subject.
        Acquitted = "ACQUITTED",
    }
}

vocabulary! {
    /// Status of a check on whether a sanction was carried out.
    ExecutionStatus {
        /// Not yet started.
        Pending = "PENDING",
        /// Running (e.g. an allowance cut in force).
        Executing = "EXECUTING",
        /// Carried out, with proof.
        Done = "DONE",
        /// Not carried out.
        NotExecuted = "NOT_EXECUTED",
    }
}

vocabulary! {
    /// Follow-up measure against a PPK that does not act in time.
    EscalationKind {
        /// BKN blocks the official's personnel record (SIASN).
        SiasnBlock = "SIASN_BLOCK",
        /// BKN lifts the block.
        SiasnUnblock = "SIASN_UNBLOCK",
        /// A warning letter from the ministry or BKN.
        WarningLetter = "WARNING_LETTER",
    }
}

vocabulary! {
    /// Why a case was closed.
    ClosureReason {
        /// Bawaslu's plenary found no violation.
        NotAViolation = "NOT_A_VIOLATION",
        /// The receiving agency found it not proven.
        NotProven = "NOT_PROVEN",
        /// Cancelled by the receiving agency.
        Cancelled = "CANCELLED",
        /// Rejected by the receiving agency.
        Rejected = "REJECTED",
        /// The subject retired or resigned.
        SubjectSeparated = "SUBJECT_SEPARATED",
        /// The sanction was carried out.
        SanctionExecuted = "SANCTION_EXECUTED",
        /// The criminal track ended with a verdict.
        CriminalVerdict = "CRIMINAL_VERDICT",
        /// The case went to the KPU's administrative track, outside netra.
        AdministrativeTrack = "ADMINISTRATIVE_TRACK",
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
