//! The pages people use in a browser: server-rendered HTML (askama templates checked at
//! compile time) that works without JavaScript. The customer's portal lives under `/portal`
//! (the default portal), `/portal/{slug}`, and at `/` of a portal's own host; the staff's back
//! office under `/staff`.
//!
//! Handlers here are as thin as the API's: they read the form, call `atrium-app`, and render
//! the typed view it returns; every rule stays in the app, every read goes through the access
//! engine there.

pub mod assets;
pub mod chart;
pub mod desk;
pub mod display;
pub mod form;
pub mod i18n;
pub mod inputs;
pub mod lines;
pub mod list_query;
pub mod portal;
pub mod render;
pub mod site;
pub mod staff;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Uri, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use site::HostPortal;

/// The portal's pages, mounted at its three prefixes.
pub fn router(upload_limit: usize) -> Router<AppState> {
    // A nested "/" is the prefix without its slash; home is at the prefix with it.
    Router::new()
        .route("/portal/", axum::routing::get(portal::home::show))
        .route("/portal/{slug}/", axum::routing::get(portal::home::show))
        .nest("/portal", portal::routes(upload_limit))
        .nest("/portal/{slug}", portal::routes(upload_limit))
        .merge(staff::router(upload_limit))
}

/// Paths that are never a portal page, whatever the host.
fn is_application_path(path: &str) -> bool {
    [
        "/api/", "/portal", "/staff", "/healthz", "/readyz", "/metrics",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// Serves a portal's pages at the root of its `custom_host`: the request is routed as if it
/// were under `/portal/{slug}`, and the pages link without a prefix.
pub async fn custom_hosts(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(host) = host
        && !is_application_path(request.uri().path())
        && !state.app.is_own_host(&host)
        && let Ok(Some(portal)) = state.app.portal_for_host(&host).await
    {
        let path = request.uri().path();
        let path_and_query = match request.uri().query() {
            Some(query) => format!("/portal/{}{path}?{query}", portal.slug),
            None => format!("/portal/{}{path}", portal.slug),
        };
        if let Ok(uri) = path_and_query.parse::<Uri>() {
            *request.uri_mut() = uri;
            request.extensions_mut().insert(HostPortal(portal.slug));
        }
    }
    next.run(request).await
}
