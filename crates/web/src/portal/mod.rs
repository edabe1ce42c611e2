//! The customer's portal API, `/api/v1/portal/{slug}/…`. Every read and write here goes
//! through the access engine (`atrium_core::access`) via the signed-in `Customer` context.

pub mod account;
pub mod auth;
pub mod context;
pub mod faqs;
pub mod home;
pub mod menu;
pub mod pdf;
pub mod profile;
pub mod quotes;
pub mod records;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The portal's routes; `upload_limit` is the largest body a route that takes a file accepts
/// (the file's own limit is enforced while it is read).
pub fn routes(router: OpenApiRouter<AppState>, upload_limit: usize) -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(records::list, records::create))
        .routes(routes!(records::download, records::replace_file))
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit));
    router
        .merge(uploads)
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::change_password))
        .routes(routes!(account::accept_invitation))
        .routes(routes!(account::forgot_password))
        .routes(routes!(account::reset_password))
        .routes(routes!(home::home))
        .routes(routes!(menu::modules))
        .routes(routes!(profile::me, profile::change_me))
        .routes(routes!(profile::confirm_email))
        .routes(routes!(profile::organization, profile::change_organization))
        .routes(routes!(faqs::search))
        .routes(routes!(records::read, records::change, records::delete))
        .routes(routes!(records::related))
        .routes(routes!(records::updates))
        .routes(routes!(records::comments, records::add_comment))
        .routes(routes!(records::follow, records::unfollow))
        .routes(routes!(pdf::pdf))
        .routes(routes!(quotes::accept))
        .routes(routes!(quotes::reject))
}
