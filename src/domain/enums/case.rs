//! The vocabularies of a case: its source, state, classification and
//! closure, the acts alleged and their phase, reporters and evidence.

use async_graphql::Enum;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

use super::{SanctionTrack, Severity};

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
