//! Customer sign-in, sign-out and password change: the rules (throttling, refusals, identical
//! answers for unknown e-mails) are `atrium-app`'s; this sets and clears the cookie.

use atrium_app::customer::sign_in::SignInError;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::token_in;
use crate::cookies::{PORTAL_COOKIE, session_cookie};
use crate::error::{ApiResult, Problem, problem_response};
use crate::extract::JsonBody;
use crate::portal::context::{ClientAddress, Customer, PortalOf};

#[derive(Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct ContactSummary {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// `{id, label}` or null.
    #[schema(value_type = Option<Object>)]
    pub organization: Option<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Use as `Authorization: Bearer …`; also set as the `atrium_portal` cookie.
    pub token: String,
    pub contact: ContactSummary,
}

/// 429 with `Retry-After`.
pub fn too_many(retry_after: Duration) -> Response {
    let seconds = retry_after.whole_seconds().max(1);
    let mut response = problem_response(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!(
            "Too many failed sign-ins. Try again in {} minutes.",
            (seconds + 59) / 60
        ),
        None,
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/login", tag = "portal", params(("slug" = String, Path)),
    request_body = Credentials,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn login(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let previous = token_in(&headers, PORTAL_COOKIE);
    let signed_in = match state
        .app
        .customer_sign_in(
            &portal,
            &credentials.email,
            credentials.password,
            &address,
            previous.as_deref(),
        )
        .await
    {
        Ok(signed_in) => signed_in,
        Err(SignInError::Throttled(retry_after)) => return Ok(too_many(retry_after)),
        Err(SignInError::Refused(err)) => return Err(err.into()),
    };
    let contact = &signed_in.contact;
    let contacts = state.app.store.module("contacts")?;
    let organization = contacts
        .field("organization")
        .map(|f| contact.get("organization").to_json(f))
        .filter(|v| !v.is_null());
    let text = |field: &str| contact.get(field).as_text().map(str::to_owned);
    let body = LoginResponse {
        token: signed_in.token.clone(),
        contact: ContactSummary {
            id: contact.id.to_string(),
            first_name: text("first_name"),
            last_name: text("last_name"),
            email: text("email"),
            organization,
        },
    };
    let mut response = Json(body).into_response();
    let max_age = atrium_store::users::SESSION_LIFETIME.whole_seconds();
    if let Some(cookie) = session_cookie(&state, PORTAL_COOKIE, &signed_in.token, max_age) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/logout", tag = "portal", params(("slug" = String, Path)),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Response> {
    state.app.customer_sign_out(&customer).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = session_cookie(&state, PORTAL_COOKIE, "", 0) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/change", tag = "portal", params(("slug" = String, Path)),
    request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    Customer(customer): Customer,
    JsonBody(change): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    state
        .app
        .customer_change_password(&customer, change.current_password, change.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
