//! The session cookies of staff (`atrium_staff`) and customers (`atrium_portal`): HttpOnly,
//! SameSite=Lax, `Secure` when the public URL is https.

use axum::http::HeaderValue;

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
