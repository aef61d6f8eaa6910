//! The follow-up of a case's allegations, nested under them: forwardings
//! to the competent agencies, the agencies' decisions (sanctions), the
//! checks of their execution and the escalations against an overdue PPK.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, ID};

use crate::case::loaders::{CaseRefOfAllegation, ChecksOfDecision, DecisionsOfForwarding, EscalationsOfForwarding};
use crate::domain::{
    DecisionKind, DecisionOutcome, EscalationKind, ExecutionStatus, SanctionCode, SanctionTrack, Severity,
};
use crate::entity::{agency_decision, escalation, execution_check, forwarding};
use crate::error::IntoGql;
use crate::graphql::batch::{required, Peered};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::reference::graphql::Agency;

use super::{agency, required_agency};

/// The case facts of a forwarding. One fn item (one type) for both fields
/// that need them, so they share one batch.
fn case_ref_of(f: &forwarding::Model) -> Option<CaseRefOfAllegation> {
    Some(CaseRefOfAllegation(f.allegation_id))
}

/// Bawaslu's recommendation of one allegation to the competent agency.
pub struct Forwarding(pub Peered<forwarding::Model>);

/// Bawaslu's recommendation of one allegation to the competent agency.
#[Object]
impl Forwarding {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Forwarding", self.0.this.id)
    }
    /// Letter number of the recommendation.
    async fn letter_number(&self) -> &str {
        &self.0.this.letter_number
    }
    /// Sending Bawaslu office.
    async fn from(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "Forwarding.from", |m| m.from_agency_id).await
    }
    /// Receiving (competent) agency.
    async fn to(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "Forwarding.to", |m| m.to_agency_id).await
    }
    /// Agency receiving a copy (the PPK's government, for ASN).
    async fn copy_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        agency(ctx, &self.0, |m| m.copy_to_agency_id).await
    }
    /// When it was sent.
    async fn sent_on(&self) -> Date {
        Date(self.0.this.sent_on)
    }
    /// When the receiver acknowledged it.
    async fn received_on(&self) -> Option<Date> {
        self.0.this.received_on.map(Date)
    }
    /// When the receiver's follow-up is due.
    async fn due_on(&self) -> Option<Date> {
        self.0.this.due_on.map(Date)
    }
    /// Number of the case the forwarding belongs to.
    async fn case_number(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let r = ctx.loaders().one(&self.0, case_ref_of).await.gql()?;
        required(r, "Forwarding.caseNumber").map(|r| r.this.number).gql()
    }
    /// Whether the due date has passed while the case still waits for the receiving agency.
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let Some(due) = self.0.this.due_on else { return Ok(false) };
        let r = ctx.loaders().one(&self.0, case_ref_of).await.gql()?;
        Ok(due < ctx.today() && r.is_some_and(|r| crate::policy::AWAITING_AGENCY.contains(&r.this.state)))
    }
    /// Recommended sanction track.
    async fn recommended_track(&self) -> Option<SanctionTrack> {
        self.0.this.recommended_track
    }
    /// Recommended severity.
    async fn recommended_severity(&self) -> Option<Severity> {
        self.0.this.recommended_severity
    }
    /// Decisions of the receiving agencies, oldest first.
    async fn decisions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AgencyDecision>> {
        Ok(ctx
            .loaders()
            .many(&self.0, |m| DecisionsOfForwarding(m.id))
            .await
            .gql()?
            .into_iter()
            .map(AgencyDecision)
            .collect())
    }
    /// Escalations against an overdue PPK.
    async fn escalations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Escalation>> {
        Ok(ctx
            .loaders()
            .many(&self.0, |m| EscalationsOfForwarding(m.id))
            .await
            .gql()?
            .into_iter()
            .map(Escalation)
            .collect())
    }
}

/// A receiving agency's verification, recommendation, sanction decree,
/// appeal outcome, verdict or internal outcome.
pub struct AgencyDecision(pub Peered<agency_decision::Model>);

/// A receiving agency's verification, recommendation, sanction decree,
/// appeal outcome, verdict or internal outcome.
#[Object]
impl AgencyDecision {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("AgencyDecision", self.0.this.id)
    }
    /// What kind of decision.
    async fn kind(&self) -> DecisionKind {
        self.0.this.kind
    }
    /// Its outcome.
    async fn outcome(&self) -> DecisionOutcome {
        self.0.this.outcome
    }
    /// Deciding agency.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "AgencyDecision.agency", |m| m.agency_id).await
    }
    /// Sanction code (BRIEF §4.2), where the decision names one.
    async fn sanction_code(&self) -> Option<SanctionCode> {
        self.0.this.sanction_code
    }
    /// Track of the sanction.
    async fn track(&self) -> Option<SanctionTrack> {
        self.0.this.sanction_code.map(|c| c.classify().0)
    }
    /// Severity of the sanction.
    async fn severity(&self) -> Option<Severity> {
        self.0.this.severity
    }
    /// Duration in months, for time-bound sanctions.
    async fn duration_months(&self) -> Option<i32> {
        self.0.this.duration_months
    }
    /// Decree (SK) or letter number.
    async fn decree_number(&self) -> Option<&str> {
        self.0.this.decree_number.as_deref()
    }
    /// Date of the decision.
    async fn decided_on(&self) -> Date {
        Date(self.0.this.decided_on)
    }
    /// First day the sanction applies.
    async fn effective_from(&self) -> Option<Date> {
        self.0.this.effective_from.map(Date)
    }
    /// Last day the sanction applies.
    async fn effective_to(&self) -> Option<Date> {
        self.0.this.effective_to.map(Date)
    }
    /// Free-text note.
    async fn note(&self) -> Option<&str> {
        self.0.this.note.as_deref()
    }
    /// Checks of whether the sanction was carried out.
    async fn execution_checks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ExecutionCheck>> {
        Ok(ctx
            .loaders()
            .many(&self.0, |m| ChecksOfDecision(m.id))
            .await
            .gql()?
            .into_iter()
            .map(ExecutionCheck)
            .collect())
    }
}

/// A check of whether a sanction was carried out.
pub struct ExecutionCheck(pub Peered<execution_check::Model>);

/// A check of whether a sanction was carried out.
#[Object]
impl ExecutionCheck {
    /// Status found.
    async fn status(&self) -> ExecutionStatus {
        self.0.this.status
    }
    /// Checking agency.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "ExecutionCheck.agency", |m| m.agency_id).await
    }
    /// Reference of the proof (document number).
    async fn proof_ref(&self) -> Option<&str> {
        self.0.this.proof_ref.as_deref()
    }
    /// Date of the check.
    async fn checked_on(&self) -> Date {
        Date(self.0.this.checked_on)
    }
    /// Free-text note.
    async fn note(&self) -> Option<&str> {
        self.0.this.note.as_deref()
    }
}

/// Record blocking or a warning letter against an overdue PPK.
pub struct Escalation(pub Peered<escalation::Model>);

/// Record blocking or a warning letter against an overdue PPK.
#[Object]
impl Escalation {
    /// Kind of measure.
    async fn kind(&self) -> EscalationKind {
        self.0.this.kind
    }
    /// Agency that took it.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "Escalation.agency", |m| m.agency_id).await
    }
    /// Letter number.
    async fn letter_number(&self) -> Option<&str> {
        self.0.this.letter_number.as_deref()
    }
    /// Date taken.
    async fn escalated_on(&self) -> Date {
        Date(self.0.this.escalated_on)
    }
    /// Free-text note.
    async fn note(&self) -> Option<&str> {
        self.0.this.note.as_deref()
    }
}
