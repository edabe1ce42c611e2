//! Who is calling: the token a request carries (`Authorization: Bearer …`, else a session
//! cookie) and the extractors that turn it into a signed-in staff user or admin through
//! `atrium-app`.

use atrium_core::Error;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use crate::AppState;
use crate::cookies::STAFF_COOKIE;
use crate::error::ApiError;

/// The token a request carries: `Authorization: Bearer …`, else the named cookie.
pub fn request_token(parts: &Parts, cookie_name: &str) -> Option<String> {
    token_in(&parts.headers, cookie_name)
}

/// The token in these headers: `Authorization: Bearer …`, else the named cookie.
pub fn token_in(headers: &axum::http::HeaderMap, cookie_name: &str) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return value
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    crate::cookies::cookie_value(headers, cookie_name)
}

/// A signed-in, active staff user.
pub struct Staff(pub atrium_app::staff::Staff);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = request_token(parts, STAFF_COOKIE).ok_or(Error::Unauthorized)?;
        Ok(Staff(state.app.staff(&token).await?))
    }
}

/// A signed-in admin; agents get 403.
pub struct Admin(pub atrium_app::staff::Staff);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Staff(staff) = Staff::from_request_parts(parts, state).await?;
        staff.require_admin()?;
        Ok(Admin(staff))
    }
}
