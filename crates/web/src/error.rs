//! Errors as `application/problem+json` with a stable `code`. Internal details go to the log,
//! never to the client.

use atrium_core::{Error, FieldError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The error every handler returns.
#[derive(Debug)]
pub struct ApiError(pub Error);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError(err)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable snake_case word clients match on.
    pub code: String,
    /// Every problem with the input, on 422 only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<FieldProblem>>)]
    pub errors: Option<Vec<FieldError>>,
}

/// One problem with one input field (`FieldError` as the document shows it).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FieldProblem {
    /// The field's name, or its place in a document (`modules[0].fields.title`).
    field: String,
    message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match &self.0 {
            Error::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign in first, with valid credentials.".into(),
            ),
            Error::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why.clone()),
            Error::Refused(refusal) => (StatusCode::FORBIDDEN, "forbidden", refusal.detail()),
            Error::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such resource.".into(),
            ),
            Error::BadRequest(why) => (StatusCode::BAD_REQUEST, "bad_request", why.clone()),
            Error::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Error::Conflict(what) => (
                StatusCode::CONFLICT,
                "conflict",
                format!("Conflicts with an existing {what}."),
            ),
            Error::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "The record was changed since you read it; read it again.".into(),
            ),
            Error::TooLarge(why) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", why.clone()),
            Error::TooManyAttempts { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "Too many failed attempts. Try again in {} minutes.",
                    (retry_after.max(&1) + 59) / 60
                ),
            ),
            Error::Busy { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "Too many sign-ins at once; try again in a moment.".into(),
            ),
            Error::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on our side; it has been logged.".into(),
            ),
        }
    }
}

pub fn problem_response(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Option<Vec<FieldError>>,
) -> Response {
    let problem = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    };
    let mut response = (status, axum::Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Error::Internal(detail) = &self.0 {
            tracing::error!(error = %detail, "request failed");
        }
        let (status, code, detail) = self.parts();
        let retry_after = match &self.0 {
            Error::TooManyAttempts { retry_after } | Error::Busy { retry_after } => {
                Some((*retry_after).max(1))
            }
            _ => None,
        };
        let errors = match self.0 {
            Error::Validation(errors) => Some(errors),
            _ => None,
        };
        let mut response = problem_response(status, code, detail, errors);
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
