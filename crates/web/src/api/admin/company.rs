//! `/api/v1/admin/company` and the company logo: uploaded by admins, served to anyone (the
//! login pages show it).

use atrium_app::admin::company::{CompanyView, MAX_LOGO_BYTES};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use utoipa::ToSchema;

use crate::AppState;
use crate::api::files::read_upload;
use crate::api::wire::UploadDoc;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, MultipartBody};

/// The company's details as a `PUT` takes them: every key has a default, and what `GET` answers
/// may be sent back (`logo_url` is ignored).
#[derive(ToSchema)]
#[schema(as = CompanyInput)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    #[schema(schema_with = company_name, required = false)]
    name: String,
    #[schema(required = false)]
    address: String,
    /// An e-mail address; empty or null for none.
    email: Option<String>,
    phone: Option<String>,
    /// An IANA time zone name (`Europe/Berlin`) or `UTC` (422 if unknown).
    #[schema(required = false)]
    time_zone: String,
    /// `#rrggbb`.
    #[schema(required = false, pattern = "^\\s*#[0-9a-fA-F]{6}\\s*$")]
    accent_color: String,
    /// Ignored.
    #[schema(value_type = Value, required = false)]
    logo_url: Value,
}

fn company_name() -> utoipa::openapi::Object {
    crate::api::wire::not_blank(None)
}

#[utoipa::path(get, path = "/api/v1/admin/company", tag = "admin",
    responses((status = 200, body = CompanyView)))]
pub async fn company(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<CompanyView>> {
    Ok(Json(state.app.company_details(&admin).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company", tag = "admin", request_body = CompanyInput,
    responses((status = 200, body = CompanyView),
              (status = 422, body = Problem, description = "A blank name, a bad e-mail, color or time zone, or an unknown key")))]
pub async fn replace_company(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<CompanyView>> {
    Ok(Json(state.app.save_company(&admin, body).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company/logo", tag = "admin",
    request_body(content = UploadDoc, content_type = "multipart/form-data",
        description = "The part `file`: a PNG, JPEG, GIF or WebP image (told by its bytes) of at most 2 MiB"),
    responses((status = 204), (status = 413, body = Problem, description = "Larger than 2 MiB"),
              (status = 422, body = Problem, description = "No part `file`, or not a PNG, JPEG, GIF or WebP image")))]
pub async fn upload_logo(
    State(state): State<AppState>,
    Admin(admin): Admin,
    MultipartBody(multipart): MultipartBody,
) -> ApiResult<StatusCode> {
    let upload = read_upload(multipart, MAX_LOGO_BYTES).await?;
    state.app.save_company_logo(&admin, upload).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/company/logo", tag = "admin",
    responses((status = 200, description = "The company logo (public: the login pages show it)",
               content((Vec<u8> = "image/png"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/gif"), (Vec<u8> = "image/webp"),
                       (Vec<u8> = "application/octet-stream"))),
              (status = 404, body = Problem, description = "No logo was uploaded")))]
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
