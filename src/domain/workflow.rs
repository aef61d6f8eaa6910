//! The case state machine (BRIEF §6) as pure data: which action moves a case
//! from which state to which. No I/O and no authorization here: the policy
//! says who may take an action; the workflow engine loads, checks and writes.

use super::{CaseState as S, ClosureReason};

/// Declares [`Action`] from one list: each variant with its timeline name.
/// `ALL` and `name` are generated from the same list, so no count or match
/// arm is ever typed by hand.
macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// A step of the process. Each GraphQL mutation takes exactly one;
        /// the timeline and the change feed name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
        #[graphql(name = "CaseAction")]
        pub enum Action {
            $($(#[$doc])* #[graphql(name = $name)] $variant,)+
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The name stored in the timeline and shown in errors.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }
    };
}

actions! {
    /// A Bawaslu office records a new report or finding (intake).
    Receive => "RECEIVE",
    /// The handling office starts the formal and material check.
    StartFormalCheck => "START_FORMAL_CHECK",
    /// The check ends: registered, or not registered with a reason.
    CompleteFormalCheck => "COMPLETE_FORMAL_CHECK",
    /// Another Bawaslu tier takes the case over (before the check).
    Transfer => "TRANSFER",
    /// Clarification hearings and legal assessment begin.
    StartClarification => "START_CLARIFICATION",
    /// The commissioners' plenary decides.
    Decide => "DECIDE",
    /// Proven allegations are forwarded to the competent agencies.
    Forward => "FORWARD",
    /// BKN acknowledges an ASN recommendation and starts verifying.
    Acknowledge => "ACKNOWLEDGE",
    /// BKN records its verification (and, when proven, its recommendation).
    Verify => "VERIFY",
    /// The PPK (or the receiving agency) opens its examination.
    OpenExamination => "OPEN_EXAMINATION",
    /// The PPK issues the sanction decree.
    ImposeSanction => "IMPOSE_SANCTION",
    /// BKN escalates against a PPK that is overdue.
    Escalate => "ESCALATE",
    /// An objection or administrative appeal is filed.
    FileAppeal => "FILE_APPEAL",
    /// The appeal is decided (upheld or changed).
    ResolveAppeal => "RESOLVE_APPEAL",
    /// The sanction is in force; its execution is followed up.
    StartMonitoring => "START_MONITORING",
    /// A check of the sanction's execution (no state change).
    CheckExecution => "CHECK_EXECUTION",
    /// A court verdict on the criminal track.
    RecordVerdict => "RECORD_VERDICT",
    /// The handling office closes a case whose sanction was carried out.
    Close => "CLOSE",
    /// Evidence metadata added (no state change).
    AddEvidence => "ADD_EVIDENCE",
    /// A correction recorded as a new event (no state change).
    Correct => "CORRECT",
}

impl Action {
    /// The action whose timeline name is `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The states this action may start from. `via_bkn` says whether the
    /// case's subjects go through BKN (ASN) or skip its steps.
    pub fn from_states(self, via_bkn: bool) -> &'static [S] {
        match self {
            // Intake creates the case: there is no state to start from.
            Self::Receive => &[],
            Self::StartFormalCheck | Self::Transfer => &[S::Received],
            Self::CompleteFormalCheck => &[S::FormalMaterialCheck],
            Self::StartClarification => &[S::Registered],
            Self::Decide => &[S::ClarificationAssessment],
            Self::Forward => &[S::Decided],
            Self::Acknowledge | Self::Verify if !via_bkn => &[],
            Self::Acknowledge => &[S::Forwarded],
            Self::Verify => &[S::AgencyVerifying],
            Self::OpenExamination if via_bkn => &[S::SanctionRecommended, S::OverdueEscalated],
            Self::OpenExamination => &[S::Forwarded],
            Self::ImposeSanction => &[S::PpkExamination],
            Self::Escalate if via_bkn => &[S::SanctionRecommended],
            Self::Escalate => &[],
            Self::FileAppeal => &[S::SanctionImposed],
            Self::ResolveAppeal => &[S::AdminAppeal],
            Self::StartMonitoring => &[S::SanctionImposed],
            Self::CheckExecution | Self::Close => &[S::ExecutionMonitoring],
            Self::RecordVerdict => &[S::CriminalProcess],
            Self::AddEvidence => &[S::Received, S::FormalMaterialCheck, S::Registered, S::ClarificationAssessment],
            Self::Correct => &[
                S::Received,
                S::FormalMaterialCheck,
                S::Registered,
                S::NotRegistered,
                S::ClarificationAssessment,
                S::Decided,
                S::Forwarded,
                S::AgencyVerifying,
                S::SanctionRecommended,
                S::PpkExamination,
                S::SanctionImposed,
                S::OverdueEscalated,
                S::AdminAppeal,
                S::CriminalProcess,
                S::ExecutionMonitoring,
                S::Closed,
            ],
        }
    }

    /// Whether the action may be taken in `state`.
    pub fn allowed_in(self, state: S, via_bkn: bool) -> bool {
        self.from_states(via_bkn).contains(&state)
    }
}

/// The actions that may follow `state` (for error messages and clients).
pub fn next_actions(state: S, via_bkn: bool) -> Vec<Action> {
    Action::ALL.iter().copied().filter(|a| *a != Action::Correct && a.allowed_in(state, via_bkn)).collect()
}

/// The states a case passes through, from RECEIVED, to reach `target` (and,
/// for a closed case, `closure`): the route the demo and the generators
/// plan their steps along. `via_bkn` says whether the subjects are ASN.
pub fn path_to(target: S, closure: Option<ClosureReason>, via_bkn: bool) -> Vec<S> {
    use ClosureReason as C;
    let decided = [S::Received, S::FormalMaterialCheck, S::Registered, S::ClarificationAssessment, S::Decided];
    let upto = |list: &[S], last: S| -> Vec<S> {
        let end = list.iter().position(|s| *s == last).map_or(list.len(), |i| i + 1);
        list[..end].to_vec()
    };
    let with_bkn: Vec<S> =
        decided.iter().copied().chain([S::Forwarded, S::AgencyVerifying, S::SanctionRecommended]).collect();
    let forwarded: Vec<S> = if via_bkn { with_bkn.clone() } else { upto(&with_bkn, S::Forwarded) };
    let full: Vec<S> =
        forwarded.iter().copied().chain([S::PpkExamination, S::SanctionImposed, S::ExecutionMonitoring]).collect();
    let then = |list: &[S], more: &[S]| -> Vec<S> { list.iter().chain(more).copied().collect() };
    match target {
        S::NotRegistered => vec![S::Received, S::FormalMaterialCheck, S::NotRegistered],
        S::Received | S::FormalMaterialCheck | S::Registered | S::ClarificationAssessment | S::Decided => {
            upto(&decided, target)
        }
        S::Forwarded | S::AgencyVerifying | S::SanctionRecommended => upto(&with_bkn, target),
        S::PpkExamination | S::SanctionImposed | S::ExecutionMonitoring => upto(&full, target),
        S::OverdueEscalated => then(&with_bkn, &[S::OverdueEscalated]),
        S::AdminAppeal => then(&upto(&full, S::SanctionImposed), &[S::AdminAppeal]),
        S::CriminalProcess => then(&decided, &[S::CriminalProcess]),
        S::Closed => match closure {
            Some(C::NotAViolation | C::AdministrativeTrack) | None => then(&decided, &[S::Closed]),
            Some(C::CriminalVerdict) => then(&decided, &[S::CriminalProcess, S::Closed]),
            Some(C::NotProven | C::Cancelled | C::Rejected | C::SubjectSeparated) => {
                then(&decided, &[S::Forwarded, S::AgencyVerifying, S::Closed])
            }
            Some(C::SanctionExecuted) => then(&full, &[S::Closed]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_and_not_registered_cases_accept_only_corrections() {
        for state in [S::Closed, S::NotRegistered] {
            assert!(next_actions(state, true).is_empty());
            assert!(Action::Correct.allowed_in(state, true));
        }
    }

    #[test]
    fn non_asn_subjects_skip_bkn() {
        assert!(!Action::Acknowledge.allowed_in(S::Forwarded, false));
        assert!(Action::OpenExamination.allowed_in(S::Forwarded, false));
        assert!(Action::Acknowledge.allowed_in(S::Forwarded, true));
        assert!(!Action::OpenExamination.allowed_in(S::Forwarded, true));
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len(), "two actions share a name");
        assert_eq!(Action::from_name("REGISTER"), None);
    }

    #[test]
    fn every_non_terminal_state_has_a_way_forward() {
        use sea_orm::Iterable;
        for state in S::iter() {
            if matches!(state, S::Closed | S::NotRegistered) {
                continue;
            }
            let asn = next_actions(state, true);
            let other = next_actions(state, false);
            assert!(!asn.is_empty() || !other.is_empty(), "{state:?} is a dead end");
        }
    }
}
