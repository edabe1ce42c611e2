//! `/api/v1/admin/company` and the company logo: uploaded by admins, served to anyone (the
//! login pages show it).

use atrium_app::admin::company::{CompanyView, MAX_LOGO_BYTES};
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::AppState;
use crate::api::files::read_upload;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

#[utoipa::path(get, path = "/api/v1/admin/company", tag = "admin",
    responses((status = 200, body = CompanyView), (status = 403, body = Problem)))]
pub async fn company(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<CompanyView>> {
    Ok(Json(state.app.company_details(&admin).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company", tag = "admin", request_body = CompanyView,
    responses((status = 200, body = CompanyView), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn replace_company(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<CompanyView>> {
    Ok(Json(state.app.save_company(&admin, body).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company/logo", tag = "admin",
    request_body(content_type = "multipart/form-data", description = "The part `file`: PNG, JPEG, GIF or WebP, at most 2 MiB"),
    responses((status = 204), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_logo(
    State(state): State<AppState>,
    Admin(admin): Admin,
    multipart: Multipart,
) -> ApiResult<StatusCode> {
    let upload = read_upload(multipart, MAX_LOGO_BYTES).await?;
    state.app.save_company_logo(&admin, upload).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/company/logo", tag = "admin",
    responses((status = 200, description = "The company logo (public: the login pages show it)"),
              (status = 404, body = Problem)))]
pub async fn logo(State(state): State<AppState>) -> ApiResult<Response> {
    let logo = state.app.company_logo().await?;
    let object = state.app.store.files().get(&logo.key).await?;
    let size = object.meta.size;
    let mut response = Body::from_stream(object.into_stream()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(logo.content_type),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even a file that is not an image can do nothing when opened on its own.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}
