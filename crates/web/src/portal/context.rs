//! The signed-in customer of a request: the `Customer` extractor checks the session (Bearer
//! token or the `atrium_portal` cookie) against the portal in the path, reloads the contact
//! and the portal on every request (so changes apply at once, on every instance), and
//! re-checks that the contact may still sign in.

use std::net::SocketAddr;

use atrium_core::access::{Access, Customer as CustomerId};
use atrium_core::customer::{sign_in_refusal, today_in};
use atrium_core::portal::{Portal, PortalRole};
use atrium_core::{Error, Record, Value};
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use time::Duration;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{request_token, token_digest};
use crate::error::ApiError;

pub const PORTAL_COOKIE: &str = "atrium_portal";

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
        let portal = state.store.portal(&slug).await?.ok_or(Error::NotFound)?;
        Ok(PortalOf(portal))
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
pub struct Customer {
    pub portal: Portal,
    /// The company behind the portal (its time zone counts support dates).
    pub company: atrium_core::company::Company,
    pub roles: Vec<PortalRole>,
    pub contact: Record,
    pub id: CustomerId,
    pub token_digest: String,
}

impl Customer {
    pub fn access<'a>(&'a self, state: &'a AppState) -> Access<'a> {
        Access {
            registry: state.store.registry(),
            portal: &self.portal,
            roles: self.roles.iter().collect(),
            customer: self.id,
        }
    }
}

/// The role ids given to a contact.
pub fn contact_role_ids(contact: &Record) -> Vec<Uuid> {
    match contact.get("portal_roles") {
        Value::List(ids) => ids.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect(),
        _ => Vec::new(),
    }
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PortalOf(portal) = PortalOf::from_request_parts(parts, state).await?;
        let token = request_token(parts, PORTAL_COOKIE).ok_or(Error::Unauthorized)?;
        let digest = token_digest(&token);
        let idle = Duration::minutes(i64::from(portal.session_idle_minutes));
        let session = state
            .store
            .customer_session(&digest, |_| idle)
            .await?
            .ok_or(Error::Unauthorized)?;
        if session.portal != portal.slug {
            return Err(Error::Unauthorized.into());
        }
        let contacts = state.store.module("contacts")?;
        let contact = match state.store.get_plain(contacts, session.contact).await {
            Ok(contact) => contact,
            Err(Error::NotFound) => {
                state.store.end_customer_sessions(session.contact).await?;
                return Err(Error::Unauthorized.into());
            }
            Err(other) => return Err(other.into()),
        };
        let company = state.store.company().await?;
        if sign_in_refusal(&portal, &contact, today_in(&company.time_zone)).is_some() {
            state.store.end_session(&digest).await?;
            return Err(Error::Unauthorized.into());
        }
        let mut role_ids = portal.roles.clone();
        role_ids.extend(contact_role_ids(&contact));
        let roles = state.store.portal_roles_by_id(&role_ids).await?;
        let id = CustomerId {
            contact: contact.id,
            organization: contact.get("organization").as_ref_id(),
        };
        Ok(Customer {
            portal,
            company,
            roles,
            contact,
            id,
            token_digest: digest,
        })
    }
}
