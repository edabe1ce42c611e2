//! The portal in the path and the signed-in customer of a request: `atrium-app` checks the
//! session (Bearer token or the `atrium_portal` cookie) against that portal and reloads the
//! contact and the portal on every request.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

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

/// The caller's network address, for throttling sign-in by address: the TCP peer, or, when
/// the peer is a trusted proxy, the client it forwarded for.
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientAddress("unknown".to_owned()));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        let client = client_address(peer.ip(), forwarded, &state.app.settings.trusted_proxies);
        Ok(ClientAddress(client.to_string()))
    }
}

/// The client behind `peer`: the peer itself unless it is one of the `trusted` proxies; then
/// the nearest address in `X-Forwarded-For` (read from the right, where the proxies append)
/// that is not a trusted proxy. Addresses further left were written by the client itself and
/// could be anything, so they are never believed past the first untrusted one.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // Not an address: whatever sent it is the client as far as anyone can tell.
            return client;
        };
        client = ip;
        if !is_trusted(&client) {
            return client;
        }
    }
    client
}

/// An address of `X-Forwarded-For`: bare, or with a port (`192.0.2.1:443`, `[2001:db8::1]:443`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().expect("network")).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let client = client_address(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &[]);
        assert_eq!(client, ip("203.0.113.9"));
        let trusted = nets(&["10.0.0.0/8"]);
        let client = client_address(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted);
        assert_eq!(client, ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_is_looked_through_to_the_nearest_untrusted_hop() {
        let trusted = nets(&["10.0.0.0/8", "192.0.2.7/32"]);
        // The client claims to be 1.1.1.1; the outer proxy saw 198.51.100.4 and the inner
        // proxy (10.1.2.3) the outer one.
        let client = client_address(
            ip("10.0.0.2"),
            ["1.1.1.1, 198.51.100.4", "10.1.2.3"].into_iter(),
            &trusted,
        );
        assert_eq!(client, ip("198.51.100.4"));
    }

    #[test]
    fn forwarded_addresses_with_ports_or_garbage() {
        let trusted = nets(&["127.0.0.1/32"]);
        let peer = ip("127.0.0.1");
        assert_eq!(
            client_address(peer, ["[2001:db8::1]:443"].into_iter(), &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(peer, ["198.51.100.4:5000"].into_iter(), &trusted),
            ip("198.51.100.4")
        );
        // A hop that is no address stops the walk at the last trusted one.
        assert_eq!(
            client_address(peer, ["198.51.100.4, unknown"].into_iter(), &trusted),
            peer
        );
        // Only proxies all the way: the left-most of them.
        assert_eq!(
            client_address(peer, ["127.0.0.1"].into_iter(), &trusted),
            peer
        );
        assert_eq!(client_address(peer, std::iter::empty(), &trusted), peer);
    }
}
