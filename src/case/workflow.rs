//! The case state machine (BRIEF §6) as pure data: which action moves a case
//! from which state to which. No I/O and no authorization here: the policy
//! says who may take an action; the commands load, check and write.

use crate::domain::CaseState as S;

/// A step of the process. Each GraphQL mutation takes exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The handling office starts the formal and material check.
    StartFormalCheck,
    /// The check ends: registered, or not registered with a reason.
    CompleteFormalCheck,
    /// Another Bawaslu tier takes the case over (before the check).
    Transfer,
    /// Clarification hearings and legal assessment begin.
    StartClarification,
    /// The commissioners' plenary decides.
    Decide,
    /// Proven allegations are forwarded to the competent agencies.
    Forward,
    /// BKN acknowledges an ASN recommendation and starts verifying.
    Acknowledge,
    /// BKN records its verification (and, when proven, its recommendation).
    Verify,
    /// The PPK (or the receiving agency) opens its examination.
    OpenExamination,
    /// The PPK issues the sanction decree.
    ImposeSanction,
    /// BKN escalates against a PPK that is overdue.
    Escalate,
    /// An objection or administrative appeal is filed.
    FileAppeal,
    /// The appeal is decided (upheld or changed).
    ResolveAppeal,
    /// The sanction is in force; its execution is followed up.
    StartMonitoring,
    /// A check of the sanction's execution (no state change).
    CheckExecution,
    /// A court verdict on the criminal track.
    RecordVerdict,
    /// The handling office closes a case whose sanction was carried out.
    Close,
    /// Evidence metadata added (no state change).
    AddEvidence,
    /// A correction recorded as a new event (no state change).
    Correct,
}

impl Action {
    /// Every action.
    pub const ALL: [Self; 19] = [
        Self::StartFormalCheck,
        Self::CompleteFormalCheck,
        Self::Transfer,
        Self::StartClarification,
        Self::Decide,
        Self::Forward,
        Self::Acknowledge,
        Self::Verify,
        Self::OpenExamination,
        Self::ImposeSanction,
        Self::Escalate,
        Self::FileAppeal,
        Self::ResolveAppeal,
        Self::StartMonitoring,
        Self::CheckExecution,
        Self::RecordVerdict,
        Self::Close,
        Self::AddEvidence,
        Self::Correct,
    ];

    /// The name stored in the timeline and shown in errors.
    pub fn name(self) -> &'static str {
        match self {
            Self::StartFormalCheck => "START_FORMAL_CHECK",
            Self::CompleteFormalCheck => "COMPLETE_FORMAL_CHECK",
            Self::Transfer => "TRANSFER",
            Self::StartClarification => "START_CLARIFICATION",
            Self::Decide => "DECIDE",
            Self::Forward => "FORWARD",
            Self::Acknowledge => "ACKNOWLEDGE",
            Self::Verify => "VERIFY",
            Self::OpenExamination => "OPEN_EXAMINATION",
            Self::ImposeSanction => "IMPOSE_SANCTION",
            Self::Escalate => "ESCALATE",
            Self::FileAppeal => "FILE_APPEAL",
            Self::ResolveAppeal => "RESOLVE_APPEAL",
            Self::StartMonitoring => "START_MONITORING",
            Self::CheckExecution => "CHECK_EXECUTION",
            Self::RecordVerdict => "RECORD_VERDICT",
            Self::Close => "CLOSE",
            Self::AddEvidence => "ADD_EVIDENCE",
            Self::Correct => "CORRECT",
        }
    }

    /// The states this action may start from. `via_bkn` says whether the
    /// case's subjects go through BKN (ASN) or skip its steps.
    pub fn from_states(self, via_bkn: bool) -> &'static [S] {
        match self {
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
    Action::ALL.into_iter().filter(|a| *a != Action::Correct && a.allowed_in(state, via_bkn)).collect()
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
