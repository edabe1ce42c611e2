//! `/api/v1/admin/users`: staff users, managed by admins.

use atrium_app::admin::users::{NewUser, UserChanges, UserView};
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa::ToSchema;
use utoipa::openapi::Type;
use utoipa::openapi::schema::SchemaType;

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

/// A staff user to add. (`atrium_app`'s `NewUser` with the rules it checks.)
#[derive(ToSchema)]
#[schema(as = NewUser)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct NewUserDoc {
    /// An e-mail address not used by another staff user (409 if it is).
    #[schema(format = Email, max_length = 254)]
    email: String,
    #[schema(schema_with = user_name)]
    name: String,
    #[schema(min_length = 12, max_length = 128)]
    password: String,
    role: RoleDoc,
    phone: Option<String>,
}

/// Changes to a staff user; what is left out stays as it is. A new password ends the user's
/// sessions.
#[derive(ToSchema)]
#[schema(as = UserChanges)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct UserChangesDoc {
    #[schema(schema_with = new_user_name, required = false)]
    name: Option<String>,
    phone: Option<String>,
    role: Option<RoleDoc>,
    active: Option<bool>,
    #[schema(min_length = 12, max_length = 128)]
    password: Option<String>,
}

#[derive(ToSchema)]
#[schema(as = Role)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum RoleDoc {
    Admin,
    Agent,
}

fn user_name() -> utoipa::openapi::Object {
    crate::api::wire::not_blank(None)
}

/// A new name, or null to leave it.
fn new_user_name() -> utoipa::openapi::Object {
    let mut name = user_name();
    name.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    name
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Items<UserView>), (status = 403, body = Problem)))]
pub async fn users(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<Items<UserView>>> {
    let items = state.app.staff_users(&admin).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUserDoc,
    responses((status = 201, body = UserView), (status = 409, body = Problem, description = "The e-mail is taken"),
              (status = 422, body = Problem, description = "A bad e-mail, a blank name or a password of the wrong length"),
              (status = 503, body = Problem, description = "Too many passwords being hashed at once", headers(("Retry-After" = u64)))))]
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

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserChangesDoc,
    responses((status = 200, body = UserView),
              (status = 422, body = Problem, description = "A blank name, a password of the wrong length, or admins demoting or deactivating themselves"),
              (status = 503, body = Problem, description = "Too many passwords being hashed at once", headers(("Retry-After" = u64)))))]
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
