//! The one error type of the domain. Each variant maps to one HTTP status and one stable `code`
//! in the web layer; internal details are logged there and never sent to the client.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem with one input field, reported together with the others in a 422.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not signed in, or wrong credentials.
    #[error("not signed in")]
    Unauthorized,
    /// Signed in, but not allowed to do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The password was right, but the customer may not sign in here (and may be told why).
    #[error("sign-in refused: {}", .0.code())]
    Refused(crate::customer::Refusal),
    /// The thing does not exist, or the caller may not know that it does.
    #[error("not found")]
    NotFound,
    /// The request could not be understood (malformed body or query).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Well-formed but invalid input, field by field.
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The request conflicts with the current state (e.g. a unique value already used).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` did not match the record's current version.
    #[error("the record was changed since it was read")]
    PreconditionFailed,
    /// The body is larger than allowed.
    #[error("too large: {0}")]
    TooLarge(String),
    /// Too many attempts (sign-ins, password guesses): try again after this many seconds.
    #[error("too many attempts; retry after {retry_after} s")]
    TooManyAttempts { retry_after: i64 },
    /// Too busy right now (the password hashing queue is full): try again after this many
    /// seconds.
    #[error("busy; retry after {retry_after} s")]
    Busy { retry_after: i64 },
    /// Anything else: a bug or an unavailable dependency. The message is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    pub fn internal(err: impl fmt::Display) -> Self {
        Error::Internal(err.to_string())
    }
}
