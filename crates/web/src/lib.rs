//! Atrium's HTTP layer: the axum router, authentication extractors, the JSON API (documented
//! by the OpenAPI document generated from the same handlers), health checks and metrics.
//!
//! Invariant: handlers stay thin (extract, authorize, call the store or domain, respond); no
//! SQL here.

pub mod api;
pub mod auth;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod mailing;
pub mod notify;
pub mod observe;
pub mod openapi;
pub mod pdf;
pub mod portal;

use std::sync::Arc;

use atrium_store::Store;
use axum::Router;

/// Settings the HTTP layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Public base URL (`https://…` makes cookies `Secure`).
    pub base_url: String,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.config.base_url.starts_with("https://")
    }
}

/// The whole application.
pub fn app(store: Store, config: WebConfig) -> Router {
    router(AppState::new(store, config))
}

/// The whole application over a state the caller also uses (e.g. for scheduled jobs).
pub fn router(state: AppState) -> Router {
    let (api, openapi) = openapi::api_router(&state).split_for_parts();
    let openapi = Arc::new(openapi);
    Router::new()
        .merge(api)
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
        .with_state(state)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            api::panic_response,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
