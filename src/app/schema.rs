//! Assembles the schema: the root objects of every slice, limits, and the
//! long-lived data (pool, configuration).

use std::sync::Arc;

use async_graphql::{MergedObject, MergedSubscription, SDLExportOptions, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use crate::audit::graphql::AuditQuery;
use crate::audit::AuditExtension;
use crate::case::graphql::CaseQuery;
use crate::case::mutation::CaseMutation;
use crate::change::graphql::{ChangeQuery, ChangeSubscription};
use crate::change::webhook_graphql::{WebhookMutation, WebhookQuery};
use crate::config::Config;
use crate::official::graphql::OfficialQuery;
use crate::publication::graphql::{PublicationMutation, PublicationQuery};
use crate::reference::graphql::ReferenceQuery;
use crate::statistics::graphql::StatisticsQuery;

use super::node::NodeQuery;
use crate::graphql::depth::{DepthLimit, DepthLimits};
use crate::graphql::guard::{RequestGuard, ShapeLimits};

/// The query root: every slice's root fields.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    ReferenceQuery,
    OfficialQuery,
    CaseQuery,
    NodeQuery,
    AuditQuery,
    StatisticsQuery,
    PublicationQuery,
    ChangeQuery,
    WebhookQuery,
);

/// The mutation root: every slice's mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(CaseMutation, PublicationMutation, WebhookMutation);

/// The subscription root: the change feed (over graphql-transport-ws at `/graphql`).
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(ChangeSubscription);

/// netra's schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with the configured limits. `db` may be a disconnected
/// placeholder when only the SDL is needed.
pub fn build_schema(db: DatabaseConnection, config: Arc<Config>) -> AppSchema {
    builder(db, config).finish()
}

/// The schema served to anonymous callers. It is the same schema: the
/// request guard gives anonymous callers no "did you mean" suggestions
/// (see `suggest`).
pub fn build_anonymous_schema(db: DatabaseConnection, config: Arc<Config>) -> AppSchema {
    builder(db, config).finish()
}

fn builder(db: DatabaseConnection, config: Arc<Config>) -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    let limits = ShapeLimits { max_aliases: config.max_aliases, max_root_fields: config.max_root_fields };
    // Depth is checked by `depth::DepthLimit`, which bounds introspection on
    // its own; async-graphql's limit stays as a backstop above both bounds.
    let depth = DepthLimits { max_depth: config.max_depth, max_introspection_depth: config.max_introspection_depth };
    super::connections::describe_all(Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    ))
    .limit_depth(config.max_depth.max(config.max_introspection_depth))
    .limit_complexity(config.max_complexity)
    // async-graphql would suggest from the full schema, naming fields a
    // role may not see; the guard suggests from the role's schema instead.
    .disable_suggestions()
    .extension(DepthLimit(depth))
    .extension(RequestGuard::new(limits))
    .extension(AuditExtension)
    .data(db)
    .data(config)
}

/// The full SDL, as checked in at `schema.graphql`, with the `@specifiedBy`
/// URL of each of netra's scalars.
pub fn sdl() -> String {
    let config = Arc::new(Config::for_database("sqlite::memory:"));
    build_schema(DatabaseConnection::Disconnected, config)
        .sdl_with_options(SDLExportOptions::new().include_specified_by())
}
