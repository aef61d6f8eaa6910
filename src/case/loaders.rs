//! Batch loaders of the case slice: a case and everything nested under it
//! (allegations, reporter, evidence, timeline, forwardings, decisions,
//! escalations, execution checks, sanctions). Each applies the caller's
//! policy scope in its statement where the data is case data.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::entity::{
    agency_decision, allegation, case, case_event, escalation, evidence, execution_check, forwarding, official,
    reporter,
};
use crate::graphql::batch::{loader, LoadError, Loader, Source};
use crate::policy;

loader!(
    /// A case by id, within the caller's case scope.
    CaseById(i64) => one case::Model,
    |s, keys| case::Entity::find().filter(case::Column::Id.is_in(keys)).filter(policy::case_scope(s.viewer.as_ref())),
    |r| r.id
);
loader!(
    /// The allegations of a case, within scope.
    AllegationsOfCase(i64) => many allegation::Model,
    |s, keys| allegation::Entity::find()
        .filter(policy::allegations_of_visible(s.viewer.as_ref(), keys))
        .order_by_asc(allegation::Column::Id),
    |r| r.case_id
);
/// The allegations of a case with their officials, within scope, in one
/// statement (for `allegations { official { … } }`). The official of a
/// visible allegation is always in the caller's official scope
/// (`policy::official_scope`: the subjects of visible cases), so the join
/// needs the allegation's scope alone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AllegationsWithOfficialOfCase(pub i64);

impl Loader<AllegationsWithOfficialOfCase> for Source {
    type Value = Vec<(allegation::Model, official::Model)>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[AllegationsWithOfficialOfCase],
    ) -> Result<HashMap<AllegationsWithOfficialOfCase, Self::Value>, LoadError> {
        let rows = allegation::Entity::find()
            .find_also_related(official::Entity)
            .filter(policy::allegations_of_visible(self.viewer.as_ref(), keys.iter().map(|k| k.0)))
            .order_by_asc(allegation::Column::Id)
            .all(&self.db)
            .await?;
        let mut out: HashMap<AllegationsWithOfficialOfCase, Self::Value> = HashMap::new();
        for (a, o) in rows {
            // The foreign key is NOT NULL; an inner row is always there.
            if let Some(o) = o {
                out.entry(AllegationsWithOfficialOfCase(a.case_id)).or_default().push((a, o));
            }
        }
        Ok(out)
    }
}

loader!(
    /// The reporter of a case, only where the caller may see reporters.
    ReporterOfCase(i64) => one reporter::Model,
    |s, keys| reporter::Entity::find()
        .filter(reporter::Column::CaseId.is_in(keys))
        .filter(policy::reporter_scope(s.viewer.as_ref())),
    |r| r.case_id
);
loader!(
    /// The evidence metadata of a case, where the caller may see evidence.
    EvidenceOfCase(i64) => many evidence::Model,
    |s, keys| evidence::Entity::find()
        .filter(evidence::Column::CaseId.is_in(keys))
        .filter(policy::evidence_scope(s.viewer.as_ref()))
        .order_by_asc(evidence::Column::Id),
    |r| r.case_id
);
loader!(
    /// The timeline of a case, oldest first.
    EventsOfCase(i64) => many case_event::Model,
    |s, keys| case_event::Entity::find()
        .filter(Condition::all().add(case_event::Column::CaseId.in_subquery(policy::visible_case_ids_among(s.viewer.as_ref(), keys))))
        .order_by_asc(case_event::Column::OccurredAt)
        .order_by_asc(case_event::Column::Id),
    |r| r.case_id
);
loader!(
    /// The forwardings of an allegation (allegations are reached only in scope).
    ForwardingsOfAllegation(i64) => many forwarding::Model,
    |_s, keys| forwarding::Entity::find().filter(forwarding::Column::AllegationId.is_in(keys)).order_by_asc(forwarding::Column::Id),
    |r| r.allegation_id
);
loader!(
    /// The decisions on a forwarding, oldest first.
    DecisionsOfForwarding(i64) => many agency_decision::Model,
    |_s, keys| agency_decision::Entity::find()
        .filter(agency_decision::Column::ForwardingId.is_in(keys))
        .order_by_asc(agency_decision::Column::DecidedOn)
        .order_by_asc(agency_decision::Column::Id),
    |r| r.forwarding_id
);
loader!(
    /// The escalations of a forwarding.
    EscalationsOfForwarding(i64) => many escalation::Model,
    |_s, keys| escalation::Entity::find().filter(escalation::Column::ForwardingId.is_in(keys)).order_by_asc(escalation::Column::Id),
    |r| r.forwarding_id
);
loader!(
    /// The execution checks of a decision.
    ChecksOfDecision(i64) => many execution_check::Model,
    |_s, keys| execution_check::Entity::find().filter(execution_check::Column::DecisionId.is_in(keys)).order_by_asc(execution_check::Column::Id),
    |r| r.decision_id
);

/// The sanctions decided in a case: decisions other than verification and
/// recommendation that carry a sanction code, oldest first, within scope.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SanctionsOfCase(pub i64);

impl Loader<SanctionsOfCase> for Source {
    type Value = Vec<agency_decision::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[SanctionsOfCase]) -> Result<HashMap<SanctionsOfCase, Self::Value>, LoadError> {
        // One statement: the decisions, joined through their forwarding to
        // the allegation, whose case is a key in scope.
        let case_ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut select = agency_decision::Entity::find()
            .filter(super::sanction_decisions())
            .order_by_asc(agency_decision::Column::DecidedOn)
            .order_by_asc(agency_decision::Column::Id);
        QueryTrait::query(&mut select)
            .inner_join(
                forwarding::Entity,
                Expr::col((forwarding::Entity, forwarding::Column::Id))
                    .equals((agency_decision::Entity, agency_decision::Column::ForwardingId)),
            )
            .inner_join(
                allegation::Entity,
                Expr::col((allegation::Entity, allegation::Column::Id))
                    .equals((forwarding::Entity, forwarding::Column::AllegationId)),
            )
            .expr_as(Expr::col((allegation::Entity, allegation::Column::CaseId)), Alias::new(SANCTION_CASE))
            .and_where(
                Expr::col((allegation::Entity, allegation::Column::CaseId))
                    .in_subquery(policy::visible_case_ids_among(self.viewer.as_ref(), case_ids)),
            );
        let backend = self.db.get_database_backend();
        let mut out: HashMap<SanctionsOfCase, Self::Value> = HashMap::new();
        for row in self.db.query_all(backend.build(QueryTrait::query(&mut select))).await? {
            let case_id: i64 = row.try_get("", SANCTION_CASE)?;
            out.entry(SanctionsOfCase(case_id)).or_default().push(agency_decision::Model::from_query_result(&row, "")?);
        }
        Ok(out)
    }
}

/// The alias of the case id the sanctions statement selects beside each decision.
const SANCTION_CASE: &str = "sanction_case_id";

/// The number and state of the case an allegation belongs to. Only these two
/// facts, so that a follow-up list can say which case a forwarding concerns
/// and whether it still waits, without revealing the case itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaseRefOfAllegation(pub i64);

/// A case's number and state.
#[derive(Clone, Debug)]
pub struct CaseRef {
    /// Case number.
    pub number: String,
    /// Current state.
    pub state: crate::domain::CaseState,
}

impl Loader<CaseRefOfAllegation> for Source {
    type Value = CaseRef;
    type Error = LoadError;

    async fn load(&self, keys: &[CaseRefOfAllegation]) -> Result<HashMap<CaseRefOfAllegation, CaseRef>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let pairs: Vec<(i64, i64)> = allegation::Entity::find()
            .select_only()
            .column(allegation::Column::Id)
            .column(allegation::Column::CaseId)
            .filter(allegation::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        let cases: HashMap<i64, case::Model> = case::Entity::find()
            .filter(case::Column::Id.is_in(pairs.iter().map(|p| p.1)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(pairs
            .into_iter()
            .filter_map(|(a, c)| {
                cases.get(&c).map(|c| (CaseRefOfAllegation(a), CaseRef { number: c.number.clone(), state: c.state }))
            })
            .collect())
    }
}
