//! The distinct schemas a caller can get. Field visibility (`fields`)
//! depends on the role and, for the audit trail, on the agency's tier and
//! the `audit` permission; several roles see exactly the same fields. A
//! [`SchemaView`] is one distinct set of visible fields: every caller gets
//! the schema of exactly one view, and no two views print the same SDL.
//! `netra schema --role VIEW` prints one, `docs/schema/VIEW.graphql` holds
//! it.

use std::collections::BTreeSet;

use super::fields::{field_visible, Field};
use super::{may_read_audit, Role, Viewer};
use crate::auth::{Jurisdiction, Permission, Principal};
use crate::domain::AgencyKind;

/// One distinct view of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaView {
    /// Bawaslu RI with the `audit` permission: everything, the audit trail included.
    BawasluRiAudit,
    /// Every other Bawaslu token: RI without `audit`, provinsi, kabupaten/kota,
    /// panwascam (with or without `audit`). The reporter, no audit trail.
    Bawaslu,
    /// The agencies Bawaslu forwards cases to: inspectorates, regional
    /// governments (PPK), BKN, Polri, TNI, Gakkumdu. Evidence and NIPs, no reporter.
    ReceivingAgency,
    /// Ministries and dissolved bodies (Kemendagri, KemenPANRB, KASN): live
    /// statistics, no evidence, no reporter.
    Ministry,
    /// No token: public data only.
    Anonymous,
}

impl SchemaView {
    /// Every view, in the order of `docs/schema/README.md`.
    pub const ALL: [Self; 5] =
        [Self::BawasluRiAudit, Self::Bawaslu, Self::ReceivingAgency, Self::Ministry, Self::Anonymous];

    /// The view of the caller's schema.
    pub fn of(viewer: Viewer<'_>) -> Self {
        match Role::of(viewer) {
            Role::Bawaslu if may_read_audit(viewer) => Self::BawasluRiAudit,
            Role::Bawaslu => Self::Bawaslu,
            Role::Inspectorate | Role::RegionalGovernment | Role::Bkn | Role::Receiver => Self::ReceivingAgency,
            Role::Other => Self::Ministry,
            Role::Anonymous => Self::Anonymous,
        }
    }

    /// The name of `netra schema --role` and of the file `docs/schema/NAME.graphql`.
    pub fn name(self) -> &'static str {
        match self {
            Self::BawasluRiAudit => "bawaslu-ri-audit",
            Self::Bawaslu => "bawaslu",
            Self::ReceivingAgency => "receiving-agency",
            Self::Ministry => "ministry",
            Self::Anonymous => "anonymous",
        }
    }

    /// Who gets this view, for people.
    pub fn callers(self) -> &'static str {
        match self {
            Self::BawasluRiAudit => "Bawaslu RI tokens with the `audit` permission",
            Self::Bawaslu => "every other Bawaslu token: RI without `audit`, provinsi, kabupaten/kota, panwascam",
            Self::ReceivingAgency => "inspectorates, regional governments, BKN, Polri, TNI and Gakkumdu",
            Self::Ministry => "Kemendagri, KemenPANRB and KASN",
            Self::Anonymous => "callers without a token",
        }
    }

    /// Parses [`Self::name`], or the name of a policy role whose callers all
    /// share one view (`inspectorate`, `regional-government`, `bkn`,
    /// `polri-tni-gakkumdu`: `receiving-agency`).
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == raw).or_else(|| match Role::parse(raw)? {
            Role::Inspectorate | Role::RegionalGovernment | Role::Bkn | Role::Receiver => Some(Self::ReceivingAgency),
            _ => None,
        })
    }

    /// A caller of this view, for printing its schema (no database behind it).
    pub fn representative(self) -> Option<Principal> {
        let (kind, permissions): (AgencyKind, &[Permission]) = match self {
            Self::Anonymous => return None,
            Self::BawasluRiAudit => (AgencyKind::BawasluRi, &[Permission::Read, Permission::Audit]),
            Self::Bawaslu => (AgencyKind::BawasluRegency, &[Permission::Read]),
            Self::ReceivingAgency => (AgencyKind::Bkn, &[Permission::Read]),
            Self::Ministry => (AgencyKind::Kemendagri, &[Permission::Read]),
        };
        Some(Principal {
            issuer: "netra-schema".into(),
            subject: self.name().into(),
            agency_id: 0,
            agency_code: self.name().into(),
            agency_kind: kind,
            jurisdiction: (kind == AgencyKind::BawasluRegency).then(|| Jurisdiction { code: "00.00".into(), level: 2 }),
            permissions: permissions.iter().copied().collect(),
        })
    }

    /// The role-dependent fields this view has.
    pub fn fields(self) -> BTreeSet<&'static str> {
        let viewer = self.representative();
        Field::ALL.into_iter().filter(|f| field_visible(viewer.as_ref(), *f)).map(Field::schema_name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [AgencyKind; 13] = [
        AgencyKind::BawasluRi,
        AgencyKind::BawasluProvince,
        AgencyKind::BawasluRegency,
        AgencyKind::Panwascam,
        AgencyKind::Inspectorate,
        AgencyKind::RegionalGovernment,
        AgencyKind::Bkn,
        AgencyKind::Polri,
        AgencyKind::Tni,
        AgencyKind::Gakkumdu,
        AgencyKind::Kasn,
        AgencyKind::Kemendagri,
        AgencyKind::Kemenpanrb,
    ];
    const PERMISSIONS: [Permission; 4] = [Permission::Read, Permission::Write, Permission::Publish, Permission::Audit];

    /// Every kind with every subset of the permissions, and anonymous.
    fn callers() -> Vec<Option<Principal>> {
        let mut out = vec![None];
        for kind in KINDS {
            for mask in 0..(1u8 << PERMISSIONS.len()) {
                let permissions = PERMISSIONS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, p)| *p);
                out.push(Some(Principal {
                    issuer: "t".into(),
                    subject: "t".into(),
                    agency_id: 1,
                    agency_code: "X".into(),
                    agency_kind: kind,
                    jurisdiction: None,
                    permissions: permissions.collect(),
                }));
            }
        }
        out
    }

    #[test]
    fn every_caller_sees_exactly_the_fields_of_its_view() {
        for caller in callers() {
            let view = SchemaView::of(caller.as_ref());
            let theirs: BTreeSet<&str> =
                Field::ALL.into_iter().filter(|f| field_visible(caller.as_ref(), *f)).map(Field::schema_name).collect();
            assert_eq!(theirs, view.fields(), "{caller:?} → {view:?}");
            assert_eq!(SchemaView::of(view.representative().as_ref()), view);
        }
    }

    #[test]
    fn no_two_views_have_the_same_fields_and_names_parse() {
        let sets: BTreeSet<BTreeSet<&str>> = SchemaView::ALL.iter().map(|v| v.fields()).collect();
        assert_eq!(sets.len(), SchemaView::ALL.len());
        for v in SchemaView::ALL {
            assert_eq!(SchemaView::parse(v.name()), Some(v));
        }
        assert_eq!(SchemaView::parse("bkn"), Some(SchemaView::ReceivingAgency));
        assert_eq!(SchemaView::parse("nobody"), None);
    }
}
