//! Cross-site request forgery protection for cookie-authenticated requests, in the manner of
//! Go 1.25's `CrossOriginProtection`: a state-changing request that carries cookies must come
//! from the same origin, as the browser says through `Sec-Fetch-Site`, or failing that through
//! `Origin`. Requests authenticated with a Bearer token carry no ambient credentials and are
//! exempt. A cookie request that shows neither header is refused too: nothing shows it to be
//! same-origin (an old browser, or a client that should use a Bearer token instead).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::error::problem_response;

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
}

/// `scheme://host[:port]` of a URL, as browsers write it in `Origin`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    Some(format!("{scheme}://{authority}"))
}

/// Whether the request may change state.
pub fn allowed(headers: &HeaderMap, method: &Method, trusted_origin: Option<&str>) -> bool {
    if is_safe(method) || has_bearer(headers) || !headers.contains_key(header::COOKIE) {
        return true;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if trusted_origin == Some(origin) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin.split_once("://"), host) {
        (Some((_, authority)), Some(host)) => authority == host,
        _ => false,
    }
}

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let trusted = origin_of(&state.app.settings.base_url);
    if allowed(request.headers(), request.method(), trusted.as_deref()) {
        next.run(request).await
    } else if !request.uri().path().starts_with("/api/") {
        // A page's form posted from another site: a page, not a JSON problem.
        crate::pages::render::bare_error(&atrium_core::Error::Forbidden("cross-site".into()))
    } else {
        problem_response(
            StatusCode::FORBIDDEN,
            "csrf",
            "Cross-site requests that change data are refused; use a Bearer token for integrations.".into(),
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn cookie_posts_must_be_same_origin() {
        let post = Method::POST;
        let trusted = Some("https://support.example.com");
        assert!(!allowed(
            &headers(&[("cookie", "a=b"), ("sec-fetch-site", "cross-site")]),
            &post,
            trusted
        ));
        assert!(!allowed(
            &headers(&[("cookie", "a=b"), ("sec-fetch-site", "same-site")]),
            &post,
            trusted
        ));
        assert!(allowed(
            &headers(&[("cookie", "a=b"), ("sec-fetch-site", "same-origin")]),
            &post,
            trusted
        ));
        assert!(!allowed(
            &headers(&[
                ("cookie", "a=b"),
                ("origin", "https://evil.example"),
                ("host", "support.example.com")
            ]),
            &post,
            trusted
        ));
        assert!(allowed(
            &headers(&[
                ("cookie", "a=b"),
                ("origin", "https://support.example.com"),
                ("host", "10.0.0.5:8080")
            ]),
            &post,
            trusted
        ));
        assert!(allowed(
            &headers(&[
                ("cookie", "a=b"),
                ("origin", "http://127.0.0.1:8080"),
                ("host", "127.0.0.1:8080")
            ]),
            &post,
            None
        ));
        assert!(allowed(
            &headers(&[
                ("cookie", "a=b"),
                ("authorization", "Bearer x"),
                ("sec-fetch-site", "cross-site")
            ]),
            &post,
            trusted
        ));
        assert!(allowed(
            &headers(&[("cookie", "a=b"), ("sec-fetch-site", "cross-site")]),
            &Method::GET,
            trusted
        ));
        assert!(
            !allowed(&headers(&[("cookie", "a=b")]), &post, trusted),
            "a cookie request that shows no origin is not shown to be same-origin"
        );
    }
}
