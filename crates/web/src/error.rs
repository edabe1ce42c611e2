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
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<FieldError>>,
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
        let errors = match self.0 {
            Error::Validation(errors) => Some(errors),
            _ => None,
        };
        problem_response(status, code, detail, errors)
    }
}
