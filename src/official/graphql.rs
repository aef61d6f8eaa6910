//! GraphQL types and root fields for officials.

use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object, ID};

use super::loaders::CasesOfOfficial;
use crate::case::graphql::Case;
use crate::domain::{Nip, PositionClass, RegionCode, SubjectKind};
use crate::entity::official;
use crate::error::{AppError, IntoGql};
use crate::graphql::batch::{required, Peered};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;
use crate::pagination::{encode_cursor, ConnectionTotals, PageRequest};
use crate::reference::graphql::{Agency, Region};
use crate::reference::loaders::{AgencyById, RegionByCode};

use super::service::{self, OfficialCursor, OfficialFilter};

/// A person named in a case (terlapor).
pub struct Official(pub Peered<official::Model>);

crate::peered_from!(Official: official::Model);

/// A person named in a case (terlapor).
#[Object]
impl Official {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Official", self.0.this.id)
    }
    /// NIP or NI PPPK (18 digits), for civil servants. Personal data: it encodes
    /// the birth date and gender.
    #[graphql(visible = "crate::graphql::visibility::personal_numbers")]
    async fn nip(&self) -> Option<&str> {
        self.0.this.nip.as_deref()
    }
    /// NRP, for TNI and Polri members.
    #[graphql(visible = "crate::graphql::visibility::personal_numbers")]
    async fn nrp(&self) -> Option<&str> {
        self.0.this.nrp.as_deref()
    }
    /// Full name, with titles.
    async fn full_name(&self) -> &str {
        &self.0.this.full_name
    }
    /// Position (jabatan), e.g. "Camat Lubuk Linggau Timur I".
    async fn position(&self) -> &str {
        &self.0.this.position
    }
    /// Position class used in the published breakdowns; null for non-ASN.
    async fn position_class(&self) -> Option<PositionClass> {
        self.0.this.position_class
    }
    /// Grade (golongan), e.g. "III/c".
    async fn grade(&self) -> Option<&str> {
        self.0.this.grade.as_deref()
    }
    /// Kind of subject, which decides the competent agency.
    async fn subject_kind(&self) -> SubjectKind {
        self.0.this.subject_kind
    }
    /// Employing agency.
    async fn employer(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        let found = ctx.loaders().one(&self.0, |m| Some(AgencyById(m.employer_id))).await.gql()?;
        required(found, "Official.employer").map(Agency).gql()
    }
    /// Agency of the official's PPK (the authority that imposes sanctions), where it differs from the employer.
    async fn ppk(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Agency>> {
        Ok(ctx.loaders().one(&self.0, |m| m.ppk_id.map(AgencyById)).await.gql()?.map(Agency))
    }
    /// Region where the official works.
    async fn work_region(&self, ctx: &Context<'_>) -> async_graphql::Result<Region> {
        let found = ctx.loaders().one(&self.0, |m| Some(RegionByCode(m.work_region_code.clone()))).await.gql()?;
        required(found, "Official.workRegion").map(Region).gql()
    }
    /// The caller's visible cases that name this official, newest first.
    async fn cases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Case>> {
        Ok(ctx.loaders().many(&self.0, |m| CasesOfOfficial(m.id)).await.gql()?.into_iter().map(Case).collect())
    }
}

/// Filter of the `officials` list.
#[derive(InputObject, Default)]
#[graphql(name = "OfficialFilter")]
pub struct OfficialFilterInput {
    /// Substring of the name, case-insensitive.
    pub name: Option<String>,
    /// Only these kinds of subject.
    pub subject_kinds: Option<Vec<SubjectKind>>,
    /// Only officials working in the subtree of this region code.
    pub work_region_code: Option<String>,
}

/// Root fields for officials.
#[derive(Default)]
pub struct OfficialQuery;

#[Object]
impl OfficialQuery {
    /// One official by exact NIP (spaces and dots allowed). Bawaslu offices may
    /// find any official, to open a case; other agencies only the subjects of
    /// their visible cases. Null when nothing matches or the caller may not see it.
    async fn official_by_nip(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The 18-digit NIP; spaces and dots are ignored.")] nip: String,
    ) -> async_graphql::Result<Option<Official>> {
        let nip = Nip::parse(&nip).gql()?;
        if let (Some(limits), Some(viewer)) = (ctx.data_opt::<crate::rate_limit::RateLimits>(), ctx.viewer()) {
            limits.check_nip(&viewer.agency_code).map_err(AppError::from).gql()?;
        }
        Ok(service::official_by_nip(ctx.db(), ctx.viewer(), &nip).await.gql()?.map(Official::from))
    }

    /// The officials named in the caller's visible cases, by name: `first`/`after`
    /// pages forward, `last`/`before` backward, with the same cursors.
    async fn officials(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which officials to list; all the caller may see when absent.")] filter: Option<
            OfficialFilterInput,
        >,
        #[graphql(desc = "Page size from the front; at most the server's maximum (100 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "The `endCursor` of the previous page: the page after it.")] after: Option<String>,
        #[graphql(desc = "Page size from the back (not with `first`); at most the server's maximum.")] last: Option<
            i32,
        >,
        #[graphql(desc = "The `startCursor` of the next page: the page before it.")] before: Option<String>,
    ) -> async_graphql::Result<Connection<String, Official, ConnectionTotals>> {
        let page = PageRequest::<OfficialCursor>::requested(
            ctx,
            ctx.config().max_page_size,
            first,
            after.as_deref(),
            last,
            before.as_deref(),
        )
        .gql()?;
        let input = filter.unwrap_or_default();
        let filter = OfficialFilter {
            name: input.name,
            subject_kinds: input.subject_kinds.unwrap_or_default(),
            work_region: input.work_region_code.map(|c| RegionCode::parse(&c)).transpose().gql()?,
        };
        let result = service::officials(ctx.db(), ctx.viewer(), &filter, &page).await.gql()?;
        Ok(result.map(Peered::all).into_connection(|m| (encode_cursor(&OfficialCursor::of(&m.this)), Official(m))))
    }
}
