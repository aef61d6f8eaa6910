//! The change feed's scope: which entries of the outbox a caller may read or
//! be sent, decided per entry when it is read (`changes`, a subscription's
//! next batch, a webhook delivery), and who may manage webhooks.

use sea_orm::{ColumnTrait, Condition};

use super::rows::{deny, visible_case_ids};
use super::{reader, Role, Viewer};
use crate::auth::Permission;
use crate::entity::change_entry;

/// Entries of `change_entry` the caller may read: those of a case it may see
/// now (an entry of any other case is never returned, not even its id), and
/// the entries that concern no case (a published table is public). Anonymous
/// callers and tokens without `read`: none.
pub fn change_scope(viewer: Viewer<'_>) -> Condition {
    if reader(viewer).is_none() {
        return deny();
    }
    Condition::any()
        .add(change_entry::Column::CaseId.is_null())
        .add(change_entry::Column::CaseId.in_subquery(visible_case_ids(viewer)))
}

/// Whether the caller may register, list, rotate and delete its agency's
/// webhooks: an agency token with `read` and `webhooks`. Deliveries carry
/// only what [`change_scope`] gives the agency.
pub fn may_manage_webhooks(viewer: Viewer<'_>) -> bool {
    reader(viewer).is_some_and(|p| p.has(Permission::Webhooks)) && Role::of(viewer) != Role::Anonymous
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;
    use crate::auth::{Jurisdiction, Principal};
    use crate::domain::AgencyKind;

    fn principal(perms: &[Permission]) -> Principal {
        Principal {
            issuer: "netra-dev".into(),
            subject: "t".into(),
            agency_id: 7,
            agency_code: "PEMDA-16.73".into(),
            agency_kind: AgencyKind::RegionalGovernment,
            jurisdiction: Some(Jurisdiction { code: "16.73".into(), level: 2 }),
            permissions: perms.iter().copied().collect::<BTreeSet<_>>(),
        }
    }

    fn sql(viewer: Viewer<'_>) -> String {
        change_entry::Entity::find().filter(change_scope(viewer)).build(DbBackend::Sqlite).to_string()
    }

    #[test]
    fn entries_follow_the_case_scope_and_need_read() {
        let pemda = principal(&[Permission::Read]);
        let s = sql(Some(&pemda));
        assert!(s.contains("\"case_id\" IN (SELECT"), "{s}");
        assert!(s.contains("\"employer_id\" = 7"), "the case scope of the caller is inside: {s}");
        assert!(sql(Some(&principal(&[]))).contains("1 = 0"));
        assert!(sql(None).contains("1 = 0"));
    }

    #[test]
    fn webhooks_need_read_and_webhooks() {
        assert!(may_manage_webhooks(Some(&principal(&[Permission::Read, Permission::Webhooks]))));
        assert!(!may_manage_webhooks(Some(&principal(&[Permission::Read]))));
        assert!(!may_manage_webhooks(Some(&principal(&[Permission::Webhooks]))));
        assert!(!may_manage_webhooks(None));
    }
}
