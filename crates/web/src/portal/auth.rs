//! Customer sign-in, sign-out and password change. Wrong credentials answer the same whether
//! or not the e-mail exists; a refusal after a correct password says why; failures are
//! counted in the database, per e-mail and per address, and throttled with 429.

use atrium_core::customer::{check_password, sign_in_refusal, today_in};
use atrium_core::record::now;
use atrium_core::{Error, Value};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{
    hash_password, new_token, request_token, token_digest, verify_nothing, verify_password,
};
use crate::error::{ApiResult, Problem, problem_response};
use crate::extract::JsonBody;
use crate::portal::context::{ClientAddress, Customer, PORTAL_COOKIE, PortalOf};

/// Failures counted within this window…
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// …refuse further attempts for one e-mail after this many,
pub const MAX_FAILURES_PER_EMAIL: u64 = 5;
/// …and for one address after this many.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

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

fn portal_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{PORTAL_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

fn too_many(retry_after: Duration) -> Response {
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
    headers: axum::http::HeaderMap,
    JsonBody(credentials): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let store = &state.store;
    let email = credentials.email.trim().to_lowercase();
    let since = now() - THROTTLE_WINDOW;
    let [(by_email, oldest_email), (by_address, oldest_address)] =
        store.login_failures(&email, &address, since).await?;
    let blocked_until = [
        (by_email >= MAX_FAILURES_PER_EMAIL)
            .then_some(oldest_email)
            .flatten(),
        (by_address >= MAX_FAILURES_PER_ADDRESS)
            .then_some(oldest_address)
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .map(|oldest| oldest + THROTTLE_WINDOW)
    .max();
    if let Some(until) = blocked_until {
        return Ok(too_many(until - now()));
    }

    let contact = store.portal_contact_by_email(&email).await?;
    let hash = match &contact {
        Some(contact) => store.portal_password_hash(contact.id).await?,
        None => None,
    };
    let verified = match hash {
        Some(hash) => verify_password(credentials.password, hash).await?,
        None => {
            verify_nothing(credentials.password).await;
            false
        }
    };
    let Some(contact) = contact.filter(|_| verified) else {
        store.record_login_failure(&email, &address).await?;
        if let Some(contact) = store.portal_contact_by_email(&email).await? {
            store
                .add_activity(
                    contact.id,
                    "portal_login_failed",
                    "portal",
                    &format!("Wrong password on {}", portal.slug),
                    None,
                )
                .await?;
        }
        return Err(Error::Unauthorized.into());
    };

    let company = store.company().await?;
    if let Some(refusal) = sign_in_refusal(&portal, &contact, today_in(&company.time_zone)) {
        store
            .add_activity(
                contact.id,
                "portal_login_failed",
                "portal",
                &format!("Refused on {}: {}", portal.slug, refusal.code()),
                None,
            )
            .await?;
        return Err(Error::Forbidden(refusal.detail()).into());
    }

    store.clear_login_failures(&email).await?;
    // A new token at every sign-in; a session the client still carried ends.
    if let Some(old) = request_token_from_headers(&headers) {
        store.end_session(&token_digest(&old)).await?;
    }
    let (token, digest) = new_token();
    store
        .create_customer_session(&digest, contact.id, &portal.slug)
        .await?;
    store
        .add_activity(
            contact.id,
            "portal_login",
            "portal",
            &format!("Signed in to {}", portal.slug),
            None,
        )
        .await?;
    let contacts = store.module("contacts")?;
    let organization = contacts
        .field("organization")
        .map(|f| contact.get("organization").to_json(f))
        .filter(|v| !v.is_null());
    let text = |field: &str| contact.get(field).as_text().map(str::to_owned);
    let body = LoginResponse {
        token: token.clone(),
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
    if let Some(cookie) = portal_cookie(&state, &token, max_age) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

fn request_token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    let mut request = axum::http::Request::new(());
    *request.headers_mut() = headers.clone();
    let (parts, ()) = request.into_parts();
    request_token(&parts, PORTAL_COOKIE)
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/logout", tag = "portal", params(("slug" = String, Path)),
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(State(state): State<AppState>, customer: Customer) -> ApiResult<Response> {
    state.store.end_session(&customer.token_digest).await?;
    state
        .store
        .add_activity(
            customer.contact.id,
            "portal_logout",
            "portal",
            &format!("Signed out of {}", customer.portal.slug),
            None,
        )
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(cookie) = portal_cookie(&state, "", 0) {
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

/// Words a customer's password must not lean on.
pub fn password_hints(contact: &atrium_core::Record) -> Vec<String> {
    ["email", "first_name", "last_name"]
        .iter()
        .filter_map(|f| match contact.get(f) {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/change", tag = "portal", params(("slug" = String, Path)),
    request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    customer: Customer,
    JsonBody(change): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let hash = state
        .store
        .portal_password_hash(customer.contact.id)
        .await?
        .unwrap_or_default();
    if !verify_password(change.current_password, hash).await? {
        return Err(Error::field("current_password", "is not your current password").into());
    }
    let hints = password_hints(&customer.contact);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    check_password("new_password", &change.new_password, &hints)
        .map_err(|e| Error::Validation(vec![e]))?;
    let new_hash = hash_password(change.new_password).await?;
    state
        .store
        .set_portal_password(customer.contact.id, &new_hash, Some(&customer.token_digest))
        .await?;
    state
        .store
        .add_activity(
            customer.contact.id,
            "password_changed",
            "portal",
            "Changed the portal password",
            None,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
