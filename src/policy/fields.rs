//! Field visibility: a field a role may never see does not exist in that
//! role's schema (hidden from introspection and rejected when asked). Fields
//! a role may see for some rows only stay in its schema, nullable, and the
//! row scopes decide.

use super::{Role, Viewer};

/// Fields whose existence depends on the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `Case.reporter` and the `Reporter` type: the reporter's identity.
    Reporter,
    /// `Case.evidence`: evidence metadata.
    Evidence,
    /// `Official.nip` and `Official.nrp`: personal identifiers.
    PersonalNumbers,
    /// `Query.auditEvents`: the audit trail.
    AuditEvents,
    /// `Query.statistics`: live counts over the caller's cases.
    LiveStatistics,
}

impl Field {
    /// Every role-dependent field.
    pub const ALL: [Self; 5] =
        [Self::Reporter, Self::Evidence, Self::PersonalNumbers, Self::AuditEvents, Self::LiveStatistics];

    /// The `(type, field)` pairs of the schema this entry covers.
    pub fn schema_fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Reporter => &[("Case", "reporter")],
            Self::Evidence => &[("Case", "evidence")],
            Self::PersonalNumbers => &[("Official", "nip"), ("Official", "nrp")],
            Self::AuditEvents => &[("Query", "auditEvents")],
            Self::LiveStatistics => &[("Query", "statistics")],
        }
    }

    /// The entry covering `type_name.field`, if that field is role-dependent.
    pub fn of_schema_field(type_name: &str, field: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.schema_fields().iter().any(|(t, n)| *t == type_name && *n == field))
    }

    /// How the field appears in the schema.
    pub fn schema_name(self) -> &'static str {
        match self {
            Self::Reporter => "Case.reporter",
            Self::Evidence => "Case.evidence",
            Self::PersonalNumbers => "Official.nip, Official.nrp",
            Self::AuditEvents => "Query.auditEvents",
            Self::LiveStatistics => "Query.statistics",
        }
    }
}

/// Whether `field` exists in the schema of `role`.
pub fn visible_to(role: Role, field: Field) -> bool {
    match field {
        // Perbawaslu 1/2022: the reporter's identity stays with Bawaslu.
        Field::Reporter => role == Role::Bawaslu,
        Field::Evidence => !matches!(role, Role::Other | Role::Anonymous),
        Field::PersonalNumbers => role != Role::Anonymous,
        // The role's schema has it for its auditors; see `field_visible`.
        Field::AuditEvents => role == Role::Bawaslu,
        // The public reads published (suppressed) tables only.
        Field::LiveStatistics => role != Role::Anonymous,
    }
}

/// Whether `field` exists for the caller. The audit trail is finer than a
/// role: within the Bawaslu role only Bawaslu RI tokens with `audit` have it.
pub fn field_visible(viewer: Viewer<'_>, field: Field) -> bool {
    match field {
        Field::AuditEvents => super::may_read_audit(viewer),
        _ => visible_to(Role::of(viewer), field),
    }
}
