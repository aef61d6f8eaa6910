//! The SQL of a breakdown, layer by layer: the counted units (case ⟕
//! allegation ⟕ official ⟕ sanction, joining only what the dimensions and
//! measures need), their keys per dimension, and the grouped `COUNT(DISTINCT
//! …)` statements. Built with sea-query, so one text runs on both engines.

use chrono::{Duration, NaiveDate, NaiveTime};
use sea_orm::sea_query::{Alias, CaseStatement, Expr, Func, JoinType, Order, Query, SelectStatement, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend};

use super::{Counts, Selection};
use crate::auth::Principal;
use crate::case::service::CaseFilter;
use crate::domain::{CaseState, ViolationCode};
use crate::entity::{agency_decision, allegation, case, case_event, forwarding, official};
use crate::error::AppResult;
use crate::policy;
use crate::statistics::dimension::{Dimension, Measure, Stage, ViolationCategory, UNGRADED};

/// Names of the aliases used across the layers.
pub(super) fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// Which tables the counted units must join, for the dimensions and the
/// measures asked for. Fewer joins never change a count: every join is an
/// outer join along a to-one or a counted relation, so the distinct ids of
/// the measures that remain are the same.
pub(super) struct Needs {
    allegation: bool,
    official: bool,
    sanctions: bool,
    /// Cases by violation category, counted off the case's own bit set by
    /// [`grouped_by_category_bits`] when nothing else needs the allegations:
    /// the units stay one row per case.
    categories: bool,
}

impl Needs {
    pub(super) fn of(dims: &[Dimension], sel: &Selection) -> Self {
        use Dimension as D;
        let dim = |f: fn(&D) -> bool| dims.iter().any(f);
        let official = dim(|d| matches!(d, D::SubjectKind | D::PositionClass));
        let sanctions = sel.wants(Measure::Sanctions) || dim(|d| matches!(d, D::SanctionSeverity));
        let allegation = official
            || sanctions
            || sel.wants(Measure::Allegations)
            || sel.wants(Measure::Officials)
            || dim(|d| matches!(d, D::ViolationCode));
        let by_category = dim(|d| matches!(d, D::ViolationCategory));
        Self { allegation, official, sanctions, categories: by_category && !allegation }
    }
}

impl Needs {
    /// Whether cases are counted by violation category off the bit set.
    pub(super) fn categories(&self) -> bool {
        self.categories
    }
}

/// The counted units: one row per case × allegation × sanction (outer joins,
/// so a case without allegations and an allegation without sanctions count
/// too), with the raw values the dimensions need; tables that `needs` does
/// not name are not joined and their values are NULL.
pub(super) fn units(
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
        .expr_as(Expr::col((case::Entity, case::Column::ViolationCategories)), a("violation_categories"))
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
pub(super) fn grouping<V: Copy, G: Copy + PartialEq>(
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
pub(super) fn key(backend: DbBackend, dim: Dimension, needs: &Needs) -> SimpleExpr {
    use sea_orm::Iterable;
    let u = |c: &str| -> SimpleExpr { Expr::col((a("u"), a(c))).into() };
    match dim {
        Dimension::Province => u("province_code"),
        Dimension::Regency => u("regency_code"),
        Dimension::District => u("district_code"),
        Dimension::ViolationCode => u("violation_code"),
        // Grouped by `grouped_by_category_bits`, never by this key.
        Dimension::ViolationCategory if needs.categories => Expr::cust("NULL"),
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
pub(super) fn keyed(
    backend: DbBackend,
    units: SelectStatement,
    dims: &[Dimension],
    sel: &Selection,
    needs: &Needs,
) -> SelectStatement {
    let mut q = Query::select();
    for (i, &dim) in dims.iter().enumerate() {
        q.expr_as(key(backend, dim, needs), a(&format!("k{i}")));
    }
    for (m, id) in MEASURE_IDS {
        if sel.wants(m) {
            q.expr_as(Expr::col((a("u"), a(id))), a(id));
        }
    }
    q.from_subquery(units, a("u"));
    q
}

pub(super) type Counted = (Vec<Option<String>>, Counts);

/// Each measure and the id column of the units it counts, in [`Counts`] order.
pub(super) const MEASURE_IDS: [(Measure, &str); 4] = [
    (Measure::Cases, "case_id"),
    (Measure::Allegations, "allegation_id"),
    (Measure::Officials, "official_id"),
    (Measure::Sanctions, "sanction_id"),
];

/// Counts of the keyed layer grouped by the keys at `by` (none: the total).
pub(super) async fn grouped(
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

/// Case counts grouped by the keys at `by`, the key at `category` among
/// them being the violation category of a case's bit set, over `units` with
/// one row per case: one row per group of the
/// other keys with a `count(*) FILTER` per category (a case is one row, so
/// rows are cases), unfolded into one group per category that has cases,
/// and the cases without a category under no key. The same groups and
/// counts as [`grouped`] over the units joined with the allegations, without
/// the join (and without the category rows joined to each case and a
/// `COUNT(DISTINCT)` over them, as before: 45 ms for a province office at
/// national scale, against 5).
#[allow(clippy::too_many_arguments)]
pub(super) async fn grouped_by_category_bits(
    db: &DatabaseConnection,
    units: SelectStatement,
    dims: &[Dimension],
    needs: &Needs,
    by: &[usize],
    category: usize,
    limit: Option<u64>,
) -> AppResult<Vec<Counted>> {
    let backend = db.get_database_backend();
    let others: Vec<usize> = by.iter().copied().filter(|&i| i != category).collect();
    let at = by.iter().position(|&i| i == category).unwrap_or_default();
    let mut q = Query::select();
    for &i in &others {
        let k = a(&format!("k{i}"));
        q.expr_as(key(backend, dims[i], needs), k.clone()).group_by_col(k);
    }
    let bits = r#""u"."violation_categories""#;
    for c in ViolationCategory::ALL {
        q.expr(Expr::cust(format!("count(*) FILTER (WHERE ({bits} & {}) <> 0)", c.bit())));
    }
    q.expr(Expr::cust(format!("count(*) FILTER (WHERE {bits} = 0)")));
    q.from_subquery(units, a("u"));
    if let Some(n) = limit {
        // Each row unfolds into at least one group: the limit still tells "more than n".
        q.limit(n);
    }
    let mut out = Vec::new();
    for row in db.query_all(backend.build(&q)).await? {
        let mut other_keys = Vec::with_capacity(others.len());
        for i in 0..others.len() {
            other_keys.push(row.try_get_by_index::<Option<String>>(i)?);
        }
        let categories = ViolationCategory::ALL.iter().map(|c| Some(c.as_str().to_owned())).chain([None]);
        for (pos, category_key) in categories.enumerate() {
            let n: i64 = row.try_get_by_index(others.len() + pos)?;
            if n == 0 {
                continue;
            }
            let mut key = other_keys.clone();
            key.insert(at, category_key);
            let counts = Counts { cases: u64::try_from(n).unwrap_or_default(), ..Counts::default() };
            out.push((key, counts));
        }
    }
    if let Some(n) = limit {
        out.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    Ok(out)
}
