//! GraphQL types of live statistics and the root field `statistics`, which
//! does not exist in the anonymous schema (the public reads publications).

use async_graphql::{Context, Object, SimpleObject};

use super::dimension::{Dimension, GroupBy};
use super::service::{self, Breakdown, Cell, Counts, Heading, Selection};
use crate::case::graphql::CaseFilterInput;
use crate::error::IntoGql;
use crate::graphql::ContextExt;

/// Counts of one cell, one row or column total, or a whole breakdown. Each
/// counts distinct things: a case with two acts appears under both acts,
/// once in their total.
#[derive(SimpleObject)]
#[graphql(name = "StatisticsCounts")]
pub struct CountsOut {
    /// Cases (penanganan).
    pub cases: u64,
    /// Allegations (one official × one act).
    pub allegations: u64,
    /// Distinct officials named.
    pub officials: u64,
    /// Sanctions decided (as in `Case.sanctions`).
    pub sanctions: u64,
}

impl From<Counts> for CountsOut {
    fn from(c: Counts) -> Self {
        Self { cases: c.cases, allegations: c.allegations, officials: c.officials, sanctions: c.sanctions }
    }
}

/// One value of a dimension and the counts of everything with it (a row or column total).
#[derive(SimpleObject)]
#[graphql(name = "StatisticsHeading")]
pub struct HeadingOut {
    /// The value: a region code, an enumeration name, or `YYYY-MM`; null for
    /// "no value" (no allegation, no sanction, no position class recorded…).
    pub key: Option<String>,
    /// The value for people: a region's name, a group's label, or the key.
    pub label: String,
    /// The counts.
    pub counts: CountsOut,
}

impl From<Heading> for HeadingOut {
    fn from(h: Heading) -> Self {
        Self { key: h.key, label: h.label, counts: h.counts.into() }
    }
}

/// One combination of a row value and a column value.
#[derive(SimpleObject)]
#[graphql(name = "StatisticsCell")]
pub struct CellOut {
    /// Key of the row value.
    pub row: Option<String>,
    /// Key of the column value; null in a one-dimension breakdown.
    pub column: Option<String>,
    /// The counts.
    pub counts: CountsOut,
}

impl From<Cell> for CellOut {
    fn from(c: Cell) -> Self {
        Self { row: c.row, column: c.column, counts: c.counts.into() }
    }
}

/// A live breakdown over the caller's visible cases.
#[derive(SimpleObject)]
#[graphql(name = "Statistics")]
pub struct StatisticsOut {
    /// The dimensions: rows, then columns.
    pub group_by: Vec<Dimension>,
    /// Values of the first dimension, each with its total.
    pub rows: Vec<HeadingOut>,
    /// Values of the second dimension, each with its total; empty with one dimension.
    pub columns: Vec<HeadingOut>,
    /// Every combination with something counted; with one dimension, one cell per row.
    pub cells: Vec<CellOut>,
    /// Everything counted: equals the list's `totalCount` for cases.
    pub total: CountsOut,
}

impl From<Breakdown> for StatisticsOut {
    fn from(b: Breakdown) -> Self {
        Self {
            group_by: b.group_by.dims().to_vec(),
            rows: b.rows.into_iter().map(Into::into).collect(),
            columns: b.columns.into_iter().map(Into::into).collect(),
            cells: b.cells.into_iter().map(Into::into).collect(),
            total: b.total.into(),
        }
    }
}

/// What the query selects under `statistics` (look-ahead): the parts, the
/// labels and the counts. Only that is computed.
fn selection(ctx: &Context<'_>) -> Selection {
    let look = ctx.look_ahead();
    // Headings and cells carry their counts in `counts`; `total` is the counts.
    let counted = [
        look.field("rows").field("counts"),
        look.field("columns").field("counts"),
        look.field("cells").field("counts"),
        look.field("total"),
    ];
    let mut measures = [false; 4];
    for counts in &counted {
        for (i, name) in ["cases", "allegations", "officials", "sanctions"].into_iter().enumerate() {
            measures[i] |= counts.field(name).exists();
        }
    }
    Selection {
        total: look.field("total").exists(),
        rows: look.field("rows").exists(),
        columns: look.field("columns").exists(),
        cells: look.field("cells").exists(),
        labels: look.field("rows").field("label").exists() || look.field("columns").field("label").exists(),
        measures,
    }
}

/// The `statistics` root field.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// Live counts of cases, allegations, officials and sanctions over exactly
    /// the cases the caller may see (narrowed by `filter`, as in `cases`), by
    /// one or two dimensions, with row and column totals. Needs `read`. Not in
    /// the anonymous schema: the public reads `publications`.
    // Each breakdown runs up to four grouped statements over the whole scope:
    // it weighs 200 against the complexity limit, so one request cannot ask
    // for more than a couple of dozen.
    #[graphql(visible = "crate::graphql::visibility::live_statistics", complexity = "200 + child_complexity")]
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which of the caller's visible cases to count; all of them when absent.")] filter: Option<
            CaseFilterInput,
        >,
        #[graphql(desc = "One or two distinct dimensions: rows, then columns.")] group_by: Vec<Dimension>,
    ) -> async_graphql::Result<StatisticsOut> {
        let filter = filter.unwrap_or_default().resolve(ctx).await.gql()?;
        let group_by = GroupBy::parse(group_by).gql()?;
        let selection = selection(ctx);
        Ok(service::statistics(ctx.db(), ctx.viewer(), &filter, group_by, &selection).await.gql()?.into())
    }
}
