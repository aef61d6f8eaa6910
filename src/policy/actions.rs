//! Who may take which step of the process. Pure: the command loads the
//! facts of the case (its handling office, the agencies its forwardings went
//! to) and asks. A caller who may not act gets the same answer as for a case
//! that does not exist.

use super::{Role, Viewer};
use crate::auth::{Jurisdiction, Permission};
use crate::domain::Action;
use crate::domain::AgencyKind;

/// Facts of a case that decide who may act on it.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    /// The handling Bawaslu office.
    pub handling_agency_id: i64,
    /// Agencies the allegations were forwarded to.
    pub receivers: Vec<i64>,
    /// Agencies that received a copy (the PPK's government, for ASN).
    pub copies: Vec<i64>,
    /// Inspectorates of the governments among receivers and copies.
    pub inspectorates: Vec<i64>,
}

/// Whether the caller may record a new case placed at `place` (a region code
/// with its ancestry): a Bawaslu office or panwascam with `write`, for a
/// place inside its jurisdiction.
pub fn may_intake(viewer: Viewer<'_>, place_ancestors: &[String]) -> bool {
    let Some(p) = viewer.filter(|p| p.has(Permission::Write)) else { return false };
    Role::of(viewer) == Role::Bawaslu && within(p.jurisdiction.as_ref(), place_ancestors)
}

/// Whether a Bawaslu office with jurisdiction `j` covers a place whose code
/// and ancestors are `place_ancestors`.
pub fn within(j: Option<&Jurisdiction>, place_ancestors: &[String]) -> bool {
    j.is_none_or(|j| place_ancestors.contains(&j.code))
}

/// The steps a panwascam may take on a case it handles: intake only (BRIEF
/// §2). It receives a report or finding ([`may_intake`]), adds evidence, and
/// passes the case to the kabupaten/kota office (or a higher one); every
/// later step belongs to that office.
pub const PANWASCAM_STEPS: &[Action] = &[Action::AddEvidence, Action::Transfer];

/// Whether the caller may take `action` on a case with `facts`.
pub fn may_act(viewer: Viewer<'_>, action: Action, facts: &CaseFacts) -> bool {
    let Some(p) = viewer.filter(|p| p.has(Permission::Write)) else { return false };
    let me = p.agency_id;
    let role = Role::of(viewer);
    // The handling office (only ever a Bawaslu office), for a step its tier may take.
    let handling = me == facts.handling_agency_id
        && role == Role::Bawaslu
        && (p.agency_kind != AgencyKind::Panwascam || PANWASCAM_STEPS.contains(&action));
    let receiver = facts.receivers.contains(&me);
    let ppk = facts.copies.contains(&me) || receiver;
    match action {
        // Intake has its own rule, [`may_intake`]: there is no case yet.
        Action::Receive => false,
        Action::StartFormalCheck
        | Action::CompleteFormalCheck
        | Action::Transfer
        | Action::StartClarification
        | Action::Decide
        | Action::Forward
        | Action::AddEvidence
        | Action::Close => handling,
        Action::Acknowledge | Action::Verify | Action::Escalate => role == Role::Bkn && receiver,
        Action::OpenExamination
        | Action::ImposeSanction
        | Action::FileAppeal
        | Action::ResolveAppeal
        | Action::StartMonitoring => match role {
            Role::RegionalGovernment => ppk,
            // Polri and TNI decide on their own members; the system records it.
            Role::Receiver => receiver && p.agency_kind != AgencyKind::Gakkumdu,
            _ => false,
        },
        Action::CheckExecution => {
            handling
                || (role == Role::RegionalGovernment && ppk)
                || (role == Role::Inspectorate && facts.inspectorates.contains(&me))
                || (role == Role::Receiver && receiver)
        }
        Action::RecordVerdict => p.agency_kind == AgencyKind::Gakkumdu && receiver,
        Action::Correct => handling || receiver || facts.copies.contains(&me),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::auth::Principal;

    fn who(id: i64, kind: AgencyKind, perms: &[Permission]) -> Principal {
        Principal {
            issuer: "t".into(),
            subject: "t".into(),
            agency_id: id,
            agency_code: "X".into(),
            agency_kind: kind,
            jurisdiction: None,
            permissions: perms.iter().copied().collect::<BTreeSet<_>>(),
        }
    }

    /// One line per (actor, action): the table of who may do what.
    #[test]
    fn action_matrix() {
        use AgencyKind as K;
        use Permission::{Read, Write};
        let facts =
            CaseFacts { handling_agency_id: 1, receivers: vec![2, 4, 6], copies: vec![3], inspectorates: vec![5] };
        let rows: &[(i64, K, &[Permission], Action, bool)] = &[
            (1, K::BawasluRegency, &[Write], Action::Decide, true),
            (1, K::BawasluRegency, &[Read], Action::Decide, false),
            (9, K::BawasluProvince, &[Write], Action::Decide, false),
            (2, K::Bkn, &[Write], Action::Verify, true),
            (2, K::Bkn, &[Write], Action::ImposeSanction, false),
            (3, K::RegionalGovernment, &[Write], Action::ImposeSanction, true),
            (3, K::RegionalGovernment, &[Write], Action::Verify, false),
            (7, K::RegionalGovernment, &[Write], Action::ImposeSanction, false),
            (5, K::Inspectorate, &[Write], Action::CheckExecution, true),
            (5, K::Inspectorate, &[Write], Action::ImposeSanction, false),
            (4, K::Polri, &[Write], Action::ImposeSanction, true),
            (6, K::Gakkumdu, &[Write], Action::RecordVerdict, true),
            (6, K::Gakkumdu, &[Write], Action::ImposeSanction, false),
            (8, K::Kemendagri, &[Write], Action::Escalate, false),
            (1, K::BawasluRegency, &[Write], Action::Close, true),
            (1, K::Panwascam, &[Write], Action::Transfer, true),
            (1, K::Panwascam, &[Write], Action::AddEvidence, true),
            (1, K::Panwascam, &[Write], Action::StartFormalCheck, false),
            (1, K::Panwascam, &[Write], Action::CompleteFormalCheck, false),
            (1, K::Panwascam, &[Write], Action::Decide, false),
            (1, K::Panwascam, &[Write], Action::Forward, false),
            (1, K::Panwascam, &[Write], Action::Close, false),
            (1, K::Panwascam, &[Write], Action::CheckExecution, false),
            (1, K::Panwascam, &[Write], Action::Correct, false),
            (9, K::Panwascam, &[Write], Action::Transfer, false),
        ];
        for (id, kind, perms, action, allowed) in rows {
            let p = who(*id, *kind, perms);
            assert_eq!(may_act(Some(&p), *action, &facts), *allowed, "{kind:?} {perms:?} {action:?}");
        }
        assert!(!may_act(None, Action::Decide, &facts), "anonymous never acts");
    }
}
