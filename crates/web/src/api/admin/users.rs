//! `/api/v1/admin/users`: staff users, managed by admins.

use atrium_app::admin::users::{NewUser, UserChanges, UserView};
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Items<UserView>), (status = 403, body = Problem)))]
pub async fn users(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<Items<UserView>>> {
    let items = state.app.staff_users(&admin).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(new): JsonBody<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let user = state.app.create_staff_user(&admin, new).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.app.read_staff_user(&admin, &id).await?))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserChanges,
    responses((status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    JsonBody(changes): JsonBody<UserChanges>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        state.app.change_staff_user(&admin, &id, changes).await?,
    ))
}
