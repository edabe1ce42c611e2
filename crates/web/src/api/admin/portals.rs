//! `/api/v1/admin/portals`: each portal is one JSON document.

use atrium_app::views::Items;
use atrium_core::portal::Portal;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use utoipa::ToSchema;

use super::List;
use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

/// A portal: see "The portal JSON" in API.md. Every key but `slug` and `name` has a default.
#[derive(ToSchema)]
#[schema(as = Portal)]
#[allow(dead_code)]
pub struct PortalDoc {
    slug: String,
    name: String,
    active: bool,
    default: bool,
    custom_host: Option<String>,
    title: String,
    css_url: Option<String>,
    /// A staff user id, or null.
    default_assignee: Option<String>,
    support_notification_days: u32,
    login_template: String,
    forgot_password_template: String,
    /// `mine` or `all`.
    default_scope: String,
    session_idle_minutes: u32,
    #[schema(value_type = Object)]
    home: Value,
    #[schema(value_type = Vec<Object>)]
    modules: Vec<Value>,
    #[schema(value_type = Object)]
    profile: Value,
    /// Portal role ids.
    roles: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/portals", tag = "admin",
    responses((status = 200, body = Items<PortalDoc>), (status = 403, body = Problem)))]
pub async fn portals(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<List<Portal>>> {
    let items = state.app.list_portals(&admin).await?;
    Ok(Json(List { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/portals", tag = "admin", request_body = PortalDoc,
    responses((status = 201, body = PortalDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Portal>)> {
    let portal = state.app.create_portal(&admin, body).await?;
    Ok((StatusCode::CREATED, Json(portal)))
}

#[utoipa::path(get, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 200, body = PortalDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
) -> ApiResult<Json<Portal>> {
    Ok(Json(state.app.read_portal(&admin, &slug).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    request_body = PortalDoc,
    responses((status = 200, body = PortalDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Portal>> {
    Ok(Json(state.app.replace_portal(&admin, &slug, body).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The default portal cannot be deleted")))]
pub async fn delete_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_portal(&admin, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
