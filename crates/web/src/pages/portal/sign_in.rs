//! Signing in and out of a portal's pages. The rules (throttling, refusals, one answer for an
//! unknown e-mail and a wrong password) are `atrium-app`'s; this page says each outcome in the
//! visitor's language and keeps the session in the `atrium_portal` cookie.

use askama::Template;
use atrium_core::Error;
use atrium_core::customer::Refusal;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::cookies::{PORTAL_COOKIE, session_cookie};
use crate::pages::form::Posted;
use crate::pages::i18n::Tr;
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::{Site, Visitor};
use crate::portal::context::ClientAddress;

#[derive(Template)]
#[template(path = "portal/login.html")]
pub struct LoginPage {
    pub c: Chrome,
    pub email: String,
    pub next: String,
    pub notice: Option<String>,
    pub error: Option<String>,
}
framed!(LoginPage);

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    idle: Option<String>,
    #[serde(default)]
    out: Option<String>,
    #[serde(default)]
    set: Option<String>,
    #[serde(default)]
    confirmed: Option<String>,
}

/// `next` if it is a page of this portal, else the portal's home: a sign-in never sends the
/// visitor elsewhere.
fn safe_next(site: &Site, next: &str) -> String {
    let home = site.path("");
    let local = next.starts_with(&home) && !next.starts_with("//") && !next.contains('\\');
    if local { next.to_owned() } else { home }
}

pub async fn show(site: Site, Query(query): Query<LoginQuery>) -> Response {
    let tr = &site.tr;
    let notice = if query.idle.is_some() {
        Some(tr.t("signed-out-idle"))
    } else if query.out.is_some() {
        Some(tr.t("signed-out"))
    } else if query.set.is_some() {
        Some(tr.t("password-set"))
    } else if query.confirmed.is_some() {
        Some(tr.t("email-confirmed"))
    } else {
        None
    };
    let page = LoginPage {
        c: Chrome::public(&site, tr.t("sign-in-title")),
        email: String::new(),
        next: query.next.unwrap_or_default(),
        notice,
        error: None,
    };
    render::page(&site, &page, None)
}

/// What to tell a visitor whose sign-in failed, and with which status (the staff's sign-in
/// too: their refusals are the same words, without the portal's).
pub(crate) fn refusal(tr: &Tr, error: &Error) -> (StatusCode, String) {
    match error {
        Error::TooManyAttempts { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            tr.n("refused-throttled", "minutes", (retry_after + 59) / 60),
        ),
        Error::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, tr.t("refused-busy")),
        Error::Refused(refusal) => {
            let key = match refusal {
                Refusal::PortalInactive => "refused-portal-inactive",
                Refusal::AccessRemoved | Refusal::NotThisPortal => "refused-no-access",
                Refusal::NotYet(_) => "refused-support-not-started",
                Refusal::Ended(_) => "refused-support-ended",
            };
            (StatusCode::FORBIDDEN, tr.t(key))
        }
        _ => (StatusCode::UNAUTHORIZED, tr.t("refused-credentials")),
    }
}

/// `response` with `Retry-After` when `error` says when to try again.
pub(crate) fn with_retry_after(mut response: Response, error: &Error) -> Response {
    if let Error::TooManyAttempts { retry_after } | Error::Busy { retry_after } = error
        && let Ok(value) = retry_after.to_string().parse()
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Posted { by: site, form }: Posted<Site>,
) -> Response {
    let email = form.text("email").trim().to_owned();
    let next = form.text("next").to_owned();
    let outcome = state
        .app
        .customer_sign_in(
            &site.front.portal,
            &email,
            form.text("password").to_owned(),
            &address,
            site.session.as_deref(),
        )
        .await;
    match outcome {
        Ok(signed_in) => {
            let mut response = Redirect::to(&safe_next(&site, &next)).into_response();
            let max_age = atrium_store::users::SESSION_LIFETIME.whole_seconds();
            if let Some(cookie) = session_cookie(&state, PORTAL_COOKIE, &signed_in.token, max_age) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(Error::Internal(detail)) => site.error(Error::Internal(detail)),
        Err(error) => {
            let (status, message) = refusal(&site.tr, &error);
            let page = LoginPage {
                c: Chrome::public(&site, site.tr.t("sign-in-title")),
                email,
                next,
                notice: None,
                error: Some(message),
            };
            with_retry_after(render::page(&site, &page, Some(status)), &error)
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Posted { by: visitor, .. }: Posted<Visitor>,
) -> Response {
    let site = &visitor.site;
    if let Err(error) = state.app.customer_sign_out(&visitor.customer).await {
        return site.error(error);
    }
    let mut response = Redirect::to(&site.path("/login?out=1")).into_response();
    if let Some(cookie) = session_cookie(&state, PORTAL_COOKIE, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
