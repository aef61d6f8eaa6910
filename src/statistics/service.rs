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

use chrono::{Duration, NaiveDate, NaiveTime};
use sea_orm::sea_query::{Alias, CaseStatement, Expr, Func, JoinType, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter};

use super::dimension::{enum_label, Dimension, GroupBy, Measure, Stage, ViolationCategory, UNGRADED};
use crate::auth::Principal;
use crate::case::service::CaseFilter;
use crate::domain::{CaseState, ViolationCode};
use crate::entity::{agency_decision, allegation, case, case_event, forwarding, official, region};
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
    let units = units(viewer, filter, as_of, &Needs::of(&dims, sel))?;
    let keyed = keyed(backend, units, &dims, sel);
    let limit = (MAX_CELLS + 1) as u64;
    let two_way = dims.len() == 2;
    let total = if sel.total {
        grouped(db, &keyed, &[], None, sel).await?.pop().map(|(_, c)| c).unwrap_or_default()
    } else {
        Counts::default()
    };
    let row_counts = if sel.rows || (sel.cells && !two_way) {
        grouped(db, &keyed, &[0], Some(limit), sel).await?
    } else {
        Vec::new()
    };
    let (column_counts, cell_counts) = if two_way {
        let columns = if sel.columns { grouped(db, &keyed, &[1], Some(limit), sel).await? } else { Vec::new() };
        let cells = if sel.cells { grouped(db, &keyed, &[0, 1], Some(limit), sel).await? } else { Vec::new() };
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

/// Names of the aliases used across the layers.
fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// Which tables the counted units must join, for the dimensions and the
/// measures asked for. Fewer joins never change a count: every join is an
/// outer join along a to-one or a counted relation, so the distinct ids of
/// the measures that remain are the same.
struct Needs {
    allegation: bool,
    official: bool,
    sanctions: bool,
}

impl Needs {
    fn of(dims: &[Dimension], sel: &Selection) -> Self {
        use Dimension as D;
        let dim = |f: fn(&D) -> bool| dims.iter().any(f);
        let official = dim(|d| matches!(d, D::SubjectKind | D::PositionClass));
        let sanctions = sel.wants(Measure::Sanctions) || dim(|d| matches!(d, D::SanctionSeverity));
        let allegation = official
            || sanctions
            || sel.wants(Measure::Allegations)
            || sel.wants(Measure::Officials)
            || dim(|d| matches!(d, D::ViolationCode | D::ViolationCategory));
        Self { allegation, official, sanctions }
    }
}

/// The counted units: one row per case × allegation × sanction (outer joins,
/// so a case without allegations and an allegation without sanctions count
/// too), with the raw values the dimensions need; tables that `needs` does
/// not name are not joined and their values are NULL.
fn units(
    viewer: Option<&Principal>,
    filter: &CaseFilter,
    as_of: Option<NaiveDate>,
    needs: &Needs,
) -> AppResult<SelectStatement> {
    let mut sanctions = Query::select();
    sanctions
        .expr_as(Expr::col((agency_decision::Entity, agency_decision::Column::Id)), a("id"))
        .expr_as(Expr::col((agency_decision::Entity, agency_decision::Column::Severity)), a("severity"))
        .expr_as(Expr::col((forwarding::Entity, forwarding::Column::AllegationId)), a("allegation_id"))
        .from(agency_decision::Entity)
        .inner_join(
            forwarding::Entity,
            Expr::col((forwarding::Entity, forwarding::Column::Id))
                .equals((agency_decision::Entity, agency_decision::Column::ForwardingId)),
        )
        // The same rule as `Case.sanctions`.
        .cond_where(crate::case::sanction_decisions());
    let mut state: SimpleExpr = Expr::col((case::Entity, case::Column::State)).into();
    let mut q = Query::select();
    if let Some(day) = as_of {
        sanctions.and_where(agency_decision::Column::DecidedOn.lte(day));
        q.and_where(case::Column::ReceivedOn.lte(day));
        let end = (day + Duration::days(1)).and_time(NaiveTime::MIN).and_utc();
        let e = a("e");
        let latest = Query::select()
            .column((e.clone(), case_event::Column::ToState))
            .from_as(case_event::Entity, e.clone())
            .and_where(Expr::col((e.clone(), case_event::Column::CaseId)).equals((case::Entity, case::Column::Id)))
            .and_where(Expr::col((e.clone(), case_event::Column::OccurredAt)).lt(end))
            .order_by((e.clone(), case_event::Column::OccurredAt), Order::Desc)
            .order_by((e, case_event::Column::Id), Order::Desc)
            .limit(1)
            .to_owned();
        state = Func::coalesce([SimpleExpr::SubQuery(None, Box::new(latest.into_sub_query_statement())), state]).into();
    }
    let s = a("s");
    let null = || -> SimpleExpr { Expr::cust("NULL") };
    let col = |needed: bool, c: SimpleExpr| if needed { c } else { null() };
    let al = |c: allegation::Column| col(needs.allegation, Expr::col((allegation::Entity, c)).into());
    let of = |c: official::Column| col(needs.official, Expr::col((official::Entity, c)).into());
    let severity = Expr::case(Expr::col((s.clone(), a("id"))).is_null(), null())
        .finally(Func::coalesce([Expr::col((s.clone(), a("severity"))).into(), Expr::val(UNGRADED).into()]));
    q.expr_as(Expr::col((case::Entity, case::Column::Id)), a("case_id"))
        .expr_as(al(allegation::Column::Id), a("allegation_id"))
        .expr_as(al(allegation::Column::OfficialId), a("official_id"))
        .expr_as(col(needs.sanctions, Expr::col((s.clone(), a("id"))).into()), a("sanction_id"))
        .expr_as(Expr::col((case::Entity, case::Column::ProvinceCode)), a("province_code"))
        .expr_as(Expr::col((case::Entity, case::Column::RegencyCode)), a("regency_code"))
        .expr_as(Expr::col((case::Entity, case::Column::DistrictCode)), a("district_code"))
        .expr_as(Expr::col((case::Entity, case::Column::Source)), a("source"))
        .expr_as(state, a("state"))
        .expr_as(Expr::col((case::Entity, case::Column::ReceivedOn)), a("received_on"))
        .expr_as(al(allegation::Column::ViolationCode), a("violation_code"))
        .expr_as(of(official::Column::SubjectKind), a("subject_kind"))
        .expr_as(of(official::Column::PositionClass), a("position_class"))
        .expr_as(col(needs.sanctions, severity.into()), a("severity"))
        .from(case::Entity);
    if needs.allegation {
        q.join(
            JoinType::LeftJoin,
            allegation::Entity,
            Expr::col((allegation::Entity, allegation::Column::CaseId)).equals((case::Entity, case::Column::Id)),
        );
    }
    if needs.official {
        q.join(
            JoinType::LeftJoin,
            official::Entity,
            Expr::col((official::Entity, official::Column::Id))
                .equals((allegation::Entity, allegation::Column::OfficialId)),
        );
    }
    if needs.sanctions {
        q.join_subquery(
            JoinType::LeftJoin,
            sanctions,
            s.clone(),
            Expr::col((s, a("allegation_id"))).equals((allegation::Entity, allegation::Column::Id)),
        );
    }
    q.cond_where(policy::case_scope(viewer)).cond_where(filter.condition());
    Ok(q)
}

/// A `CASE` mapping the values of `column` onto groups.
fn grouping<V: Copy, G: Copy + PartialEq>(
    column: &SimpleExpr,
    values: impl Iterator<Item = V>,
    groups: &[G],
    group_of: impl Fn(V) -> G,
    value_key: impl Fn(V) -> &'static str,
    group_key: impl Fn(G) -> &'static str,
) -> SimpleExpr {
    let values: Vec<V> = values.collect();
    let mut case = CaseStatement::new();
    for &g in groups {
        let members: Vec<&str> = values.iter().copied().filter(|&v| group_of(v) == g).map(&value_key).collect();
        if !members.is_empty() {
            case = case.case(Expr::expr(column.clone()).is_in(members), Expr::val(group_key(g)));
        }
    }
    case.into()
}

/// The key of `dim`, over the columns of the units layer `u`.
fn key(backend: DbBackend, dim: Dimension) -> SimpleExpr {
    use sea_orm::Iterable;
    let u = |c: &str| -> SimpleExpr { Expr::col((a("u"), a(c))).into() };
    match dim {
        Dimension::Province => u("province_code"),
        Dimension::Regency => u("regency_code"),
        Dimension::District => u("district_code"),
        Dimension::ViolationCode => u("violation_code"),
        Dimension::ViolationCategory => grouping(
            &u("violation_code"),
            ViolationCode::iter(),
            ViolationCategory::ALL,
            ViolationCategory::of,
            ViolationCode::as_str,
            ViolationCategory::as_str,
        ),
        Dimension::SubjectKind => u("subject_kind"),
        Dimension::PositionClass => u("position_class"),
        Dimension::Source => u("source"),
        Dimension::State => u("state"),
        Dimension::Stage => {
            grouping(&u("state"), CaseState::iter(), Stage::ALL, Stage::of, CaseState::as_str, Stage::as_str)
        }
        Dimension::SanctionSeverity => u("severity"),
        Dimension::Month => match backend {
            DbBackend::Postgres => Expr::cust(r#"to_char("u"."received_on", 'YYYY-MM')"#),
            _ => Expr::cust(r#"substr("u"."received_on", 1, 7)"#),
        },
    }
}

/// The keyed layer: `k0`, `k1` and the ids of the counted things.
fn keyed(backend: DbBackend, units: SelectStatement, dims: &[Dimension], sel: &Selection) -> SelectStatement {
    let mut q = Query::select();
    for (i, &dim) in dims.iter().enumerate() {
        q.expr_as(key(backend, dim), a(&format!("k{i}")));
    }
    for (m, id) in MEASURE_IDS {
        if sel.wants(m) {
            q.expr_as(Expr::col((a("u"), a(id))), a(id));
        }
    }
    q.from_subquery(units, a("u"));
    q
}

type Counted = (Vec<Option<String>>, Counts);

/// Each measure and the id column of the units it counts, in [`Counts`] order.
const MEASURE_IDS: [(Measure, &str); 4] = [
    (Measure::Cases, "case_id"),
    (Measure::Allegations, "allegation_id"),
    (Measure::Officials, "official_id"),
    (Measure::Sanctions, "sanction_id"),
];

/// Counts of the keyed layer grouped by the keys at `by` (none: the total).
async fn grouped(
    db: &DatabaseConnection,
    keyed: &SelectStatement,
    by: &[usize],
    limit: Option<u64>,
    sel: &Selection,
) -> AppResult<Vec<Counted>> {
    let k = a("k");
    let mut q = Query::select();
    for &i in by {
        let col = (k.clone(), a(&format!("k{i}")));
        q.column(col.clone()).group_by_col(col);
    }
    let wanted: Vec<usize> = (0..MEASURE_IDS.len()).filter(|&i| sel.wants(MEASURE_IDS[i].0)).collect();
    for &i in &wanted {
        q.expr(Func::count_distinct(Expr::col((k.clone(), a(MEASURE_IDS[i].1)))));
    }
    q.from_subquery(keyed.clone(), k);
    if let Some(n) = limit {
        q.limit(n);
    }
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for row in db.query_all(backend.build(&q)).await? {
        let mut key = Vec::with_capacity(by.len());
        for i in 0..by.len() {
            key.push(row.try_get_by_index::<Option<String>>(i)?);
        }
        let mut n = [0_u64; 4];
        for (pos, &i) in wanted.iter().enumerate() {
            let v: i64 = row.try_get_by_index(by.len() + pos)?;
            n[i] = u64::try_from(v).unwrap_or_default();
        }
        let counts = Counts { cases: n[0], allegations: n[1], officials: n[2], sanctions: n[3] };
        out.push((key, counts));
    }
    Ok(out)
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
