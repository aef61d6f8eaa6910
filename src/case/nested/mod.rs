//! GraphQL types nested under a case: allegations, reporter, evidence,
//! forwardings, agency decisions (sanctions), execution checks, escalations
//! and timeline events. Each is reached only through a visible case. The
//! follow-up types (forwardings and what hangs off them) are in `follow_up`.

mod follow_up;

pub use self::follow_up::{AgencyDecision, Escalation, ExecutionCheck, Forwarding};

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::{Context, Object, ID};

use super::loaders::{CaseById, ForwardingsOfAllegation};
use crate::domain::{Action, CaseState, EvidenceKind, Phase, ReporterKind, SanctionTrack, Severity, ViolationCode};
use crate::entity::{allegation, case_event, evidence, reporter};
use crate::error::IntoGql;
use crate::graphql::batch::{required, Peered};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::official::graphql::Official;
use crate::official::loaders::OfficialById;
use crate::reference::graphql::{Agency, Region};
use crate::reference::loaders::{AgencyById, RegionByCode};

use super::graphql::Case;

/// The agency `id` names for `from`, batched over `from`'s peers. Each
/// caller's `id` closure is a distinct relation, so each gets its own batch.
async fn agency<M, F>(ctx: &Context<'_>, from: &Peered<M>, id: F) -> async_graphql::Result<Option<Agency>>
where
    F: Fn(&M) -> Option<i64> + Send + Sync + 'static,
{
    Ok(ctx.loaders().one(from, move |m| id(m).map(AgencyById)).await.gql()?.map(Agency))
}

/// The agency a NOT NULL foreign key `id` names for `from` (see [`required`]).
async fn required_agency<M, F>(
    ctx: &Context<'_>,
    from: &Peered<M>,
    relation: &'static str,
    id: F,
) -> async_graphql::Result<Agency>
where
    F: Fn(&M) -> i64 + Send + Sync + 'static,
{
    let found = ctx.loaders().one(from, move |m| Some(AgencyById(id(m)))).await.gql()?;
    required(found, relation).map(Agency).gql()
}

/// The key of an allegation's official. A named function, not a closure:
/// `Case.allegations` loads the officials with the allegations when they are
/// asked for, as this relation's batch (`Loaders::many_joined`).
pub fn official_of(m: &allegation::Model) -> Option<OfficialById> {
    Some(OfficialById(m.official_id))
}

/// One official × one act within a case.
pub struct Allegation(pub Peered<allegation::Model>);

/// One official × one act within a case.
#[Object]
impl Allegation {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Allegation", self.0.this.id)
    }
    /// The act (BRIEF §4.1 codes).
    async fn violation_code(&self) -> ViolationCode {
        self.0.this.violation_code
    }
    /// Sanction track of the act.
    async fn track(&self) -> SanctionTrack {
        self.0.this.violation_code.track()
    }
    /// Default severity of the act under the 2022 joint decree, where it names one.
    async fn default_severity(&self) -> Option<Severity> {
        self.0.this.violation_code.default_severity()
    }
    /// Before or after candidate determination.
    async fn phase(&self) -> Phase {
        self.0.this.phase
    }
    /// When the act happened.
    async fn act_on(&self) -> Date {
        Date(self.0.this.act_on)
    }
    /// What happened, in the handler's words.
    async fn description(&self) -> &str {
        &self.0.this.description
    }
    /// Where the act happened.
    async fn place(&self, ctx: &Context<'_>) -> async_graphql::Result<Region> {
        let found = ctx.loaders().one(&self.0, |m| Some(RegionByCode(m.place_region_code.clone()))).await.gql()?;
        required(found, "Allegation.place").map(Region).gql()
    }
    /// The official named. Every caller who sees the allegation sees its
    /// official: the official scope is the subjects of the visible cases.
    async fn official(&self, ctx: &Context<'_>) -> async_graphql::Result<Official> {
        let found = ctx.loaders().one(&self.0, official_of).await.gql()?;
        required(found, "Allegation.official").map(Official).gql()
    }
    /// The case it belongs to (allegations are read only within visible cases).
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Case> {
        let found = ctx.loaders().one(&self.0, |m| Some(CaseById(m.case_id))).await.gql()?;
        required(found, "Allegation.case").map(Case).gql()
    }
    /// Recommendations of this allegation to competent agencies.
    async fn forwardings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Forwarding>> {
        Ok(ctx
            .loaders()
            .many(&self.0, |m| ForwardingsOfAllegation(m.id))
            .await
            .gql()?
            .into_iter()
            .map(Forwarding)
            .collect())
    }
}

/// Who filed a report (pelapor). Visible only to the handling Bawaslu office
/// and its superior tiers.
pub struct Reporter(pub Peered<reporter::Model>);

/// Who filed a report (pelapor). Visible only to the handling Bawaslu office
/// and its superior tiers.
#[Object]
impl Reporter {
    /// Voter, monitor or candidate side.
    async fn kind(&self) -> ReporterKind {
        self.0.this.kind
    }
    /// Full name.
    async fn name(&self) -> &str {
        &self.0.this.name
    }
    /// Phone number.
    async fn phone(&self) -> Option<&str> {
        self.0.this.phone.as_deref()
    }
    /// E-mail address.
    async fn email(&self) -> Option<&str> {
        self.0.this.email.as_deref()
    }
    /// Postal address.
    async fn address(&self) -> Option<&str> {
        self.0.this.address.as_deref()
    }
    /// Population number (NIK).
    async fn nik(&self) -> Option<&str> {
        self.0.this.nik.as_deref()
    }
    /// Region where the reporter is registered to vote.
    async fn voter_region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        Ok(ctx.loaders().one(&self.0, |m| m.voter_region_code.clone().map(RegionByCode)).await.gql()?.map(Region))
    }
}

/// Metadata of one evidence item (the file is stored elsewhere).
pub struct Evidence(pub Peered<evidence::Model>);

/// Metadata of one evidence item (the file is stored elsewhere).
#[Object]
impl Evidence {
    /// Opaque id of this item, stable across requests. Not accepted by `node(id:)`: evidence is reached through its case.
    async fn id(&self) -> ID {
        global_id("Evidence", self.0.this.id)
    }
    /// Photo, video, screenshot, URL, document or witness statement.
    async fn kind(&self) -> EvidenceKind {
        self.0.this.kind
    }
    /// What it shows.
    async fn description(&self) -> &str {
        &self.0.this.description
    }
    /// SHA-256 of the file, hex.
    async fn sha256(&self) -> &str {
        &self.0.this.sha256
    }
    /// Size of the file in bytes.
    async fn size_bytes(&self) -> Option<i64> {
        self.0.this.size_bytes
    }
    /// Link, for URL evidence.
    async fn url(&self) -> Option<&str> {
        self.0.this.url.as_deref()
    }
    /// When it was captured (UTC).
    async fn captured_at(&self) -> DateTime {
        DateTime(self.0.this.captured_at)
    }
    /// Agency that submitted it.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "Evidence.submittedBy", |m| m.submitted_by_id).await
    }
    /// Access level of the file.
    async fn access_level(&self) -> &str {
        &self.0.this.access_level
    }
}

/// One step of a case's timeline.
pub struct CaseEvent(pub Peered<case_event::Model>);

/// One step of a case's timeline.
#[Object]
impl CaseEvent {
    /// What was done, e.g. `COMPLETE_FORMAL_CHECK`, `FORWARD`, `IMPOSE_SANCTION`.
    async fn action(&self) -> async_graphql::Result<Action> {
        Action::from_name(&self.0.this.action)
            .ok_or_else(|| {
                crate::error::AppError::Internal(anyhow::anyhow!(
                    "case event {} has the unknown action {}",
                    self.0.this.id,
                    self.0.this.action
                ))
            })
            .gql()
    }
    /// State before; null for the first event.
    async fn from_state(&self) -> Option<CaseState> {
        self.0.this.from_state
    }
    /// State after.
    async fn to_state(&self) -> CaseState {
        self.0.this.to_state
    }
    /// Acting agency.
    async fn actor_agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        required_agency(ctx, &self.0, "CaseEvent.actorAgency", |m| m.actor_agency_id).await
    }
    /// Acting user (token subject).
    async fn actor_subject(&self) -> &str {
        &self.0.this.actor_subject
    }
    /// When (UTC).
    async fn occurred_at(&self) -> DateTime {
        DateTime(self.0.this.occurred_at)
    }
    /// Reference of the document behind the step.
    async fn document_ref(&self) -> Option<&str> {
        self.0.this.document_ref.as_deref()
    }
    /// Deadline the step started, if any.
    async fn deadline_on(&self) -> Option<Date> {
        self.0.this.deadline_on.map(Date)
    }
    /// Free-text note.
    async fn note(&self) -> Option<&str> {
        self.0.this.note.as_deref()
    }
}
