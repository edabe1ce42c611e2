//! Customer sign-in, sign-out and password change: the rules (throttling, refusals, identical
//! answers for unknown e-mails) are `atrium-app`'s; this sets and clears the cookie.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::token_in;
use crate::cookies::{PORTAL_COOKIE, session_cookie};
use crate::error::{ApiResult, Problem};
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

#[utoipa::path(post, path = "/api/v1/portal/{slug}/login", tag = "portal", params(("slug" = String, Path)),
    request_body = Credentials,
    responses((status = 200, body = LoginResponse),
              (status = 401, body = Problem, description = "Wrong e-mail or password (the same answer for both)"),
              (status = 403, body = Problem, description = "A correct password, but sign-in is refused (support dates, access removed, portal inactive or not the contact's); `detail` says why"),
              (status = 429, body = Problem, description = "Too many failed sign-ins for this e-mail or from this address",
               headers(("Retry-After" = u64, description = "Seconds to wait"))),
              (status = 503, body = Problem, description = "Too many sign-ins at once", headers(("Retry-After" = u64)))))]
pub async fn login(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let previous = token_in(&headers, PORTAL_COOKIE);
    let signed_in = state
        .app
        .customer_sign_in(
            &portal,
            &credentials.email,
            credentials.password,
            &address,
            previous.as_deref(),
        )
        .await?;
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
    /// 12 to 128 characters, and not easy to guess.
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/change", tag = "portal", params(("slug" = String, Path)),
    request_body = PasswordChange,
    responses((status = 204),
              (status = 422, body = Problem, description = "The current password is wrong, or the new one is too short, too long or too easy to guess"),
              (status = 429, body = Problem, description = "Too many wrong current passwords", headers(("Retry-After" = u64))),
              (status = 503, body = Problem, description = "Too many password checks at once", headers(("Retry-After" = u64)))))]
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
