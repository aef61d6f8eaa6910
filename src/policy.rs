//! THE authorization module. For a caller (`None` = anonymous) it answers
//! which rows of each entity may be read, as sea-orm `Condition`s that the
//! services push into SQL, and which actions and fields are allowed. Pure and
//! synchronous: no I/O here; services load facts and pass them in.
//!
//! First cut (foundation): Bawaslu offices see the cases whose place lies in
//! the subtree of their jurisdiction; every other agency kind is denied by
//! default until its row of the matrix is implemented.

use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::auth::{Jurisdiction, Permission, Principal};
use crate::domain::AgencyKind;
use crate::entity::{agency, allegation, case, official, region, reporter};

/// The caller as the policy sees it: `None` is anonymous.
pub type Viewer<'a> = Option<&'a Principal>;

/// A condition no row satisfies.
fn deny() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Whether the agency kind is a Bawaslu tier (RI, provinsi, kab/kota, panwascam).
fn is_bawaslu(kind: AgencyKind) -> bool {
    matches!(
        kind,
        AgencyKind::BawasluRi | AgencyKind::BawasluProvince | AgencyKind::BawasluRegency | AgencyKind::Panwascam
    )
}

/// The caller, if it is a Bawaslu office holding `read`.
fn bawaslu_reader(viewer: Viewer<'_>) -> Option<&Principal> {
    viewer.filter(|p| p.has(Permission::Read) && is_bawaslu(p.agency_kind))
}

/// Cases whose place lies in the subtree of `j` (`None` = national).
fn case_place_within(j: Option<&Jurisdiction>) -> Condition {
    let Some(j) = j else { return Condition::all() };
    let code = j.code.as_str();
    Condition::all().add(match j.level {
        1 => case::Column::ProvinceCode.eq(code),
        2 => case::Column::RegencyCode.eq(code),
        3 => case::Column::DistrictCode.eq(code),
        _ => case::Column::RegionCode.eq(code),
    })
}

/// Codes of the regions in the subtree of `j`, as a sub-select.
fn regions_within(j: &Jurisdiction) -> SelectStatement {
    let col = match j.level {
        1 => region::Column::ProvinceCode,
        2 => region::Column::RegencyCode,
        3 => region::Column::DistrictCode,
        _ => region::Column::Code,
    };
    Query::select().column(region::Column::Code).from(region::Entity).and_where(col.eq(j.code.as_str())).to_owned()
}

/// Rows of `case` the caller may read.
pub fn case_scope(viewer: Viewer<'_>) -> Condition {
    match bawaslu_reader(viewer) {
        Some(p) => case_place_within(p.jurisdiction.as_ref()),
        None => deny(),
    }
}

/// Ids of the cases the caller may read, as a sub-select.
pub fn visible_case_ids(viewer: Viewer<'_>) -> SelectStatement {
    Query::select()
        .column((case::Entity, case::Column::Id))
        .from(case::Entity)
        .cond_where(case_scope(viewer))
        .to_owned()
}

/// Rows of `official` the caller may read: the subjects of its visible cases.
pub fn official_scope(viewer: Viewer<'_>) -> Condition {
    if viewer.is_none() {
        return deny();
    }
    let subjects = Query::select()
        .column((allegation::Entity, allegation::Column::OfficialId))
        .from(allegation::Entity)
        .and_where(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
        .to_owned();
    Condition::all().add(official::Column::Id.in_subquery(subjects))
}

/// Whether the caller may look an official up by exact NIP even when no
/// visible case names them yet: Bawaslu needs it to open a case.
pub fn may_lookup_any_official_by_nip(viewer: Viewer<'_>) -> bool {
    bawaslu_reader(viewer).is_some()
}

/// Rows of `allegation` the caller may read: those of visible cases.
pub fn allegation_scope(viewer: Viewer<'_>) -> Condition {
    Condition::all().add(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
}

/// Rows of `reporter` the caller may read: only a Bawaslu office, and only for
/// visible cases handled by itself or by an office in its subtree (the
/// handling office and its superior tiers).
pub fn reporter_scope(viewer: Viewer<'_>) -> Condition {
    let Some(p) = bawaslu_reader(viewer) else { return deny() };
    let mut handled = Query::select()
        .column((case::Entity, case::Column::Id))
        .from(case::Entity)
        .cond_where(case_scope(viewer))
        .to_owned();
    if let Some(j) = &p.jurisdiction {
        let offices = Query::select()
            .column(agency::Column::Id)
            .from(agency::Entity)
            .and_where(agency::Column::RegionCode.in_subquery(regions_within(j)))
            .to_owned();
        handled.and_where(case::Column::HandlingAgencyId.in_subquery(offices));
    }
    Condition::all().add(reporter::Column::CaseId.in_subquery(handled))
}

/// Cases whose evidence metadata the caller may read: Bawaslu, visible cases.
pub fn evidence_case_ids(viewer: Viewer<'_>) -> Condition {
    match bawaslu_reader(viewer) {
        Some(_) => Condition::all()
            .add(Expr::col(crate::entity::evidence::Column::CaseId).in_subquery(visible_case_ids(viewer))),
        None => deny(),
    }
}

/// Whether the caller may filter or order cases by reporter-only fields.
pub fn may_see_reporters_at_all(viewer: Viewer<'_>) -> bool {
    bawaslu_reader(viewer).is_some()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

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
            (K::Inspectorate, Some(("16.73", 2)), &[Read], "1 = 0"),
            (K::RegionalGovernment, Some(("16.73", 2)), &[Read], "1 = 0"),
            (K::Bkn, None, &[Read], "1 = 0"),
            (K::Polri, None, &[Read], "1 = 0"),
            (K::Tni, None, &[Read], "1 = 0"),
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
