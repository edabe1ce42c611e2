//! `/api/v1/admin/portal-roles`: what contacts with a role may do in each module.

use atrium_app::views::Items;
use atrium_core::portal::PortalRole;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::List;
use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

/// A portal role: what contacts who hold it may do, module by module.
#[derive(ToSchema)]
#[schema(as = PortalRole)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct PortalRoleDoc {
    /// The role's id in answers; ignored in requests (the path or a new id counts).
    #[schema(value_type = Value, required = false)]
    id: Value,
    #[schema(schema_with = role_name)]
    name: String,
    /// Module name → what the role grants there; unknown modules are refused with 422.
    #[schema(required = false)]
    permissions: BTreeMap<String, GrantDoc>,
}

/// What a role grants in one module; every level left out is `none`.
#[derive(ToSchema)]
#[schema(as = Grant)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct GrantDoc {
    #[schema(required = false)]
    create: bool,
    #[schema(required = false)]
    read: LevelDoc,
    #[schema(required = false)]
    edit: LevelDoc,
    #[schema(required = false)]
    delete: LevelDoc,
    #[schema(required = false)]
    comment: LevelDoc,
}

/// Whose records: see ACCESS.md.
#[derive(ToSchema)]
#[schema(as = Level)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum LevelDoc {
    None,
    Own,
    Contact,
    Account,
    All,
}

fn role_name() -> utoipa::openapi::Object {
    crate::api::wire::not_blank(None)
}

#[utoipa::path(get, path = "/api/v1/admin/portal-roles", tag = "admin",
    responses((status = 200, body = Items<PortalRoleDoc>), (status = 403, body = Problem)))]
pub async fn roles(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<List<PortalRole>>> {
    let items = state.app.list_portal_roles(&admin).await?;
    Ok(Json(List { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/portal-roles", tag = "admin", request_body = PortalRoleDoc,
    responses((status = 201, body = PortalRoleDoc),
              (status = 422, body = Problem, description = "A blank name, or an unknown module or level")))]
pub async fn create_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<PortalRole>)> {
    let role = state.app.create_portal_role(&admin, body).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

#[utoipa::path(get, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = PortalRoleDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<PortalRole>> {
    Ok(Json(state.app.read_portal_role(&admin, &id).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    request_body = PortalRoleDoc,
    responses((status = 200, body = PortalRoleDoc),
              (status = 422, body = Problem, description = "A blank name, or an unknown module or level")))]
pub async fn replace_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<PortalRole>> {
    Ok(Json(
        state.app.replace_portal_role(&admin, &id, body).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_portal_role(&admin, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
