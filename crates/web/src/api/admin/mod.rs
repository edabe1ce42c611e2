//! `/api/v1/admin/…` and the staff side of customers: portals, portal roles, company details
//! and logo, e-mail templates and settings, the mail outbox, staff users, a contact's activity
//! timeline and re-sent invitations. Each handler extracts, calls `atrium-app`, responds.

pub mod activity;
pub mod company;
pub mod mail;
pub mod outbox;
pub mod portals;
pub mod roles;
pub mod templates;
pub mod users;

use atrium_app::admin::company::MAX_LOGO_BYTES;
use axum::extract::DefaultBodyLimit;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The admin routes but the staff users' (which `openapi::api_router` mounts next to staff
/// sign-in).
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    // The multipart framing around a logo of the largest allowed size must still fit;
    // `read_upload` enforces the exact limit on the file itself.
    let logo_upload = OpenApiRouter::new()
        .routes(routes!(company::upload_logo))
        .layer(DefaultBodyLimit::max(MAX_LOGO_BYTES + 64 * 1024));
    router
        .routes(routes!(portals::portals, portals::create_portal))
        .routes(routes!(
            portals::portal,
            portals::replace_portal,
            portals::delete_portal
        ))
        .routes(routes!(roles::roles, roles::create_role))
        .routes(routes!(
            roles::role,
            roles::replace_role,
            roles::delete_role
        ))
        .routes(routes!(company::company, company::replace_company))
        .merge(logo_upload)
        .routes(routes!(company::logo))
        .routes(routes!(activity::activity))
        .routes(routes!(outbox::outbox))
        .routes(routes!(outbox::retry_mail))
        .routes(routes!(templates::get_template, templates::put_template))
        .routes(routes!(templates::preview))
        .routes(routes!(mail::get_settings, mail::put_settings))
        .routes(routes!(mail::resend_invitation))
}

/// `{items: […]}` of domain documents (portals, roles), which have no `ToSchema` of their own:
/// their schema is written out by hand next to the handlers.
#[derive(Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
}
