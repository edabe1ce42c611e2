//! The customer portal's pages (paths and form rules: the "Web pages" section of the API
//! specification).

pub mod account;
pub mod faqs;
pub mod home;
pub mod profile;
pub mod records;
pub mod sign_in;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::pages::assets;

/// The pages of one portal, relative to its prefix.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(sign_in::show).post(sign_in::submit))
        .route("/logout", post(sign_in::sign_out))
        .route(
            "/records/{module}",
            get(records::list).post(records::create),
        )
        .route("/records/{module}/new", get(records::new))
        .route(
            "/records/{module}/{id}",
            get(records::read).post(records::save),
        )
        .route("/records/{module}/{id}/edit", get(records::edit))
        .route("/records/{module}/{id}/comments", post(records::comment))
        .route("/records/{module}/{id}/follow", post(records::follow))
        .route("/records/{module}/{id}/delete", post(records::delete))
        .route("/records/{module}/{id}/pdf", get(records::pdf))
        .route("/records/quotes/{id}/accept", post(records::accept))
        .route("/records/quotes/{id}/reject", post(records::reject))
        .route("/records/{module}/{id}/file", get(records::download))
        .route("/profile", get(profile::show).post(profile::save))
        .route("/profile/password", post(profile::change_password))
        .route("/profile/preferences", post(profile::save_preferences))
        .route(
            "/invitation",
            get(account::show_invitation).post(account::accept_invitation),
        )
        .route(
            "/password/forgot",
            get(account::show_forgot).post(account::forgot),
        )
        .route(
            "/password/reset",
            get(account::show_reset).post(account::reset),
        )
        .route(
            "/email/confirm",
            get(account::show_confirm).post(account::confirm),
        )
        .route("/faqs", get(faqs::index))
        .route("/faqs/{id}", get(faqs::article))
        .route("/assets/portal.css", get(assets::stylesheet))
        .route("/assets/portal.js", get(assets::script))
        .route("/assets/accent.css", get(assets::accent))
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit))
}
