//! `/api/v1/records/…`: the staff side of every module's records — extract, call
//! `atrium-app`, respond.

use atrium_app::views::{CommentView, Items, Page, RecordView, UpdateView};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::wire::{
    ListParams, RECORD_BODY, RECORD_PROBLEMS, RecordDoc, RecordPage, comment_body,
};
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, QueryPairs};
use crate::respond;

#[utoipa::path(get, path = "/api/v1/records/{module}", tag = "records",
    params(("module" = String, Path, description = "Module name, e.g. `cases`"), ListParams),
    responses((status = 200, body = RecordPage), (status = 422, body = Problem, description = "Unknown sort or filter field, or a bad filter value")))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
    Path(module): Path<String>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Page<RecordView>>> {
    Ok(Json(state.app.staff_list(&module, &params).await?))
}

#[utoipa::path(post, path = "/api/v1/records/{module}", tag = "records",
    params(("module" = String, Path)), request_body(content = Object, description = RECORD_BODY),
    responses((status = 201, body = RecordDoc, headers(("ETag" = String))),
              (status = 409, body = Problem, description = "A unique value is taken (e.g. a portal user's e-mail)"),
              (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
pub async fn create(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(module): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let view = state.app.staff_create(&staff, &module, &body).await?;
    Ok(respond::record(StatusCode::CREATED, view))
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RecordDoc, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let view = state.app.staff_read(&module, &id).await?;
    Ok(respond::record(StatusCode::OK, view))
}

#[utoipa::path(patch, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path),
           ("If-Match" = Option<String>, Header, description = "The `ETag` of the version read")),
    request_body(content = Object, description = RECORD_BODY),
    responses((status = 200, body = RecordDoc, headers(("ETag" = String))),
              (status = 409, body = Problem, description = "A unique value is taken (e.g. a portal user's e-mail)"),
              (status = 412, body = Problem, description = "The record changed since that version"),
              (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
pub async fn change(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path((module, id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let expected = respond::if_match(&headers)?;
    let view = state
        .app
        .staff_change(&staff, &module, &id, &body, expected)
        .await?;
    Ok(respond::record(StatusCode::OK, view))
}

#[utoipa::path(delete, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.app.staff_delete(&staff, &module, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/related/{module2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ListParams),
    responses((status = 200, body = RecordPage), (status = 422, body = Problem, description = "Unknown sort or filter field, or a bad filter value")))]
pub async fn related(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other)): Path<(String, String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Page<RecordView>>> {
    Ok(Json(
        state
            .app
            .staff_related(&module, &id, &other, &params)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/records/{module}/{id}/links/{module2}/{id2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ("id2" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn link(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other, other_id)): Path<(String, String, String, String)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .staff_link((&module, &id), (&other, &other_id), true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/records/{module}/{id}/links/{module2}/{id2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ("id2" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unlink(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other, other_id)): Path<(String, String, String, String)>,
) -> ApiResult<StatusCode> {
    state
        .app
        .staff_link((&module, &id), (&other, &other_id), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Markdown, not blank.
    #[schema(schema_with = comment_body)]
    pub body: String,
    /// Internal notes are never shown to customers.
    #[serde(default)]
    pub internal: bool,
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/comments", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<CommentView>), (status = 404, body = Problem)))]
pub async fn comments(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Json<Items<CommentView>>> {
    let items = state.app.staff_comments(&module, &id).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/records/{module}/{id}/comments", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = CommentView), (status = 422, body = Problem, description = "An empty or too long body")))]
pub async fn add_comment(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path((module, id)): Path<(String, String)>,
    JsonBody(comment): JsonBody<NewComment>,
) -> ApiResult<(StatusCode, Json<CommentView>)> {
    let added = state
        .app
        .staff_comment(&staff, &module, &id, &comment.body, comment.internal)
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/updates", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<UpdateView>), (status = 404, body = Problem)))]
pub async fn updates(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Json<Items<UpdateView>>> {
    let items = state.app.staff_updates(&module, &id).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/records/quotes/{id}/invoice", tag = "records",
    params(("id" = String, Path, description = "The quote")),
    responses((status = 201, body = RecordDoc, headers(("ETag" = String)), description = "The new invoice: the quote's customer, links, currency, lines and terms, dated today"),
              (status = 404, body = Problem), (status = 409, body = Problem, description = "The quote was rejected")))]
pub async fn invoice_from_quote(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let view = state.app.staff_invoice_from_quote(&staff, &id).await?;
    Ok(respond::record(StatusCode::CREATED, view))
}
