//! Publishing and reading published tables. Publishing computes the
//! breakdown over the publisher's scope as of a day, withholds small counts
//! and their complements (`statistics::disclosure`), audits the result, and
//! inserts it as the next version of its series. Reading is public.

use std::collections::HashMap;

use chrono::{NaiveDate, SubsecRound, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    SqlErr,
};

use super::document::{sha256_hex, Document, Margin, Named, PublishedCell};
use crate::auth::Principal;
use crate::case::service::CaseFilter;
use crate::domain::RegionCode;
use crate::entity::{agency, publication, region};
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest};
use crate::policy;
use crate::statistics::disclosure::{self, Grid};
use crate::statistics::service::{breakdown, Breakdown};
use crate::statistics::{Dimension, GroupBy, Measure};

/// Most cells a published table may have.
pub const MAX_PUBLISHED_CELLS: usize = 10_000;

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// The region covered; `None` = the publisher's whole jurisdiction.
    pub scope: Option<RegionCode>,
    /// What to count.
    pub measure: Measure,
    /// The dimensions.
    pub group_by: GroupBy,
    /// The day described; `None` = today (UTC).
    pub as_of: Option<NaiveDate>,
    /// Title; generated when absent.
    pub title: Option<String>,
}

/// The series of a table: publications of the same scope, measure and
/// dimensions are its versions.
pub fn series(scope: Option<&RegionCode>, measure: Measure, group_by: &GroupBy) -> String {
    let dims: Vec<&str> = group_by.dims().iter().map(|d| d.name()).collect();
    format!("{}|{}|{}", scope.map_or("ID", RegionCode::as_str), measure.name(), dims.join(","))
}

/// Checks the shape of a publishable table (not who publishes it).
fn validate(
    scope: Option<&RegionCode>,
    measure: Measure,
    group_by: &GroupBy,
    as_of: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    if scope.is_some_and(|s| s.level() > 2) {
        return Err(AppError::invalid("regionCode", "tables finer than a kabupaten/kota cannot be published"));
    }
    for &dim in group_by.dims() {
        if dim.region_level().is_some_and(|l| l > 2) {
            return Err(AppError::invalid("groupBy", "tables finer than a kabupaten/kota cannot be published"));
        }
        if !measure.is_additive_over(dim) {
            return Err(AppError::invalid(
                "groupBy",
                format!(
                    "{} cannot be published by {}: one of them may fall under several {}s, so the cells \
                     would not add up to the totals (count allegations or sanctions instead)",
                    measure.name(),
                    dim.name(),
                    dim.title()
                ),
            ));
        }
    }
    if as_of > today {
        return Err(AppError::invalid("asOf", "must not be in the future"));
    }
    Ok(())
}

/// A table ready to freeze: its margins and cells after disclosure control.
struct Protected {
    rows: Vec<Margin>,
    columns: Vec<Margin>,
    cells: Vec<PublishedCell>,
    total: u64,
    suppressed: usize,
}

/// The row and column keys of a cell.
type CellKey = (Option<String>, Option<String>);

/// Turns a breakdown into the table of `measure`, withholds what must be
/// withheld, and audits the result.
fn protect(b: &Breakdown, measure: Measure, threshold: u32) -> AppResult<Protected> {
    let count = |h: &crate::statistics::Heading| h.counts.get(measure);
    let rows: Vec<&crate::statistics::Heading> = b.rows.iter().filter(|h| count(h) > 0).collect();
    let columns: Vec<&crate::statistics::Heading> = b.columns.iter().filter(|h| count(h) > 0).collect();
    let two_way = b.group_by.columns().is_some();
    if rows.len() * columns.len().max(1) > MAX_PUBLISHED_CELLS {
        return Err(AppError::invalid(
            "groupBy",
            format!("more than {MAX_PUBLISHED_CELLS} cells: choose a narrower scope or coarser dimensions"),
        ));
    }
    let by_key: HashMap<(&Option<String>, &Option<String>), u64> =
        b.cells.iter().map(|c| ((&c.row, &c.column), c.counts.get(measure))).collect();
    let none = None;
    let value = |row: &Option<String>, col: Option<&Option<String>>| {
        by_key.get(&(row, col.unwrap_or(&none))).copied().unwrap_or(0)
    };
    let (grid, keys): (Grid, Vec<CellKey>) = if two_way {
        let mut values = Vec::with_capacity(rows.len() * columns.len());
        let mut keys = Vec::with_capacity(values.capacity());
        for r in &rows {
            for c in &columns {
                values.push(value(&r.key, Some(&c.key)));
                keys.push((r.key.clone(), c.key.clone()));
            }
        }
        match Grid::two_way(rows.len(), columns.len(), values) {
            Some(g) => (g, keys),
            // An empty table: nothing to withhold.
            None => (Grid::one_way(Vec::new()), Vec::new()),
        }
    } else {
        let values = rows.iter().map(|r| value(&r.key, None)).collect();
        (Grid::one_way(values), rows.iter().map(|r| (r.key.clone(), None)).collect())
    };
    // The cells must add up to the counted totals, or the audit's model is wrong.
    let total = b.total.get(measure);
    let adds_up = grid.total() == total
        && (!two_way
            || (rows.iter().enumerate().all(|(i, r)| grid.row_total(i) == count(r))
                && columns.iter().enumerate().all(|(j, c)| grid.col_total(j) == count(c))));
    if !adds_up {
        return Err(AppError::Internal(anyhow::anyhow!("BUG: the {} table does not add up", measure.name())));
    }
    let suppressed = disclosure::protect(&grid, u64::from(threshold)).map_err(|u| {
        AppError::invalid(
            "groupBy",
            format!("this table cannot be published with exact totals: {u}; choose a wider scope or other dimensions"),
        )
    })?;
    let pinned = disclosure::audit(&grid, &suppressed);
    if !pinned.is_empty() {
        return Err(AppError::Internal(anyhow::anyhow!("BUG: suppression left cells {pinned:?} recoverable")));
    }
    let margin = |h: &crate::statistics::Heading, with_total: bool| Margin {
        key: h.key.clone(),
        label: h.label.clone(),
        total: with_total.then(|| count(h)),
    };
    let cells = keys
        .into_iter()
        .zip(grid.values().iter().zip(&suppressed))
        .map(|((row, column), (&v, &s))| PublishedCell { row, column, value: (!s).then_some(v), suppressed: s })
        .collect();
    Ok(Protected {
        rows: rows.iter().map(|h| margin(h, two_way)).collect(),
        columns: columns.iter().map(|h| margin(h, true)).collect(),
        cells,
        total,
        suppressed: suppressed.iter().filter(|s| **s).count(),
    })
}

/// Publishes a table as `viewer`: a Bawaslu office with `publish`, over a
/// scope within its jurisdiction. Nothing is written when anything fails.
pub async fn publish(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    threshold: u32,
    clock: crate::clock::Clock,
    req: PublishRequest,
) -> AppResult<publication::Model> {
    let p = viewer.ok_or(AppError::Unauthenticated)?;
    // The publishing office's local date.
    let today = clock.today(crate::clock::zone_of(p.jurisdiction.as_ref().map(|j| j.code.as_str())));
    let scope = match req.scope {
        Some(s) => Some(s),
        None => p.jurisdiction.as_ref().map(|j| RegionCode::parse(&j.code)).transpose()?,
    };
    let p = policy::may_publish(viewer, scope.as_ref())?;
    let as_of = req.as_of.unwrap_or(today);
    validate(scope.as_ref(), req.measure, &req.group_by, as_of, today)?;
    let scope_named = match &scope {
        None => None,
        Some(code) => {
            let r = region::Entity::find_by_id(code.as_str())
                .one(db)
                .await?
                .ok_or_else(|| AppError::invalid("regionCode", "no such region"))?;
            Some(Named { code: r.code, name: r.name })
        }
    };
    let publisher = agency::Entity::find_by_id(p.agency_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("BUG: the publisher's agency is not in the registry")))?;
    let title = match req.title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > 300 => return Err(AppError::invalid("title", "at most 300 characters")),
        Some(t) => t,
        None => default_title(req.measure, &req.group_by, scope_named.as_ref(), as_of),
    };
    let filter = CaseFilter { region: scope.clone(), ..CaseFilter::default() };
    let table = breakdown(db, viewer, &filter, req.group_by.clone(), Some(as_of)).await?;
    let protected = protect(&table, req.measure, threshold)?;

    let series = series(scope.as_ref(), req.measure, &req.group_by);
    let txn = crate::db::begin_write(db).await?;
    let latest: Option<i32> = publication::Entity::find()
        .select_only()
        .column_as(publication::Column::Version.max(), "v")
        .filter(publication::Column::Series.eq(series.as_str()))
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let version = latest.unwrap_or(0) + 1;
    let published_at = Utc::now().trunc_subsecs(0);
    let dims: Vec<String> = req.group_by.dims().iter().map(|d| d.name().to_owned()).collect();
    let doc = Document {
        title: title.clone(),
        version,
        publisher: Named { code: publisher.code, name: publisher.name },
        scope: scope_named,
        measure: req.measure.name().to_owned(),
        dimensions: dims.clone(),
        as_of,
        published_at,
        threshold,
        rows: protected.rows,
        columns: protected.columns,
        cells: protected.cells,
        total: protected.total,
        suppressed_cells: protected.suppressed,
    };
    let content = doc.to_json().map_err(|e| AppError::Internal(anyhow::Error::new(e).context("publication JSON")))?;
    let model = publication::ActiveModel {
        id: NotSet,
        series: Set(series),
        version: Set(version),
        title: Set(title),
        scope_region_code: Set(scope.map(|s| s.as_str().to_owned())),
        measure: Set(req.measure.name().to_owned()),
        dimensions: Set(dims.join(",")),
        as_of: Set(as_of),
        threshold: Set(i32::try_from(threshold).unwrap_or(i32::MAX)),
        publisher_agency_id: Set(p.agency_id),
        published_by: Set(p.subject.clone()),
        published_at: Set(published_at),
        content_sha256: Set(sha256_hex(content.as_bytes())),
        content: Set(content),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict("another version of this table was published at the same moment; publish again".into())
        }
        _ => AppError::from(e),
    })?;
    crate::change::record(&txn, crate::change::NewChange::publication(model.id, p.agency_id, published_at)).await?;
    // Last statement: the mutation's audit event, in this transaction.
    crate::audit::record_scoped_write_details(&txn, &serde_json::json!({ "publication": model.id })).await?;
    txn.commit().await?;
    Ok(model)
}

fn default_title(measure: Measure, group_by: &GroupBy, scope: Option<&Named>, as_of: NaiveDate) -> String {
    let by: Vec<&str> = group_by.dims().iter().map(|d: &Dimension| d.title()).collect();
    let place = scope.map_or("Indonesia", |s| s.name.as_str());
    format!("{} by {} — {place}, as of {as_of}", measure.title(), by.join(" and "))
}

/// Filter of the publication list.
#[derive(Debug, Default, Clone)]
pub struct PublicationFilter {
    /// Only tables whose scope lies in this region's subtree.
    pub region: Option<RegionCode>,
    /// Only the latest version of each series.
    pub latest_only: bool,
}

/// A page of publications, newest first. Public.
pub async fn publications(
    db: &DatabaseConnection,
    filter: &PublicationFilter,
    page: &PageRequest<i64>,
) -> AppResult<Page<publication::Model>> {
    let mut cond = Condition::all();
    if let Some(r) = &filter.region {
        cond = cond.add(
            Condition::any()
                .add(publication::Column::ScopeRegionCode.eq(r.as_str()))
                .add(publication::Column::ScopeRegionCode.like(format!("{}.%", r.as_str()))),
        );
    }
    if filter.latest_only {
        let latest = Query::select()
            .expr(Expr::col(publication::Column::Id).max())
            .from(publication::Entity)
            .group_by_col(publication::Column::Series)
            .to_owned();
        cond = cond.add(publication::Column::Id.in_subquery(latest));
    }
    let total = page.total(publication::Entity::find().filter(cond.clone()), db).await?;
    if let Some(after) = page.after {
        cond = cond.add(publication::Column::Id.lt(after));
    }
    let fetched = publication::Entity::find()
        .filter(cond)
        .order_by_desc(publication::Column::Id)
        .limit(page.size + 1)
        .all(db)
        .await?;
    Ok(Page::from_overfetch(fetched, page.size, total))
}

/// One publication by id. Public.
pub async fn publication_by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<publication::Model>> {
    Ok(publication::Entity::find_by_id(id).one(db).await?)
}

/// The frozen document of a publication.
pub fn document(m: &publication::Model) -> AppResult<Document> {
    serde_json::from_str(&m.content)
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context(format!("publication {} content", m.id))))
}
