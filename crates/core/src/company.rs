//! The company behind the portals: its name, address and contact details, the time zone in
//! which support dates are counted, and the accent color of the pages.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// An IANA time zone name (`Europe/Berlin`) or `UTC`.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// `#rrggbb`.
    #[serde(default = "accent")]
    pub accent_color: String,
    /// The pages' language for a visitor who states none: one of [`LANGUAGES`].
    #[serde(default = "english")]
    pub language: String,
    /// The ISO 4217 currency of quotes and invoices that name none (see [`crate::money`]).
    #[serde(default = "euro")]
    pub currency: String,
}

/// The languages the pages speak (ISO 639-1); English is complete and the fallback.
pub const LANGUAGES: &[&str] = &["en", "de"];

fn default_name() -> String {
    "Atrium".into()
}
fn utc() -> String {
    "UTC".into()
}
fn accent() -> String {
    "#4263eb".into()
}
fn english() -> String {
    "en".into()
}
fn euro() -> String {
    "EUR".into()
}

impl Default for Company {
    fn default() -> Self {
        Self {
            name: default_name(),
            address: String::new(),
            email: None,
            phone: None,
            time_zone: utc(),
            accent_color: accent(),
            language: english(),
            currency: euro(),
        }
    }
}

pub fn is_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

impl Company {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "required"));
        }
        if !is_color(&self.accent_color) {
            errors.push(FieldError::new(
                "accent_color",
                "must be a color like #1c7ed6",
            ));
        }
        if !crate::customer::is_time_zone(&self.time_zone) {
            errors.push(FieldError::new(
                "time_zone",
                "must be a time zone name like Europe/Berlin",
            ));
        }
        if !LANGUAGES.contains(&self.language.as_str()) {
            errors.push(FieldError::new(
                "language",
                format!("must be one of {}", LANGUAGES.join(", ")),
            ));
        }
        if crate::money::minor_digits(&self.currency).is_none() {
            errors.push(FieldError::new(
                "currency",
                "must be an ISO 4217 currency code Atrium offers, like EUR",
            ));
        }
        if let Some(email) = &self.email
            && !email_address::EmailAddress::is_valid(email)
        {
            errors.push(FieldError::new("email", "must be an e-mail address"));
        }
        errors
    }
}
