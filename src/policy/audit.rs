//! Who may read the audit trail: Bawaslu RI (the national tier, which
//! oversees every office) with a token holding the `audit` permission. No one
//! else — no other Bawaslu tier, no other agency, no token without `audit` —
//! even sees the `auditEvents` field.

use super::Viewer;
use crate::auth::Permission;
use crate::domain::AgencyKind;

/// Whether the caller may read audit events.
pub fn may_read_audit(viewer: Viewer<'_>) -> bool {
    viewer.is_some_and(|p| p.agency_kind == AgencyKind::BawasluRi && p.has(Permission::Audit))
}
