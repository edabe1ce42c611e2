//! The JSON API. Each resource module owns its handlers; `openapi::api_router` mounts them.

pub mod admin;
pub mod files;
pub mod meta;
pub mod records;
pub mod staff;
pub mod wire;

use axum::http::StatusCode;
use axum::response::Response;

use crate::error::problem_response;

pub async fn not_found() -> Response {
    problem_response(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such resource.".into(),
        None,
    )
}

/// A panic in a handler becomes a 500 problem, never a dropped connection.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    problem_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side; it has been logged.".into(),
        None,
    )
}
