//! Settings, for admins only (an agent gets a 403 page): company, Customer Portal (portals and
//! their three tabs), portal roles, e-mail templates, e-mail delivery with the outbox, staff
//! users. Every page calls the same admin actions as the JSON API; a refused save shows the
//! 422's messages beside the fields.

pub mod company;
pub mod mail;
pub mod portals;
pub mod roles;
pub mod users;

use askama::Template;
use atrium_core::FieldError;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::chrome;
use crate::AppState;
use crate::pages::desk::{Admin, Agent, staff_path};
use crate::pages::i18n::Tr;
use crate::pages::render::{self, Chrome, framed};

/// The settings pages, relative to `/staff/settings`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/company", get(company::show).post(company::save))
        .route("/company/logo", post(company::upload_logo))
        .route("/portals", get(portals::list).post(portals::create))
        .route("/portals/{slug}", get(portals::show).post(portals::save))
        .route("/portals/{slug}/switch", post(portals::switch))
        .route("/portal-roles", get(roles::list).post(roles::create))
        .route("/portal-roles/{id}", post(roles::save))
        .route("/email-templates", get(mail::templates))
        .route(
            "/email-templates/{name}",
            get(mail::template).post(mail::save_template),
        )
        .route("/email", get(mail::delivery).post(mail::save_delivery))
        .route("/email/test", post(mail::test_mail))
        .route("/email/outbox/{id}/retry", post(mail::retry))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", post(users::save))
}

/// The path of a settings page (`page` starts with `/`).
pub fn settings_path(page: &str) -> String {
    staff_path(&format!("/settings{page}"))
}

/// The frame of a settings page.
pub fn admin_chrome(state: &AppState, agent: &Agent, title: String) -> Chrome {
    chrome(state, &agent.desk, Some(&agent.staff), title, "settings")
}

/// What a settings page says above its forms.
pub enum Notice {
    None,
    Saved(String),
    Errors(Vec<FieldError>),
}

impl Notice {
    /// `?saved=1` after a redirect.
    pub fn from_query(tr: &Tr, pairs: &[(String, String)]) -> Notice {
        if pairs.iter().any(|(k, _)| k == "saved") {
            Notice::Saved(tr.t("saved"))
        } else if pairs.iter().any(|(k, _)| k == "queued") {
            Notice::Saved(tr.t("test-mail-queued"))
        } else {
            Notice::None
        }
    }

    pub fn saved(&self) -> Option<&str> {
        match self {
            Notice::Saved(text) => Some(text),
            _ => None,
        }
    }

    /// The refused save's messages, as `field: message`.
    pub fn errors(&self) -> Vec<String> {
        match self {
            Notice::Errors(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A text input as JSON: empty (or blank) is null, as the JSON documents have it.
pub fn text_or_null(form: &crate::pages::form::Form, name: &str) -> serde_json::Value {
    match form.text(name).trim() {
        "" => serde_json::Value::Null,
        text => serde_json::Value::String(text.to_owned()),
    }
}

pub struct SettingsLink {
    pub href: String,
    pub title: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "staff/settings/index.html")]
pub struct IndexPage {
    pub c: Chrome,
    pub links: Vec<SettingsLink>,
}
framed!(IndexPage);

pub async fn index(State(state): State<AppState>, Admin(agent): Admin) -> Response {
    let tr = agent.tr();
    let links = [
        ("/company", "settings-company"),
        ("/portals", "settings-portals"),
        ("/portal-roles", "settings-roles"),
        ("/email-templates", "settings-templates"),
        ("/email", "settings-email"),
        ("/users", "settings-users"),
    ]
    .into_iter()
    .map(|(page, key)| SettingsLink {
        href: settings_path(page),
        title: tr.t(key),
        text: tr.t(&format!("{key}-about")),
    })
    .collect();
    let page = IndexPage {
        c: admin_chrome(&state, &agent, tr.t("staff-nav-settings")),
        links,
    };
    render::page(&agent.desk, &page, None)
}
