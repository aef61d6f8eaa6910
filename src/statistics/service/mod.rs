//! Live statistics: counts of cases, allegations, officials and sanctions,
//! grouped in SQL over exactly the cases the caller may read — the policy's
//! case scope and the case filter, the very condition of the case list — so
//! every count agrees with what the lists return.
//!
//! One statement per grouping (cells, row totals, column totals, grand
//! total), each in three layers: the counted units (case ⟕ allegation ⟕
//! official ⟕ sanction, with the raw values), their keys, and the `GROUP BY`
//! with `COUNT(DISTINCT …)`. Totals are counted, not summed: a case with two
//! acts appears under both acts but once in the total.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

mod sql;

use self::sql::{grouped, grouped_by_category_bits, keyed, units, Counted, Needs};
use super::dimension::{enum_label, Dimension, GroupBy, Measure};
use crate::auth::Principal;
use crate::case::service::CaseFilter;
use crate::entity::region;
use crate::error::{AppError, AppResult};
use crate::policy;

/// Most cells a breakdown may have; a finer one must be narrowed by a filter.
pub const MAX_CELLS: usize = 20_000;

/// The four counts of a cell, a margin or a whole table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Distinct cases.
    pub cases: u64,
    /// Distinct allegations.
    pub allegations: u64,
    /// Distinct officials.
    pub officials: u64,
    /// Distinct sanctions.
    pub sanctions: u64,
}

impl Counts {
    /// The count of `measure`.
    pub fn get(&self, measure: Measure) -> u64 {
        match measure {
            Measure::Cases => self.cases,
            Measure::Allegations => self.allegations,
            Measure::Officials => self.officials,
            Measure::Sanctions => self.sanctions,
        }
    }
}

/// One value of a dimension with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// The key (region code, enumeration name, `YYYY-MM`); `None` = no value.
    pub key: Option<String>,
    /// For people: the region's name, a group's label, the key otherwise.
    pub label: String,
    /// Counts of everything with this value.
    pub counts: Counts,
}

/// One combination of a row and a column value with its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Key of the row value.
    pub row: Option<String>,
    /// Key of the column value; `None` in a one-way breakdown too.
    pub column: Option<String>,
    /// Counts.
    pub counts: Counts,
}

/// A breakdown: the row values, the column values (two-way only), the
/// non-empty cells, and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    /// The dimensions.
    pub group_by: GroupBy,
    /// Values of the first dimension with their totals, in the dimension's order.
    pub rows: Vec<Heading>,
    /// Values of the second dimension with their totals; empty when one-way.
    pub columns: Vec<Heading>,
    /// Every combination with something counted (one per row when one-way).
    pub cells: Vec<Cell>,
    /// Everything counted.
    pub total: Counts,
}

/// What a caller asked for (GraphQL look-ahead): only that is computed.
/// Parts not asked for come back empty and measures not asked for as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// The grand total.
    pub total: bool,
    /// The row headings.
    pub rows: bool,
    /// The column headings (two-way).
    pub columns: bool,
    /// The cells.
    pub cells: bool,
    /// Region names for the headings' labels.
    pub labels: bool,
    /// Which counts, by [`Measure`]: cases, allegations, officials, sanctions.
    pub measures: [bool; 4],
}

impl Selection {
    /// Everything (publications freeze the whole table).
    pub const ALL: Self =
        Self { total: true, rows: true, columns: true, cells: true, labels: true, measures: [true; 4] };

    fn wants(&self, m: Measure) -> bool {
        self.measures[m as usize]
    }
}

/// Live statistics for the caller: an authenticated agency with `read`.
pub async fn statistics(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    group_by: GroupBy,
    selection: &Selection,
) -> AppResult<Breakdown> {
    policy::may_read_statistics(viewer)?;
    selected(db, viewer, filter, group_by, None, selection).await
}

/// The breakdown over the caller's case scope and `filter`. With `as_of`,
/// it counts the cases received by that day in the state their timeline
/// shows at its end, and the sanctions decided by then (publications).
pub(crate) async fn breakdown(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    group_by: GroupBy,
    as_of: Option<NaiveDate>,
) -> AppResult<Breakdown> {
    selected(db, viewer, filter, group_by, as_of, &Selection::ALL).await
}

/// [`breakdown`], computing only what `sel` asks for: one statement per
/// part asked for (the total, rows, columns, cells; one-way cells are the
/// rows), joining only the tables the measures and dimensions need.
async fn selected(
    db: &DatabaseConnection,
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    group_by: GroupBy,
    as_of: Option<NaiveDate>,
    sel: &Selection,
) -> AppResult<Breakdown> {
    let mut sel = *sel;
    if !sel.measures.contains(&true) {
        // Keys alone still need a grouped statement with something in it.
        sel.measures[0] = true;
    }
    let sel = &sel;
    let backend = db.get_database_backend();
    let dims = group_by.dims().to_vec();
    let needs = Needs::of(&dims, sel);
    let units = units(viewer, filter, as_of, &needs)?;
    let keyed = keyed(backend, units.clone(), &dims, sel, &needs);
    let category = dims.iter().position(|d| *d == Dimension::ViolationCategory);
    let group = |by: &'static [usize], limit: Option<u64>| {
        let (keyed, units, needs, dims) = (&keyed, &units, &needs, &dims);
        async move {
            // Cases by violation category are counted off each case's bit set.
            match category.filter(|c| needs.categories() && by.contains(c)) {
                Some(c) => grouped_by_category_bits(db, units.clone(), dims, needs, by, c, limit).await,
                None => grouped(db, keyed, by, limit, sel).await,
            }
        }
    };
    let limit = (MAX_CELLS + 1) as u64;
    let two_way = dims.len() == 2;
    let total =
        if sel.total { group(&[], None).await?.pop().map(|(_, c)| c).unwrap_or_default() } else { Counts::default() };
    let row_counts = if sel.rows || (sel.cells && !two_way) { group(&[0], Some(limit)).await? } else { Vec::new() };
    let (column_counts, cell_counts) = if two_way {
        let columns = if sel.columns { group(&[1], Some(limit)).await? } else { Vec::new() };
        let cells = if sel.cells { group(&[0, 1], Some(limit)).await? } else { Vec::new() };
        (columns, cells)
    } else {
        let cells = row_counts.iter().map(|(k, c)| (vec![k[0].clone(), None], *c)).collect();
        (Vec::new(), cells)
    };
    if cell_counts.len() > MAX_CELLS || row_counts.len() > MAX_CELLS || column_counts.len() > MAX_CELLS {
        return Err(AppError::invalid(
            "groupBy",
            format!("more than {MAX_CELLS} cells: narrow the filter or choose a coarser region level"),
        ));
    }
    let row_counts = if sel.rows { row_counts } else { Vec::new() };
    let labels =
        if sel.labels { Labels::load(db, &dims, &row_counts, &column_counts).await? } else { Labels(HashMap::new()) };
    let heading = |dim: Dimension, (key, counts): &(Vec<Option<String>>, Counts)| Heading {
        label: labels.label(dim, key[0].as_deref()),
        key: key[0].clone(),
        counts: *counts,
    };
    let mut rows: Vec<Heading> = row_counts.iter().map(|rc| heading(dims[0], rc)).collect();
    rows.sort_by_key(|h| dims[0].rank(h.key.as_deref()));
    let mut columns: Vec<Heading> = match dims.get(1) {
        Some(&d) => column_counts.iter().map(|cc| heading(d, cc)).collect(),
        None => Vec::new(),
    };
    if let Some(&d) = dims.get(1) {
        columns.sort_by_key(|h| d.rank(h.key.as_deref()));
    }
    let mut cells: Vec<Cell> = cell_counts
        .into_iter()
        .map(|(mut key, counts)| {
            let column = key.pop().flatten();
            let row = key.pop().flatten();
            Cell { row, column, counts }
        })
        .collect();
    let column_dim = dims.get(1).copied();
    cells.sort_by_key(|c| {
        (dims[0].rank(c.row.as_deref()), column_dim.map(|d| d.rank(c.column.as_deref())).unwrap_or_default())
    });
    Ok(Breakdown { group_by, rows, columns, cells, total })
}

/// Labels of the keys of a breakdown: region names from the registry, the
/// vocabulary's labels otherwise.
struct Labels(HashMap<String, String>);

impl Labels {
    async fn load(
        db: &DatabaseConnection,
        dims: &[Dimension],
        rows: &[Counted],
        columns: &[Counted],
    ) -> AppResult<Self> {
        let mut codes = BTreeSet::new();
        for (i, list) in [rows, columns].into_iter().enumerate() {
            if dims.get(i).and_then(|d| d.region_level()).is_some() {
                codes.extend(list.iter().filter_map(|(k, _)| k[0].clone()));
            }
        }
        if codes.is_empty() {
            return Ok(Self(HashMap::new()));
        }
        let names = region::Entity::find()
            .filter(region::Column::Code.is_in(codes))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect();
        Ok(Self(names))
    }

    fn label(&self, dim: Dimension, key: Option<&str>) -> String {
        match (dim.region_level(), key) {
            (Some(_), Some(code)) => self.0.get(code).cloned().unwrap_or_else(|| code.to_owned()),
            (Some(level), None) => {
                let tier = if level == 2 { "kabupaten/kota" } else { "kecamatan" };
                format!("not recorded at {tier} level")
            }
            (None, Some(k)) if dim == Dimension::Month => k.to_owned(),
            _ => enum_label(dim, key),
        }
    }
}
