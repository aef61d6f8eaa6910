//! The one error type of netra's services and its mapping to GraphQL errors
//! with a stable `extensions.code`. An internal error is logged with its full
//! cause chain and reaches the caller only as "internal error". A database
//! that cannot be reached (no connection within the acquire timeout, a lost
//! connection, a read-only or shutting-down server) is
//! [`AppError::Unavailable`]: HTTP 503 `SERVICE_UNAVAILABLE`, never
//! `INTERNAL` and never a refused token.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Everything a service can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid credentials where they are required.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but the action is not allowed for this caller.
    #[error("not allowed")]
    Forbidden,
    /// Nothing there, or nothing the caller may see (the two look the same).
    #[error("not found")]
    NotFound,
    /// Bad input, naming the offending field.
    #[error("{field}: {message}")]
    Invalid {
        /// The input field (dotted path) that was rejected.
        field: String,
        /// What is wrong with it, for a human.
        message: String,
    },
    /// A stale version or a uniqueness clash.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached or cannot write now; retry later (HTTP 503).
    #[error("the service is unavailable: the database cannot be reached; retry shortly")]
    Unavailable,
    /// Too many requests of this kind by this caller (HTTP 429).
    #[error("{what}: rate limit reached; retry in {retry_after_secs} s")]
    RateLimited {
        /// What was limited, for a human.
        what: String,
        /// Seconds until the next request is allowed.
        retry_after_secs: u64,
    },
    /// Anything unexpected; details go to the log, never to the caller.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// Result of a service call.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Shorthand for [`AppError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Invalid { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::Unavailable => "SERVICE_UNAVAILABLE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return Self::Unavailable;
        }
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

/// SQLSTATEs of a server that is there but cannot serve the statement now:
/// read-only transaction, admin/crash shutdown, starting up or shutting
/// down, too many connections, serialization under failover.
const UNAVAILABLE_STATES: [&str; 7] = ["25006", "57P01", "57P02", "57P03", "53300", "08006", "08001"];

/// Whether `err` says the database cannot be reached or cannot write now
/// (rather than that the statement is wrong).
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{sqlx, RuntimeErr};
    let sqlx_err = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx_err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| UNAVAILABLE_STATES.contains(&c.as_ref())),
        _ => false,
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::Invalid { field, .. } => ext.set("field", field.as_str()),
                Self::RateLimited { retry_after_secs, .. } => ext.set("retryAfter", *retry_after_secs),
                _ => {}
            }
        })
    }
}

/// Converts a service result into a GraphQL result carrying the error code.
pub trait IntoGql<T> {
    /// Maps the error through [`ErrorExtensions`].
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> IntoGql<T> for AppResult<T> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.extend())
    }
}
