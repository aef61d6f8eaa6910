//! GraphQL types and root fields of the reference data, plus `me`.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, ID};

use super::loaders::{AgencyById, RegionAliases, RegionByCode, RegionChildren};
use crate::auth::Permission;
use crate::domain::{AgencyKind, ElectionKind, RegionCode, RegionKind};
use crate::entity::{agency, election, region};
use crate::error::{AppError, IntoGql};
use crate::graphql::batch::{required, Peered};
use crate::graphql::node::global_id;
use crate::graphql::ContextExt;

use super::service::{self, RegionFilter};

/// An administrative region (Kemendagri code).
pub struct Region(pub Peered<region::Model>);

crate::peered_from!(Region: region::Model);

/// An administrative region (Kemendagri code).
#[Object]
impl Region {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Region", &self.0.this.code)
    }
    /// Dotted Kemendagri code, e.g. `16.73`.
    async fn code(&self) -> &str {
        &self.0.this.code
    }
    /// Official name, e.g. `Kota Lubuk Linggau`.
    async fn name(&self) -> &str {
        &self.0.this.name
    }
    /// Province, kabupaten, kota, kecamatan, kelurahan or desa.
    async fn kind(&self) -> RegionKind {
        self.0.this.kind
    }
    /// 1 = province, 2 = kabupaten/kota, 3 = kecamatan, 4 = village.
    async fn level(&self) -> i16 {
        self.0.this.level
    }
    /// The decree the code comes from.
    async fn source_decree(&self) -> &str {
        &self.0.this.source_decree
    }
    /// Other spellings in use ("Lubuklinggau").
    async fn aliases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let rows = ctx.loaders().many(&self.0, |m| RegionAliases(m.code.clone())).await.gql()?;
        Ok(rows.into_iter().map(|a| a.this.alias).collect())
    }
    /// The region this one belongs to; null for a province.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Self>> {
        Ok(ctx.loaders().one(&self.0, |m| m.parent_code.clone().map(RegionByCode)).await.gql()?.map(Self))
    }
    /// The regions directly below this one that netra knows, in code order.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Self>> {
        let rows = ctx.loaders().many(&self.0, |m| RegionChildren(m.code.clone())).await.gql()?;
        Ok(rows.into_iter().map(Self).collect())
    }
}

/// An organisation registered in netra.
pub struct Agency(pub Peered<agency::Model>);

crate::peered_from!(Agency: agency::Model);

/// An organisation registered in netra.
#[Object]
impl Agency {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Agency", self.0.this.id)
    }
    /// Registry code, e.g. `BAWASLU-16.73`; the `agency` claim of a token.
    async fn code(&self) -> &str {
        &self.0.this.code
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.this.name
    }
    /// Kind, which decides what the agency may see and do.
    async fn kind(&self) -> AgencyKind {
        self.0.this.kind
    }
    /// Root of the jurisdiction; null for a national agency.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        Ok(ctx.loaders().one(&self.0, |m| m.region_code.clone().map(RegionByCode)).await.gql()?.map(Region))
    }
    /// The superior agency (e.g. the provincial Bawaslu of a city Bawaslu).
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Self>> {
        Ok(ctx.loaders().one(&self.0, |m| m.parent_id.map(AgencyById)).await.gql()?.map(Self))
    }
    /// First day in its role.
    async fn valid_from(&self) -> Date {
        Date(self.0.this.valid_from)
    }
    /// Last day in its role, for a dissolved agency (KASN: 2024-08-23).
    async fn valid_to(&self) -> Option<Date> {
        self.0.this.valid_to.map(Date)
    }
    /// Whether the agency holds its role today.
    async fn active(&self, ctx: &Context<'_>) -> bool {
        let today = ctx.today();
        self.0.this.valid_from <= today && self.0.this.valid_to.is_none_or(|to| to >= today)
    }
}

/// One race of the 2024 regional elections.
pub struct Election(pub Peered<election::Model>);

crate::peered_from!(Election: election::Model);

/// One race of the 2024 regional elections.
#[Object]
impl Election {
    /// Global id.
    pub async fn id(&self) -> ID {
        global_id("Election", self.0.this.id)
    }
    /// Governor, regent (bupati) or mayor (walikota) race.
    async fn kind(&self) -> ElectionKind {
        self.0.this.kind
    }
    /// Election year.
    async fn year(&self) -> i32 {
        self.0.this.year
    }
    /// Name of the race.
    async fn name(&self) -> &str {
        &self.0.this.name
    }
    /// The region the race is held in.
    async fn region(&self, ctx: &Context<'_>) -> async_graphql::Result<Region> {
        let found = ctx.loaders().one(&self.0, |m| Some(RegionByCode(m.region_code.clone()))).await.gql()?;
        required(found, "Election.region").map(Region).gql()
    }
    /// Candidate determination (penetapan paslon); acts before and after it are sanctioned differently.
    async fn determination_on(&self) -> Date {
        Date(self.0.this.determination_on)
    }
    /// First day of the campaign.
    async fn campaign_start_on(&self) -> Date {
        Date(self.0.this.campaign_start_on)
    }
    /// Last day of the campaign.
    async fn campaign_end_on(&self) -> Date {
        Date(self.0.this.campaign_end_on)
    }
    /// Voting day.
    async fn voting_on(&self) -> Date {
        Date(self.0.this.voting_on)
    }
    /// Last day of vote tallying.
    async fn tally_end_on(&self) -> Date {
        Date(self.0.this.tally_end_on)
    }
}

/// The authenticated caller.
pub struct Me;

/// The authenticated caller.
#[Object]
impl Me {
    /// The token's subject (the user at the agency).
    async fn subject(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(ctx.principal().gql()?.subject.clone())
    }
    /// The token's issuer.
    async fn issuer(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(ctx.principal().gql()?.issuer.clone())
    }
    /// The agency the caller acts for, from netra's registry.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        let p = ctx.principal().gql()?;
        ctx.loaders().by_key(AgencyById(p.agency_id)).await.gql()?.map(Agency).ok_or_else(|| AppError::NotFound).gql()
    }
    /// Root of the caller's jurisdiction; null for a national agency.
    async fn jurisdiction(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        let Some(j) = &ctx.principal().gql()?.jurisdiction else { return Ok(None) };
        Ok(ctx.loaders().by_key(RegionByCode(j.code.clone())).await.gql()?.map(Region))
    }
    /// Permissions the token grants.
    async fn permissions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Permission>> {
        Ok(ctx.principal().gql()?.permissions.iter().copied().collect())
    }
}

fn region_code_arg(field: &str, raw: Option<String>) -> async_graphql::Result<Option<RegionCode>> {
    raw.map(|r| RegionCode::parse(&r).map_err(|_| AppError::invalid(field, format!("'{r}' is not a region code"))))
        .transpose()
        .gql()
}

/// Root fields of the reference data.
#[derive(Default)]
pub struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The authenticated caller; null for an anonymous request.
    async fn me(&self, ctx: &Context<'_>) -> Option<Me> {
        ctx.viewer().map(|_| Me)
    }

    /// Regions for tree navigation: the provinces by default; the children of
    /// `parentCode`; or those whose name or alias contains `search`.
    async fn regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only the regions directly below this region code (`16.73`); the provinces when absent and no `search` is given."
        )]
        parent_code: Option<String>,
        #[graphql(desc = "Only regions whose name or alias contains this text, case-insensitive.")] search: Option<
            String,
        >,
        #[graphql(desc = "Only regions of this kind.")] kind: Option<RegionKind>,
    ) -> async_graphql::Result<Vec<Region>> {
        let filter = RegionFilter { parent: region_code_arg("parentCode", parent_code)?, search, kind };
        Ok(Peered::all(service::regions(ctx.db(), filter).await.gql()?).into_iter().map(Region).collect())
    }

    /// One region by code (`16.73`), alias (`Lubuklinggau`) or exact name.
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A region code (`16.73`), an alias (`Lubuklinggau`) or an exact name.")] code: String,
    ) -> async_graphql::Result<Option<Region>> {
        Ok(service::region_by_code(ctx.db(), &code).await.gql()?.map(Region::from))
    }

    /// Agencies of the registry, optionally by kind and jurisdiction root.
    async fn agencies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agencies of this kind.")] kind: Option<AgencyKind>,
        #[graphql(desc = "Only agencies whose jurisdiction is rooted at this region code.")] region_code: Option<
            String,
        >,
    ) -> async_graphql::Result<Vec<Agency>> {
        let region = region_code_arg("regionCode", region_code)?;
        Ok(Peered::all(service::agencies(ctx.db(), kind, region).await.gql()?).into_iter().map(Agency).collect())
    }

    /// One agency by registry code.
    async fn agency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The registry code, e.g. `BAWASLU-16.73`.")] code: String,
    ) -> async_graphql::Result<Option<Agency>> {
        Ok(service::agency_by_code(ctx.db(), &code).await.gql()?.map(Agency::from))
    }

    /// Election races; with `regionCode`, the races that cover that region.
    async fn elections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the races that cover this region code.")] region_code: Option<String>,
        #[graphql(desc = "Only races of this kind.")] kind: Option<ElectionKind>,
    ) -> async_graphql::Result<Vec<Election>> {
        let region = region_code_arg("regionCode", region_code)?;
        Ok(Peered::all(service::elections(ctx.db(), region, kind).await.gql()?).into_iter().map(Election).collect())
    }
}
