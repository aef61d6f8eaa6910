//! Which sanctions fit which subject and act (BRIEF §3, §4.2): pure rules the
//! sanction decree is checked against.

use super::{DecisionKind, SanctionCode, SanctionTrack as T, Severity, SubjectKind, ViolationCode};

/// Decision kinds that are never a sanction, even when they name one: BKN's
/// verification and its recommendation to the PPK.
pub const NOT_SANCTIONS: [DecisionKind; 2] = [DecisionKind::Verification, DecisionKind::Recommendation];

/// What counts as a sanction, the one rule behind `Case.sanctions`, the
/// statistics' sanction counts and the workflow's execution checks: a
/// decision that names a sanction code and is not a verification or a
/// recommendation (decrees, internal decisions, appeal changes, verdicts).
/// `case::sanction_decisions` is the same rule as SQL.
pub fn is_sanction(kind: DecisionKind, code: Option<SanctionCode>) -> bool {
    code.is_some() && !NOT_SANCTIONS.contains(&kind)
}

/// Why `code` does not fit a `kind` subject who committed `act`, if it does not.
pub fn misfit(kind: SubjectKind, act: ViolationCode, code: SanctionCode) -> Option<String> {
    let (track, severity) = code.classify();
    // Coaching or a stern warning may follow any act (e.g. a camat warned by an acting mayor).
    if track == T::NonStatutory {
        return None;
    }
    let fits = match kind {
        // Village law (UU Desa Art. 30) shares the reprimand codes with light discipline.
        SubjectKind::VillageHead | SubjectKind::VillageOfficial => matches!(
            code,
            SanctionCode::TeguranLisan
                | SanctionCode::TeguranTertulis
                | SanctionCode::BerhentiSementara
                | SanctionCode::Berhenti
        ),
        SubjectKind::Tni | SubjectKind::Polri => track == T::Internal,
        SubjectKind::StateOfficial | SubjectKind::NonAsn => track == T::Criminal,
        SubjectKind::Pns | SubjectKind::Pppk | SubjectKind::CamatLurah => match (act.track(), act.default_severity()) {
            (T::Ethics, _) => track == T::Ethics,
            (T::Dismissal, _) => track == T::Dismissal,
            (_, Some(default)) => matches!(track, T::Discipline | T::Legacy) && severity == Some(default),
            (_, None) => matches!(track, T::Discipline | T::Legacy | T::Dismissal),
        },
    };
    (!fits).then(|| {
        let expected = match kind {
            SubjectKind::VillageHead | SubjectKind::VillageOfficial => {
                "a village-law sanction (UU Desa Art. 30)".to_owned()
            }
            SubjectKind::Tni | SubjectKind::Polri => "an internal TNI/Polri outcome".to_owned(),
            SubjectKind::StateOfficial | SubjectKind::NonAsn => {
                "a criminal sentence or a non-statutory measure".to_owned()
            }
            _ => match (act.track(), act.default_severity()) {
                (T::Ethics, _) => "a moral sanction (ethics track)".to_owned(),
                (T::Dismissal, _) => "dismissal without honour (PTDH)".to_owned(),
                (_, Some(Severity::Heavy)) => "a heavy discipline sanction".to_owned(),
                (_, Some(Severity::Moderate)) => "a moderate discipline sanction".to_owned(),
                (_, Some(s)) => format!("a {} sanction", s.as_str().to_lowercase()),
                (_, None) => "a discipline sanction".to_owned(),
            },
        };
        format!("{} does not fit {} for {}: expected {expected}", code.as_str(), kind.as_str(), act.as_str())
    })
}

/// The sanction the rules suggest for a `kind` subject who committed `act`:
/// the act's default severity for civil servants, a written reprimand under
/// village law, an internal outcome for TNI and Polri, a stern warning for
/// others (BRIEF §4.2). BKN's recommendation starts from it.
pub fn default_sanction(kind: SubjectKind, act: ViolationCode) -> SanctionCode {
    match kind {
        SubjectKind::VillageHead | SubjectKind::VillageOfficial => SanctionCode::TeguranTertulis,
        SubjectKind::Tni | SubjectKind::Polri => SanctionCode::InternalDiscipline,
        SubjectKind::NonAsn | SubjectKind::StateOfficial => SanctionCode::PeringatanKeras,
        SubjectKind::Pns | SubjectKind::Pppk | SubjectKind::CamatLurah => match act.default_severity() {
            Some(Severity::Moral) => SanctionCode::MoralOpen,
            Some(Severity::Moderate) => SanctionCode::TukinCut25,
            Some(Severity::Dismissal) => SanctionCode::Ptdh,
            Some(Severity::Heavy) => SanctionCode::Demotion12m,
            _ => SanctionCode::TeguranTertulis,
        },
    }
}

/// The duration a sanction code requires, or the durations it allows.
pub fn allowed_durations(code: SanctionCode) -> &'static [i32] {
    match code {
        SanctionCode::TukinCut25 => &[6, 9, 12],
        SanctionCode::Demotion12m
        | SanctionCode::ReliefToPelaksana12m
        | SanctionCode::DeferKgb1y
        | SanctionCode::DeferRank1y
        | SanctionCode::RankDown1y => &[12],
        SanctionCode::RankDown3y => &[36],
        SanctionCode::BerhentiSementara => &[1, 2, 3, 4, 5, 6],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanctions_follow_the_act_and_the_subject() {
        use SanctionCode as C;
        use SubjectKind as K;
        use ViolationCode as V;
        assert!(misfit(K::Pns, V::EthSocmedInteract, C::MoralOpen).is_none());
        assert!(misfit(K::Pns, V::EthSocmedInteract, C::Demotion12m).is_some());
        assert!(misfit(K::Pns, V::DisSocmedInteract, C::Demotion12m).is_none());
        assert!(misfit(K::Pns, V::DisSocmedInteract, C::TukinCut25).is_some(), "heavy act, moderate sanction");
        assert!(misfit(K::Pppk, V::DisPartyApproach, C::TukinCut25).is_none());
        assert!(misfit(K::Pns, V::DisPartyMember, C::Ptdh).is_none());
        assert!(misfit(K::VillageHead, V::CampaignJoin, C::TeguranTertulis).is_none());
        assert!(misfit(K::VillageHead, V::CampaignJoin, C::MoralOpen).is_some());
        assert!(misfit(K::Tni, V::Other, C::InternalDiscipline).is_none());
        assert!(misfit(K::CamatLurah, V::EthPhotoSymbol, C::PeringatanKeras).is_none());
        for kind in [K::Pns, K::Pppk, K::CamatLurah, K::VillageHead, K::Tni, K::Polri] {
            for act in [V::EthSocmedInteract, V::DisPartyApproach, V::DisPartyMember, V::DisProps, V::CampaignJoin] {
                assert!(misfit(kind, act, default_sanction(kind, act)).is_none(), "{kind:?} {act:?}");
            }
        }
    }

    #[test]
    fn only_decided_sanctions_count() {
        use crate::domain::DecisionKind as D;
        use SanctionCode as C;
        assert!(is_sanction(D::SanctionDecree, Some(C::TeguranTertulis)));
        assert!(is_sanction(D::Verdict, Some(C::Pidana)));
        assert!(!is_sanction(D::Recommendation, Some(C::TeguranTertulis)), "a recommendation is not a sanction");
        assert!(!is_sanction(D::Verification, Some(C::TeguranTertulis)));
        assert!(!is_sanction(D::AppealOutcome, None), "an upheld appeal names no sanction");
    }
}
