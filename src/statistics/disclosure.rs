//! Disclosure control of published tables: primary suppression of small
//! counts, secondary (complementary) suppression so that no suppressed value
//! can be recomputed from the totals published with it, and the audit that
//! proves it. Pure and synchronous: no I/O, no knowledge of what is counted.
//!
//! The model. A published table shows every unsuppressed cell and its exact
//! margins: in a two-way table every row total and column total (and so the
//! grand total); in a one-way table only the grand total (its rows *are* its
//! cells). A reader who knows the method knows that the suppressed cells are
//! non-negative integers satisfying those margin equations.
//!
//! The audit. For a two-way table the margin equations are the incidence
//! system of a bipartite graph (rows and columns as nodes, suppressed cells
//! as edges). A suppressed cell can take another value than its true one
//! exactly when it lies on a cycle along which the cells can be moved by one
//! — alternately up and down — without any cell going below zero. Because the
//! system is totally unimodular, "another real value" and "another integer
//! value" coincide, so a cell is *pinned* (recoverable) exactly when no such
//! cycle exists. That is a path search per cell ([`audit`]). The rule "every
//! row and column holds 0 or at least 2 suppressed cells"
//! ([`row_column_rule_holds`]) is necessary but not sufficient: two protected
//! blocks joined by a single suppressed cell satisfy it, yet that cell is the
//! difference of two sums of margins.
//!
//! The method. [`protect`] suppresses every non-zero count below the
//! threshold, then visits each suppressed cell in row-major order; when the
//! cell is pinned it adds the cheapest cycle that frees it (cost of a new cell:
//! its value plus one, so few and small cells are preferred; cells already
//! suppressed are free). Adding cells never pins a freed one, so one pass
//! suffices. When not even suppressing every cell could free a small cell (a
//! single-row two-way table, or a table whose other cells are zero), the table
//! cannot be published with exact totals and [`protect`] says which cell.

use std::fmt;

/// Which totals are published with a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Margins {
    /// A two-way table: row totals, column totals and the grand total.
    RowsAndColumns,
    /// A one-way table, stored as one row: only its grand total.
    GrandTotal,
}

/// A table of counts, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    rows: usize,
    cols: usize,
    values: Vec<u64>,
    margins: Margins,
}

impl Grid {
    /// A two-way table of `rows` × `cols` counts in row-major order; `None`
    /// when the number of values does not match.
    pub fn two_way(rows: usize, cols: usize, values: Vec<u64>) -> Option<Self> {
        (rows * cols == values.len() && rows > 0 && cols > 0).then_some(Self {
            rows,
            cols,
            values,
            margins: Margins::RowsAndColumns,
        })
    }

    /// A one-way table: one count per value of its dimension, published with
    /// its grand total only.
    pub fn one_way(values: Vec<u64>) -> Self {
        Self { rows: 1, cols: values.len(), values, margins: Margins::GrandTotal }
    }

    /// Number of rows (1 for a one-way table).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (the values of a one-way table).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The published margins.
    pub fn margins(&self) -> Margins {
        self.margins
    }

    /// All counts, row-major.
    pub fn values(&self) -> &[u64] {
        &self.values
    }

    /// The count in `row`, `col`.
    pub fn value(&self, row: usize, col: usize) -> u64 {
        self.values[row * self.cols + col]
    }

    /// Total of `row`.
    pub fn row_total(&self, row: usize) -> u64 {
        (0..self.cols).map(|c| self.value(row, c)).sum()
    }

    /// Total of `col`.
    pub fn col_total(&self, col: usize) -> u64 {
        (0..self.rows).map(|r| self.value(r, col)).sum()
    }

    /// Grand total.
    pub fn total(&self) -> u64 {
        self.values.iter().sum()
    }

    fn row_of(&self, cell: usize) -> usize {
        cell / self.cols
    }

    fn col_of(&self, cell: usize) -> usize {
        cell % self.cols
    }
}

/// Whether a count is small enough to be withheld: non-zero and below the threshold.
pub fn is_small(value: u64, threshold: u64) -> bool {
    value > 0 && value < threshold
}

/// A small cell that no suppression pattern can protect while the totals stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unprotectable {
    /// Row of the cell (0 in a one-way table).
    pub row: usize,
    /// Column of the cell (its position in a one-way table).
    pub col: usize,
}

impl fmt::Display for Unprotectable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the small count in row {}, column {} would be recoverable from the exact totals \
             whatever else is withheld",
            self.row + 1,
            self.col + 1
        )
    }
}

/// How a suppressed cell would have to move along a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    /// The cell goes up by one; the path's row→column cells go down.
    Up,
    /// The cell goes down by one (it must be positive); the path's column→row cells go down.
    Down,
}

/// The other end of a step from `node` over cell `k`, and whether the step
/// is allowed when `cell` moves by `dir`: row → column steps move the cell
/// against `cell`'s row, column → row steps the other way, and a cell that
/// has to go down must be positive.
fn step(grid: &Grid, cell: usize, dir: Move, node: usize, k: usize) -> Option<usize> {
    let m = grid.rows;
    let row_step = node < m;
    let must_be_positive = (row_step && dir == Move::Up) || (!row_step && dir == Move::Down);
    if k == cell || (must_be_positive && grid.values[k] == 0) {
        return None;
    }
    Some(if row_step { m + grid.col_of(k) } else { grid.row_of(k) })
}

/// The cells a step from `node` may use: those of its row or column.
fn cells_at(grid: &Grid, node: usize) -> impl Iterator<Item = usize> + '_ {
    let (m, n) = (grid.rows, grid.cols);
    let (row, col) = if node < m { (Some(node), None) } else { (None, Some(node - m)) };
    let in_row = row.into_iter().flat_map(move |r| (0..n).map(move |c| r * n + c));
    let in_col = col.into_iter().flat_map(move |c| (0..m).map(move |r| r * n + c));
    in_row.chain(in_col)
}

/// Where the path for `cell` starts, and whether `node` ends it (its column;
/// any column in a one-way table, whose columns have no published totals).
fn ends(grid: &Grid, cell: usize, node: usize) -> bool {
    match grid.margins {
        Margins::RowsAndColumns => node == grid.rows + grid.col_of(cell),
        Margins::GrandTotal => node >= grid.rows,
    }
}

/// Whether an alternating path over suppressed cells lets `cell` move by `dir`.
fn reachable(grid: &Grid, suppressed: &[bool], cell: usize, dir: Move) -> bool {
    if dir == Move::Down && grid.values[cell] == 0 {
        return false;
    }
    let mut seen = vec![false; grid.rows + grid.cols];
    let start = grid.row_of(cell);
    seen[start] = true;
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for k in cells_at(grid, u).filter(|&k| suppressed[k]) {
            let Some(v) = step(grid, cell, dir, u, k) else { continue };
            if ends(grid, cell, v) {
                return true;
            }
            if !seen[v] {
                seen[v] = true;
                queue.push_back(v);
            }
        }
    }
    false
}

/// The cheapest alternating path from the row of `cell` to its column (to any
/// column in a one-way table) that lets `cell` move by `dir`, over the
/// suppressed cells (free) and the others (a count plus one each). Returns
/// the cost and the cells of the path (without `cell`).
fn cheapest_cycle(grid: &Grid, suppressed: &[bool], cell: usize, dir: Move) -> Option<(u64, Vec<usize>)> {
    if dir == Move::Down && grid.values[cell] == 0 {
        return None;
    }
    // Node ids: rows 0..m, columns m..m+n. Dense Dijkstra: tables are small.
    let nodes = grid.rows + grid.cols;
    let mut dist = vec![u64::MAX; nodes];
    let mut via: Vec<Option<(usize, usize)>> = vec![None; nodes]; // (previous node, cell)
    let mut done = vec![false; nodes];
    dist[grid.row_of(cell)] = 0;
    loop {
        let u = (0..nodes).filter(|&v| !done[v] && dist[v] != u64::MAX).min_by_key(|&v| dist[v])?;
        if ends(grid, cell, u) {
            let mut path = Vec::new();
            let mut at = u;
            while let Some((prev, k)) = via[at] {
                path.push(k);
                at = prev;
            }
            path.reverse();
            return Some((dist[u], path));
        }
        done[u] = true;
        for k in cells_at(grid, u) {
            let Some(v) = step(grid, cell, dir, u, k) else { continue };
            let cost = if suppressed[k] { 0 } else { grid.values[k] + 1 };
            let d = dist[u].saturating_add(cost);
            if !done[v] && d < dist[v] {
                dist[v] = d;
                via[v] = Some((u, k));
            }
        }
    }
}

/// Whether suppressed `cell` can take another value consistent with the
/// published cells and totals.
fn movable(grid: &Grid, suppressed: &[bool], cell: usize) -> bool {
    reachable(grid, suppressed, cell, Move::Up) || reachable(grid, suppressed, cell, Move::Down)
}

/// The suppressed cells (row-major indices) whose value a reader could
/// recompute exactly from the published cells and totals. Empty means the
/// pattern is safe in this model.
pub fn audit(grid: &Grid, suppressed: &[bool]) -> Vec<usize> {
    (0..grid.values.len()).filter(|&k| suppressed[k] && !movable(grid, suppressed, k)).collect()
}

/// Whether every row (and, in a two-way table, every column) holds either no
/// suppressed cell or at least two. Necessary for safety, not sufficient.
pub fn row_column_rule_holds(grid: &Grid, suppressed: &[bool]) -> bool {
    let ok = |count: usize| count != 1;
    let rows_ok = (0..grid.rows).all(|r| ok((0..grid.cols).filter(|&c| suppressed[r * grid.cols + c]).count()));
    let cols_ok = grid.margins == Margins::GrandTotal
        || (0..grid.cols).all(|c| ok((0..grid.rows).filter(|&r| suppressed[r * grid.cols + c]).count()));
    rows_ok && cols_ok
}

/// Chooses the cells to withhold: every small count, and the cheapest
/// complementary cells that leave no withheld value recoverable from the
/// exact totals. Returns a row-major mask.
pub fn protect(grid: &Grid, threshold: u64) -> Result<Vec<bool>, Unprotectable> {
    let mut suppressed: Vec<bool> = grid.values.iter().map(|&v| is_small(v, threshold)).collect();
    for cell in 0..grid.values.len() {
        if !suppressed[cell] || movable(grid, &suppressed, cell) {
            continue;
        }
        let up = cheapest_cycle(grid, &suppressed, cell, Move::Up);
        let down = cheapest_cycle(grid, &suppressed, cell, Move::Down);
        let best = match (up, down) {
            (Some(u), Some(d)) => Some(if u.0 < d.0 { u } else { d }),
            (u, d) => u.or(d),
        };
        let Some((_, path)) = best else {
            return Err(Unprotectable { row: grid.row_of(cell), col: grid.col_of(cell) });
        };
        for k in path {
            suppressed[k] = true;
        }
    }
    Ok(suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_blocks_joined_by_one_cell_pass_the_row_column_rule_but_not_the_audit() {
        // Rows 0–1 × columns 0–1 and rows 2–3 × columns 2–3 are suppressed
        // blocks; cell (1, 2) joins them and is the difference of margins.
        let values = vec![
            5, 5, 0, 0, //
            5, 5, 5, 0, //
            0, 0, 5, 5, //
            0, 0, 5, 5,
        ];
        let grid = Grid::two_way(4, 4, values).unwrap();
        let mut s = vec![false; 16];
        for k in [0, 1, 4, 5, 6, 10, 11, 14, 15] {
            s[k] = true;
        }
        assert!(row_column_rule_holds(&grid, &s));
        assert_eq!(audit(&grid, &s), vec![6]);
    }
}
