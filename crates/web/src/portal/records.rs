//! `/api/v1/portal/{slug}/records/…`: what a customer may list, read, create, change, delete,
//! comment on, follow and download — each handler extracts, calls `atrium-app` (where the
//! access engine applies) and responds.

use atrium_app::views::{CommentView, Items, Page, RecordView, UpdateView};
use axum::Json;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::AppState;
use crate::api::files::{read_form_with_file, read_upload};
use crate::api::wire::{
    FileDoc, ListParams, RECORD_BODY, RECORD_PROBLEMS, RecordDoc, RecordPage, UploadDoc,
    comment_body,
};
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, MultipartBody, QueryPairs};
use crate::portal::context::Customer;
use crate::respond;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Markdown, not blank.
    #[schema(schema_with = comment_body)]
    pub body: String,
}

/// What a customer's create takes: JSON, or for documents a multipart form of the field parts
/// and the part `file`.
const PORTAL_RECORD_BODY: &str = "The module's read-write fields by name (see `GET modules`); \
    documents are created as `multipart/form-data` with the fields as parts and the part `file`. \
    Which keys are valid depends on `{module}` and the portal, so a 422 names each field that is \
    unknown, read-only, missing or invalid.";

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ListParams),
    responses((status = 200, body = RecordPage), (status = 422, body = Problem, description = "Unknown sort or filter field, or a bad filter value")))]
pub async fn list(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module)): Path<(String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Page<RecordView>>> {
    Ok(Json(
        state.app.customer_list(&customer, &module, &params).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RecordDoc, headers(("ETag" = String)))))]
pub async fn read(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let view = state.app.customer_read(&customer, &module, &id).await?;
    Ok(respond::record(StatusCode::OK, view))
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/{module}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path)),
    request_body(description = PORTAL_RECORD_BODY,
        content((Object = "application/json"), (Object = "multipart/form-data"))),
    responses((status = 201, body = RecordDoc, headers(("ETag" = String))),
              (status = 403, body = Problem, description = "The customer may not create records here, or could not see the new one"),
              (status = 413, body = Problem, description = "The file is larger than the upload limit"),
              (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
pub async fn create(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module)): Path<(String, String)>,
    request: Request,
) -> ApiResult<Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (body, upload) = if is_multipart {
        let MultipartBody(multipart) = MultipartBody::from_request(request, &state).await?;
        let (fields, upload) =
            read_form_with_file(multipart, state.app.settings.max_upload_bytes).await?;
        (serde_json::Value::Object(fields), Some(upload))
    } else {
        let JsonBody(body) = JsonBody::<serde_json::Value>::from_request(request, &state).await?;
        (body, None)
    };
    let view = state
        .app
        .customer_create(&customer, &module, &body, upload)
        .await?;
    Ok(respond::record(StatusCode::CREATED, view))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path),
           ("If-Match" = Option<String>, Header, description = "The `ETag` of the version read")),
    request_body(content = Object, description = RECORD_BODY),
    responses((status = 200, body = RecordDoc, headers(("ETag" = String))),
              (status = 403, body = Problem, description = "The customer may see the record but not change it, or would not see it after the change"),
              (status = 412, body = Problem, description = "The record changed since that version"),
              (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
pub async fn change(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    let expected = respond::if_match(&headers)?;
    let view = state
        .app
        .customer_change(&customer, &module, &id, &body, expected)
        .await?;
    Ok(respond::record(StatusCode::OK, view))
}

#[utoipa::path(delete, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, description = "The customer may see the record but not delete it")))]
pub async fn delete(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    state.app.customer_delete(&customer, &module, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/related/{module2}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ListParams),
    responses((status = 200, body = RecordPage), (status = 422, body = Problem, description = "Unknown sort or filter field, or a bad filter value")))]
pub async fn related(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id, other)): Path<(String, String, String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Page<RecordView>>> {
    let page = state
        .app
        .customer_related(&customer, &module, &id, &other, &params)
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/updates", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<UpdateView>), (status = 404, body = Problem)))]
pub async fn updates(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Items<UpdateView>>> {
    let items = state.app.customer_updates(&customer, &module, &id).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/comments", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<CommentView>), (status = 404, body = Problem)))]
pub async fn comments(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Items<CommentView>>> {
    let items = state.app.customer_comments(&customer, &module, &id).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/{module}/{id}/comments", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = CommentView), (status = 403, body = Problem, description = "The customer may see the record but not comment on it"),
              (status = 422, body = Problem, description = "An empty or too long body")))]
pub async fn add_comment(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
    JsonBody(comment): JsonBody<NewComment>,
) -> ApiResult<(StatusCode, Json<CommentView>)> {
    let added = state
        .app
        .customer_comment(&customer, &module, &id, &comment.body)
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

#[utoipa::path(put, path = "/api/v1/portal/{slug}/records/{module}/{id}/follow", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn follow(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .customer_follow(&customer, &module, &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/portal/{slug}/records/{module}/{id}/follow", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unfollow(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .customer_follow(&customer, &module, &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/documents/{id}/file", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment, with the type sniffed when it was stored",
               content_type = "*/*")))]
pub async fn download(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let file = state.app.customer_document_file(&customer, &id).await?;
    respond::file(&state, &file).await
}

#[utoipa::path(put, path = "/api/v1/portal/{slug}/records/documents/{id}/file", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)),
    request_body(content = UploadDoc, content_type = "multipart/form-data"),
    responses((status = 200, body = FileDoc, description = "The stored file"),
              (status = 403, body = Problem, description = "The customer may see the document but not change it"),
              (status = 413, body = Problem, description = "The file is larger than the upload limit"),
              (status = 422, body = Problem, description = "No part `file`")))]
pub async fn replace_file(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, id)): Path<(String, String)>,
    MultipartBody(multipart): MultipartBody,
) -> ApiResult<Json<serde_json::Value>> {
    let upload = read_upload(multipart, state.app.settings.max_upload_bytes).await?;
    let file = state
        .app
        .customer_replace_file(&customer, &id, upload)
        .await?;
    Ok(Json(file))
}
