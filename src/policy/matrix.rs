//! The policy matrix in words, for `netra policy` and `docs/api.md`. Each cell
//! describes the rule implemented in `rows` or `fields`; the matrix tests
//! check every cell against the running API in both directions. The row of
//! workflow steps is not written by hand: it is computed from
//! `actions::may_act` and `may_intake`, so it cannot drift from them.

use std::borrow::Cow;
use std::collections::BTreeSet;

use sea_orm::Iterable;

use super::actions::{may_act, may_intake, CaseFacts};
use super::fields::{visible_to, Field};
use super::Role;
use crate::auth::{Permission, Principal};
use crate::domain::{Action, AgencyKind};

/// The entities (rows of the matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Regions, agencies, elections.
    Reference,
    /// Cases.
    Cases,
    /// Officials.
    Officials,
    /// NIP / NRP.
    PersonalNumbers,
    /// Reporter identity.
    Reporter,
    /// Evidence metadata.
    Evidence,
    /// Allegations, forwardings, decisions, sanctions, timeline.
    Handling,
    /// `overdueForwardings`: the follow-up view of overdue forwardings.
    OverdueForwardings,
    /// The workflow steps (mutations) the role may take.
    Steps,
    /// The audit trail.
    AuditEvents,
    /// `statistics`: live counts.
    LiveStatistics,
    /// `publications`, `publication(id)` and the open-data files.
    Publications,
    /// `publishStatistics`.
    Publishing,
    /// The change feed (`changes`, the subscription) and webhooks.
    Changes,
}

impl Entity {
    /// Every entity, in print order.
    pub const ALL: [Self; 14] = [
        Self::Reference,
        Self::Cases,
        Self::Officials,
        Self::PersonalNumbers,
        Self::Reporter,
        Self::Evidence,
        Self::Handling,
        Self::OverdueForwardings,
        Self::Steps,
        Self::AuditEvents,
        Self::LiveStatistics,
        Self::Publications,
        Self::Publishing,
        Self::Changes,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Reference => "regions, agencies, elections",
            Self::Cases => "cases",
            Self::Officials => "officials",
            Self::PersonalNumbers => "NIP / NRP",
            Self::Reporter => "reporter identity",
            Self::Evidence => "evidence metadata",
            Self::Handling => "allegations, forwardings, decisions, sanctions, timeline",
            Self::OverdueForwardings => "overdue forwardings (`overdueForwardings`)",
            Self::Steps => "workflow steps (mutations; permission `write`)",
            Self::AuditEvents => "audit events",
            Self::LiveStatistics => "live statistics (`statistics`)",
            Self::Publications => "published statistics (`publications`, CSV, JSON)",
            Self::Publishing => "publish statistics (`publishStatistics`)",
            Self::Changes => "change feed (`changes`, subscription) and webhooks",
        }
    }
}

fn heading(role: Role) -> &'static str {
    match role {
        Role::Bawaslu => "Bawaslu (jurisdiction R)",
        Role::Inspectorate => "Inspectorate of government G",
        Role::RegionalGovernment => "Regional government G (PPK)",
        Role::Bkn => "BKN",
        Role::Receiver => "Polri, TNI, Gakkumdu",
        Role::Other => "Ministries, KASN",
        Role::Anonymous => "anonymous",
    }
}

/// The cell for `role` × `entity`, as implemented.
pub fn cell(role: Role, entity: Entity) -> Cow<'static, str> {
    match entity {
        Entity::Steps => Cow::Owned(steps(role)),
        _ => Cow::Borrowed(described(role, entity)),
    }
}

/// The cells written in words (every row but the steps).
fn described(role: Role, entity: Entity) -> &'static str {
    use Entity as E;
    use Role as R;
    let hidden = |f: Field| !visible_to(role, f);
    match (entity, role) {
        (E::Reference, _) => "all",
        (E::Publications, _) => "every published table (small counts withheld)",
        (E::LiveStatistics, _) if hidden(Field::LiveStatistics) => "not in schema",
        (E::LiveStatistics, R::Other) => "over visible cases (none: all zero)",
        (E::LiveStatistics, _) => "over visible cases, same SQL scope as the lists",
        (E::Publishing, R::Bawaslu) => {
            "RI, provinsi, kab/kota office with `publish`: a scope within R, kab/kota level or coarser"
        }
        (E::Publishing, _) => "never",
        (E::Reporter, _) if hidden(Field::Reporter) => "not in schema",
        (E::Evidence, _) if hidden(Field::Evidence) => "not in schema",
        (E::PersonalNumbers, _) if hidden(Field::PersonalNumbers) => "not in schema",
        (E::AuditEvents, _) if hidden(Field::AuditEvents) => "not in schema",
        (E::AuditEvents, _) => "Bawaslu RI with permission `audit`: all (not in schema for other tiers and tokens)",
        (E::Cases, R::Bawaslu) => "place in the subtree of R (Bawaslu RI: all)",
        (E::Cases, R::Inspectorate | R::RegionalGovernment) => "a subject employed by G, once forwarded",
        (E::Cases, R::Bkn) => "an ASN subject, once forwarded to BKN",
        (E::Cases, R::Receiver) => "an allegation forwarded to it",
        (E::Handling, R::Other) => "only through overdue forwardings (next row)",
        (E::Cases | E::Officials | E::Handling, R::Anonymous | R::Other) => "none",
        (E::Officials, R::Bawaslu) => "subjects of visible cases; any official by exact NIP",
        (E::Officials, _) => "subjects of visible cases",
        (E::PersonalNumbers, R::Other) => "none (no official is visible)",
        (E::PersonalNumbers, _) => "of visible officials",
        (E::Reporter, _) => "cases handled by the caller or an office in its subtree",
        (E::Evidence, R::Bawaslu | R::Bkn) => "visible cases",
        (E::Evidence, R::Inspectorate) => "visible cases forwarded or copied to G",
        (E::Evidence, _) => "visible cases forwarded or copied to it",
        (E::Handling, _) => "of visible cases",
        (E::OverdueForwardings, R::Bawaslu) => "the forwardings of its visible cases",
        (E::OverdueForwardings, R::Inspectorate) => "those addressed or copied to G",
        (E::OverdueForwardings, R::RegionalGovernment | R::Bkn | R::Receiver) => "those addressed or copied to it",
        (E::OverdueForwardings, R::Other) => {
            "Kemendagri: those copied to a regional government (the PPK); KemenPANRB: all; KASN: none. \
             Each with its letter, case and decree numbers, agencies, dates, recommendation, decisions and \
             escalations; never the case itself, its officials, reporter or evidence"
        }
        (E::OverdueForwardings, R::Anonymous) => "none",
        (E::Changes, R::Anonymous) => "none",
        (E::Changes, R::Other) => "published tables only; webhooks with `webhooks`",
        (E::Changes, _) => "entries of visible cases (checked per entry when read or sent) and published tables; webhooks with `webhooks`",
        (E::Steps, _) => unreachable!("BUG: the steps row is computed by `steps`"),
    }
}

/// The steps each agency kind of `role` may take, by its relation to the
/// case, as `may_intake` and `may_act` decide them for a `write` token.
fn steps(role: Role) -> String {
    // One agency (id 1) standing in each relation to a case, in turn.
    let relations: [(&str, CaseFacts); 4] = [
        ("on cases it handles", CaseFacts { handling_agency_id: 1, ..CaseFacts::default() }),
        ("on cases forwarded to it", CaseFacts { receivers: vec![1], ..CaseFacts::default() }),
        ("on cases copied to it", CaseFacts { copies: vec![1], ..CaseFacts::default() }),
        ("on cases of its government", CaseFacts { inspectorates: vec![1], ..CaseFacts::default() }),
    ];
    let mut lines: Vec<(Vec<&str>, String)> = Vec::new();
    for kind in AgencyKind::iter().filter(|k| Role::of_kind(*k) == role) {
        let p = Principal {
            issuer: String::new(),
            subject: String::new(),
            agency_id: 1,
            agency_code: String::new(),
            agency_kind: kind,
            jurisdiction: None,
            permissions: BTreeSet::from([Permission::Read, Permission::Write]),
        };
        let mut parts = Vec::new();
        if may_intake(Some(&p), &[]) {
            parts.push(format!("`{}` within its jurisdiction", Action::Receive.name()));
        }
        for (relation, facts) in &relations {
            let allowed: Vec<String> = Action::ALL
                .iter()
                .filter(|a| may_act(Some(&p), **a, facts))
                .map(|a| format!("`{}`", a.name()))
                .collect();
            if !allowed.is_empty() {
                parts.push(format!("{relation}: {}", allowed.join(", ")));
            }
        }
        let text = if parts.is_empty() { "none".to_owned() } else { parts.join("; ") };
        match lines.iter_mut().find(|(_, t)| *t == text) {
            Some((kinds, _)) => kinds.push(kind.as_str()),
            None => lines.push((vec![kind.as_str()], text)),
        }
    }
    match lines.as_slice() {
        [] => "none".to_owned(),
        [(_, text)] => text.clone(),
        _ => lines.iter().map(|(kinds, text)| format!("{}: {text}", kinds.join(", "))).collect::<Vec<_>>().join(". "),
    }
}

/// The matrix as a Markdown table, followed by the permissions.
pub fn markdown() -> String {
    let mut out = String::from("| entity / field |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", heading(role)));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for entity in Entity::ALL {
        out.push_str(&format!("| {} |", entity.label()));
        for role in Role::ALL {
            out.push_str(&format!(" {} |", cell(role, entity)));
        }
        out.push('\n');
    }
    out.push_str(
        "\nEvery row scope above is a condition in the SQL of lists, counts, cursors, \
         `case(number)`, `node(id)`, `officialByNip` and every nested path. Unauthorized and \
         non-existent look the same (null or absent). Any non-public row needs the token \
         permission `read`; `publish` (with `read`) lets a Bawaslu office publish statistics; \
         `write` lets an agency take the steps of the case workflow that the process gives it (see `policy::actions`); `audit` lets Bawaslu RI read the audit trail; `webhooks` (with `read`) lets an agency manage its webhooks. \"Not in schema\" fields are hidden from \
         introspection and rejected when asked (`netra schema --role ROLE`).\n",
    );
    out
}
