//! Staff sign-in and sign-out. (Admins manage staff users in `api::admin::users`.)

use atrium_app::admin::users::UserView;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Staff;
use crate::cookies::{STAFF_COOKIE, session_cookie};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::ClientAddress;

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Use as `Authorization: Bearer …`; also set as the `atrium_staff` cookie.
    pub token: String,
    pub user: UserView,
}

#[utoipa::path(post, path = "/api/v1/staff/login", tag = "staff", request_body = Credentials,
    responses((status = 200, body = LoginResponse),
              (status = 401, body = Problem, description = "Wrong e-mail or password, or the user is inactive"),
              (status = 429, body = Problem, description = "Too many failed sign-ins for this e-mail or from this address",
               headers(("Retry-After" = u64, description = "Seconds to wait"))),
              (status = 503, body = Problem, description = "Too many sign-ins at once", headers(("Retry-After" = u64)))))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let (token, user) = state
        .app
        .staff_sign_in(&credentials.email, credentials.password, &address)
        .await?;
    let max_age = atrium_store::users::SESSION_LIFETIME.whole_seconds();
    let mut response = Json(LoginResponse {
        token: token.clone(),
        user: UserView::from(&user),
    })
    .into_response();
    if let Some(cookie) = session_cookie(&state, STAFF_COOKIE, &token, max_age) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[utoipa::path(post, path = "/api/v1/staff/logout", tag = "staff",
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, Staff(staff): Staff) -> ApiResult<Response> {
    state.app.staff_sign_out(&staff).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = session_cookie(&state, STAFF_COOKIE, "", 0) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}
