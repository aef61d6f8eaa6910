//! Runtime configuration, read once from the environment in `main` and passed
//! down. Invalid values stop the start with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use secrecy::SecretString;

/// Whether netra runs for development or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local work: the development token issuer may be enabled.
    Development,
    /// Production: the development issuer is refused.
    Production,
}

/// Who may run introspection queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Introspection {
    /// Everyone (development default).
    All,
    /// Authenticated callers only (production default).
    Authenticated,
    /// Nobody.
    Off,
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
    /// `NETRA_REQUEST_TIMEOUT_SECS`: per-request time limit (default 30).
    pub request_timeout_secs: u64,
    /// `NETRA_CORS_ORIGINS`: comma-separated origins allowed to call from a
    /// browser; empty allows none, `*` any (default `*` in development).
    pub cors_origins: Vec<String>,
    /// `NETRA_AUDIT`: `on` (default) records an audit event for every
    /// non-public request; `off` stops request events, for benchmarks only,
    /// and is refused when `NETRA_ENV=production`. Writes record their events
    /// in their own transactions either way.
    pub audit: bool,
    /// `NETRA_SUPPRESSION_THRESHOLD`: published tables withhold every non-zero
    /// count below this (default 3, at least 2).
    pub suppression_threshold: u32,
}

impl Config {
    /// Reads the configuration from environment variables.
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let environment = match var("NETRA_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("NETRA_ENV must be `development` or `production`, not `{other}`"),
        };
        let dev_secret = var("NETRA_DEV_SECRET").map(SecretString::from);
        if environment == Environment::Production && dev_secret.is_some() {
            bail!("NETRA_DEV_SECRET must not be set when NETRA_ENV=production");
        }
        if let Some(secret) = var("NETRA_DEV_SECRET") {
            if secret.len() < 32 {
                bail!("NETRA_DEV_SECRET must be at least 32 characters long");
            }
        }
        let introspection = match var("NETRA_INTROSPECTION").as_deref() {
            None if environment == Environment::Production => Introspection::Authenticated,
            None | Some("all") => Introspection::All,
            Some("authenticated") => Introspection::Authenticated,
            Some("off") => Introspection::Off,
            Some(other) => bail!("NETRA_INTROSPECTION must be `all`, `authenticated` or `off`, not `{other}`"),
        };
        let audit = match var("NETRA_AUDIT").as_deref() {
            None | Some("on") => true,
            Some("off") if environment == Environment::Production => {
                bail!("NETRA_AUDIT=off is for benchmarks only and is refused when NETRA_ENV=production")
            }
            Some("off") => {
                tracing::warn!("NETRA_AUDIT=off: reads leave no audit event (benchmarks only)");
                false
            }
            Some(other) => bail!("NETRA_AUDIT must be `on` or `off`, not `{other}`"),
        };
        let suppression_threshold = number(var("NETRA_SUPPRESSION_THRESHOLD"), "NETRA_SUPPRESSION_THRESHOLD", 3)?;
        if suppression_threshold < 2 {
            bail!("NETRA_SUPPRESSION_THRESHOLD must be at least 2: below that nothing is withheld");
        }
        let listen = var("NETRA_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let default_cors = match environment {
            Environment::Development => "*",
            Environment::Production => "",
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://netra.db?mode=rwc".into()),
            listen: listen
                .parse()
                .with_context(|| format!("NETRA_LISTEN `{listen}` is not an address like 127.0.0.1:8080"))?,
            dev_secret,
            trust_file: var("NETRA_TRUST_FILE").map(PathBuf::from),
            environment,
            max_page_size: number(var("NETRA_MAX_PAGE_SIZE"), "NETRA_MAX_PAGE_SIZE", 100)?,
            max_depth: number(var("NETRA_MAX_DEPTH"), "NETRA_MAX_DEPTH", 12)?,
            max_complexity: number(var("NETRA_MAX_COMPLEXITY"), "NETRA_MAX_COMPLEXITY", 5000)?,
            max_aliases: number(var("NETRA_MAX_ALIASES"), "NETRA_MAX_ALIASES", 50)?,
            max_root_fields: number(var("NETRA_MAX_ROOT_FIELDS"), "NETRA_MAX_ROOT_FIELDS", 25)?,
            introspection,
            body_limit: number(var("NETRA_BODY_LIMIT"), "NETRA_BODY_LIMIT", 1024 * 1024)?,
            deadlines: Deadlines {
                report_days: number(var("NETRA_DEADLINE_REPORT_DAYS"), "NETRA_DEADLINE_REPORT_DAYS", 7)?,
                decision_days: number(var("NETRA_DEADLINE_DECISION_DAYS"), "NETRA_DEADLINE_DECISION_DAYS", 3)?,
                extension_days: number(var("NETRA_DEADLINE_EXTENSION_DAYS"), "NETRA_DEADLINE_EXTENSION_DAYS", 2)?,
                verification_days: number(
                    var("NETRA_DEADLINE_VERIFICATION_DAYS"),
                    "NETRA_DEADLINE_VERIFICATION_DAYS",
                    7,
                )?,
                ppk_days: number(var("NETRA_DEADLINE_PPK_DAYS"), "NETRA_DEADLINE_PPK_DAYS", 14)?,
            },
            request_timeout_secs: number(var("NETRA_REQUEST_TIMEOUT_SECS"), "NETRA_REQUEST_TIMEOUT_SECS", 30)?,
            cors_origins: var("NETRA_CORS_ORIGINS")
                .unwrap_or_else(|| default_cors.into())
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            audit,
            suppression_threshold,
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
            max_complexity: 5000,
            max_aliases: 50,
            max_root_fields: 25,
            introspection: Introspection::All,
            body_limit: 1024 * 1024,
            deadlines: Deadlines::default(),
            request_timeout_secs: 30,
            cors_origins: vec!["*".into()],
            audit: true,
            suppression_threshold: 3,
        }
    }
}

fn number<T: std::str::FromStr>(raw: Option<String>, name: &str, default: T) -> anyhow::Result<T> {
    match raw {
        None => Ok(default),
        Some(v) => v.trim().parse().ok().with_context(|| format!("{name} must be a positive whole number, not `{v}`")),
    }
}
