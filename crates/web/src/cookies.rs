//! The session cookies of staff (`atrium_staff`) and customers (`atrium_portal`): HttpOnly,
//! SameSite=Lax, `Secure` when the public URL is https.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::AppState;

pub const STAFF_COOKIE: &str = "atrium_staff";
pub const PORTAL_COOKIE: &str = "atrium_portal";

/// A `Set-Cookie` value for `name`; an empty `value` with `max_age` 0 removes the cookie.
pub fn session_cookie(
    state: &AppState,
    name: &str,
    value: &str,
    max_age: i64,
) -> Option<HeaderValue> {
    let secure = if state.app.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// The value of cookie `name` in these headers, if it was sent.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}
