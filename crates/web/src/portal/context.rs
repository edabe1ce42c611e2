//! The portal in the path and the signed-in customer of a request: `atrium-app` checks the
//! session (Bearer token or the `atrium_portal` cookie) against that portal and reloads the
//! contact and the portal on every request.

use std::net::SocketAddr;

use atrium_core::Error;
use atrium_core::portal::Portal;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::AppState;
use crate::auth::request_token;
use crate::cookies::PORTAL_COOKIE;
use crate::error::ApiError;

async fn slug_of(parts: &mut Parts, state: &AppState) -> Result<String, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| Error::NotFound)?;
    params
        .iter()
        .find(|(name, _)| *name == "slug")
        .map(|(_, value)| value.to_owned())
        .ok_or_else(|| Error::NotFound.into())
}

/// The portal named in the path; unknown slugs are 404.
pub struct PortalOf(pub Portal);

impl FromRequestParts<AppState> for PortalOf {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let slug = slug_of(parts, state).await?;
        Ok(PortalOf(state.app.portal(&slug).await?))
    }
}

/// The caller's network address, for throttling sign-in by address.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        Ok(ClientAddress(address))
    }
}

/// A signed-in customer of the portal in the path.
pub struct Customer(pub atrium_app::customer::Customer);

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let slug = slug_of(parts, state).await?;
        let Some(token) = request_token(parts, PORTAL_COOKIE) else {
            // Without a session an unknown portal is still a 404, not a 401.
            state.app.front_of(Some(&slug)).await?;
            return Err(Error::Unauthorized.into());
        };
        let (_, customer) = state.app.front_and_customer(Some(&slug), &token).await?;
        Ok(Customer(customer?))
    }
}
