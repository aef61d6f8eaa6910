//! The settings as clap arguments: one per variable, each with its
//! environment variable, default and help line. `Config::from_args` turns
//! them into a [`super::Config`]; no rule between settings lives here.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{Environment, Introspection, LogFormat, Switch, DEFAULT_CORS_HEADERS};

/// The settings as the command line and the environment give them, before
/// the cross-field rules. Each is a global option, so it is accepted (and
/// listed in the help) after any subcommand too: `netra serve --listen …`.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Configuration (each option also reads the environment variable shown)")]
pub struct ConfigArgs {
    /// The database: `sqlite://…` or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://netra.db?mode=rwc",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,
    /// The address to serve HTTP on.
    #[arg(long, env = "NETRA_LISTEN", default_value = "127.0.0.1:8080", global = true, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Enables the development HS256 issuer `netra-dev` (32+ characters; refused in production).
    #[arg(long, env = "NETRA_DEV_SECRET", global = true, hide_env_values = true, value_name = "SECRET")]
    pub dev_secret: Option<String>,
    /// The TOML trust registry of production token issuers.
    #[arg(long, env = "NETRA_TRUST_FILE", global = true, value_name = "FILE")]
    pub trust_file: Option<PathBuf>,
    /// `development` or `production`.
    #[arg(long = "env", env = "NETRA_ENV", value_enum, default_value_t = Environment::Development, global = true)]
    pub environment: Environment,
    /// The largest `first` a connection accepts.
    #[arg(long, env = "NETRA_MAX_PAGE_SIZE", default_value_t = 100, global = true, value_name = "N")]
    pub max_page_size: u32,
    /// The deepest query accepted.
    #[arg(long, env = "NETRA_MAX_DEPTH", default_value_t = 12, global = true, value_name = "N")]
    pub max_depth: usize,
    /// The deepest introspection query accepted (graphql-js's standard query needs 15).
    #[arg(long, env = "NETRA_MAX_INTROSPECTION_DEPTH", default_value_t = 20, global = true, value_name = "N")]
    pub max_introspection_depth: usize,
    /// The most complex query accepted.
    #[arg(long, env = "NETRA_MAX_COMPLEXITY", default_value_t = 5000, global = true, value_name = "N")]
    pub max_complexity: usize,
    /// The most aliases in one request.
    #[arg(long, env = "NETRA_MAX_ALIASES", default_value_t = 50, global = true, value_name = "N")]
    pub max_aliases: usize,
    /// The most root fields in one operation.
    #[arg(long, env = "NETRA_MAX_ROOT_FIELDS", default_value_t = 25, global = true, value_name = "N")]
    pub max_root_fields: usize,
    /// Who may introspect [default: `all`; `authenticated` when NETRA_ENV=production].
    #[arg(long, env = "NETRA_INTROSPECTION", value_enum, global = true)]
    pub introspection: Option<Introspection>,
    /// The largest request body, in bytes.
    #[arg(long, env = "NETRA_BODY_LIMIT", default_value_t = 1024 * 1024, global = true, value_name = "BYTES")]
    pub body_limit: usize,
    /// Days to file a report after the act became known.
    #[arg(long, env = "NETRA_DEADLINE_REPORT_DAYS", default_value_t = 7, global = true, value_name = "DAYS")]
    pub deadline_report_days: i64,
    /// Days for the plenary to decide after receipt.
    #[arg(long, env = "NETRA_DEADLINE_DECISION_DAYS", default_value_t = 3, global = true, value_name = "DAYS")]
    pub deadline_decision_days: i64,
    /// Extra days to decide when more information is needed.
    #[arg(long, env = "NETRA_DEADLINE_EXTENSION_DAYS", default_value_t = 2, global = true, value_name = "DAYS")]
    pub deadline_extension_days: i64,
    /// Days for BKN to verify a recommendation.
    #[arg(long, env = "NETRA_DEADLINE_VERIFICATION_DAYS", default_value_t = 7, global = true, value_name = "DAYS")]
    pub deadline_verification_days: i64,
    /// Days for the PPK (or receiving agency) to act.
    #[arg(long, env = "NETRA_DEADLINE_PPK_DAYS", default_value_t = 14, global = true, value_name = "DAYS")]
    pub deadline_ppk_days: i64,
    /// The time limit of one request, in seconds.
    #[arg(long, env = "NETRA_REQUEST_TIMEOUT_SECS", default_value_t = 30, global = true, value_name = "SECS")]
    pub request_timeout_secs: u64,
    /// Comma-separated browser origins allowed to call; empty allows none, `*` any [default: `*`; none when NETRA_ENV=production].
    #[arg(long, env = "NETRA_CORS_ORIGINS", global = true, value_name = "ORIGINS")]
    pub cors_origins: Option<String>,
    /// Comma-separated request headers a browser may send (CORS).
    #[arg(long, env = "NETRA_CORS_HEADERS", default_value = DEFAULT_CORS_HEADERS, global = true, value_name = "HEADERS")]
    pub cors_headers: String,
    /// `on` records an audit event for every non-public request; `off` is for benchmarks only (refused in production).
    #[arg(long, env = "NETRA_AUDIT", value_enum, default_value_t = Switch::On, global = true)]
    pub audit: Switch,
    /// The IDE at /graphiql [default: `on`; `off` when NETRA_ENV=production].
    #[arg(long, env = "NETRA_IDE", value_enum, global = true)]
    pub ide: Option<Switch>,
    /// Published tables withhold every non-zero count below this (at least 2).
    #[arg(long, env = "NETRA_SUPPRESSION_THRESHOLD", default_value_t = 3, global = true, value_name = "N")]
    pub suppression_threshold: u32,
    /// How long a request waits for a database connection before it is answered 503, in milliseconds.
    #[arg(long, env = "NETRA_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1500, global = true, value_name = "MS")]
    pub db_acquire_timeout_ms: u64,
    /// The most requests served at once; beyond it, 503 OVERLOADED at once.
    #[arg(long, env = "NETRA_MAX_IN_FLIGHT", default_value_t = 128, global = true, value_name = "N")]
    pub max_in_flight: usize,
    /// Requests per minute one agency's tokens may make (0 = unlimited).
    #[arg(long, env = "NETRA_RATE_LIMIT_AGENCY", default_value_t = 6000, global = true, value_name = "PER_MIN")]
    pub rate_limit_agency: u32,
    /// Requests per minute one client IP may make anonymously or with tokens that fail (0 = unlimited).
    #[arg(long, env = "NETRA_RATE_LIMIT_ANONYMOUS", default_value_t = 600, global = true, value_name = "PER_MIN")]
    pub rate_limit_anonymous: u32,
    /// Exact-NIP lookups (`officialByNip`) per minute per agency (0 = unlimited).
    #[arg(long, env = "NETRA_RATE_LIMIT_NIP", default_value_t = 60, global = true, value_name = "PER_MIN")]
    pub rate_limit_nip: u32,
    /// Seconds a client has to send a request's headers before the connection is closed.
    #[arg(long, env = "NETRA_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, global = true, value_name = "SECS")]
    pub header_read_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM before the rest are cut.
    #[arg(long, env = "NETRA_SHUTDOWN_GRACE_SECS", default_value_t = 20, global = true, value_name = "SECS")]
    pub shutdown_grace_secs: u64,
    /// `text` or `json` (one JSON object per line).
    #[arg(long, env = "NETRA_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Let webhooks reach private, loopback and link-local addresses (development and tests only; refused in production).
    #[arg(long, env = "NETRA_WEBHOOK_ALLOW_PRIVATE", default_value_t = false, global = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub webhook_allow_private: bool,
    /// `on` runs this instance's webhook delivery worker (instances share the work).
    #[arg(long, env = "NETRA_WEBHOOK_DELIVERY", value_enum, default_value_t = Switch::On, global = true)]
    pub webhook_delivery: Switch,
    /// First retry delay of a failed webhook delivery in milliseconds; it doubles (with jitter) and gives up after 2880 times this (24 h at the default).
    #[arg(long, env = "NETRA_WEBHOOK_RETRY_BASE_MS", default_value_t = 30_000, global = true, value_name = "MS")]
    pub webhook_retry_base_ms: u64,
    /// The trusted-documents manifest: graphql-codegen's persisted-documents JSON (`{"<sha256 hex>": "<document>"}`), loaded and checked at start.
    #[arg(long, env = "NETRA_TRUSTED_DOCUMENTS", global = true, value_name = "FILE")]
    pub trusted_documents: Option<PathBuf>,
    /// Run only the documents of NETRA_TRUSTED_DOCUMENTS (by id, or as a query whose SHA-256 is in it); refuse everything else.
    #[arg(long, env = "NETRA_TRUSTED_DOCUMENTS_ONLY", default_value_t = false, global = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub trusted_documents_only: bool,
    /// Days before a forwarding's due date when the feed announces `DECISION_DUE`.
    #[arg(long, env = "NETRA_DECISION_DUE_DAYS", default_value_t = 3, global = true, value_name = "DAYS")]
    pub decision_due_days: i64,
}
