//! The pages of links mailed to customers — the invitation and the reset (choose a password),
//! the confirmation of a new e-mail address — and the request for a reset link, which answers
//! the same whether or not the address is known.

use askama::Template;
use atrium_core::Error;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::form::Posted;
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::Site;

/// Which link a password page serves.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Invitation,
    Reset,
}

impl Link {
    fn path(self) -> &'static str {
        match self {
            Link::Invitation => "/invitation",
            Link::Reset => "/password/reset",
        }
    }
}

#[derive(Template)]
#[template(path = "portal/password.html")]
pub struct PasswordPage {
    pub c: Chrome,
    pub heading: String,
    pub lead: String,
    pub action: String,
    pub token: String,
    pub error: Option<String>,
}
framed!(PasswordPage);

#[derive(Template)]
#[template(path = "portal/forgot.html")]
pub struct ForgotPage {
    pub c: Chrome,
    pub sent: bool,
}
framed!(ForgotPage);

#[derive(Template)]
#[template(path = "portal/confirm.html")]
pub struct ConfirmPage {
    pub c: Chrome,
    pub token: String,
    pub error: Option<String>,
}
framed!(ConfirmPage);

fn token_in(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn password_page(site: &Site, link: Link, token: String, error: Option<String>) -> PasswordPage {
    let tr = &site.tr;
    let (heading, lead) = match link {
        Link::Invitation => (tr.t("invitation-title"), tr.t("invitation-lead")),
        Link::Reset => (tr.t("reset-title"), tr.t("password-policy")),
    };
    PasswordPage {
        c: Chrome::public(site, heading.clone()),
        heading,
        lead,
        action: site.path(link.path()),
        token,
        error,
    }
}

pub async fn show_invitation(site: Site, QueryPairs(pairs): QueryPairs) -> Response {
    let page = password_page(&site, Link::Invitation, token_in(&pairs), None);
    render::page(&site, &page, None)
}

pub async fn show_reset(site: Site, QueryPairs(pairs): QueryPairs) -> Response {
    let page = password_page(&site, Link::Reset, token_in(&pairs), None);
    render::page(&site, &page, None)
}

async fn set_password(
    state: &AppState,
    site: &Site,
    link: Link,
    form: &crate::pages::form::Form,
) -> Response {
    let token = form.text("token").to_owned();
    let password = form.text("password").to_owned();
    let portal = &site.front.portal;
    let outcome = match link {
        Link::Invitation => state.app.accept_invitation(portal, &token, password).await,
        Link::Reset => state.app.reset_password(portal, &token, password).await,
    };
    match outcome {
        Ok(()) => Redirect::to(&site.path("/login?set=1")).into_response(),
        Err(Error::Validation(errors)) => {
            // A bad link is the app's `token` error: say so plainly, with the way forward.
            let message = match errors.iter().find(|e| e.field == "token") {
                Some(_) => site.tr.t("link-invalid"),
                None => errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
            };
            let page = password_page(site, link, token, Some(message));
            render::page(site, &page, Some(StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(error) => site.error(error),
    }
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    Posted { by: site, form }: Posted<Site>,
) -> Response {
    set_password(&state, &site, Link::Invitation, &form).await
}

pub async fn reset(
    State(state): State<AppState>,
    Posted { by: site, form }: Posted<Site>,
) -> Response {
    set_password(&state, &site, Link::Reset, &form).await
}

pub async fn show_forgot(site: Site, QueryPairs(pairs): QueryPairs) -> Response {
    let sent = pairs.iter().any(|(k, _)| k == "sent");
    let page = ForgotPage {
        c: Chrome::public(&site, site.tr.t("forgot-title")),
        sent,
    };
    render::page(&site, &page, None)
}

pub async fn forgot(
    State(state): State<AppState>,
    Posted { by: site, form }: Posted<Site>,
) -> Response {
    state
        .app
        .forgot_password(&site.front.portal, form.text("email"));
    Redirect::to(&site.path("/password/forgot?sent=1")).into_response()
}

pub async fn show_confirm(site: Site, QueryPairs(pairs): QueryPairs) -> Response {
    let page = ConfirmPage {
        c: Chrome::public(&site, site.tr.t("email-confirm-title")),
        token: token_in(&pairs),
        error: None,
    };
    render::page(&site, &page, None)
}

/// Confirms the new address on a POST: mail scanners that open links must not confirm it.
pub async fn confirm(
    State(state): State<AppState>,
    Posted { by: site, form }: Posted<Site>,
) -> Response {
    let token = form.text("token").to_owned();
    match state.app.confirm_email(&site.front.portal, &token).await {
        Ok(()) => Redirect::to(&site.path("/login?confirmed=1")).into_response(),
        Err(Error::Validation(_)) => {
            let page = ConfirmPage {
                c: Chrome::public(&site, site.tr.t("email-confirm-title")),
                token,
                error: Some(site.tr.t("link-invalid")),
            };
            render::page(&site, &page, Some(StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(error) => site.error(error),
    }
}
