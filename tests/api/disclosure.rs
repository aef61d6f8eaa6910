//! Disclosure control of published tables, on crafted tables and on many
//! random ones. The oracle here is independent of the implementation's
//! path search: a suppressed cell is recoverable when, by max-flow over the
//! published margins, neither its value minus one nor plus one is feasible.

use netra::statistics::disclosure::{audit, is_small, protect, row_column_rule_holds, Grid, Margins};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Whether some non-negative integer filling of the suppressed cells with
/// `cell` = `target` reproduces every published total of `grid`.
fn feasible(grid: &Grid, suppressed: &[bool], cell: usize, target: i64) -> bool {
    if target < 0 {
        return false;
    }
    let (m, n) = (grid.rows(), grid.cols());
    let v = |k: usize| grid.values()[k] as i64;
    if grid.margins() == Margins::GrandTotal {
        let rest: i64 = (0..n).filter(|&k| suppressed[k]).map(v).sum::<i64>() - target;
        let others = (0..n).any(|k| k != cell && suppressed[k]);
        return rest == 0 || (rest > 0 && others);
    }
    // What the suppressed cells of each row and column must add up to.
    let mut row_need = vec![0i64; m];
    let mut col_need = vec![0i64; n];
    for k in (0..m * n).filter(|&k| suppressed[k]) {
        row_need[k / n] += v(k);
        col_need[k % n] += v(k);
    }
    row_need[cell / n] -= target;
    col_need[cell % n] -= target;
    if row_need.iter().chain(&col_need).any(|&x| x < 0) {
        return false;
    }
    // Max flow: source → rows → (suppressed cells) → columns → sink.
    let (source, sink) = (m + n, m + n + 1);
    let size = m + n + 2;
    let mut cap = vec![vec![0i64; size]; size];
    for (i, &need) in row_need.iter().enumerate() {
        cap[source][i] = need;
    }
    for (j, &need) in col_need.iter().enumerate() {
        cap[m + j][sink] = need;
    }
    for k in (0..m * n).filter(|&k| suppressed[k] && k != cell) {
        cap[k / n][m + k % n] = i64::MAX / 4;
    }
    let mut flow = 0;
    loop {
        let mut prev = vec![usize::MAX; size];
        prev[source] = source;
        let mut queue = std::collections::VecDeque::from([source]);
        while let Some(u) = queue.pop_front() {
            for w in 0..size {
                if prev[w] == usize::MAX && cap[u][w] > 0 {
                    prev[w] = u;
                    queue.push_back(w);
                }
            }
        }
        if prev[sink] == usize::MAX {
            break;
        }
        let mut push = i64::MAX;
        let mut at = sink;
        while at != source {
            push = push.min(cap[prev[at]][at]);
            at = prev[at];
        }
        let mut at = sink;
        while at != source {
            cap[prev[at]][at] -= push;
            cap[at][prev[at]] += push;
            at = prev[at];
        }
        flow += push;
    }
    flow == row_need.iter().sum::<i64>()
}

/// The suppressed cells whose value the published totals pin down.
pub fn recoverable(grid: &Grid, suppressed: &[bool]) -> Vec<usize> {
    (0..grid.values().len())
        .filter(|&k| suppressed[k])
        .filter(|&k| {
            let v = grid.values()[k] as i64;
            !feasible(grid, suppressed, k, v - 1) && !feasible(grid, suppressed, k, v + 1)
        })
        .collect()
}

fn grid(rows: &[&[u64]]) -> Grid {
    Grid::two_way(rows.len(), rows[0].len(), rows.iter().flat_map(|r| r.iter().copied()).collect()).unwrap()
}

/// Protects `g` and checks everything a published table must satisfy.
fn protected(g: &Grid, threshold: u64) -> Vec<bool> {
    let s = protect(g, threshold).unwrap();
    for (k, &v) in g.values().iter().enumerate() {
        assert!(!is_small(v, threshold) || s[k], "small cell {k} is withheld");
    }
    assert!(row_column_rule_holds(g, &s), "row/column rule: {s:?}");
    assert_eq!(audit(g, &s), Vec::<usize>::new(), "audit");
    assert_eq!(recoverable(g, &s), Vec::<usize>::new(), "oracle");
    s
}

fn count(s: &[bool]) -> usize {
    s.iter().filter(|x| **x).count()
}

#[test]
fn a_lone_small_cell_in_a_row_gets_a_rectangle_of_complements() {
    let g = grid(&[&[10, 2, 10], &[10, 10, 10], &[10, 10, 10]]);
    let s = protected(&g, 3);
    assert!(s[1]);
    assert_eq!(count(&s), 4, "the cheapest protection is a rectangle: {s:?}");
}

#[test]
fn two_small_cells_alone_in_their_columns_get_partners_in_another_row() {
    let g = grid(&[&[10, 10, 10], &[1, 2, 10], &[10, 10, 10]]);
    let s = protected(&g, 3);
    assert!(s[3] && s[4]);
    assert_eq!(count(&s), 4, "{s:?}");
}

#[test]
fn a_small_cell_alone_in_both_its_row_and_column_is_protected() {
    let g = grid(&[&[1, 10, 10], &[10, 10, 10], &[10, 10, 10]]);
    let s = protected(&g, 3);
    assert_eq!(count(&s), 4, "{s:?}");
}

#[test]
fn an_all_small_row_is_withheld_with_complements_for_its_columns() {
    let g = grid(&[&[1, 2, 1], &[10, 10, 10], &[10, 11, 12]]);
    let s = protected(&g, 3);
    assert!(s[0] && s[1] && s[2]);
    assert!(count(&s) >= 6, "every column needs a second withheld cell: {s:?}");
}

#[test]
fn a_table_of_small_counts_only_is_withheld_whole() {
    let g = grid(&[&[1, 1], &[2, 1]]);
    let s = protected(&g, 3);
    assert_eq!(count(&s), 4);
}

#[test]
fn zeros_are_published_and_never_count_as_small() {
    let g = grid(&[&[0, 5, 5], &[5, 5, 5], &[0, 5, 0]]);
    let s = protected(&g, 3);
    assert_eq!(count(&s), 0);
    assert!(!is_small(0, 3) && is_small(1, 3) && is_small(2, 3) && !is_small(3, 3));
}

#[test]
fn a_zero_may_be_withheld_to_protect_a_small_cell() {
    // Row 0 holds one allegation; its other cell is zero.
    let g = grid(&[&[1, 0], &[5, 5]]);
    let s = protected(&g, 3);
    assert_eq!(count(&s), 4, "{s:?}");
}

#[test]
fn a_table_that_cannot_hide_a_small_cell_behind_exact_totals_is_refused() {
    // One row: every column total is its cell.
    let one_row = Grid::two_way(1, 3, vec![1, 5, 5]).unwrap();
    assert!(protect(&one_row, 3).is_err());
    // Everything else is zero: the totals pin the small cell.
    let lonely = grid(&[&[1, 0], &[0, 0]]);
    let err = protect(&lonely, 3).unwrap_err();
    assert_eq!((err.row, err.col), (0, 0));
    // Even withholding every cell leaves it recoverable, by the oracle too.
    assert!(recoverable(&lonely, &[true; 4]).contains(&0));
}

#[test]
fn a_one_way_table_withholds_a_second_cell_next_to_a_small_one() {
    let g = Grid::one_way(vec![1, 10, 12, 11]);
    let s = protected(&g, 3);
    assert_eq!(s, vec![true, true, false, false], "the smallest complement");
    let two_small = Grid::one_way(vec![2, 1, 10]);
    assert_eq!(protected(&two_small, 3), vec![true, true, false]);
    let none = Grid::one_way(vec![0, 3, 10]);
    assert_eq!(count(&protected(&none, 3)), 0);
}

#[test]
fn the_row_column_rule_alone_is_not_enough_and_the_audit_knows_it() {
    // Two withheld rectangles joined by one withheld cell (1, 2): every row
    // and column holds 0 or at least 2 withheld cells, yet (1, 2) equals the
    // total of rows 0–1 minus the total of columns 0–1 (both published).
    let g = grid(&[&[5, 5, 0, 0], &[5, 5, 5, 0], &[0, 0, 5, 5], &[0, 0, 5, 5]]);
    let mut s = vec![false; 16];
    for k in [0, 1, 4, 5, 6, 10, 11, 14, 15] {
        s[k] = true;
    }
    assert!(row_column_rule_holds(&g, &s));
    assert_eq!(audit(&g, &s), vec![6]);
    assert_eq!(recoverable(&g, &s), vec![6]);
}

#[test]
fn no_suppressed_cell_of_a_random_table_can_be_recovered_from_its_margins() {
    let mut rng = StdRng::seed_from_u64(2024);
    let (mut published, mut refused, mut withheld) = (0, 0, 0);
    for _ in 0..1500 {
        let one_way = rng.random_bool(0.2);
        let (rows, cols) =
            if one_way { (1, rng.random_range(1..=8)) } else { (rng.random_range(1..=6), rng.random_range(1..=6)) };
        let values: Vec<u64> = (0..rows * cols)
            .map(|_| match rng.random_range(0..100) {
                0..35 => 0,
                35..70 => rng.random_range(1..=2),
                _ => rng.random_range(3..=30),
            })
            .collect();
        let g = if one_way { Grid::one_way(values) } else { Grid::two_way(rows, cols, values).unwrap() };
        let threshold = rng.random_range(2..=5);
        match protect(&g, threshold) {
            Ok(s) => {
                published += 1;
                withheld += count(&s);
                for (k, &v) in g.values().iter().enumerate() {
                    assert!(!is_small(v, threshold) || s[k], "{g:?}: small cell {k} published");
                }
                assert!(row_column_rule_holds(&g, &s), "{g:?} {s:?}");
                assert_eq!(audit(&g, &s), Vec::<usize>::new(), "{g:?} {s:?}");
                assert_eq!(recoverable(&g, &s), Vec::<usize>::new(), "{g:?} {s:?}: the oracle recovers a cell");
            }
            Err(e) => {
                refused += 1;
                // Refused only when even withholding everything leaves that small cell pinned.
                let all = vec![true; g.values().len()];
                let k = e.row * g.cols() + e.col;
                assert!(is_small(g.values()[k], threshold), "{g:?}: refused over a cell that is not small");
                assert!(recoverable(&g, &all).contains(&k), "{g:?}: refused although it could be protected");
            }
        }
    }
    assert!(published > 1000 && refused > 0 && withheld > 2000, "{published} published, {refused} refused");
}
