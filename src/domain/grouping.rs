//! The two groupings netra adds to the vocabulary for the published
//! breakdowns (BRIEF §9): the violation category (act type) and the
//! pipeline stage, each a closed list of keys with labels and an exhaustive
//! mapping from the act or the state. A case carries the categories of its
//! acts as a bit set (`case.violation_categories`), so that counting cases
//! by category needs no join with the allegations.

use super::{CaseState, ViolationCode};

/// Declares a grouping: a closed list of keys with a label each.
macro_rules! grouping {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = ($key:literal, $label:literal) ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in print order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The key in tables.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }

            /// A label for people.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }
    };
}

grouping! {
    /// Act types of the published figures (KASN and Bawaslu count by them).
    ViolationCategory {
        /// Posting, sharing, liking or campaigning online.
        SocialMedia = ("SOCIAL_MEDIA", "Social media"),
        /// Photos with partisan gestures, attributes or backdrops.
        PhotoSymbol = ("PHOTO_SYMBOL", "Partisan photos"),
        /// Attending declarations, campaigns or introduction events.
        CampaignEvent = ("CAMPAIGN_EVENT", "Declarations and campaign events"),
        /// Banners, billboards and other campaign props.
        CampaignProps = ("CAMPAIGN_PROPS", "Campaign props"),
        /// Meetings, appeals, gifts, mobilising others, support for a candidate.
        PartisanActivity = ("PARTISAN_ACTIVITY", "Partisan activity"),
        /// Party approach or membership, winning-team roles.
        PartyAndTeam = ("PARTY_AND_TEAM", "Party and campaign team"),
        /// Decisions, programmes, rotations or state facilities used for a candidate.
        AbuseOfOffice = ("ABUSE_OF_OFFICE", "Abuse of office or state facilities"),
        /// Anything else.
        Other = ("OTHER", "Other"),
    }
}

impl ViolationCategory {
    /// The category of an act.
    pub fn of(code: ViolationCode) -> Self {
        use ViolationCode as V;
        match code {
            V::EthSocmedPre | V::EthSocmedInteract | V::DisSocmedCampaign | V::DisSocmedInteract => Self::SocialMedia,
            V::EthPhotoSymbol | V::DisPhotoSymbol => Self::PhotoSymbol,
            V::EthDeclarationPre
            | V::EthCampaignIntro
            | V::EthSpouseCampaign
            | V::DisDeclarationActive
            | V::CampaignJoin
            | V::CampaignAttributes => Self::CampaignEvent,
            V::EthPropsPre | V::DisProps => Self::CampaignProps,
            V::DisPartisanActivity | V::MobilizePns | V::DisKtpSupport | V::CampaignInvolvement => {
                Self::PartisanActivity
            }
            V::DisPartyApproach | V::DisPartyMember | V::DisTeamPre | V::DisTeamPost => Self::PartyAndTeam,
            V::DisFavoringDecision | V::StateFacilities | V::ProgramMisuse | V::OfficialRotation => Self::AbuseOfOffice,
            V::Other => Self::Other,
        }
    }

    /// The category's bit in `case.violation_categories`: its position in
    /// [`Self::ALL`]. Stored data depends on it: new categories go last.
    pub fn bit(self) -> i32 {
        let position = Self::ALL.iter().position(|c| *c == self).unwrap_or_default();
        1 << position
    }

    /// The bit set of the categories of `codes` (0 for none).
    pub fn mask(codes: impl IntoIterator<Item = ViolationCode>) -> i32 {
        codes.into_iter().fold(0, |m, c| m | Self::of(c).bit())
    }
}

grouping! {
    /// Stages of the pipeline (the Kemendagri and Bawaslu breakdowns count by them).
    Stage {
        /// Received; formal and material check.
        Intake = ("INTAKE", "Intake"),
        /// Not registered: late or incomplete.
        NotRegistered = ("NOT_REGISTERED", "Not registered"),
        /// Registered; clarification and assessment.
        Assessment = ("ASSESSMENT", "Under assessment"),
        /// Decided by the plenary, not yet forwarded.
        Decided = ("DECIDED", "Decided"),
        /// Forwarded; the competent agency verifies.
        AtAgency = ("AT_AGENCY", "At the competent agency"),
        /// Sanction recommended; the PPK examines (or is overdue).
        AwaitingPpk = ("AWAITING_PPK", "Awaiting the PPK"),
        /// Sanction imposed, under appeal, or being executed.
        Sanctioned = ("SANCTIONED", "Sanctioned"),
        /// Criminal process.
        Criminal = ("CRIMINAL", "Criminal process"),
        /// Closed.
        Closed = ("CLOSED", "Closed"),
    }
}

impl Stage {
    /// The stage of a state.
    pub fn of(state: CaseState) -> Self {
        use CaseState as S;
        match state {
            S::Received | S::FormalMaterialCheck => Self::Intake,
            S::NotRegistered => Self::NotRegistered,
            S::Registered | S::ClarificationAssessment => Self::Assessment,
            S::Decided => Self::Decided,
            S::Forwarded | S::AgencyVerifying => Self::AtAgency,
            S::SanctionRecommended | S::PpkExamination | S::OverdueEscalated => Self::AwaitingPpk,
            S::SanctionImposed | S::AdminAppeal | S::ExecutionMonitoring => Self::Sanctioned,
            S::CriminalProcess => Self::Criminal,
            S::Closed => Self::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn each_category_has_its_own_bit_and_a_mask_is_their_union() {
        let bits: Vec<i32> = ViolationCategory::ALL.iter().map(|c| c.bit()).collect();
        for (i, b) in bits.iter().enumerate() {
            assert_eq!(b.count_ones(), 1);
            assert!(bits[..i].iter().all(|o| o != b), "{bits:?}");
        }
        assert_eq!(ViolationCategory::mask([]), 0);
        let two = [ViolationCode::EthSocmedPre, ViolationCode::StateFacilities, ViolationCode::DisSocmedCampaign];
        assert_eq!(
            ViolationCategory::mask(two),
            ViolationCategory::SocialMedia.bit() | ViolationCategory::AbuseOfOffice.bit()
        );
        let all = ViolationCategory::mask(ViolationCode::iter());
        assert_eq!(all.count_ones() as usize, ViolationCategory::ALL.len());
    }
}
