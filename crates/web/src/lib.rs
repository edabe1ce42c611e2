//! Atrium's HTTP layer: the axum router, authentication extractors, the JSON API (documented
//! by the OpenAPI document generated from the same handlers), health checks and metrics.
//!
//! Invariant: handlers stay thin (extract, call `atrium-app`, respond). Nothing here writes
//! through the store or composes mail; every rule of an action lives in `atrium-app`.

pub mod api;
pub mod auth;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod in_flight;
pub mod observe;
pub mod openapi;
pub mod pages;
pub mod portal;
pub mod respond;

use std::sync::Arc;

use atrium_app::App;
use axum::Router;

/// What every handler gets: the application. Shared, not copied: the router and each
/// middleware layer clone the state for every request, and a copy of the application is a
/// count moved on each of its store's shared parts.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self { app: Arc::new(app) }
    }
}

/// The whole application.
pub fn app(app: App) -> Router {
    router(AppState::new(app))
}

/// The whole application over a state the caller also uses (e.g. for scheduled jobs).
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = openapi::api_router(&state).split_for_parts();
    let modules: Vec<String> = (state.app.store.registry().modules().iter())
        .map(|m| m.name.clone())
        .collect();
    openapi::finish(&mut openapi, &modules);
    let openapi = Arc::new(openapi);
    let upload_limit = state.app.settings.max_upload_bytes;
    let routes = Router::new()
        .merge(api)
        .merge(pages::router(upload_limit))
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let doc = openapi.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(observe::router())
        .route_layer(axum::middleware::from_fn(observe::track_requests))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::guard,
        ))
        .with_state(state.clone())
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            api::panic_response,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            in_flight::Reads::for_pool(state.app.store.db().stats().max),
            in_flight::bound,
        ));
    // Outside the routes, so that a portal's own host is routed to its pages.
    let hosts = axum::middleware::from_fn_with_state(state, pages::custom_hosts);
    Router::new().fallback_service(tower::Layer::layer(&hosts, routes))
}
