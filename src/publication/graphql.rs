//! GraphQL type `Publication`, the public root fields `publications` and
//! `publication(id)`, and the mutation `publishStatistics`.

use crate::graphql::scalars::{Date, DateTime};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};

use super::document::{Document, Margin, PublishedCell};
use super::service::{self, PublicationFilter, PublishRequest};
use crate::domain::RegionCode;
use crate::entity::publication;
use crate::error::{AppError, AppResult, IntoGql};
use crate::graphql::batch::{required, Peered};
use crate::graphql::ContextExt;
use crate::pagination::{encode_cursor, ConnectionTotals, PageRequest};
use crate::reference::graphql::{Agency, Region};
use crate::reference::loaders::{AgencyById, RegionByCode};
use crate::statistics::{Dimension, GroupBy, Measure};

/// A statistics table that a Bawaslu office published: frozen, versioned,
/// with small counts withheld. Public.
pub struct Publication {
    row: Peered<publication::Model>,
    doc: Document,
}

impl Publication {
    fn new(row: Peered<publication::Model>) -> AppResult<Self> {
        let doc = service::document(&row.this)?;
        Ok(Self { row, doc })
    }
}

fn bug(what: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("BUG: a stored publication holds an unknown {what}"))
}

/// One value of a dimension in a published table.
#[derive(SimpleObject)]
pub struct PublishedHeading {
    /// The value: a region code, an enumeration name, or `YYYY-MM`; null for "no value".
    pub key: Option<String>,
    /// The value for people.
    pub label: String,
    /// Its exact total; null for the rows of a one-dimension table (its rows are its cells).
    pub total: Option<u64>,
}

impl From<Margin> for PublishedHeading {
    fn from(m: Margin) -> Self {
        Self { key: m.key, label: m.label, total: m.total }
    }
}

/// One cell of a published table.
#[derive(SimpleObject)]
#[graphql(name = "PublishedCell")]
pub struct PublishedCellOut {
    /// Key of the row value.
    pub row: Option<String>,
    /// Key of the column value; null in a one-dimension table.
    pub column: Option<String>,
    /// The count; null when withheld.
    pub value: Option<u64>,
    /// Whether the count is withheld by disclosure control (small, or
    /// withheld so that a small one cannot be recomputed from the totals).
    pub suppressed: bool,
}

impl From<PublishedCell> for PublishedCellOut {
    fn from(c: PublishedCell) -> Self {
        Self { row: c.row, column: c.column, value: c.value, suppressed: c.suppressed }
    }
}

/// A statistics table that a Bawaslu office published: frozen, versioned,
/// with small counts withheld. Public.
#[Object]
impl Publication {
    /// Id (also in the open-data URLs).
    async fn id(&self) -> ID {
        ID(self.row.this.id.to_string())
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.doc.title
    }
    /// Publications with the same scope, measure and dimensions form a series.
    async fn series(&self) -> &str {
        &self.row.this.series
    }
    /// Version within the series, from 1.
    async fn version(&self) -> i32 {
        self.row.this.version
    }
    /// The region covered; null = Indonesia.
    async fn scope(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Region>> {
        Ok(ctx.loaders().one(&self.row, |m| m.scope_region_code.clone().map(RegionByCode)).await.gql()?.map(Region))
    }
    /// The Bawaslu office that published it.
    async fn publisher(&self, ctx: &Context<'_>) -> async_graphql::Result<Agency> {
        let found = ctx.loaders().one(&self.row, |m| Some(AgencyById(m.publisher_agency_id))).await.gql()?;
        required(found, "Publication.publisher").map(Agency).gql()
    }
    /// What is counted.
    async fn measure(&self) -> async_graphql::Result<Measure> {
        Measure::parse(&self.doc.measure).ok_or_else(|| bug("measure")).gql()
    }
    /// The dimensions: rows, then columns.
    async fn group_by(&self) -> async_graphql::Result<Vec<Dimension>> {
        self.doc
            .dimensions
            .iter()
            .map(|d| Dimension::parse(d).ok_or_else(|| bug("dimension")))
            .collect::<AppResult<_>>()
            .gql()
    }
    /// The day described: cases received by its end, in the state their
    /// timeline shows then; sanctions decided by then.
    async fn as_of(&self) -> Date {
        Date(self.doc.as_of)
    }
    /// When it was published (UTC).
    async fn published_at(&self) -> DateTime {
        DateTime(self.doc.published_at)
    }
    /// Counts from 1 to this minus one are withheld.
    async fn threshold(&self) -> u32 {
        self.doc.threshold
    }
    /// Values of the first dimension.
    async fn rows(&self) -> Vec<PublishedHeading> {
        self.doc.rows.iter().cloned().map(Into::into).collect()
    }
    /// Values of the second dimension; empty with one dimension.
    async fn columns(&self) -> Vec<PublishedHeading> {
        self.doc.columns.iter().cloned().map(Into::into).collect()
    }
    /// Every cell, row by row (one per row with one dimension).
    async fn cells(&self) -> Vec<PublishedCellOut> {
        self.doc.cells.iter().cloned().map(Into::into).collect()
    }
    /// The exact grand total.
    async fn total(&self) -> u64 {
        self.doc.total
    }
    /// How many cells are withheld.
    async fn suppressed_cells(&self) -> usize {
        self.doc.suppressed_cells
    }
    /// SHA-256 of the JSON file: its ETag.
    async fn content_sha256(&self) -> &str {
        &self.row.this.content_sha256
    }
    /// Path of the CSV file (UTF-8, fixed columns).
    async fn csv_url(&self) -> String {
        format!("/public/publications/{}.csv", self.row.this.id)
    }
    /// Path of the JSON file.
    async fn json_url(&self) -> String {
        format!("/public/publications/{}.json", self.row.this.id)
    }
}

/// Filter of the publication list.
#[derive(InputObject, Default)]
#[graphql(name = "PublicationFilter")]
pub struct PublicationFilterInput {
    /// Only tables whose scope lies in this region's subtree (`16`, `16.73`).
    pub region_code: Option<String>,
    /// Only the latest version of each series.
    #[graphql(default)]
    pub latest_only: bool,
}

/// The public root fields.
#[derive(Default)]
pub struct PublicationQuery;

#[Object]
impl PublicationQuery {
    /// Published statistics tables, newest first. Public: anyone may read them.
    async fn publications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which tables to list; all of them when absent.")] filter: Option<PublicationFilterInput>,
        #[graphql(desc = "Page size; at most the server's maximum (100 by default).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; the first page when absent.")] after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Publication, ConnectionTotals>> {
        let page = PageRequest::<i64>::parse(first, after.as_deref(), ctx.config().max_page_size)
            .gql()?
            .counting(crate::pagination::total_selected(ctx));
        let input = filter.unwrap_or_default();
        let region = input
            .region_code
            .map(|c| RegionCode::parse(&c))
            .transpose()
            .map_err(|_| AppError::invalid("filter.regionCode", "not a region code like 16.73"))
            .gql()?;
        let filter = PublicationFilter { region, latest_only: input.latest_only };
        let result = service::publications(ctx.db(), &filter, &page).await.gql()?;
        let mut conn = Connection::with_additional_fields(
            page.after.is_some(),
            result.has_next,
            ConnectionTotals::new(result.total),
        );
        for row in Peered::all(result.items) {
            let cursor = encode_cursor(&row.this.id);
            conn.edges.push(Edge::new(cursor, Publication::new(row).gql()?));
        }
        Ok(conn)
    }

    /// One published table by id; null when there is none. Public.
    async fn publication(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The publication's global id (`Publication.id`).")] id: ID,
    ) -> async_graphql::Result<Option<Publication>> {
        let Ok(id) = id.parse::<i64>() else { return Ok(None) };
        match service::publication_by_id(ctx.db(), id).await.gql()? {
            Some(m) => Ok(Some(Publication::new(Peered::one(m)).gql()?)),
            None => Ok(None),
        }
    }
}

/// What to publish.
#[derive(InputObject)]
pub struct PublishStatisticsInput {
    /// The region covered (a province or kabupaten/kota within the
    /// publisher's jurisdiction); default: the whole jurisdiction.
    pub region_code: Option<String>,
    /// What to count. Cases can be published by case-level dimensions only;
    /// officials by subject kind and position class only.
    pub measure: Measure,
    /// One or two distinct dimensions; no finer region than kabupaten/kota.
    pub group_by: Vec<Dimension>,
    /// The day described (not in the future); default: today (UTC).
    pub as_of: Option<Date>,
    /// Title; generated when absent.
    pub title: Option<String>,
}

/// The result of `publishStatistics`.
#[derive(SimpleObject)]
pub struct PublishStatisticsPayload {
    /// The new publication.
    pub publication: Publication,
}

/// The mutation `publishStatistics`.
#[derive(Default)]
pub struct PublicationMutation;

#[Object]
impl PublicationMutation {
    /// Freezes and publishes a statistics table: counts over the publisher's
    /// scope as of a day, with every non-zero count below the threshold
    /// withheld and enough further cells withheld that none can be recomputed
    /// from the exact totals. Needs a Bawaslu RI, provincial or kabupaten/kota
    /// office with `publish` and `read`. Publishing the same scope, measure
    /// and dimensions again adds the next version; nothing is ever changed.
    async fn publish_statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scope, measure, dimensions, day and title of the table to publish.")]
        input: PublishStatisticsInput,
    ) -> async_graphql::Result<PublishStatisticsPayload> {
        ctx.principal().gql()?;
        let scope = input
            .region_code
            .map(|c| RegionCode::parse(&c))
            .transpose()
            .map_err(|_| AppError::invalid("input.regionCode", "not a region code like 16.73"))
            .gql()?;
        let group_by = GroupBy::parse(input.group_by).gql()?;
        let req = PublishRequest {
            scope,
            measure: input.measure,
            group_by,
            as_of: input.as_of.map(Into::into),
            title: input.title,
        };
        let threshold = ctx.config().suppression_threshold;
        let entry = crate::audit::write_entry(ctx, "publishStatistics").gql()?;
        let model = crate::audit::scoped_write(
            entry,
            service::publish(ctx.db(), ctx.viewer(), threshold, ctx.config().clock, req),
        )
        .await
        .gql()?;
        Ok(PublishStatisticsPayload { publication: Publication::new(Peered::one(model)).gql()? })
    }
}
