//! Assembles the schema: the root objects of every slice, limits, and the
//! long-lived data (pool, configuration).

use std::future::Future;
use std::sync::Arc;

use async_graphql::{MergedObject, MergedSubscription, SDLExportOptions, Schema, SchemaBuilder, SchemaEnv};
use sea_orm::DatabaseConnection;

use crate::audit::graphql::AuditQuery;
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
use crate::graphql::depth::DepthLimits;
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
    // No extensions: with any installed, async-graphql wraps every field's
    // resolution in their hooks. The request guard (`guard`) runs before
    // the schema instead. async-graphql's depth limit stays as a backstop
    // above both of the guard's depth bounds.
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
    .data(db)
    .data(config)
}

/// The request guard over the registry of the schema [`build_schema`]
/// builds, with the configured limits.
pub fn guard(config: &Arc<Config>) -> RequestGuard {
    let limits = ShapeLimits { max_aliases: config.max_aliases, max_root_fields: config.max_root_fields };
    let depth = DepthLimits { max_depth: config.max_depth, max_introspection_depth: config.max_introspection_depth };
    RequestGuard::new(schema_env(config.clone()), limits, depth)
}

/// The environment (type registry) of the schema `builder` builds.
/// async-graphql hands it only to extensions, so a copy of the schema with a
/// one-hook extension runs one trivial request, whose first poll reaches the
/// hook; the registry does not depend on the extensions installed.
fn schema_env(config: Arc<Config>) -> SchemaEnv {
    use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest};
    use std::sync::OnceLock;

    struct Capture(Arc<OnceLock<SchemaEnv>>);
    impl ExtensionFactory for Capture {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(Self(self.0.clone()))
        }
    }
    #[async_graphql::async_trait::async_trait]
    impl Extension for Capture {
        async fn prepare_request(
            &self,
            ctx: &ExtensionContext<'_>,
            request: async_graphql::Request,
            next: NextPrepareRequest<'_>,
        ) -> async_graphql::ServerResult<async_graphql::Request> {
            let _ = self.0.set(ctx.schema_env.clone());
            next.run(ctx, request).await
        }
    }

    let cell = Arc::new(OnceLock::new());
    let schema = builder(DatabaseConnection::Disconnected, config).extension(Capture(cell.clone())).finish();
    {
        let run = std::pin::pin!(schema.execute("{ __typename }"));
        // Nothing before the hook waits, so one poll reaches it.
        let _ = run.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
    }
    cell.get().cloned().expect("BUG: the schema's first hook runs on the first poll")
}

/// The full SDL, as checked in at `schema.graphql`, with the `@specifiedBy`
/// URL of each of netra's scalars.
pub fn sdl() -> String {
    let config = Arc::new(Config::for_database("sqlite::memory:"));
    build_schema(DatabaseConnection::Disconnected, config)
        .sdl_with_options(SDLExportOptions::new().include_specified_by())
}
