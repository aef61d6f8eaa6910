//! Keyset pagination shared by services and resolvers: validated page
//! requests, pages fetched with one extra row, opaque cursors and the
//! `totalCount` field every connection carries. It depends on nothing above
//! `error`, so services never reach into the GraphQL layer for it.

use async_graphql::Object;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
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

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest<C> {
    /// How many items to return.
    pub first: u64,
    /// Decoded `after` cursor.
    pub after: Option<C>,
    /// Whether to count all matches (`totalCount` selected).
    pub counting: bool,
}

/// One page of a keyset-paginated list.
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// Whether more follow.
    pub has_next: bool,
    /// All matches across pages, when counted.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page from `fetched`, which was queried with `LIMIT first + 1` so
    /// that one extra row tells whether more follow.
    pub fn from_overfetch(mut fetched: Vec<T>, first: u64, total: Option<u64>) -> Self {
        let has_next = fetched.len() as u64 > first;
        fetched.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        Self { items: fetched, has_next, total }
    }
}

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

impl<C: DeserializeOwned> PageRequest<C> {
    /// Validates `first` against `max` and decodes `after`.
    pub fn parse(first: Option<i32>, after: Option<&str>, max: u32) -> Result<Self, AppError> {
        let first = match first {
            None => DEFAULT_PAGE_SIZE.min(u64::from(max)),
            Some(n) if n < 0 => return Err(AppError::invalid("first", "must not be negative")),
            Some(n) if n as u64 > u64::from(max) => {
                return Err(AppError::invalid("first", format!("at most {max} items per page")))
            }
            Some(n) => n as u64,
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { first, after, counting: true })
    }

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
}

/// Encodes a cursor value as an opaque string.
pub fn encode_cursor<C: Serialize>(value: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor<C: DeserializeOwned>(raw: &str) -> Result<C, AppError> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::invalid("after", "not a cursor returned by this connection"))
}
