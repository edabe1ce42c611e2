//! Who and where a page request is: the portal and its prefix (`/portal`, `/portal/{slug}`, or
//! nothing on the portal's own host), the company, the language, the form token, and — for the
//! pages behind sign-in — the customer. A visitor without a valid session is sent to sign in,
//! with the page to come back to.

use atrium_app::customer::menu::MenuItem;
use atrium_app::customer::{Customer, Front};
use atrium_app::passwords::{new_token, token_digest};
use atrium_core::Error;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::i18n::Tr;
use super::render::{self, ErrorPage};
use crate::AppState;
use crate::auth::token_in;
use crate::cookies::{PORTAL_COOKIE, cookie_value};

/// The cookie that carries the form token of pages without a session (sign-in, password
/// links): a double-submit token, since there is no session to bind it to yet.
pub const FORM_COOKIE: &str = "atrium_form";

/// Set by the host router on requests to a portal's `custom_host`.
#[derive(Debug, Clone)]
pub struct HostPortal(pub String);

/// A portal's pages, as one request sees them.
#[derive(Debug, Clone)]
pub struct Site {
    pub front: Front,
    /// What every link of the portal starts with.
    pub prefix: String,
    pub tr: Tr,
    /// The form token of this visitor, and the cookie that must be set for it (first visit).
    pub form_token: String,
    pub new_form_cookie: Option<String>,
    /// The session token the request carried, if any.
    pub session: Option<String>,
    /// Whether cookies get `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The modules of the signed-in customer's menu, for the navigation (empty before sign-in).
    pub menu: Vec<MenuItem>,
}

/// The path of `page` under a portal's `prefix` (`page` starts with `/`, or is empty for home).
pub fn path_under(prefix: &str, page: &str) -> String {
    if page.is_empty() {
        format!("{prefix}/")
    } else {
        format!("{prefix}{page}")
    }
}

/// The form token of a signed-in visitor: derived from the session, so a page of one session
/// cannot be posted with another's.
pub fn session_form_token(session: &str) -> String {
    token_digest(&format!("form:{session}"))
}

/// The pre-session form token of a request: the digest of its `atrium_form` cookie, or of a
/// new one (returned second, to be set on the response).
pub fn pre_session_token(headers: &axum::http::HeaderMap) -> (String, Option<String>) {
    match cookie_value(headers, FORM_COOKIE).filter(|v| !v.is_empty()) {
        Some(value) => (token_digest(&value), None),
        None => {
            let (value, digest) = new_token();
            (digest, Some(value))
        }
    }
}

/// The form token of a page and the cookie to set for it, if any: a page behind sign-in
/// (`signed_in`, the request's session token) carries the session's token, any other page the
/// visitor's pre-session one.
pub fn form_token_for(
    headers: &axum::http::HeaderMap,
    signed_in: Option<&str>,
) -> (String, Option<String>) {
    match signed_in {
        Some(session) => (session_form_token(session), None),
        None => pre_session_token(headers),
    }
}

/// Whether `sent` is the form token of a visitor with `session` (if signed in) and the
/// pre-session token `form_token`. The pre-session token also passes for a signed-in visitor
/// whose form was rendered before signing in (the sign-in page itself).
pub fn form_token_valid(sent: &str, session: Option<&str>, form_token: &str) -> bool {
    let expected = match session {
        Some(session) => session_form_token(session),
        None => form_token.to_owned(),
    };
    !sent.is_empty() && (sent == expected || sent == form_token)
}

impl Site {
    /// The path of `page` on this portal (`page` starts with `/`, or is empty for home).
    pub fn path(&self, page: &str) -> String {
        path_under(&self.prefix, page)
    }

    /// The refusal (403, nothing done) of a form without the right token, if it is one.
    pub fn refuse_form(&self, sent: &str) -> Option<Response> {
        let valid = form_token_valid(sent, self.session.as_deref(), &self.form_token);
        (!valid).then(|| {
            self.error(Error::Forbidden(
                "the form token is missing or wrong".into(),
            ))
        })
    }

    /// The page for `error`, in the visitor's language.
    pub fn error(&self, error: Error) -> Response {
        match error {
            Error::Unauthorized => self.to_sign_in(None, false),
            other => render::page(self, &ErrorPage::new(self, &other), Some(status_of(&other))),
        }
    }

    /// A redirect to the sign-in page, to come back to `next`.
    pub fn to_sign_in(&self, next: Option<&str>, idle: bool) -> Response {
        let mut target = self.path("/login");
        let mut query = Vec::new();
        if let Some(next) = next {
            query.push(format!(
                "next={}",
                percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
            ));
        }
        if idle {
            query.push("idle=1".to_owned());
        }
        if !query.is_empty() {
            target = format!("{target}?{}", query.join("&"));
        }
        Redirect::to(&target).into_response()
    }
}

pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::Unauthorized => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) | Error::Refused(_) => StatusCode::FORBIDDEN,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::BadRequest(_) => StatusCode::BAD_REQUEST,
        Error::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        // A form of an old version is a conflict to resolve, not a failed precondition.
        Error::Conflict(_) | Error::PreconditionFailed => StatusCode::CONFLICT,
        Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

async fn slug_in_path(parts: &mut Parts, state: &AppState) -> Option<String> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params
        .iter()
        .find(|(name, _)| *name == "slug")
        .map(|(_, value)| value.to_owned())
}

impl FromRequestParts<AppState> for Site {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (slug, prefix) = portal_named(parts, state).await;
        let front = state
            .app
            .front_of(slug.as_deref())
            .await
            .map_err(|error| render::bare_error(&error))?;
        Ok(Site::new(parts, state, front, prefix, None))
    }
}

/// The slug of the portal a page request is for (none for the default portal) and the prefix
/// of its links.
async fn portal_named(parts: &mut Parts, state: &AppState) -> (Option<String>, String) {
    if let Some(HostPortal(slug)) = parts.extensions.get() {
        (Some(slug.clone()), String::new())
    } else if let Some(slug) = slug_in_path(parts, state).await {
        let prefix = format!("/portal/{slug}");
        (Some(slug), prefix)
    } else {
        (None, "/portal".to_owned())
    }
}

impl Site {
    /// The site of a request; `signed_in` is the session token of a visitor whose pages are
    /// behind sign-in, whose forms then carry the session's token and need no pre-session one.
    fn new(
        parts: &Parts,
        state: &AppState,
        front: Front,
        prefix: String,
        signed_in: Option<&str>,
    ) -> Site {
        let tr = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Tr::from_accept_language)
            .or_else(|| Tr::of(&front.company.language))
            .unwrap_or_default();
        let (form_token, new_form_cookie) = form_token_for(&parts.headers, signed_in);
        Site {
            front,
            prefix,
            tr,
            form_token,
            new_form_cookie,
            session: token_in(&parts.headers, PORTAL_COOKIE),
            secure_cookies: state.app.secure_cookies(),
            menu: Vec::new(),
        }
    }
}

/// A signed-in customer on one of the portal's pages.
pub struct Visitor {
    pub site: Site,
    pub customer: Customer,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|_| parts.method == axum::http::Method::GET);
        let Some(token) = token_in(&parts.headers, PORTAL_COOKIE) else {
            let site = Site::from_request_parts(parts, state).await?;
            return Err(site.to_sign_in(next.as_deref(), false));
        };
        let (slug, prefix) = portal_named(parts, state).await;
        let (front, customer) = state
            .app
            .front_and_customer(slug.as_deref(), &token)
            .await
            .map_err(|error| render::bare_error(&error))?;
        let mut site = Site::new(parts, state, front, prefix, Some(&token));
        let customer = match customer {
            Ok(customer) => customer,
            // A session that ended (idle, signed out elsewhere, access removed): say so.
            Err(Error::Unauthorized) => {
                let mut response = site.to_sign_in(next.as_deref(), true);
                if let Some(expired) = crate::cookies::session_cookie(state, PORTAL_COOKIE, "", 0) {
                    response.headers_mut().append(header::SET_COOKIE, expired);
                }
                return Err(response);
            }
            Err(other) => return Err(site.error(other)),
        };
        if let Some(tr) = customer.contact.get("language").as_text().and_then(Tr::of) {
            site.tr = tr;
        }
        site.menu = state.app.customer_nav(&customer);
        Ok(Visitor { site, customer })
    }
}

/// The `Set-Cookie` of a new form token, if the visitor had none.
pub fn form_cookie(site: &Site) -> Option<HeaderValue> {
    new_form_cookie(site.new_form_cookie.as_deref(), site.secure_cookies)
}

/// The `Set-Cookie` of the pre-session form token `value`, if one was made for this request.
pub fn new_form_cookie(value: Option<&str>, secure: bool) -> Option<HeaderValue> {
    let value = value?;
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{FORM_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400{secure}"
    ))
    .ok()
}
