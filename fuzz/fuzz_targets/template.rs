//! E-mail templates: `templates::check` and `templates::render` with a fuzzed template and the
//! sample context. Never panics; rendering terminates (the environment has fuel: run with
//! libFuzzer's `-timeout=` so a render that spins anyway is reported); a rendered subject is
//! one line.
//!
//! Input: UTF-8 text. With no U+001E (record separator) it is used as subject, HTML body and
//! text body at once; otherwise it is split into `subject RS body_html RS body_text`.
#![no_main]

use std::sync::OnceLock;

use atrium_core::Registry;
use atrium_core::templates::{Template, check, render, sample_context};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(atrium_core::standard::registry)
}

fn context() -> &'static Value {
    static CONTEXT: OnceLock<Value> = OnceLock::new();
    CONTEXT.get_or_init(sample_context)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(3, '\u{1e}');
    let subject = parts.next().unwrap_or_default();
    let template = match (parts.next(), parts.next()) {
        (None, _) => Template {
            subject: subject.to_owned(),
            body_html: subject.to_owned(),
            body_text: subject.to_owned(),
        },
        (Some(html), text) => Template {
            subject: subject.to_owned(),
            body_html: html.to_owned(),
            body_text: text.unwrap_or_default().to_owned(),
        },
    };

    let errors = check(&template, registry());
    for error in &errors {
        assert!(
            ["subject", "body_html", "body_text"].contains(&error.field.as_str()),
            "{error:?}"
        );
    }

    if let Ok(rendered) = render(&template, context()) {
        assert!(
            !rendered.subject.contains(['\n', '\r']),
            "multi-line subject {:?}",
            rendered.subject
        );
    }
});
