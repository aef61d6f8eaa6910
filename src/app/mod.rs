//! The HTTP application, the top layer: shared state, the router with its
//! middleware and `serve`, the GraphQL endpoint (`handler`), and the schema
//! assembled from every slice (`schema`, `node`, `sdl`). Nothing below
//! `app` imports it.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::audit::AuditWriter;
use crate::auth::{Authenticator, DevIssuer};
use crate::change::delivery::Deliveries;
use crate::change::hub::Hub;
use crate::config::Config;
use crate::graphql::guard::RequestGuard;
use crate::graphql::trusted::TrustedDocuments;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimits;
use crate::registry::Registry;
use schema::AppSchema;

pub mod connections;
pub mod handler;
pub mod node;
pub mod ready;
pub mod schema;
pub mod sdl;
pub mod server;
pub mod traffic;
pub mod ws;

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The configuration.
    pub config: Arc<Config>,
    /// The GraphQL schema.
    pub schema: AppSchema,
    /// The same schema without suggestions, for anonymous callers.
    pub anonymous_schema: AppSchema,
    /// The checks every request passes before the schema runs it.
    pub guard: Arc<RequestGuard>,
    /// Token verification.
    pub auth: Authenticator,
    /// The group-commit writer of request audit events.
    pub audit: AuditWriter,
    /// The agency registry and region tree in memory, for authentication.
    pub registry: Registry,
    /// The audit writer's own pool (the request pool itself on SQLite).
    pub audit_db: DatabaseConnection,
    /// What `/metrics` exports.
    pub metrics: Arc<Metrics>,
    /// The rate limits of this instance.
    pub limits: RateLimits,
    /// Permits for requests in flight (`NETRA_MAX_IN_FLIGHT`).
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// The change feed's wake-up signal, for subscriptions and webhook workers.
    pub changes: Hub,
    /// This instance's webhook delivery worker (it runs while the state lives).
    pub deliveries: Deliveries,
    /// The trusted-documents manifest and this instance's persisted queries.
    pub trusted: Arc<TrustedDocuments>,
}

impl AppState {
    /// State over an open (and migrated) database that trusts only the
    /// development issuer (when configured), as tests and tools use it. It
    /// does not read `config.trust_file`; `serve` uses [`AppState::load`].
    /// Call inside a Tokio runtime: it starts the audit writer task.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        if config.trust_file.is_some() {
            // Safe, not silent: without the registry its issuers' tokens are refused.
            tracing::warn!("AppState::new ignores NETRA_TRUST_FILE; use AppState::load to trust its issuers");
        }
        let auth = Authenticator::new(config.dev_secret.as_ref().map(DevIssuer::new));
        Self::with_authenticator(db, config, auth)
    }

    /// State with everything `config` asks for, including the trust registry
    /// (NETRA_TRUST_FILE); an invalid registry stops the start.
    pub fn load(db: DatabaseConnection, config: Config) -> anyhow::Result<Self> {
        let auth = Authenticator::from_config(&config)?;
        Ok(Self::with_authenticator(db, config, auth))
    }

    /// State over an open database with a ready authenticator.
    pub fn with_authenticator(db: DatabaseConnection, config: Config, auth: Authenticator) -> Self {
        let config = Arc::new(config);
        let schema = schema::build_schema(db.clone(), config.clone());
        let anonymous_schema = schema::build_anonymous_schema(db.clone(), config.clone());
        let guard = Arc::new(schema::guard(&config));
        let metrics = Arc::new(Metrics::new());
        let acquire = Duration::from_millis(config.db_acquire_timeout_ms);
        let audit_db = crate::db::audit_pool(&db, &config.database_url, acquire);
        // Needs a Tokio runtime: the writer is a background task.
        let audit =
            if config.audit { AuditWriter::start(audit_db.clone(), metrics.clone()) } else { AuditWriter::disabled() };
        let registry = Registry::start(&db);
        let limits = RateLimits::new(&config);
        let in_flight = Arc::new(tokio::sync::Semaphore::new(config.max_in_flight));
        let changes = Hub::start(&db);
        let deliveries = Deliveries::start(&db, config.clone(), changes.clone());
        let trusted = Arc::new(TrustedDocuments::new(&config));
        Self {
            db,
            config,
            schema,
            anonymous_schema,
            guard,
            auth,
            audit,
            registry,
            audit_db,
            metrics,
            limits,
            in_flight,
            changes,
            deliveries,
            trusted,
        }
    }
}

/// Handlers below `app` (the open-data files) take only the pool, so that
/// they need not know `AppState`.
impl axum::extract::FromRef<AppState> for DatabaseConnection {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

/// `GET /healthz`: the process is up.
async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

fn cors(config: &Config) -> CorsLayer {
    // Names were checked when the configuration was read; an invalid one is skipped, never a panic.
    let headers: Vec<HeaderName> = config.cors_headers.iter().filter_map(|h| h.parse().ok()).collect();
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(headers)
        // A support ticket needs the request id: let browser code read it.
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(3600));
    if config.cors_origins.iter().any(|o| o == "*") {
        layer.allow_origin(AllowOrigin::any())
    } else {
        let origins: Vec<HeaderValue> = config.cors_origins.iter().filter_map(|o| o.parse().ok()).collect();
        layer.allow_origin(AllowOrigin::list(origins))
    }
}

/// The router with all endpoints and middleware.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static(traffic::REQUEST_ID);
    let config = state.config.clone();
    let admission = traffic::Admission {
        permits: state.in_flight.clone(),
        timeout: Duration::from_secs(config.request_timeout_secs),
        metrics: state.metrics.clone(),
    };
    let metrics = state.metrics.clone();
    let mut routes = Router::new().route("/graphql", get(ws::graphql_get).post(handler::graphql));
    if config.ide {
        routes = routes
            .route("/graphiql", get(crate::graphql::ide::page))
            .route("/graphiql/assets/{file}", get(crate::graphql::ide::asset));
    }
    routes
        .route("/healthz", get(healthz))
        .route("/readyz", get(ready::readyz))
        .route("/metrics", get(ready::metrics))
        .route("/public/publications/{file}", get(crate::publication::http::open_data))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(admission, traffic::admit))
        .layer(cors(&config))
        .layer(axum::middleware::from_fn(crate::security_headers::set))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(axum::middleware::from_fn_with_state(metrics, traffic::access_log))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(traffic::request_id))
}

/// Serves `state` on `listener` until Ctrl-C or SIGTERM, then drains within
/// `NETRA_SHUTDOWN_GRACE_SECS`.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    serve_until(state, listener, shutdown_signal()).await
}

/// Serves `state` on `listener` until `shutdown` completes (tests use it
/// instead of a signal), then drains within `NETRA_SHUTDOWN_GRACE_SECS`.
pub async fn serve_until(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let deadlines = server::Deadlines {
        header_read: Duration::from_secs(state.config.header_read_timeout_secs),
        grace: Duration::from_secs(state.config.shutdown_grace_secs),
    };
    server::serve_until(router(state), listener, deadlines, shutdown).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
