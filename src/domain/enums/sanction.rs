//! The vocabularies of sanctions and of the receiving agencies' decisions:
//! tracks, severities, sanction codes, decision kinds and outcomes,
//! execution checks and escalations.

use async_graphql::Enum;
use sea_orm::sea_query::StringLen;
use sea_orm::{DeriveActiveEnum, EnumIter};

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
