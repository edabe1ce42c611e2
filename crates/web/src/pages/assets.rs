//! The pages' stylesheet and script, served from the binary, and `accent.css`: the company's
//! accent color with text colors derived from it that keep WCAG AA contrast (4.5:1) on light
//! and dark backgrounds.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::pages::site::Site;

const STYLESHEET: &str = include_str!("../../assets/portal.css");
const SCRIPT: &str = include_str!("../../assets/portal.js");

fn asset(content_type: &'static str, body: String, cache: &'static str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

pub async fn stylesheet() -> Response {
    asset(
        "text/css; charset=utf-8",
        STYLESHEET.to_owned(),
        "public, max-age=3600",
    )
}

pub async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        SCRIPT.to_owned(),
        "public, max-age=3600",
    )
}

/// `:root` custom properties for the company's accent; pages link it with the color in the
/// query string, so a changed color is a new address.
pub async fn accent(site: Site) -> Response {
    asset(
        "text/css; charset=utf-8",
        accent_css(&site.front.company.accent_color),
        "public, max-age=86400",
    )
}

/// The accent of the staff pages: the company's, as on the portal.
pub async fn staff_accent(desk: crate::pages::desk::Desk) -> Response {
    asset(
        "text/css; charset=utf-8",
        accent_css(&desk.company.accent_color),
        "public, max-age=86400",
    )
}

fn rgb(hex: &str) -> Option<[f64; 3]> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(hex.get(i..i + 2)?, 16)
            .ok()
            .map(|v| f64::from(v) / 255.0)
    };
    Some([channel(0)?, channel(2)?, channel(4)?])
}

fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let linear = |c: f64| {
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn hex([r, g, b]: [f64; 3]) -> String {
    let byte = |c: f64| (c.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

/// `color` mixed toward `target` until it reaches 4.5:1 against `background`.
fn readable(color: [f64; 3], target: [f64; 3], background: [f64; 3]) -> [f64; 3] {
    let mut mixed = color;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        mixed = [0, 1, 2].map(|i| color[i] + (target[i] - color[i]) * t);
        if contrast(mixed, background) >= 4.5 {
            break;
        }
    }
    mixed
}

const WHITE: [f64; 3] = [1.0, 1.0, 1.0];
const BLACK: [f64; 3] = [0.0, 0.0, 0.0];
/// The dark theme's surface (`--surface` in portal.css).
const DARK_SURFACE: [f64; 3] = [28.0 / 255.0, 32.0 / 255.0, 39.0 / 255.0];

pub fn accent_css(color: &str) -> String {
    let accent = rgb(color).unwrap_or([
        0x42 as f64 / 255.0,
        0x63 as f64 / 255.0,
        0xeb as f64 / 255.0,
    ]);
    // Buttons: white or black text, whichever reads better on the accent.
    let on_accent = if contrast(WHITE, accent) >= contrast(BLACK, accent) {
        WHITE
    } else {
        BLACK
    };
    let light_text = readable(accent, BLACK, WHITE);
    let dark_text = readable(accent, WHITE, DARK_SURFACE);
    format!(
        ":root {{ --accent: {}; --on-accent: {}; --accent-text: {}; }}\n\
         @media (prefers-color-scheme: dark) {{ :root {{ --accent-text: {}; }} }}\n",
        hex(accent),
        hex(on_accent),
        hex(light_text),
        hex(dark_text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_light_accent_gets_darker_text_and_dark_button_text() {
        let css = accent_css("#ffd43b");
        assert!(css.contains("--on-accent: #000000"), "{css}");
        let text = css
            .split("--accent-text: ")
            .nth(1)
            .and_then(|rest| rest.get(..7))
            .and_then(rgb)
            .expect("text color");
        assert!(contrast(text, WHITE) >= 4.5);
    }

    #[test]
    fn the_default_accent_keeps_white_buttons() {
        assert!(accent_css("#4263eb").contains("--on-accent: #ffffff"));
    }
}
