//! Keyset pagination shared by services and resolvers: validated page
//! requests (Relay's `first`/`after` and `last`/`before`), keyset pages
//! fetched with one extra row in either direction, opaque cursors, and the
//! `totalCount` field every connection carries. It depends on nothing above
//! `error`, so services never reach into the GraphQL layer for it.

use async_graphql::connection::{Connection, Edge};
use async_graphql::Object;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sea_orm::{ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select, Value};
use serde::{de::DeserializeOwned, Serialize};

use async_graphql::ErrorExtensions as _;

use crate::error::AppError;

/// Extra fields on every connection.
pub struct ConnectionTotals {
    total: Option<u64>,
}

impl ConnectionTotals {
    /// The totals of a page counted when [`total_selected`] said so.
    pub fn new(total: Option<u64>) -> Self {
        Self { total }
    }
}

#[Object]
impl ConnectionTotals {
    /// Number of items matching the filter, across all pages. Counted only
    /// when this field is selected.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        // The resolver asked for a count whenever the field is selected, so
        // a missing one is a bug, not a caller's mistake.
        self.total.ok_or_else(|| AppError::Internal(anyhow::anyhow!("totalCount selected but not counted")).extend())
    }
}

/// Whether the connection being resolved selects `totalCount` (through
/// fragments and aliases too): a count costs a statement over every match,
/// so services count only when it is asked for.
pub fn total_selected(ctx: &async_graphql::Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Which way a page runs from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `first` (after `after`): the page starts at the front.
    Forward,
    /// `last` (before `before`): the page ends at the back.
    Backward,
}

/// A validated page request: Relay's `first`/`after` and `last`/`before`.
#[derive(Debug, Clone)]
pub struct PageRequest<C> {
    /// How many items to return (`first`, or `last` when paging backward).
    pub size: u64,
    /// Decoded `after` cursor: only items after it.
    pub after: Option<C>,
    /// Decoded `before` cursor: only items before it.
    pub before: Option<C>,
    /// Whether the page is the first `size` or the last `size` items of
    /// what lies between the cursors.
    pub direction: Direction,
    /// Whether to count all matches (`totalCount` selected).
    pub counting: bool,
}

/// One page of a keyset-paginated list.
pub struct Page<T> {
    /// The items, in the list's order (also when paging backward).
    pub items: Vec<T>,
    /// Whether items follow the page.
    pub has_next: bool,
    /// Whether items precede the page.
    pub has_previous: bool,
    /// All matches across pages, when counted.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A forward page from `fetched`, which was queried with `LIMIT size + 1`
    /// so that one extra row tells whether more follow. (Forward-only lists
    /// tell `hasPreviousPage` from their `after` cursor.)
    pub fn from_overfetch(mut fetched: Vec<T>, size: u64, total: Option<u64>) -> Self {
        let has_next = fetched.len() as u64 > size;
        fetched.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        Self { items: fetched, has_next, has_previous: false, total }
    }

    /// The same page with its items turned into `f(items)` (same order and length).
    pub fn map<U>(self, f: impl FnOnce(Vec<T>) -> Vec<U>) -> Page<U> {
        Page { items: f(self.items), has_next: self.has_next, has_previous: self.has_previous, total: self.total }
    }

    /// The page as a Relay connection whose edges `edge` makes (cursor, node).
    pub fn into_connection<N: async_graphql::OutputType>(
        self,
        edge: impl FnMut(T) -> (String, N),
    ) -> Connection<String, N, ConnectionTotals> {
        let mut conn =
            Connection::with_additional_fields(self.has_previous, self.has_next, ConnectionTotals::new(self.total));
        conn.edges.extend(self.items.into_iter().map(edge).map(|(cursor, node)| Edge::new(cursor, node)));
        conn
    }
}

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// Validates a page size argument (`first` or `last`) against `max`.
fn size_of(name: &str, n: i32, max: u32) -> Result<u64, AppError> {
    match u64::try_from(n) {
        Err(_) => Err(AppError::invalid(name, "must not be negative")),
        Ok(n) if n > u64::from(max) => Err(AppError::invalid(name, format!("at most {max} items per page"))),
        Ok(n) => Ok(n),
    }
}

impl<C: DeserializeOwned> PageRequest<C> {
    /// Validates `first` against `max` and decodes `after` (a forward-only list).
    pub fn parse(first: Option<i32>, after: Option<&str>, max: u32) -> Result<Self, AppError> {
        Self::parse_args(first, after, None, None, max)
    }

    /// Validates Relay's four arguments: `first` or `last` (not both; at
    /// most `max`; [`DEFAULT_PAGE_SIZE`] forward when neither), and decodes
    /// `after` and `before`, which may be given together (the items between).
    pub fn parse_args(
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
        max: u32,
    ) -> Result<Self, AppError> {
        let (size, direction) = match (first, last) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "last",
                    "give either first (to page forward) or last (to page backward), not both",
                ))
            }
            (Some(n), None) => (size_of("first", n, max)?, Direction::Forward),
            (None, Some(n)) => (size_of("last", n, max)?, Direction::Backward),
            (None, None) => (DEFAULT_PAGE_SIZE.min(u64::from(max)), Direction::Forward),
        };
        let after = after.map(|raw| decode_cursor_of("after", raw)).transpose()?;
        let before = before.map(|raw| decode_cursor_of("before", raw)).transpose()?;
        Ok(Self { size, after, before, direction, counting: true })
    }

    /// The page a connection field of `ctx` asks for: [`Self::parse_args`],
    /// counting only when `totalCount` is selected ([`total_selected`]).
    pub fn requested(
        ctx: &async_graphql::Context<'_>,
        max: u32,
        first: Option<i32>,
        after: Option<&str>,
        last: Option<i32>,
        before: Option<&str>,
    ) -> Result<Self, AppError> {
        Ok(Self::parse_args(first, after, last, before, max)?.counting(total_selected(ctx)))
    }
}

impl<C> PageRequest<C> {
    /// The number of rows `query` matches, counted only when the page asks
    /// for it ([`PageRequest::counting`]): one statement, or none.
    pub async fn total<'db, D, S>(&self, query: S, db: &'db D) -> Result<Option<u64>, sea_orm::DbErr>
    where
        D: sea_orm::ConnectionTrait,
        S: sea_orm::PaginatorTrait<'db, D> + Send,
    {
        if self.counting {
            query.count(db).await.map(Some)
        } else {
            Ok(None)
        }
    }

    /// Counts all matches only if `yes` (see [`total_selected`]).
    pub fn counting(mut self, yes: bool) -> Self {
        self.counting = yes;
        self
    }

    /// One page of `query` in the keyset `order` (columns with directions,
    /// the last one unique, e.g. the id), between the request's cursors.
    /// `key` gives a cursor's values in `order`'s columns (it is told which
    /// argument the cursor came in, for its errors). One statement: a
    /// backward page is fetched in the reversed order from its end with one
    /// extra row, then turned back, so every page reads in the list's order
    /// and a cursor means the same in either direction.
    pub async fn fetch<E, D>(
        &self,
        db: &D,
        query: Select<E>,
        order: &[(E::Column, Order)],
        key: impl Fn(&C, &'static str) -> Result<Vec<Value>, AppError>,
        total: Option<u64>,
    ) -> Result<Page<E::Model>, AppError>
    where
        E: EntityTrait,
        D: sea_orm::ConnectionTrait,
    {
        let mut query = query;
        if let Some(after) = &self.after {
            query = query.filter(seek(order, key(after, "after")?, Side::After));
        }
        if let Some(before) = &self.before {
            query = query.filter(seek(order, key(before, "before")?, Side::Before));
        }
        let backward = self.direction == Direction::Backward;
        for (col, dir) in order {
            query = query.order_by(*col, if backward { reversed(dir) } else { dir.clone() });
        }
        let mut fetched = query.limit(self.size + 1).all(db).await?;
        let more = fetched.len() as u64 > self.size;
        fetched.truncate(usize::try_from(self.size).unwrap_or(usize::MAX));
        if backward {
            fetched.reverse();
        }
        // A cursor is an item of the list, so something lies beyond it.
        let (has_previous, has_next) =
            if backward { (more, self.before.is_some()) } else { (self.after.is_some(), more) };
        Ok(Page { items: fetched, has_next, has_previous, total })
    }
}

/// The side of a cursor a [`seek`] condition keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    After,
    Before,
}

fn reversed(dir: &Order) -> Order {
    match dir {
        Order::Desc => Order::Asc,
        _ => Order::Desc,
    }
}

/// Rows strictly on `side` of the position `values` in the keyset `order`:
/// `(a, b) > (x, y)` written as `a >= x AND (a > x OR (a = x AND b > y))`
/// (with `<` where the column descends or the side is before), which both
/// engines serve as one range of an index in that order.
fn seek<Col: ColumnTrait>(order: &[(Col, Order)], values: Vec<Value>, side: Side) -> Condition {
    let beyond = |col: Col, dir: &Order, v: Value, or_equal: bool| {
        let up = matches!(dir, Order::Desc) == (side == Side::Before);
        match (up, or_equal) {
            (true, false) => col.gt(v),
            (true, true) => col.gte(v),
            (false, false) => col.lt(v),
            (false, true) => col.lte(v),
        }
    };
    let keys: Vec<(Col, &Order, Value)> = order.iter().zip(values).map(|((c, d), v)| (*c, d, v)).collect();
    let mut any = Condition::any();
    for i in 0..keys.len() {
        let mut step = Condition::all();
        for (col, _, v) in &keys[..i] {
            step = step.add(col.eq(v.clone()));
        }
        let (col, dir, v) = &keys[i];
        any = any.add(step.add(beyond(*col, dir, v.clone(), false)));
    }
    match keys.first() {
        Some((col, dir, v)) if keys.len() > 1 => Condition::all().add(beyond(*col, dir, v.clone(), true)).add(any),
        _ => any,
    }
}

/// Encodes a cursor value as an opaque string.
pub fn encode_cursor<C: Serialize>(value: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`], given as `after`.
pub fn decode_cursor<C: DeserializeOwned>(raw: &str) -> Result<C, AppError> {
    decode_cursor_of("after", raw)
}

/// Decodes a cursor made by [`encode_cursor`], given as argument `name`.
fn decode_cursor_of<C: DeserializeOwned>(name: &str, raw: &str) -> Result<C, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::invalid(name, "not a cursor returned by this connection"))
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::*;
    use crate::entity::case;

    #[test]
    fn first_or_last_but_not_both() {
        let req = PageRequest::<i64>::parse_args(None, None, None, None, 100).unwrap();
        assert_eq!((req.size, req.direction), (DEFAULT_PAGE_SIZE, Direction::Forward));
        let req = PageRequest::<i64>::parse_args(None, None, Some(5), Some(&encode_cursor(&7_i64)), 100).unwrap();
        assert_eq!((req.size, req.direction, req.before), (5, Direction::Backward, Some(7)));
        let err = PageRequest::<i64>::parse_args(Some(1), None, Some(1), None, 100).unwrap_err();
        assert!(err.to_string().contains("not both"), "{err}");
        assert!(PageRequest::<i64>::parse_args(None, None, Some(101), None, 100).is_err());
        assert!(PageRequest::<i64>::parse_args(None, None, None, Some("x"), 100).is_err());
    }

    #[test]
    fn a_seek_is_one_index_range_in_the_keyset_order() {
        let order = [(case::Column::ReceivedOn, Order::Desc), (case::Column::Id, Order::Desc)];
        let at = || vec![Value::from("2024-11-01"), Value::from(9_i64)];
        let sql = |side| case::Entity::find().filter(seek(&order, at(), side)).build(DbBackend::Sqlite).to_string();
        let after = sql(Side::After);
        assert!(after.contains("\"received_on\" <= '2024-11-01' AND (\"case\".\"received_on\" < '2024-11-01' OR (\"case\".\"received_on\" = '2024-11-01' AND \"case\".\"id\" < 9))"), "{after}");
        let before = sql(Side::Before);
        assert!(before.contains("\"received_on\" >= '2024-11-01' AND (\"case\".\"received_on\" > '2024-11-01' OR (\"case\".\"received_on\" = '2024-11-01' AND \"case\".\"id\" > 9))"), "{before}");
    }
}
