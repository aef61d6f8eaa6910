//! The one error type of netra's services and its mapping to GraphQL errors
//! with a stable `extensions.code`. An internal error is logged with its full
//! cause chain and reaches the caller only as "internal error".

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
            Self::Internal(_) => "INTERNAL",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Self::Invalid { field, .. } = self {
                ext.set("field", field.as_str());
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
