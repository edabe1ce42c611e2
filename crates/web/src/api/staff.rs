//! Staff sign-in and sign-out, and the admin's staff user management.

use atrium_core::{Error, RecordId};
use atrium_store::users::StaffUserChanges;
use atrium_store::{Role, SessionKind, StaffUser};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{
    Admin, STAFF_COOKIE, Staff, hash_password, new_token, verify_nothing, verify_password,
};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserJson {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// `admin` or `agent`.
    pub role: String,
    pub active: bool,
}

impl From<&StaffUser> for UserJson {
    fn from(u: &StaffUser) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            role: u.role.as_str().to_owned(),
            active: u.active,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Use as `Authorization: Bearer …`; also set as the `atrium_staff` cookie.
    pub token: String,
    pub user: UserJson,
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{STAFF_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

#[utoipa::path(post, path = "/api/v1/staff/login", tag = "staff", request_body = Credentials,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let user = state.store.staff_user_by_email(&credentials.email).await?;
    let Some(user) = user.filter(|u| u.active) else {
        verify_nothing(credentials.password).await;
        return Err(Error::Unauthorized.into());
    };
    if !verify_password(credentials.password, user.password_hash.clone()).await? {
        return Err(Error::Unauthorized.into());
    }
    let (token, digest) = new_token();
    state
        .store
        .create_session(&digest, SessionKind::Staff, user.id)
        .await?;
    tracing::info!(user.id = %user.id, "staff user signed in");
    let max_age = atrium_store::users::SESSION_LIFETIME.whole_seconds();
    let mut response = Json(LoginResponse {
        token: token.clone(),
        user: UserJson::from(&user),
    })
    .into_response();
    if let Some(cookie) = session_cookie(&state, &token, max_age) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[utoipa::path(post, path = "/api/v1/staff/logout", tag = "staff",
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, staff: Staff) -> ApiResult<Response> {
    state.store.end_session(&staff.token_digest).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = session_cookie(&state, "", 0) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Staff passwords: at least 12 characters, at most 128.
fn check_password(password: &str) -> Result<(), Error> {
    let len = password.chars().count();
    if !(12..=128).contains(&len) {
        return Err(Error::field("password", "must be 12 to 128 characters"));
    }
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    // Missing text fields default to empty, so that they are reported as 422 naming the field
    // (with every other problem) rather than as a 400.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub phone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    pub name: Option<String>,
    pub phone: Option<String>,
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = crate::api::wire::Items<UserJson>), (status = 403, body = Problem)))]
pub async fn users(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<Json<crate::api::wire::Items<UserJson>>> {
    let users = state.store.staff_users().await?;
    Ok(Json(crate::api::wire::Items {
        items: users.iter().map(UserJson::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = NewUser,
    responses((status = 201, body = UserJson), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(new): JsonBody<NewUser>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    let mut errors = Vec::new();
    if !email_ok(&new.email) {
        errors.push(atrium_core::FieldError::new(
            "email",
            "must be an e-mail address",
        ));
    }
    if new.name.trim().is_empty() {
        errors.push(atrium_core::FieldError::new("name", "required"));
    }
    if let Err(Error::Validation(mut e)) = check_password(&new.password) {
        errors.append(&mut e);
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    let hash = hash_password(new.password).await?;
    let user = state
        .store
        .create_staff_user(
            &new.email,
            new.name.trim(),
            new.phone.as_deref(),
            &hash,
            new.role,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(&user))))
}

fn email_ok(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && email.contains('@')
        && email.rsplit('@').next().is_some_and(|d| d.contains('.'))
}

#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = UserJson), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn user(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<UserJson>> {
    let user = state
        .store
        .staff_user(RecordId::parse(&id)?.0)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(UserJson::from(&user)))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", params(("id" = String, Path)), request_body = UserChanges,
    responses((status = 200, body = UserJson), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(changes): JsonBody<UserChanges>,
) -> ApiResult<Json<UserJson>> {
    let id = RecordId::parse(&id)?.0;
    if id == admin.0.user.id && (changes.active == Some(false) || changes.role == Some(Role::Agent))
    {
        return Err(Error::field("active", "admins cannot demote or deactivate themselves").into());
    }
    if changes.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Error::field("name", "required").into());
    }
    let password_hash = match changes.password {
        Some(password) => {
            check_password(&password)?;
            Some(hash_password(password).await?)
        }
        None => None,
    };
    let user = state
        .store
        .update_staff_user(
            id,
            StaffUserChanges {
                name: changes.name.map(|n| n.trim().to_owned()),
                phone: changes.phone.map(Some),
                role: changes.role,
                active: changes.active,
                password_hash,
            },
        )
        .await?;
    Ok(Json(UserJson::from(&user)))
}
