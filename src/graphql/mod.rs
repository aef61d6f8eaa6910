//! The GraphQL toolkit the slices' resolvers use: the request's caller and
//! loaders (`ContextExt`), the batching machinery (`batch`), the request
//! guard and visibility hooks, and global ids. Resolvers live in the domain
//! slices; they call services and never touch the database themselves. The
//! schema itself is assembled above the slices, in `app::schema`.

pub mod batch;
pub mod depth;
pub mod guard;
pub mod ide;
pub mod input;
pub mod node;
pub mod order;
pub mod protocol;
pub mod scalars;
pub mod shape;
pub mod suggest;
pub mod trusted;

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::auth::Principal;
use crate::config::Config;
use crate::error::AppError;

/// The caller of the current request, as request data. `None` = anonymous.
#[derive(Clone, Default)]
pub struct RequestViewer(pub Option<Principal>);

/// Schema visibility hooks: whether a role-dependent field exists for the
/// caller of the current request (see `policy::fields`).
pub mod visibility {
    use async_graphql::Context;

    use super::ContextExt;
    use crate::policy::{field_visible, Field};

    /// `Case.reporter`.
    pub fn reporter(ctx: &Context<'_>) -> bool {
        field_visible(ctx.viewer(), Field::Reporter)
    }

    /// `Case.evidence`.
    pub fn evidence(ctx: &Context<'_>) -> bool {
        field_visible(ctx.viewer(), Field::Evidence)
    }

    /// `Official.nip`, `Official.nrp`.
    pub fn personal_numbers(ctx: &Context<'_>) -> bool {
        field_visible(ctx.viewer(), Field::PersonalNumbers)
    }

    /// `Query.auditEvents`.
    pub fn audit_events(ctx: &Context<'_>) -> bool {
        field_visible(ctx.viewer(), Field::AuditEvents)
    }

    /// `Query.statistics`.
    pub fn live_statistics(ctx: &Context<'_>) -> bool {
        field_visible(ctx.viewer(), Field::LiveStatistics)
    }
}

/// Access to what resolvers need from the context.
pub trait ContextExt {
    /// The caller (`None` for anonymous).
    fn viewer(&self) -> Option<&Principal>;
    /// The caller, or `UNAUTHENTICATED`.
    fn principal(&self) -> Result<&Principal, AppError>;
    /// The database pool.
    fn db(&self) -> &DatabaseConnection;
    /// The configuration.
    fn config(&self) -> &Config;
    /// This request's loaders.
    fn loaders(&self) -> &batch::Loaders;
    /// The caller's local date (its office's time zone; WIB when national
    /// or anonymous), on the configured clock.
    fn today(&self) -> chrono::NaiveDate;
}

impl ContextExt for Context<'_> {
    fn viewer(&self) -> Option<&Principal> {
        self.data_opt::<RequestViewer>().and_then(|v| v.0.as_ref())
    }

    fn principal(&self) -> Result<&Principal, AppError> {
        self.viewer().ok_or(AppError::Unauthenticated)
    }

    fn db(&self) -> &DatabaseConnection {
        self.data_unchecked::<DatabaseConnection>()
    }

    fn config(&self) -> &Config {
        self.data_unchecked::<std::sync::Arc<Config>>()
    }

    fn loaders(&self) -> &batch::Loaders {
        self.data_unchecked::<batch::Loaders>()
    }

    fn today(&self) -> chrono::NaiveDate {
        let region = self.viewer().and_then(|p| p.jurisdiction.as_ref()).map(|j| j.code.as_str());
        self.config().clock.today(crate::clock::zone_of(region))
    }
}
