//! Signing staff in and out. The rules (throttling, one answer for an unknown e-mail and a
//! wrong password) are `atrium-app`'s; the session lives in the `atrium_staff` cookie.

use askama::Template;
use atrium_core::Error;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::bare_chrome;
use crate::AppState;
use crate::cookies::{STAFF_COOKIE, session_cookie};
use crate::pages::desk::{Agent, Desk, staff_path};
use crate::pages::form::Posted;
use crate::pages::portal::sign_in::{refusal, with_retry_after};
use crate::pages::render::{self, Chrome, framed};
use crate::portal::context::ClientAddress;

#[derive(Template)]
#[template(path = "staff/login.html")]
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
}

/// `next` if it is a staff page, else the start page: a sign-in never sends anyone elsewhere.
fn safe_next(next: &str) -> String {
    let home = staff_path("");
    let local = next.starts_with(&home) && !next.starts_with("//") && !next.contains('\\');
    if local { next.to_owned() } else { home }
}

pub async fn show(desk: Desk, Query(query): Query<LoginQuery>) -> Response {
    let tr = &desk.tr;
    let notice = if query.idle.is_some() {
        Some(tr.t("signed-out-idle"))
    } else if query.out.is_some() {
        Some(tr.t("signed-out"))
    } else {
        None
    };
    let page = LoginPage {
        c: bare_chrome(&desk, tr.t("sign-in-title")),
        email: String::new(),
        next: query.next.unwrap_or_default(),
        notice,
        error: None,
    };
    render::page(&desk, &page, None)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Posted { by: desk, form }: Posted<Desk>,
) -> Response {
    let email = form.text("email").trim().to_owned();
    let next = form.text("next").to_owned();
    let outcome = state
        .app
        .staff_sign_in(&email, form.text("password").to_owned(), &address)
        .await;
    match outcome {
        Ok((token, _)) => {
            let mut response = Redirect::to(&safe_next(&next)).into_response();
            let max_age = atrium_store::users::SESSION_LIFETIME.whole_seconds();
            if let Some(cookie) = session_cookie(&state, STAFF_COOKIE, &token, max_age) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(Error::Internal(detail)) => desk.error(Error::Internal(detail), None),
        Err(error) => {
            let tr = &desk.tr;
            let (status, message) = refusal(tr, &error);
            let page = LoginPage {
                c: bare_chrome(&desk, tr.t("sign-in-title")),
                email,
                next,
                notice: None,
                error: Some(message),
            };
            with_retry_after(render::page(&desk, &page, Some(status)), &error)
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    Posted { by: agent, .. }: Posted<Agent>,
) -> Response {
    if let Err(error) = state.app.staff_sign_out(&agent.staff).await {
        return agent.error(error);
    }
    let mut response = Redirect::to(&staff_path("/login?out=1")).into_response();
    if let Some(cookie) = session_cookie(&state, STAFF_COOKIE, "", 0) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}
