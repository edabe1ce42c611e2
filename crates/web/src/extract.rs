//! Extractors that turn malformed input into problem+json 400s instead of axum's plain text.

use atrium_core::Error;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body; anything unparsable is a 400 saying why.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError(Error::TooLarge("the body is larger than allowed".into()));
    }
    let detail = match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "expected Content-Type: application/json".to_owned()
        }
        other => other.body_text(),
    };
    ApiError(Error::BadRequest(detail))
}

/// A `multipart/form-data` body; any other body is a 400 saying what is expected.
pub struct MultipartBody(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for MultipartBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Multipart::from_request(req, state)
            .await
            .map(MultipartBody)
            .map_err(|rejection: MultipartRejection| {
                ApiError(Error::BadRequest(format!(
                    "expected Content-Type: multipart/form-data ({})",
                    rejection.body_text()
                )))
            })
    }
}

/// Query parameters as ordered pairs, repeated keys kept.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|q| QueryPairs(q.0))
            .map_err(|e: QueryRejection| ApiError(Error::BadRequest(e.body_text())))
    }
}
