//! Row scopes: which rows of each entity a caller may read, as conditions
//! that go into the SQL of every list, lookup and nested load.

use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use super::{reader, Role, Viewer};
use crate::auth::{Jurisdiction, Principal};
use crate::domain::{AgencyKind, SubjectKind};
use crate::entity::{agency, agency_decision, allegation, case, evidence, forwarding, official, region, reporter};

/// A condition no row satisfies.
pub(super) fn deny() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Cases whose place lies in the subtree of `j` (`None` = national).
fn case_place_within(j: Option<&Jurisdiction>) -> Condition {
    let Some(j) = j else { return Condition::all() };
    Condition::all().add(case::place_within(&j.code, j.level))
}

/// Codes of the regions in the subtree of `j`, as a sub-select.
fn regions_within(j: &Jurisdiction) -> SelectStatement {
    region::codes_within(&j.code, j.level)
}

/// The regional government(s) an inspectorate audits: the government rooted
/// in the same region.
fn government_of(p: &Principal) -> SelectStatement {
    let mut q = Query::select();
    q.column(agency::Column::Id)
        .from(agency::Entity)
        .and_where(agency::Column::Kind.eq(AgencyKind::RegionalGovernment));
    match &p.jurisdiction {
        Some(j) => q.and_where(agency::Column::RegionCode.eq(j.code.as_str())),
        None => q.and_where(Expr::cust("1 = 0")),
    };
    q
}

/// Ids of cases with a forwarded allegation matching `cond` (over
/// `allegation`, `forwarding` and the allegation's `official`).
fn forwarded_cases(cond: Condition) -> SelectStatement {
    Query::select()
        .column((allegation::Entity, allegation::Column::CaseId))
        .from(allegation::Entity)
        .inner_join(
            forwarding::Entity,
            Expr::col((forwarding::Entity, forwarding::Column::AllegationId))
                .equals((allegation::Entity, allegation::Column::Id)),
        )
        .inner_join(
            official::Entity,
            Expr::col((official::Entity, official::Column::Id))
                .equals((allegation::Entity, allegation::Column::OfficialId)),
        )
        .cond_where(cond)
        .to_owned()
}

const ASN: [SubjectKind; 3] = [SubjectKind::Pns, SubjectKind::Pppk, SubjectKind::CamatLurah];

/// Rows of `case` the caller may read.
///
/// - Bawaslu: the place lies in the subtree of its jurisdiction.
/// - Inspectorate of G, regional government G: a subject employed by G,
///   once that subject's allegation is forwarded.
/// - BKN: an ASN subject, once forwarded to BKN.
/// - Polri, TNI, Gakkumdu: an allegation forwarded to it.
/// - Ministries, dissolved bodies, anonymous, and any token without `read`: none.
pub fn case_scope(viewer: Viewer<'_>) -> Condition {
    let Some(p) = reader(viewer) else { return deny() };
    let me = p.agency_id;
    let forwarded = |cond: Condition| Condition::all().add(case::Column::Id.in_subquery(forwarded_cases(cond)));
    match Role::of(viewer) {
        Role::Bawaslu => case_place_within(p.jurisdiction.as_ref()),
        Role::Inspectorate => {
            forwarded(Condition::all().add(official::Column::EmployerId.in_subquery(government_of(p))))
        }
        Role::RegionalGovernment => forwarded(Condition::all().add(official::Column::EmployerId.eq(me))),
        Role::Bkn => forwarded(
            Condition::all().add(official::Column::SubjectKind.is_in(ASN)).add(forwarding::Column::ToAgencyId.eq(me)),
        ),
        Role::Receiver => forwarded(Condition::all().add(forwarding::Column::ToAgencyId.eq(me))),
        Role::Other | Role::Anonymous => deny(),
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

/// Ids among `ids` of the cases the caller may read, as a sub-select: the
/// scope of what a batch loads for the cases it was given. Naming the ids
/// inside the sub-select keeps its plan driven by them even when PostgreSQL
/// reuses a generic plan, made without the values: the bare scope of a
/// province office is 25,000 cases at national scale, and that plan hashed
/// them all for a page of 50 (8 ms instead of 1).
pub fn visible_case_ids_among(viewer: Viewer<'_>, ids: impl IntoIterator<Item = i64>) -> SelectStatement {
    Query::select()
        .column((case::Entity, case::Column::Id))
        .from(case::Entity)
        .and_where(Expr::col((case::Entity, case::Column::Id)).is_in(ids))
        .cond_where(case_scope(viewer))
        .to_owned()
}

/// Rows of `official` the caller may read: the subjects of its visible cases.
pub fn official_scope(viewer: Viewer<'_>) -> Condition {
    if reader(viewer).is_none() {
        return deny();
    }
    // A correlated EXISTS rather than `id IN (all subjects)`: a page of
    // officials walks its order index and probes each official's
    // allegations, instead of collecting every subject of the caller's cases
    // first (11,706 officials for a province office at national scale).
    let named = Query::select()
        .expr(Expr::val(1))
        .from(allegation::Entity)
        .and_where(
            Expr::col((allegation::Entity, allegation::Column::OfficialId))
                .equals((official::Entity, official::Column::Id)),
        )
        .and_where(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
        .to_owned();
    Condition::all().add(Expr::exists(named))
}

/// Whether the caller may look any official up by exact NIP, even one no
/// visible case names yet: Bawaslu needs it to open a case.
pub fn may_lookup_any_official_by_nip(viewer: Viewer<'_>) -> bool {
    reader(viewer).is_some() && Role::of(viewer) == Role::Bawaslu
}

/// Rows of `allegation` the caller may read: those of visible cases.
pub fn allegation_scope(viewer: Viewer<'_>) -> Condition {
    Condition::all().add(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
}

/// The allegations of the cases `case_ids` the caller may read: the visible
/// allegations of those cases, scoped as [`visible_case_ids_among`].
pub fn allegations_of_visible(viewer: Viewer<'_>, case_ids: impl IntoIterator<Item = i64>) -> Condition {
    Condition::all().add(allegation::Column::CaseId.in_subquery(visible_case_ids_among(viewer, case_ids)))
}

/// Rows of `forwarding` the caller may read by id (`node`): those of visible
/// cases. (Ministries follow overdue forwardings through
/// [`follow_up_scope`] only; `node` gives them none.)
pub fn forwarding_scope(viewer: Viewer<'_>) -> Condition {
    Condition::all().add(
        forwarding::Column::AllegationId.in_subquery(
            Query::select()
                .column((allegation::Entity, allegation::Column::Id))
                .from(allegation::Entity)
                .and_where(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
                .to_owned(),
        ),
    )
}

/// Rows of `agency_decision` the caller may read by id: the decisions on
/// forwardings in [`forwarding_scope`].
pub fn decision_scope(viewer: Viewer<'_>) -> Condition {
    Condition::all().add(
        agency_decision::Column::ForwardingId.in_subquery(
            Query::select()
                .column(forwarding::Column::Id)
                .from(forwarding::Entity)
                .cond_where(forwarding_scope(viewer))
                .to_owned(),
        ),
    )
}

/// Rows of `reporter` the caller may read: only a Bawaslu office, and only
/// for visible cases handled by itself or by an office in its subtree (the
/// handling office and its superior tiers). Everyone else: none.
pub fn reporter_scope(viewer: Viewer<'_>) -> Condition {
    let Some(p) = reader(viewer).filter(|_| Role::of(viewer) == Role::Bawaslu) else { return deny() };
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

/// Rows of `evidence` (metadata) the caller may read.
///
/// - Bawaslu, BKN: the evidence of visible cases.
/// - Regional government G, Polri, TNI, Gakkumdu: cases forwarded (or copied) to it.
/// - Inspectorate of G: cases forwarded (or copied) to G.
/// - Everyone else: none.
pub fn evidence_scope(viewer: Viewer<'_>) -> Condition {
    let Some(p) = reader(viewer) else { return deny() };
    let visible = || Condition::all().add(evidence::Column::CaseId.in_subquery(visible_case_ids(viewer)));
    let received_by = |ids: Receiver| {
        let (to, copy) = match ids {
            Receiver::Me(id) => (forwarding::Column::ToAgencyId.eq(id), forwarding::Column::CopyToAgencyId.eq(id)),
            Receiver::Governments(sub) => (
                forwarding::Column::ToAgencyId.in_subquery((*sub).clone()),
                forwarding::Column::CopyToAgencyId.in_subquery(*sub),
            ),
        };
        let cases = Query::select()
            .column((case::Entity, case::Column::Id))
            .from(case::Entity)
            .cond_where(
                Condition::all()
                    .add(case_scope(viewer))
                    .add(case::Column::Id.in_subquery(forwarded_cases(Condition::any().add(to).add(copy)))),
            )
            .to_owned();
        Condition::all().add(evidence::Column::CaseId.in_subquery(cases))
    };
    match Role::of(viewer) {
        Role::Bawaslu | Role::Bkn => visible(),
        Role::RegionalGovernment | Role::Receiver => received_by(Receiver::Me(p.agency_id)),
        Role::Inspectorate => received_by(Receiver::Governments(Box::new(government_of(p)))),
        Role::Other | Role::Anonymous => deny(),
    }
}

/// Who a forwarding must reach for the evidence rule.
enum Receiver {
    /// The caller's own agency.
    Me(i64),
    /// The governments the caller audits.
    Governments(Box<SelectStatement>),
}

/// States in which a forwarding still waits for its receiving agency.
pub const AWAITING_AGENCY: [crate::domain::CaseState; 6] = [
    crate::domain::CaseState::Forwarded,
    crate::domain::CaseState::AgencyVerifying,
    crate::domain::CaseState::SanctionRecommended,
    crate::domain::CaseState::PpkExamination,
    crate::domain::CaseState::OverdueEscalated,
    crate::domain::CaseState::CriminalProcess,
];

/// Rows of `forwarding` the caller may list as follow-up work:
///
/// - receiving agencies (BKN, a regional government, Polri, TNI, Gakkumdu):
///   forwardings addressed or copied to them;
/// - an inspectorate: those addressed or copied to its government;
/// - Kemendagri: those whose PPK is a regional government (it supervises
///   regional heads as PPK); KemenPANRB: all (it may sanction any PPK);
/// - Bawaslu: the forwardings of its visible cases;
/// - anyone else: none.
pub fn follow_up_scope(viewer: Viewer<'_>) -> Condition {
    let Some(p) = reader(viewer) else { return deny() };
    let me = p.agency_id;
    let mine =
        || Condition::any().add(forwarding::Column::ToAgencyId.eq(me)).add(forwarding::Column::CopyToAgencyId.eq(me));
    match (Role::of(viewer), p.agency_kind) {
        (Role::Bawaslu, _) => Condition::all().add(
            forwarding::Column::AllegationId.in_subquery(
                Query::select()
                    .column((allegation::Entity, allegation::Column::Id))
                    .from(allegation::Entity)
                    .and_where(allegation::Column::CaseId.in_subquery(visible_case_ids(viewer)))
                    .to_owned(),
            ),
        ),
        (Role::Bkn | Role::RegionalGovernment | Role::Receiver, _) => mine(),
        (Role::Inspectorate, _) => Condition::any()
            .add(forwarding::Column::ToAgencyId.in_subquery(government_of(p)))
            .add(forwarding::Column::CopyToAgencyId.in_subquery(government_of(p))),
        (Role::Other, AgencyKind::Kemendagri) => Condition::all().add(
            forwarding::Column::CopyToAgencyId.in_subquery(
                Query::select()
                    .column(agency::Column::Id)
                    .from(agency::Entity)
                    .and_where(agency::Column::Kind.eq(AgencyKind::RegionalGovernment))
                    .to_owned(),
            ),
        ),
        (Role::Other, AgencyKind::Kemenpanrb) => Condition::all(),
        _ => deny(),
    }
}
