//! Who and where a staff page request is: the company, the language, the form token, and —
//! for every page but sign-in — the signed-in staff user. A visitor without a valid session is
//! sent to sign in, with the page to come back to; an agent on an admin's page gets a 403 page.

use atrium_app::staff::Staff;
use atrium_core::Error;
use atrium_core::company::Company;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::i18n::Tr;
use super::render::{self, Visit};
use super::site::{form_token_for, form_token_valid, new_form_cookie};
use crate::AppState;
use crate::cookies::{STAFF_COOKIE, session_cookie};

/// Where every staff page lives.
pub const PREFIX: &str = "/staff";

/// The back office, as one request sees it.
#[derive(Debug, Clone)]
pub struct Desk {
    pub company: Company,
    pub logo_url: Option<&'static str>,
    pub tr: Tr,
    pub form_token: String,
    pub new_form_cookie: Option<String>,
    pub session: Option<String>,
    pub secure_cookies: bool,
}

/// The path of a staff page (`page` starts with `/`, or is empty for the start page).
pub fn staff_path(page: &str) -> String {
    super::site::path_under(PREFIX, page)
}

impl Desk {
    /// The refusal (403, nothing done) of a form without the right token, if it is one.
    pub fn refuse_form(&self, sent: &str) -> Option<Response> {
        let valid = form_token_valid(sent, self.session.as_deref(), &self.form_token);
        (!valid).then(|| {
            self.error(
                Error::Forbidden("the form token is missing or wrong".into()),
                None,
            )
        })
    }

    /// The page for `error`, in the visitor's language (in the frame of `staff`, if known).
    pub fn error(&self, error: Error, staff: Option<&Staff>) -> Response {
        match error {
            Error::Unauthorized => self.to_sign_in(None, false),
            other => super::staff::error_page(self, staff, &other),
        }
    }

    /// A redirect to the sign-in page, to come back to `next`.
    pub fn to_sign_in(&self, next: Option<&str>, idle: bool) -> Response {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if let Some(next) = next {
            query.append_pair("next", next);
        }
        if idle {
            query.append_pair("idle", "1");
        }
        let query = query.finish();
        let target = if query.is_empty() {
            staff_path("/login")
        } else {
            format!("{}?{query}", staff_path("/login"))
        };
        Redirect::to(&target).into_response()
    }
}

impl Visit for Desk {
    fn form_cookie(&self) -> Option<HeaderValue> {
        new_form_cookie(self.new_form_cookie.as_deref(), self.secure_cookies)
    }
}

impl FromRequestParts<AppState> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Desk::new(parts, state, false).await
    }
}

impl Desk {
    /// The desk of a request; `signed_in` for a page behind sign-in, whose forms carry the
    /// session's token and need no pre-session one.
    async fn new(parts: &Parts, state: &AppState, signed_in: bool) -> Result<Desk, Response> {
        let app = &state.app;
        let (company, has_logo) = app
            .store
            .company_and_logo()
            .await
            .map_err(|error| render::bare_error(&error))?;
        let tr = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Tr::from_accept_language)
            .or_else(|| Tr::of(&company.language))
            .unwrap_or_default();
        // Only the cookie: a page is never opened with a bearer token.
        let session =
            crate::cookies::cookie_value(&parts.headers, STAFF_COOKIE).filter(|v| !v.is_empty());
        let (form_token, new_form_cookie) =
            form_token_for(&parts.headers, session.as_deref().filter(|_| signed_in));
        Ok(Desk {
            company,
            logo_url: has_logo.then_some(atrium_app::admin::company::LOGO_PATH),
            tr,
            form_token,
            new_form_cookie,
            session,
            secure_cookies: app.secure_cookies(),
        })
    }
}

/// A signed-in staff user on a staff page.
pub struct Agent {
    pub desk: Desk,
    pub staff: Staff,
}

impl Agent {
    /// The page for `error`, in this user's frame.
    pub fn error(&self, error: Error) -> Response {
        self.desk.error(error, Some(&self.staff))
    }

    pub fn tr(&self) -> &Tr {
        &self.desk.tr
    }
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let desk = Desk::new(parts, state, true).await?;
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|_| parts.method == axum::http::Method::GET);
        let Some(token) = desk.session.clone() else {
            return Err(desk.to_sign_in(next.as_deref(), false));
        };
        let staff = match state.app.staff(&token).await {
            Ok(staff) => staff,
            Err(Error::Unauthorized) => {
                let mut response = desk.to_sign_in(next.as_deref(), true);
                if let Some(expired) = session_cookie(state, STAFF_COOKIE, "", 0) {
                    response.headers_mut().append(header::SET_COOKIE, expired);
                }
                return Err(response);
            }
            Err(other) => return Err(desk.error(other, None)),
        };
        Ok(Agent { desk, staff })
    }
}

/// A signed-in admin on a settings page; an agent gets the 403 page.
pub struct Admin(pub Agent);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let agent = Agent::from_request_parts(parts, state).await?;
        match agent.staff.require_admin() {
            Ok(()) => Ok(Admin(agent)),
            Err(error) => Err(agent.error(error)),
        }
    }
}

impl super::form::Poster for Desk {
    fn refuse_form(&self, sent: &str) -> Option<Response> {
        Desk::refuse_form(self, sent)
    }
}

impl super::form::Poster for Agent {
    fn refuse_form(&self, sent: &str) -> Option<Response> {
        self.desk.refuse_form(sent)
    }
}

impl super::form::Poster for Admin {
    fn refuse_form(&self, sent: &str) -> Option<Response> {
        self.0.desk.refuse_form(sent)
    }
}
