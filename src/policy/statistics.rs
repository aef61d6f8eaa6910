//! Statistics and publication: who may query live statistics (over exactly
//! its case scope, see [`super::case_scope`]) and who may publish a table over
//! which scope. Published tables themselves are public: anyone may list and
//! read them, so there is no row scope for them.

use super::{reader, Viewer};
use crate::auth::{Permission, Principal};
use crate::domain::{code_contains, AgencyKind, RegionCode};
use crate::error::{AppError, AppResult};

/// Whether the caller may query live statistics: any authenticated agency
/// with `read`. The counts then cover exactly its case scope, so an agency
/// that sees no case sees zeros.
pub fn may_read_statistics(viewer: Viewer<'_>) -> AppResult<&Principal> {
    let p = viewer.ok_or(AppError::Unauthenticated)?;
    reader(Some(p)).ok_or(AppError::Forbidden)
}

/// The Bawaslu tiers that publish statistics. A panwascam is an ad hoc
/// district body: its jurisdiction is finer than any publishable table.
const PUBLISHERS: [AgencyKind; 3] = [AgencyKind::BawasluRi, AgencyKind::BawasluProvince, AgencyKind::BawasluRegency];

/// Whether the caller may publish a table over `scope` (`None` = national):
/// a Bawaslu RI, provincial or kabupaten/kota office holding `publish` and
/// `read`, with the scope inside its jurisdiction (only Bawaslu RI publishes
/// national tables).
pub fn may_publish<'a>(viewer: Viewer<'a>, scope: Option<&RegionCode>) -> AppResult<&'a Principal> {
    let p = viewer.ok_or(AppError::Unauthenticated)?;
    if !p.has(Permission::Publish) || !p.has(Permission::Read) || !PUBLISHERS.contains(&p.agency_kind) {
        return Err(AppError::Forbidden);
    }
    let within = match (&p.jurisdiction, scope) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(j), Some(s)) => code_contains(&j.code, s.as_str()),
    };
    if within {
        Ok(p)
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Jurisdiction;

    fn office(kind: AgencyKind, region: Option<&str>, perms: &[Permission]) -> Principal {
        Principal {
            issuer: "netra-dev".into(),
            subject: "t".into(),
            agency_id: 1,
            agency_code: "X".into(),
            agency_kind: kind,
            jurisdiction: region.map(|c| Jurisdiction { code: c.into(), level: c.split('.').count() as u8 }),
            permissions: perms.iter().copied().collect(),
        }
    }

    fn code(c: &str) -> RegionCode {
        RegionCode::parse(c).unwrap()
    }

    /// (kind, jurisdiction, permissions, scope) → allowed.
    #[test]
    fn publishing_matrix() {
        use AgencyKind as K;
        use Permission::{Publish, Read};
        let both: &[Permission] = &[Read, Publish];
        type Row<'a> = (K, Option<&'a str>, &'a [Permission], Option<&'a str>, bool);
        let rows: &[Row<'_>] = &[
            (K::BawasluRi, None, both, None, true),
            (K::BawasluRi, None, both, Some("18.71"), true),
            (K::BawasluProvince, Some("16"), both, Some("16"), true),
            (K::BawasluProvince, Some("16"), both, Some("16.73"), true),
            (K::BawasluProvince, Some("16"), both, Some("18"), false),
            (K::BawasluProvince, Some("16"), both, Some("17.01"), false),
            (K::BawasluProvince, Some("16"), both, None, false),
            (K::BawasluProvince, Some("16"), &[Read], Some("16"), false),
            (K::BawasluProvince, Some("16"), &[Publish], Some("16"), false),
            (K::BawasluRegency, Some("16.73"), both, Some("16.73"), true),
            (K::BawasluRegency, Some("16.73"), both, Some("16"), false),
            (K::Panwascam, Some("16.73.01"), both, Some("16.73.01"), false),
            (K::Inspectorate, Some("16.73"), both, Some("16.73"), false),
            (K::Bkn, None, both, None, false),
            (K::Kemendagri, None, both, None, false),
        ];
        for (kind, region, perms, scope, allowed) in rows {
            let p = office(*kind, *region, perms);
            let scope = scope.map(code);
            assert_eq!(
                may_publish(Some(&p), scope.as_ref()).is_ok(),
                *allowed,
                "{kind:?} {region:?} {perms:?} {scope:?}"
            );
        }
        assert!(matches!(may_publish(None, None), Err(AppError::Unauthenticated)));
    }

    #[test]
    fn live_statistics_need_an_agency_with_read() {
        assert!(matches!(may_read_statistics(None), Err(AppError::Unauthenticated)));
        let no_read = office(AgencyKind::Bkn, None, &[]);
        assert!(matches!(may_read_statistics(Some(&no_read)), Err(AppError::Forbidden)));
        let bkn = office(AgencyKind::Bkn, None, &[Permission::Read]);
        assert!(may_read_statistics(Some(&bkn)).is_ok());
    }
}
