//! THE authorization module. For a caller (`None` = anonymous) it answers
//! which rows of each entity may be read — as sea-orm `Condition`s that the
//! services and loaders push into SQL, never as filters applied in Rust —
//! which fields exist for the caller's role, and which actions it may take.
//! Pure and synchronous: no I/O here; where a rule needs facts (an agency's
//! government, a forwarding's receiver) it states them as sub-selects.
//!
//! Resolvers and services ask this module; nothing else tests agency kinds.
//! `netra policy` prints [`matrix::markdown`], which is written next to the
//! rules it describes and checked against them by the matrix tests.

pub mod actions;
mod audit;
mod changes;
mod fields;
pub mod matrix;
mod rows;
mod statistics;
mod views;

pub use audit::may_read_audit;
pub use changes::{change_scope, may_manage_webhooks};
pub use fields::{field_visible, visible_to, Field};
pub use rows::{
    allegation_scope, allegations_of_visible, case_scope, decision_scope, evidence_scope, follow_up_scope,
    forwarding_scope, may_lookup_any_official_by_nip, official_scope, reporter_scope, visible_case_ids,
    visible_case_ids_among, AWAITING_AGENCY,
};
pub use statistics::{may_publish, may_read_statistics};
pub use views::SchemaView;

use crate::auth::{Permission, Principal};
use crate::domain::AgencyKind;

/// The caller as the policy sees it: `None` is anonymous.
pub type Viewer<'a> = Option<&'a Principal>;

/// The roles of the policy matrix: an agency kind family, or anonymous.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// No token.
    Anonymous,
    /// Any Bawaslu tier: RI, provinsi, kabupaten/kota, panwascam.
    Bawaslu,
    /// An inspectorate (Inspektorat daerah) of a government G.
    Inspectorate,
    /// A regional government G, whose head is the PPK of its officials.
    RegionalGovernment,
    /// BKN, the ASN oversight agency.
    Bkn,
    /// Polri, TNI or Gakkumdu: agencies that receive forwarded cases of their own.
    Receiver,
    /// Ministries and dissolved bodies: no case access (statistics only).
    Other,
}

impl Role {
    /// Every role, in the order of the printed matrix.
    pub const ALL: [Self; 7] = [
        Self::Bawaslu,
        Self::Inspectorate,
        Self::RegionalGovernment,
        Self::Bkn,
        Self::Receiver,
        Self::Other,
        Self::Anonymous,
    ];

    /// The role of an agency kind.
    pub fn of_kind(kind: AgencyKind) -> Self {
        match kind {
            AgencyKind::BawasluRi
            | AgencyKind::BawasluProvince
            | AgencyKind::BawasluRegency
            | AgencyKind::Panwascam => Self::Bawaslu,
            AgencyKind::Inspectorate => Self::Inspectorate,
            AgencyKind::RegionalGovernment => Self::RegionalGovernment,
            AgencyKind::Bkn => Self::Bkn,
            AgencyKind::Polri | AgencyKind::Tni | AgencyKind::Gakkumdu => Self::Receiver,
            AgencyKind::Kasn | AgencyKind::Kemendagri | AgencyKind::Kemenpanrb => Self::Other,
        }
    }

    /// The caller's role.
    pub fn of(viewer: Viewer<'_>) -> Self {
        viewer.map_or(Self::Anonymous, |p| Self::of_kind(p.agency_kind))
    }

    /// Name used by `netra schema --role` and in the matrix.
    pub fn name(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Bawaslu => "bawaslu",
            Self::Inspectorate => "inspectorate",
            Self::RegionalGovernment => "regional-government",
            Self::Bkn => "bkn",
            Self::Receiver => "polri-tni-gakkumdu",
            Self::Other => "ministry",
        }
    }

    /// Parses [`Role::name`].
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == raw)
    }
}

/// The caller, if it holds `read`: reading anything but public data needs it.
fn reader(viewer: Viewer<'_>) -> Option<&Principal> {
    viewer.filter(|p| p.has(Permission::Read))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::auth::Jurisdiction;
    use crate::entity::{case, reporter};

    fn principal(kind: AgencyKind, region: Option<(&str, u8)>, perms: &[Permission]) -> Principal {
        Principal {
            issuer: "netra-dev".into(),
            subject: "t".into(),
            agency_id: 1,
            agency_code: "X".into(),
            agency_kind: kind,
            jurisdiction: region.map(|(code, level)| Jurisdiction { code: code.into(), level }),
            permissions: perms.iter().copied().collect::<BTreeSet<_>>(),
        }
    }

    fn case_sql(viewer: Viewer<'_>) -> String {
        case::Entity::find().filter(case_scope(viewer)).build(DbBackend::Sqlite).to_string()
    }

    /// The case-row matrix, one line per role: (kind, jurisdiction, permissions) → expected SQL fragment.
    #[test]
    fn case_scope_matrix() {
        use AgencyKind as K;
        use Permission::Read;
        type Row<'a> = (K, Option<(&'a str, u8)>, &'a [Permission], &'a str);
        let rows: &[Row<'_>] = &[
            (K::BawasluRi, None, &[Read], "FROM \"case\""),
            (K::BawasluProvince, Some(("16", 1)), &[Read], "\"case\".\"province_code\" = '16'"),
            (K::BawasluRegency, Some(("16.73", 2)), &[Read], "\"case\".\"regency_code\" = '16.73'"),
            (K::Panwascam, Some(("16.73.01", 3)), &[Read], "\"case\".\"district_code\" = '16.73.01'"),
            (K::BawasluRegency, Some(("16.73", 2)), &[], "1 = 0"),
            (K::Inspectorate, Some(("16.73", 2)), &[Read], "\"agency\".\"region_code\" = '16.73'"),
            (K::Inspectorate, Some(("16.73", 2)), &[], "1 = 0"),
            (K::RegionalGovernment, Some(("16.73", 2)), &[Read], "\"official\".\"employer_id\" = 1"),
            (K::Bkn, None, &[Read], "\"subject_kind\" IN ('PNS', 'PPPK', 'CAMAT_LURAH')"),
            (K::Polri, None, &[Read], "\"forwarding\".\"to_agency_id\" = 1"),
            (K::Tni, None, &[Read], "\"forwarding\".\"to_agency_id\" = 1"),
            (K::Gakkumdu, Some(("16.73", 2)), &[Read], "\"forwarding\".\"to_agency_id\" = 1"),
            (K::Kemendagri, None, &[Read], "1 = 0"),
            (K::Kemenpanrb, None, &[Read], "1 = 0"),
            (K::Kasn, None, &[Read], "1 = 0"),
        ];
        for (kind, region, perms, expected) in rows {
            let p = principal(*kind, *region, perms);
            let sql = case_sql(Some(&p));
            assert!(sql.contains(expected), "{kind:?} {region:?} {perms:?}: {sql}");
        }
        assert!(case_sql(None).contains("1 = 0"), "anonymous sees no case");
        let ri = principal(K::BawasluRi, None, &[Read]);
        let ri_sql = case_sql(Some(&ri));
        assert!(!ri_sql.contains("1 = 0") && !ri_sql.contains("_code\" ="), "Bawaslu RI sees every case: {ri_sql}");
    }

    /// The scope of a batch names its keys and the whole case scope, for
    /// every role: the keys never widen what a role may read.
    #[test]
    fn batches_are_scoped_by_their_keys_and_the_case_scope() {
        use sea_orm::sea_query::PostgresQueryBuilder;
        use AgencyKind as K;
        use Permission::Read;
        for (kind, region) in
            [(K::BawasluProvince, Some(("16", 1))), (K::Inspectorate, Some(("16.73", 2))), (K::Bkn, None)]
        {
            let p = principal(kind, region, &[Read]);
            let among = visible_case_ids_among(Some(&p), [7, 9]).to_string(PostgresQueryBuilder);
            let scope = visible_case_ids(Some(&p)).to_string(PostgresQueryBuilder);
            assert!(among.contains("\"case\".\"id\" IN (7, 9)"), "{kind:?}: {among}");
            let scope_where = &scope[scope.find("WHERE").unwrap() + 6..];
            assert!(among.ends_with(scope_where), "{kind:?}: {among} / {scope}");
        }
        let denied = visible_case_ids_among(None, [7]).to_string(PostgresQueryBuilder);
        assert!(denied.contains("1 = 0"), "anonymous reads no case of a batch: {denied}");
    }

    #[test]
    fn only_bawaslu_ri_tokens_with_audit_read_the_audit_trail() {
        use AgencyKind as K;
        use Permission::{Audit, Read};
        let rows: &[(K, &[Permission], bool)] = &[
            (K::BawasluRi, &[Audit], true),
            (K::BawasluRi, &[Read, Audit], true),
            (K::BawasluRi, &[Read], false),
            (K::BawasluProvince, &[Read, Audit], false),
            (K::BawasluRegency, &[Read, Audit], false),
            (K::Panwascam, &[Read, Audit], false),
            (K::Inspectorate, &[Read, Audit], false),
            (K::RegionalGovernment, &[Read, Audit], false),
            (K::Bkn, &[Read, Audit], false),
            (K::Polri, &[Read, Audit], false),
            (K::Kemendagri, &[Read, Audit], false),
        ];
        for (kind, perms, allowed) in rows {
            let p = principal(*kind, None, perms);
            assert_eq!(may_read_audit(Some(&p)), *allowed, "{kind:?} {perms:?}");
            assert_eq!(field_visible(Some(&p), Field::AuditEvents), *allowed, "{kind:?} {perms:?}");
        }
        assert!(!may_read_audit(None));
        assert!(visible_to(Role::Bawaslu, Field::AuditEvents));
        assert!(Role::ALL.iter().filter(|r| visible_to(**r, Field::AuditEvents)).count() == 1);
    }

    #[test]
    fn reporters_are_limited_to_the_handling_office_and_its_superiors() {
        let regency = principal(AgencyKind::BawasluRegency, Some(("16.73", 2)), &[Permission::Read]);
        let sql = reporter::Entity::find().filter(reporter_scope(Some(&regency))).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("\"handling_agency_id\" IN"), "{sql}");
        assert!(sql.contains("\"regency_code\" = '16.73'"), "{sql}");
        let bkn = principal(AgencyKind::Bkn, None, &[Permission::Read]);
        let sql = reporter::Entity::find().filter(reporter_scope(Some(&bkn))).build(DbBackend::Sqlite).to_string();
        assert!(sql.contains("1 = 0"), "{sql}");
        assert!(may_lookup_any_official_by_nip(Some(&regency)));
        assert!(!may_lookup_any_official_by_nip(Some(&bkn)));
        assert!(!may_lookup_any_official_by_nip(None));
    }
}
