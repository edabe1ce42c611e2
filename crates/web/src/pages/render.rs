//! Turning a template into a page: the frame every page shares (`Chrome`: language, company,
//! accent color, menu, form token), and the headers every page carries — a strict
//! Content-Security-Policy (no inline script; the portal's own stylesheet allowed), no framing,
//! no sniffing, no referrer beyond the origin, and no caching of what is private.

use askama::Template;
use atrium_app::customer::Customer;
use atrium_core::Error;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::i18n::Tr;
use super::site::{Site, form_cookie};

/// A link of the portal's menu.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// What the frame of every page shows.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub prefix: String,
    pub title: String,
    pub portal_title: String,
    pub company: String,
    pub logo_url: Option<&'static str>,
    pub accent: String,
    pub css_url: Option<String>,
    pub form_token: String,
    /// The menu, for a signed-in customer.
    pub nav: Vec<NavLink>,
    pub signed_in: bool,
    pub customer_name: String,
}

impl Chrome {
    /// The frame of a page without a session.
    pub fn public(site: &Site, title: String) -> Chrome {
        let front = &site.front;
        let portal_title = if front.portal.title.trim().is_empty() {
            front.portal.name.clone()
        } else {
            front.portal.title.clone()
        };
        Chrome {
            tr: site.tr.clone(),
            prefix: site.prefix.clone(),
            title,
            portal_title,
            company: front.company.name.clone(),
            logo_url: front.logo_url,
            accent: front.company.accent_color.clone(),
            css_url: front.portal.css_url.clone(),
            form_token: site.form_token.clone(),
            nav: Vec::new(),
            signed_in: false,
            customer_name: String::new(),
        }
    }

    /// The frame of a signed-in customer's page; `current` is the menu entry it belongs to.
    pub fn signed_in(
        site: &Site,
        app: &atrium_app::App,
        customer: &Customer,
        title: String,
        current: &str,
    ) -> Chrome {
        let mut chrome = Chrome::public(site, title);
        let tr = &site.tr;
        let mut nav = vec![NavLink {
            href: site.path(""),
            label: tr.t("nav-home"),
            current: current == "home",
        }];
        let faq = || NavLink {
            href: site.path("/faqs"),
            label: tr.t("nav-faqs"),
            current: current == "faqs",
        };
        // The FAQ has a page of its own, in the menu's order like any module.
        for entry in &site.menu {
            nav.push(if entry.module == "faqs" {
                faq()
            } else {
                NavLink {
                    href: site.path(&format!("/records/{}", entry.module)),
                    label: tr.module_label(&entry.module, &entry.label),
                    current: current == entry.module,
                }
            });
        }
        if !site.menu.iter().any(|e| e.module == "faqs") && app.scoped(customer, "faqs").is_ok() {
            nav.push(faq());
        }
        nav.push(NavLink {
            href: site.path("/profile"),
            label: tr.t("nav-profile"),
            current: current == "profile",
        });
        chrome.nav = nav;
        chrome.signed_in = true;
        chrome.customer_name = display_name(customer);
        chrome
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }

    /// A path of this portal.
    pub fn path(&self, page: &str) -> String {
        super::site::path_under(&self.prefix, page)
    }

    /// The accent color for the stylesheet (validated as `#rrggbb` when saved).
    pub fn accent_style(&self) -> String {
        if atrium_core::company::is_color(&self.accent) {
            self.accent.clone()
        } else {
            "#4263eb".to_owned()
        }
    }
}

/// The customer's name as the menu shows it.
pub fn display_name(customer: &Customer) -> String {
    let text = |f: &str| customer.contact.get(f).as_text().unwrap_or("").to_owned();
    let name = format!("{} {}", text("first_name"), text("last_name"));
    let name = name.trim();
    if name.is_empty() {
        text("email")
    } else {
        name.to_owned()
    }
}

/// The Content-Security-Policy of the portal's pages.
fn content_security_policy(css_url: Option<&str>) -> String {
    let extra_style = css_url
        .and_then(|url| url::Url::parse(url).ok())
        .filter(|url| matches!(url.scheme(), "https" | "http"))
        .map(|url| format!(" {}", url.origin().ascii_serialization()))
        .unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'{extra_style}; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Whom a page is for: what its response needs beyond the template.
pub trait Visit {
    /// The `Set-Cookie` of a form token made for this request, if any.
    fn form_cookie(&self) -> Option<HeaderValue>;
}

impl Visit for Site {
    fn form_cookie(&self) -> Option<HeaderValue> {
        form_cookie(self)
    }
}

/// What a page's body is given to grow into: the portal's pages are 5–10 KiB.
const PAGE_CAPACITY: usize = 16 * 1024;

/// A rendered page with its headers; `status` defaults to 200.
pub fn page<T: Template + Framed>(
    visit: &impl Visit,
    template: &T,
    status: Option<StatusCode>,
) -> Response {
    // Room for a whole page up front: askama's own hint is its templates' fixed text, far
    // less than a page with rows, which then grew (and was copied) several times.
    let mut body = String::with_capacity(T::SIZE_HINT.max(PAGE_CAPACITY));
    let body = match template.render_into(&mut body) {
        Ok(()) => body,
        Err(error) => {
            tracing::error!(%error, "a page template failed");
            return bare_error(&Error::Internal(error.to_string()));
        }
    };
    let mut response = (status.unwrap_or(StatusCode::OK), body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(
        template.chrome().css_url.as_deref(),
    )) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    secure_headers(headers);
    if let Some(cookie) = visit.form_cookie() {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

pub fn secure_headers(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page in the shared frame.
pub trait Framed {
    fn chrome(&self) -> &Chrome;
}

/// Puts page templates (each with a field `c: Chrome`) in the frame.
macro_rules! framed {
    ($($page:ty),+ $(,)?) => {
        $(impl $crate::pages::render::Framed for $page {
            fn chrome(&self) -> &$crate::pages::render::Chrome {
                &self.c
            }
        })+
    };
}
pub(crate) use framed;

/// A plain error page for when not even the portal is known (an unknown slug), or a form was
/// posted from another site.
pub fn bare_error(error: &Error) -> Response {
    let (status, text) = match error {
        Error::NotFound => (StatusCode::NOT_FOUND, "Not found"),
        Error::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "This form was sent from another site and was refused",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong. Please try again.",
        ),
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{text}</title></head><body><main><h1>{text}</h1></main></body></html>"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    secure_headers(headers);
    response
}

/// The page shown for a refusal or a failure.
#[derive(Template)]
#[template(path = "portal/error.html")]
pub struct ErrorPage {
    pub c: Chrome,
    pub heading: String,
    pub message: String,
}

/// The catalog key of an error's heading and the message that explains it.
pub fn error_text(tr: &Tr, error: &Error) -> (&'static str, String) {
    match error {
        Error::NotFound => ("error-not-found-title", tr.t("error-not-found")),
        Error::Forbidden(_) | Error::Refused(_) => {
            ("error-forbidden-title", tr.t("error-forbidden"))
        }
        Error::Conflict(_) | Error::PreconditionFailed => {
            ("error-conflict-title", tr.t("error-conflict"))
        }
        Error::Busy { .. } | Error::TooManyAttempts { .. } => {
            ("error-unavailable-title", tr.t("error-unavailable"))
        }
        Error::BadRequest(why) | Error::TooLarge(why) => ("error-invalid-title", why.clone()),
        Error::Validation(errors) => (
            "error-invalid-title",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => ("error-server-title", tr.t("error-server")),
    }
}

impl ErrorPage {
    pub fn new(site: &Site, error: &Error) -> Self {
        let (title, message) = error_text(&site.tr, error);
        let heading = site.tr.t(title);
        ErrorPage {
            c: Chrome::public(site, heading.clone()),
            heading,
            message,
        }
    }
}

framed!(ErrorPage);
