//! Runtime configuration. Every setting is one clap argument that also reads
//! its environment variable (clap's `env` feature), so `netra --help` lists
//! each variable with its default; `main` parses once and passes the
//! resulting [`Config`] down. Cross-field rules (production refuses the
//! development issuer, …) live in [`Config::from_args`]. Tests build
//! `Config` in code with [`Config::for_database`].
//!
//! To add a variable: a field in [`ConfigArgs`] (`#[arg(long, env = "NETRA_…",
//! default_value_t = …, global = true)]` with a `///` line, which becomes the
//! help), a field in [`Config`], and one line each in `from_args` and
//! `for_database`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::{Parser, ValueEnum};
use secrecy::SecretString;

mod args;
pub mod trusted;
mod variables;

pub use args::ConfigArgs;
pub use trusted::Manifest;
pub use variables::{forget_empty_variables, known_variables, unknown_variables};

/// Whether netra runs for development or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// Local work: the development token issuer may be enabled.
    Development,
    /// Production: the development issuer is refused.
    Production,
}

/// Who may run introspection queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Introspection {
    /// Everyone (development default).
    All,
    /// Authenticated callers only (production default).
    Authenticated,
    /// Nobody.
    Off,
}

/// A switch written `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The process deadlines, in calendar days (BRIEF §5). Defaults follow the
/// Pilkada rules where the law sets them; the others are configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// `NETRA_DEADLINE_REPORT_DAYS`: a report must be filed within this many days of the act becoming known (7).
    pub report_days: i64,
    /// `NETRA_DEADLINE_DECISION_DAYS`: the plenary decides within this many days of receipt (3).
    pub decision_days: i64,
    /// `NETRA_DEADLINE_EXTENSION_DAYS`: extra days when more information is needed (2).
    pub extension_days: i64,
    /// `NETRA_DEADLINE_VERIFICATION_DAYS`: BKN verifies a recommendation within this many days (7).
    pub verification_days: i64,
    /// `NETRA_DEADLINE_PPK_DAYS`: the PPK (or receiving agency) acts within this many days (14).
    pub ppk_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self { report_days: 7, decision_days: 3, extension_days: 2, verification_days: 7, ppk_days: 14 }
    }
}

/// The request headers a browser may send by default (`NETRA_CORS_HEADERS`).
pub const DEFAULT_CORS_HEADERS: &str =
    "authorization,content-type,x-request-id,traceparent,apollographql-client-name,apollographql-client-version";

/// Everything netra reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…` (default `sqlite://netra.db?mode=rwc`).
    pub database_url: String,
    /// `NETRA_LISTEN`: the address to serve HTTP on (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// `NETRA_DEV_SECRET`: enables the development HS256 issuer `netra-dev`.
    pub dev_secret: Option<SecretString>,
    /// `NETRA_TRUST_FILE`: the TOML trust registry of production token
    /// issuers, loaded (and validated) when the server starts.
    pub trust_file: Option<PathBuf>,
    /// `NETRA_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `NETRA_MAX_PAGE_SIZE`: the largest `first` a connection accepts (default 100).
    pub max_page_size: u32,
    /// `NETRA_MAX_DEPTH`: the deepest query accepted (default 12).
    pub max_depth: usize,
    /// `NETRA_MAX_INTROSPECTION_DEPTH`: the deepest selection under
    /// `__schema`/`__type` (default 20), which has its own bound instead of
    /// `max_depth` (see `graphql::depth`).
    pub max_introspection_depth: usize,
    /// `NETRA_MAX_COMPLEXITY`: the most complex query accepted (default 5000).
    pub max_complexity: usize,
    /// `NETRA_MAX_ALIASES`: the most aliases in one request (default 50).
    pub max_aliases: usize,
    /// `NETRA_MAX_ROOT_FIELDS`: the most root fields in one operation (default 25).
    pub max_root_fields: usize,
    /// `NETRA_INTROSPECTION`: `all`, `authenticated` or `off` (default `all` in
    /// development, `authenticated` in production). Anonymous callers never get
    /// "did you mean" suggestions.
    pub introspection: Introspection,
    /// `NETRA_BODY_LIMIT`: the largest request body in bytes (default 1 MiB).
    pub body_limit: usize,
    /// The process deadlines (`NETRA_DEADLINE_*`).
    pub deadlines: Deadlines,
    /// The clock (not read from the environment: the system clock, which
    /// tests may fix to set the day).
    pub clock: crate::clock::Clock,
    /// `NETRA_REQUEST_TIMEOUT_SECS`: per-request time limit (default 30).
    pub request_timeout_secs: u64,
    /// `NETRA_CORS_ORIGINS`: comma-separated origins allowed to call from a
    /// browser; empty allows none, `*` any (default `*` in development).
    pub cors_origins: Vec<String>,
    /// `NETRA_CORS_HEADERS`: the request headers a browser may send
    /// (default [`DEFAULT_CORS_HEADERS`]).
    pub cors_headers: Vec<String>,
    /// `NETRA_AUDIT`: `on` (default) records an audit event for every
    /// non-public request; `off` stops request events, for benchmarks only,
    /// and is refused when `NETRA_ENV=production`. Writes record their events
    /// in their own transactions either way.
    pub audit: bool,
    /// `NETRA_SUPPRESSION_THRESHOLD`: published tables withhold every non-zero
    /// count below this (default 3, at least 2).
    pub suppression_threshold: u32,
    /// `NETRA_IDE`: serve the IDE at `/graphiql` (default on in development,
    /// off in production).
    pub ide: bool,
    /// `NETRA_DB_ACQUIRE_TIMEOUT_MS`: how long a statement waits for a pool
    /// connection before the request is answered 503 (default 1500).
    pub db_acquire_timeout_ms: u64,
    /// `NETRA_MAX_IN_FLIGHT`: requests served at once; beyond, 503 `OVERLOADED` (default 128).
    pub max_in_flight: usize,
    /// `NETRA_RATE_LIMIT_AGENCY`: requests per minute per agency (default 6000; 0 = off).
    pub rate_limit_agency: u32,
    /// `NETRA_RATE_LIMIT_ANONYMOUS`: requests per minute per client IP,
    /// anonymous or with a refused token (default 600; 0 = off).
    pub rate_limit_anonymous: u32,
    /// `NETRA_RATE_LIMIT_NIP`: `officialByNip` lookups per minute per agency (default 60; 0 = off).
    pub rate_limit_nip: u32,
    /// `NETRA_HEADER_READ_TIMEOUT_SECS`: time to send the request head (default 10).
    pub header_read_timeout_secs: u64,
    /// `NETRA_SHUTDOWN_GRACE_SECS`: time in-flight requests get after SIGTERM (default 20).
    pub shutdown_grace_secs: u64,
    /// `NETRA_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `NETRA_WEBHOOK_ALLOW_PRIVATE`: webhooks may reach private, loopback and
    /// link-local addresses (default false; refused in production).
    pub webhook_allow_private: bool,
    /// `NETRA_WEBHOOK_DELIVERY`: run the webhook delivery worker (default on).
    pub webhook_delivery: bool,
    /// `NETRA_WEBHOOK_RETRY_BASE_MS`: the first retry delay of a delivery (default 30 000).
    pub webhook_retry_base_ms: u64,
    /// `NETRA_DECISION_DUE_DAYS`: how many days ahead `DECISION_DUE` is announced (default 3).
    pub decision_due_days: i64,
    /// `NETRA_TRUSTED_DOCUMENTS`: the trusted-documents manifest, loaded and
    /// checked when the configuration is read (see `graphql::trusted`).
    pub trusted_documents: Option<Arc<Manifest>>,
    /// `NETRA_TRUSTED_DOCUMENTS_ONLY`: only the manifest's documents run
    /// (default false; needs `NETRA_TRUSTED_DOCUMENTS`).
    pub trusted_documents_only: bool,
}

/// Only the configuration options, for [`Config::from_env`].
#[derive(Parser, Debug)]
#[command(name = "netra")]
struct EnvOnly {
    #[command(flatten)]
    config: ConfigArgs,
}

impl Config {
    /// Reads the configuration from environment variables alone.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_args(EnvOnly::try_parse_from(["netra"])?.config)
    }

    /// Applies the rules that tie settings together and builds the configuration.
    pub fn from_args(args: ConfigArgs) -> anyhow::Result<Self> {
        let environment = args.environment;
        let production = environment == Environment::Production;
        if let Some(secret) = &args.dev_secret {
            if production {
                bail!("NETRA_DEV_SECRET must not be set when NETRA_ENV=production");
            }
            if secret.len() < 32 {
                bail!("NETRA_DEV_SECRET must be at least 32 characters long");
            }
        }
        let introspection =
            args.introspection.unwrap_or(if production { Introspection::Authenticated } else { Introspection::All });
        let audit = match args.audit {
            Switch::On => true,
            Switch::Off if production => {
                bail!("NETRA_AUDIT=off is for benchmarks only and is refused when NETRA_ENV=production")
            }
            Switch::Off => {
                tracing::warn!("NETRA_AUDIT=off: reads leave no audit event (benchmarks only)");
                false
            }
        };
        if args.suppression_threshold < 2 {
            bail!("NETRA_SUPPRESSION_THRESHOLD must be at least 2: below that nothing is withheld");
        }
        let cors_headers = list(&args.cors_headers);
        if let Some(bad) = cors_headers.iter().find(|h| axum::http::HeaderName::from_bytes(h.as_bytes()).is_err()) {
            bail!("NETRA_CORS_HEADERS: `{bad}` is not a header name");
        }
        let default_cors = if production { "" } else { "*" };
        if production && args.webhook_allow_private {
            bail!("NETRA_WEBHOOK_ALLOW_PRIVATE=true is for development and tests and is refused when NETRA_ENV=production");
        }
        if args.trusted_documents_only && args.trusted_documents.is_none() {
            bail!("NETRA_TRUSTED_DOCUMENTS_ONLY=true needs NETRA_TRUSTED_DOCUMENTS (the manifest of the documents to allow)");
        }
        let trusted_documents = args.trusted_documents.as_deref().map(Manifest::load).transpose()?.map(Arc::new);
        Ok(Self {
            database_url: args.database_url,
            listen: args.listen,
            dev_secret: args.dev_secret.map(SecretString::from),
            trust_file: args.trust_file,
            environment,
            max_page_size: args.max_page_size,
            max_depth: args.max_depth,
            max_introspection_depth: args.max_introspection_depth,
            max_complexity: args.max_complexity,
            max_aliases: args.max_aliases,
            max_root_fields: args.max_root_fields,
            introspection,
            body_limit: args.body_limit,
            clock: crate::clock::Clock::system(),
            deadlines: Deadlines {
                report_days: args.deadline_report_days,
                decision_days: args.deadline_decision_days,
                extension_days: args.deadline_extension_days,
                verification_days: args.deadline_verification_days,
                ppk_days: args.deadline_ppk_days,
            },
            request_timeout_secs: args.request_timeout_secs,
            cors_origins: list(args.cors_origins.as_deref().unwrap_or(default_cors)),
            cors_headers,
            audit,
            suppression_threshold: args.suppression_threshold,
            ide: args.ide.map_or(!production, |s| s == Switch::On),
            db_acquire_timeout_ms: args.db_acquire_timeout_ms.max(1),
            max_in_flight: args.max_in_flight.max(1),
            rate_limit_agency: args.rate_limit_agency,
            rate_limit_anonymous: args.rate_limit_anonymous,
            rate_limit_nip: args.rate_limit_nip,
            header_read_timeout_secs: args.header_read_timeout_secs.max(1),
            shutdown_grace_secs: args.shutdown_grace_secs,
            log_format: args.log_format,
            webhook_allow_private: args.webhook_allow_private,
            webhook_delivery: args.webhook_delivery == Switch::On,
            webhook_retry_base_ms: args.webhook_retry_base_ms.max(1),
            decision_due_days: args.decision_due_days,
            trusted_documents,
            trusted_documents_only: args.trusted_documents_only,
        })
    }

    /// A development configuration for `database_url`, as tests and tools use it.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dev_secret: None,
            trust_file: None,
            environment: Environment::Development,
            max_page_size: 100,
            max_depth: 12,
            max_introspection_depth: 20,
            max_complexity: 5000,
            max_aliases: 50,
            max_root_fields: 25,
            introspection: Introspection::All,
            body_limit: 1024 * 1024,
            deadlines: Deadlines::default(),
            clock: crate::clock::Clock::system(),
            request_timeout_secs: 30,
            cors_origins: vec!["*".into()],
            cors_headers: list(DEFAULT_CORS_HEADERS),
            audit: true,
            suppression_threshold: 3,
            ide: true,
            db_acquire_timeout_ms: 1500,
            max_in_flight: 128,
            rate_limit_agency: 6000,
            rate_limit_anonymous: 600,
            rate_limit_nip: 60,
            header_read_timeout_secs: 10,
            shutdown_grace_secs: 20,
            log_format: LogFormat::Text,
            webhook_allow_private: false,
            webhook_delivery: true,
            webhook_retry_base_ms: 30_000,
            decision_due_days: 3,
            trusted_documents: None,
            trusted_documents_only: false,
        }
    }
}

fn list(raw: &str) -> Vec<String> {
    raw.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}
