//! GraphQL type `Case` and the root fields `cases` and `case`.

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, InputObject, Object, ID};

use super::loaders::{
    AllegationsOfCase, AllegationsWithOfficialOfCase, EventsOfCase, EvidenceOfCase, ReporterOfCase, SanctionsOfCase,
};
use crate::domain::{CaseSource, CaseState, Classification, ClosureReason, RegionCode, SubjectKind, ViolationCode};
use crate::entity::case;
use crate::error::IntoGql;
use crate::graphql::batch::{required, Peered};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::pagination::{encode_cursor, ConnectionTotals, PageRequest};
use crate::reference::graphql::{Agency, Election, Region};
use crate::reference::loaders::{AgencyById, ElectionById, RegionByCode};

use super::nested::{AgencyDecision, Allegation, CaseEvent, Evidence, Forwarding, Reporter};
use super::service::{self, CaseCursor, CaseFilter, CaseOrdering};

/// One handling (penanganan) of a report or finding by a Bawaslu office.
pub struct Case(pub Peered<case::Model>);

crate::peered_from!(Case: case::Model);

/// One handling (penanganan) of a report or finding by a Bawaslu office.
#[Object]
impl Case {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Case", self.0.this.id)
    }
    /// netra's case number, e.g. `NTR/16.73/2024/0001`.
    async fn number(&self) -> &str {
        &self.0.this.number
    }
    /// Current state in the handling process.
    async fn state(&self) -> CaseState {
        self.0.this.state
    }
    /// Laporan (public report) or temuan (Bawaslu's own finding).
    async fn source(&self) -> CaseSource {
        self.0.this.source
    }
    /// Bawaslu's classification, once decided.
    async fn classification(&self) -> Option<Classification> {
        self.0.this.classification
    }
    /// Why the case was closed, when it is.
    async fn closure_reason(&self) -> Option<ClosureReason> {
        self.0.this.closure_reason
    }
    /// Why the report was not registered (late or incomplete), when it was not.
    async fn not_registered_reason(&self) -> Option<&str> {
        self.0.this.not_registered_reason.as_deref()
    }
    /// Short description of what happened.
    async fn summary(&self) -> &str {
        &self.0.this.summary
    }
    /// Receipt number (nomor penerimaan).
    async fn receipt_number(&self) -> Option<&str> {
        self.0.this.receipt_number.as_deref()
    }
    /// Registration number (nomor registrasi), once registered.
    async fn registration_number(&self) -> Option<&str> {
        self.0.this.registration_number.as_deref()
    }
    /// When the act happened.
    async fn occurred_on(&self) -> Date {
        Date(self.0.this.occurred_on)
    }
    /// When it became known or was found (starts the 7-day reporting window).
    async fn known_on(&self) -> Date {
        Date(self.0.this.known_on)
    }
    /// When Bawaslu received the report or set the finding.
    async fn received_on(&self) -> Date {
        Date(self.0.this.received_on)
    }
    /// When it was registered.
    async fn registered_on(&self) -> Option<Date> {
        self.0.this.registered_on.map(Date)
    }
    /// When the plenary decided.
    async fn decided_on(&self) -> Option<Date> {
        self.0.this.decided_on.map(Date)
    }
    /// The deadline of the current step, if one runs.
    async fn deadline_on(&self) -> Option<Date> {
        self.0.this.deadline_on.map(Date)
    }
    /// Whether the current step's deadline has passed while the case is open.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        super::is_overdue(&self.0.this, ctx.today())
    }
    /// Optimistic-concurrency version; changes with every transition.
    async fn version(&self) -> i32 {
        self.0.this.version
    }
    /// When the record was created (UTC).
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.this.created_at)
    }
    /// When the record last changed (UTC).
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.this.updated_at)
    }
    /// Where it happened.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Region> {
        let found = ctx.loaders().one(&self.0, |m| Some(RegionByCode(m.region_code.clone()))).await.gql()?;
        required(found, "Case.region").map(Region).gql()
    }
    /// The race the act concerns.
    async fn election(&self, ctx: &Context<'_>) -> async_graphql::Result<Election> {
        let found = ctx.loaders().one(&self.0, |m| Some(ElectionById(m.election_id))).await.gql()?;
        required(found, "Case.election").map(Election).gql()
    }
    /// The Bawaslu office handling the case.
    async fn handling_agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        let found = ctx.loaders().one(&self.0, |m| Some(AgencyById(m.handling_agency_id))).await.gql()?;
        required(found, "Case.handlingAgency").map(Agency).gql()
    }
    /// One entry per official × act.
    async fn allegations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Allegation>> {
        let loaders = ctx.loaders();
        // With their officials asked for, one statement loads both.
        let found = if ctx.look_ahead().field("official").exists() {
            loaders.many_joined(&self.0, |m| AllegationsWithOfficialOfCase(m.id), super::nested::official_of).await
        } else {
            loaders.many(&self.0, |m| AllegationsOfCase(m.id)).await
        };
        Ok(found.gql()?.into_iter().map(Allegation).collect())
    }
    /// Who filed the report. Only Bawaslu offices have this field; it is null
    /// for a finding (temuan) and for reports handled outside the caller's
    /// subtree (only the handling office and its superior tiers see it).
    #[graphql(visible = "crate::graphql::visibility::reporter")]
    async fn reporter(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Reporter>> {
        let found = ctx.loaders().one(&self.0, |m| Some(ReporterOfCase(m.id))).await.gql()?;
        if found.is_some() {
            crate::audit::note_reporter(ctx, self.0.this.id);
        }
        Ok(found.map(Reporter))
    }
    /// Evidence metadata. Absent for roles that never see evidence; empty where
    /// the caller may see the case but not its evidence.
    #[graphql(visible = "crate::graphql::visibility::evidence")]
    async fn evidence(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Evidence>> {
        let found = ctx.loaders().many(&self.0, |m| EvidenceOfCase(m.id)).await.gql()?;
        if !found.is_empty() {
            crate::audit::note_evidence(ctx, self.0.this.id);
        }
        Ok(found.into_iter().map(Evidence).collect())
    }
    /// Sanctions decided in the case (decrees, appeal outcomes, verdicts, internal outcomes).
    async fn sanctions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AgencyDecision>> {
        Ok(ctx
            .loaders()
            .many(&self.0, |m| SanctionsOfCase(m.id))
            .await
            .gql()?
            .into_iter()
            .map(AgencyDecision)
            .collect())
    }
    /// Every step so far, oldest first.
    async fn timeline(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseEvent>> {
        Ok(ctx.loaders().many(&self.0, |m| EventsOfCase(m.id)).await.gql()?.into_iter().map(CaseEvent).collect())
    }
}

/// Filter of the case list; all given parts must hold.
#[derive(InputObject, Default)]
#[graphql(name = "CaseFilter")]
pub struct CaseFilterInput {
    /// Place in the subtree of this region code (`16`, `16.73`, `16.73.01`…).
    pub region_code: Option<String>,
    /// Any of these states.
    pub states: Option<Vec<CaseState>>,
    /// Some allegation with any of these acts.
    pub violation_codes: Option<Vec<ViolationCode>>,
    /// Some allegation against a subject of any of these kinds.
    pub subject_kinds: Option<Vec<SubjectKind>>,
    /// Laporan or temuan.
    pub source: Option<CaseSource>,
    /// Received on or after this date.
    pub received_from: Option<Date>,
    /// Received on or before this date.
    pub received_to: Option<Date>,
    /// Exactly this case number.
    pub number: Option<String>,
    /// Changed after this instant (exclusive): any step of the workflow,
    /// added evidence, a transfer or a correction. With `orderBy:
    /// UPDATED_AT_ASC`, the query of an incremental sync.
    pub updated_since: Option<DateTime>,
    /// Handled now by the agency with this code (e.g. `BAWASLU-16.73`); a
    /// transferred case counts for its new office. An unknown code is an error.
    pub handling_agency_code: Option<String>,
    /// Past the current step's deadline on the caller's today (`true`), or
    /// not (`false`): the rule of `Case.overdue`.
    pub overdue: Option<bool>,
}

impl CaseFilterInput {
    /// The validated filter: the agency code resolved (from the registry's
    /// copy; one lookup only for an agency it lacks) and `overdue` judged on
    /// the caller's today.
    pub async fn resolve(self, ctx: &Context<'_>) -> Result<CaseFilter, crate::error::AppError> {
        let region = self
            .region_code
            .map(|c| RegionCode::parse(&c))
            .transpose()
            .map_err(|_| crate::error::AppError::invalid("filter.regionCode", "not a region code like 16.73"))?;
        let handling_agency_id = match &self.handling_agency_code {
            Some(code) => Some(
                service::agency_id_by_code(ctx.db(), ctx.loaders().reference(), code, "filter.handlingAgencyCode")
                    .await?,
            ),
            None => None,
        };
        CaseFilter {
            region,
            states: self.states.unwrap_or_default(),
            violation_codes: self.violation_codes.unwrap_or_default(),
            subject_kinds: self.subject_kinds.unwrap_or_default(),
            source: self.source,
            received_from: self.received_from.map(Into::into),
            received_to: self.received_to.map(Into::into),
            number: self.number,
            updated_since: self.updated_since.map(Into::into),
            handling_agency_id,
            overdue: self.overdue.map(|yes| (yes, ctx.today())),
        }
        .validate()
    }
}

/// Order of the case list.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    /// Newest received first.
    #[default]
    ReceivedOnDesc,
    /// Oldest received first.
    ReceivedOnAsc,
    /// By case number.
    NumberAsc,
    /// Most recently changed first.
    UpdatedAtDesc,
    /// Least recently changed first (then by id): with `filter.updatedSince`,
    /// an incremental sync pages through the changes in the order they were made.
    UpdatedAtAsc,
}

impl From<CaseOrder> for CaseOrdering {
    fn from(o: CaseOrder) -> Self {
        match o {
            CaseOrder::ReceivedOnDesc => Self::ReceivedDesc,
            CaseOrder::ReceivedOnAsc => Self::ReceivedAsc,
            CaseOrder::NumberAsc => Self::NumberAsc,
            CaseOrder::UpdatedAtDesc => Self::UpdatedDesc,
            CaseOrder::UpdatedAtAsc => Self::UpdatedAsc,
        }
    }
}

/// Root fields for cases.
#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// The cases the caller may see, filtered and ordered, as a Relay connection:
    /// `first`/`after` pages forward, `last`/`before` backward, in the same
    /// order and with the same cursors. Anonymous callers get an empty connection.
    #[expect(clippy::too_many_arguments, reason = "Relay's four paging arguments beside filter and order")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cases to list; all the caller may see when absent.")] filter: Option<CaseFilterInput>,
        #[graphql(desc = "Order of the list; newest received first by default.")] order_by: Option<CaseOrder>,
        #[graphql(desc = "Page size from the front; at most the server's maximum (100 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page: the page after it.")] after: Option<String>,
        #[graphql(desc = "Page size from the back (not with `first`); at most the server's maximum.")] last: Option<
            i32,
        >,
        #[graphql(desc = "The `startCursor` of the next page: the page before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Case, ConnectionTotals>> {
        let page = PageRequest::<CaseCursor>::requested(
            ctx,
            ctx.config().max_page_size,
            first,
            after.as_deref(),
            last,
            before.as_deref(),
        )
        .gql()?;
        let filter = filter.unwrap_or_default().resolve(ctx).await.gql()?;
        let order = CaseOrdering::from(order_by.unwrap_or_default());
        let result = service::cases(ctx.db(), ctx.viewer(), &filter, order, &page).await.gql()?;
        Ok(result.map(Peered::all).into_connection(|m| (encode_cursor(&CaseCursor::of(&m.this, order)), Case(m))))
    }

    /// Forwardings past their due date whose case still waits for the receiving
    /// agency — the follow-up view of BKN, the PPKs, their inspectorates and
    /// the ministries (see the policy matrix). Oldest due first; pages
    /// forward (`first`/`after`) or backward (`last`/`before`).
    async fn overdue_forwardings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the front; at most the server's maximum (100 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page: the page after it.")] after: Option<String>,
        #[graphql(desc = "Page size from the back (not with `first`); at most the server's maximum.")] last: Option<
            i32,
        >,
        #[graphql(desc = "The `startCursor` of the next page: the page before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Forwarding, ConnectionTotals>> {
        let page = PageRequest::<i64>::requested(
            ctx,
            ctx.config().max_page_size,
            first,
            after.as_deref(),
            last,
            before.as_deref(),
        )
        .gql()?;
        let result = service::overdue_forwardings(ctx.db(), ctx.viewer(), ctx.today(), &page).await.gql()?;
        Ok(result.map(Peered::all).into_connection(|m| (encode_cursor(&m.this.id), Forwarding(m))))
    }

    /// One case by number; null when there is none or the caller may not see it.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "netra's case number, e.g. `NTR/16.73/2024/0001`.")] number: String,
    ) -> async_graphql::Result<Option<Case>> {
        Ok(service::case_by_number(ctx.db(), ctx.viewer(), &number).await.gql()?.map(Case::from))
    }
}
