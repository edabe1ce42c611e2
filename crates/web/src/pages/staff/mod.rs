//! The staff back office under `/staff`: sign-in, the start page with the user's work, every
//! module's list, record and forms from the metadata, a contact's portal access, activity and
//! "view as customer", and the settings admins keep.

pub mod contacts;
pub mod grid;
pub mod home;
pub mod records;
pub mod settings;
pub mod sign_in;

use askama::Template;
use atrium_app::staff::Staff;
use atrium_core::Error;
use atrium_store::Role;
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

use crate::AppState;
use crate::pages::assets;
use crate::pages::desk::{Desk, PREFIX, staff_path};
use crate::pages::render::{self, Chrome, NavLink, framed};
use crate::pages::site::status_of;

/// The staff pages, relative to `/staff`.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
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
        .route(
            "/records/{module}/{id}/delete",
            get(records::confirm_delete).post(records::delete),
        )
        .route("/records/{module}/{id}/links", post(records::link))
        .route("/records/{module}/{id}/file", get(records::download))
        .route("/records/{module}/{id}/pdf", get(records::pdf))
        .route(
            "/records/quotes/{id}/invoice",
            post(records::invoice_from_quote),
        )
        .route(
            "/records/contacts/{id}/invitation",
            post(contacts::resend_invitation),
        )
        .route(
            "/records/contacts/{id}/portal-preview",
            get(contacts::preview),
        )
        .nest("/settings", settings::routes())
        .route("/assets/portal.css", get(assets::stylesheet))
        .route("/assets/portal.js", get(assets::script))
        .route("/assets/accent.css", get(assets::staff_accent))
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit))
}

/// The staff pages with the start page at `/staff/`.
pub fn router(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/staff/", get(home::show))
        .route("/staff/settings/", get(settings::index))
        .route(
            "/staff",
            get(|| async { axum::response::Redirect::permanent("/staff/") }),
        )
        .nest(PREFIX, routes(upload_limit))
}

/// The frame of a staff page; `current` is the menu entry it belongs to (a module's name,
/// `home` or `settings`).
pub fn chrome(
    state: &AppState,
    desk: &Desk,
    staff: Option<&Staff>,
    title: String,
    current: &str,
) -> Chrome {
    let tr = &desk.tr;
    let mut nav = Vec::new();
    if let Some(staff) = staff {
        nav.push(NavLink {
            href: staff_path(""),
            label: tr.t("staff-nav-home"),
            current: current == "home",
        });
        for module in state.app.store.registry().modules() {
            nav.push(NavLink {
                href: staff_path(&format!("/records/{}", module.name)),
                label: tr.module_label(&module.name, &module.label),
                current: current == module.name,
            });
        }
        if staff.user.role == Role::Admin {
            nav.push(NavLink {
                href: staff_path("/settings/"),
                label: tr.t("staff-nav-settings"),
                current: current == "settings",
            });
        }
    }
    Chrome {
        nav,
        signed_in: staff.is_some(),
        customer_name: staff.map(|s| s.user.name.clone()).unwrap_or_default(),
        ..bare_chrome(desk, title)
    }
}

/// The page shown for a refusal or a failure.
#[derive(Template)]
#[template(path = "staff/error.html")]
pub struct StaffErrorPage {
    pub c: Chrome,
    pub heading: String,
    pub message: String,
}
framed!(StaffErrorPage);

/// The error page of `error`, in the frame of `staff` if signed in.
pub fn error_page(desk: &Desk, staff: Option<&Staff>, error: &Error) -> Response {
    let tr = &desk.tr;
    let (title, message) = render::error_text(tr, error);
    let heading = tr.t(title);
    // Without the menu: the error may be that the menu's modules cannot be read.
    let page = StaffErrorPage {
        c: Chrome {
            signed_in: staff.is_some(),
            customer_name: staff.map(|s| s.user.name.clone()).unwrap_or_default(),
            ..bare_chrome(desk, heading.clone())
        },
        heading,
        message,
    };
    render::page(desk, &page, Some(status_of(error)))
}

/// The frame without a menu (sign-in and error pages).
pub fn bare_chrome(desk: &Desk, title: String) -> Chrome {
    let tr = &desk.tr;
    Chrome {
        tr: tr.clone(),
        prefix: PREFIX.to_owned(),
        title,
        portal_title: tr.t("staff-title"),
        company: desk.company.name.clone(),
        logo_url: desk.logo_url,
        accent: desk.company.accent_color.clone(),
        css_url: None,
        form_token: desk.form_token.clone(),
        nav: Vec::new(),
        signed_in: false,
        customer_name: String::new(),
    }
}
