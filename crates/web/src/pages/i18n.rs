//! The pages' words: Fluent catalogs compiled into the binary (`locales/{lang}/portal.ftl`),
//! English complete and the fallback for any key another language lacks. The language of a
//! page is the customer's own (`language` on their contact), else the first the browser asks
//! for that Atrium speaks, else the company's.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Pages are HTML: Unicode isolation marks around placeables would show up as noise.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages the pages speak, as `language` values and `Accept-Language` tags.
pub const LANGUAGES: &[&str] = &["en", "de"];

/// The texts without arguments each language has been asked for (or `None` where no catalog
/// has the key), one map per entry of [`LANGUAGES`]. The loader negotiates the language and
/// searches its bundles on every lookup, and a page asks for dozens of texts; such a text
/// never changes while the binary runs. Keys come from the code and the metadata, so the
/// maps stay small; the bound only keeps a key made from data from growing one.
static PLAIN: LazyLock<Vec<RwLock<Texts>>> =
    LazyLock::new(|| LANGUAGES.iter().map(|_| RwLock::default()).collect());

const PLAIN_MAX: usize = 4096;

/// One language's kept texts by key.
type Texts = HashMap<Box<str>, Option<Arc<str>>>;

/// A language the pages speak; texts of a page come from it.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: LanguageIdentifier,
    /// The language's place in [`LANGUAGES`], and so in [`PLAIN`].
    slot: usize,
}

impl Default for Tr {
    fn default() -> Self {
        Self {
            lang: langid!("en"),
            slot: 0,
        }
    }
}

impl Tr {
    /// The language `code` (`de`, `de-AT`, `English`…), if the pages speak it.
    pub fn of(code: &str) -> Option<Tr> {
        let code = code.trim().to_ascii_lowercase();
        let primary = match code.as_str() {
            "english" => "en",
            "german" | "deutsch" => "de",
            other => other.split(['-', '_']).next().unwrap_or(other),
        };
        let slot = LANGUAGES.iter().position(|l| *l == primary)?;
        let lang = LANGUAGES[slot].parse().ok()?;
        Some(Tr { lang, slot })
    }

    /// The first language of `accept` (an `Accept-Language` header) that the pages speak.
    pub fn from_accept_language(accept: &str) -> Option<Tr> {
        let mut wanted: Vec<(f32, &str)> = accept
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (!tag.is_empty() && q > 0.0).then_some((q, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
        wanted.into_iter().find_map(|(_, tag)| Tr::of(tag))
    }

    /// The language's tag, for `<html lang>`.
    pub fn code(&self) -> String {
        self.lang.to_string()
    }

    /// The text `key`.
    pub fn t(&self, key: &str) -> String {
        match self.plain(key) {
            Some(text) => text.to_string(),
            None => LOCALES.lookup(&self.lang, key),
        }
    }

    /// The text `key` without arguments, if a catalog has it; looked up once per language
    /// (see [`PLAIN`]).
    fn plain(&self, key: &str) -> Option<Arc<str>> {
        let Some(cache) = PLAIN.get(self.slot) else {
            return self.lookup_plain(key);
        };
        if let Ok(texts) = cache.read()
            && let Some(text) = texts.get(key)
        {
            return text.clone();
        }
        let text = self.lookup_plain(key);
        if let Ok(mut texts) = cache.write()
            && texts.len() < PLAIN_MAX
        {
            texts.insert(key.into(), text.clone());
        }
        text
    }

    fn lookup_plain(&self, key: &str) -> Option<Arc<str>> {
        LOCALES
            .try_lookup_complete(&self.lang, key, None)
            .map(Arc::from)
    }

    /// The name of a module (`module-cases`), else the metadata's `fallback`: modules an
    /// admin adds have no text in the catalogs.
    pub fn module_label(&self, module: &str, fallback: &str) -> String {
        self.plain(&format!("module-{module}"))
            .map_or_else(|| fallback.to_owned(), |text| text.to_string())
    }

    /// The name of one record of a module (`module-one-cases`: "case"), else `fallback`.
    pub fn module_one(&self, module: &str, fallback: &str) -> String {
        self.plain(&format!("module-one-{module}"))
            .map_or_else(|| fallback.to_owned(), |text| text.to_string())
    }

    /// The label of a field (`field-priority`), else the metadata's `fallback`.
    pub fn field_label(&self, field: &str, fallback: &str) -> String {
        self.plain(&format!("field-{field}"))
            .map_or_else(|| fallback.to_owned(), |text| text.to_string())
    }

    /// The text `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        self.with(key, &[(name, Arg::Text(value.to_string()))])
    }

    /// The text `key` with a number argument (plurals select on it).
    pub fn n(&self, key: &str, name: &'static str, value: i64) -> String {
        self.with(key, &[(name, Arg::Number(value))])
    }

    /// The text `key` with arguments.
    pub fn with(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(text) => FluentValue::from(text.clone()),
                    Arg::Number(n) => FluentValue::from(*n),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES.lookup_with_args(&self.lang, key, &args)
    }

    /// A whole number written the language's way (`12,345` or `12.345`).
    pub fn number(&self, value: i64) -> String {
        let digits = value.unsigned_abs().to_string();
        let separator = if self.is_german() { '.' } else { ',' };
        let mut out = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        if value < 0 { format!("-{out}") } else { out }
    }

    /// A decimal with one place, written the language's way (`12.5` or `12,5`).
    pub fn decimal(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        if self.is_german() {
            text.replace('.', ",")
        } else {
            text
        }
    }

    /// A date (`YYYY-MM-DD`) written the language's way.
    pub fn date(&self, iso: &str) -> String {
        let mut parts = iso.get(..10).unwrap_or(iso).split('-');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d)) if self.is_german() => format!("{d}.{m}.{y}"),
            (Some(y), Some(m), Some(d)) => {
                let month = m
                    .parse::<usize>()
                    .ok()
                    .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
                match month {
                    Some(month) => format!("{} {month} {y}", d.trim_start_matches('0')),
                    None => iso.to_owned(),
                }
            }
            _ => iso.to_owned(),
        }
    }

    /// A date and time (RFC 3339, already in the wanted zone) written the language's way.
    pub fn datetime(&self, rfc3339: &str) -> String {
        let date = self.date(rfc3339);
        match rfc3339.get(11..16) {
            Some(time) => format!("{date}, {time}"),
            None => date,
        }
    }

    fn is_german(&self) -> bool {
        self.lang.language.as_str() == "de"
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An argument of a text.
pub enum Arg {
    Text(String),
    Number(i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_kept_per_language_are_the_catalogs_own() {
        let en = Tr::default();
        let de = Tr::of("de-AT").expect("German");
        for _ in 0..2 {
            assert_eq!(en.t("yes"), LOCALES.lookup(&langid!("en"), "yes"));
            assert_eq!(de.t("yes"), LOCALES.lookup(&langid!("de"), "yes"));
        }
        assert_ne!(en.t("yes"), de.t("yes"));
        let kept = |slot: usize, key: &str| {
            PLAIN[slot]
                .read()
                .map(|texts| texts.contains_key(key))
                .unwrap_or(false)
        };
        assert!(kept(0, "yes") && kept(1, "yes"));
        assert_eq!(de.field_label("no_such_field", "Fallback"), "Fallback");
        assert_eq!(
            de.field_label("priority", "x"),
            LOCALES.lookup(&langid!("de"), "field-priority")
        );
        assert!(kept(1, "field-no_such_field"), "a missing text is kept too");
    }

    #[test]
    fn the_browser_language_is_taken_when_spoken() {
        let tr = Tr::from_accept_language("fr-CH, de-DE;q=0.8, en;q=0.5").expect("spoken");
        assert_eq!(tr.code(), "de");
        assert!(Tr::from_accept_language("fr, it;q=0.3").is_none());
        assert_eq!(Tr::of("Deutsch").map(|t| t.code()).as_deref(), Some("de"));
    }

    #[test]
    fn german_is_complete_and_plurals_follow_the_language() {
        let de = Tr::of("de").expect("de");
        assert_eq!(de.n("count", "total", 1), "Ein Eintrag");
        assert_eq!(de.n("count", "total", 3), "3 Einträge");
        assert_eq!(Tr::default().n("count", "total", 0), "No records");
        for key in ["sign-in", "export-pdf", "error-not-found"] {
            assert_ne!(de.t(key), Tr::default().t(key), "{key} is translated");
        }
    }

    fn keys(catalog: &str) -> Vec<&str> {
        catalog
            .lines()
            .filter(|l| !l.starts_with([' ', '#']) && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next())
            .collect()
    }

    #[test]
    fn every_english_text_has_a_german_one() {
        for (english, german) in [
            (
                include_str!("../../locales/en/portal.ftl"),
                include_str!("../../locales/de/portal.ftl"),
            ),
            (
                include_str!("../../locales/en/staff.ftl"),
                include_str!("../../locales/de/staff.ftl"),
            ),
        ] {
            let (english, german) = (keys(english), keys(german));
            let missing: Vec<_> = english.iter().filter(|k| !german.contains(k)).collect();
            assert!(missing.is_empty(), "not in German: {missing:?}");
            assert!(english.len() > 60);
        }
    }

    #[test]
    fn every_setting_named_by_the_pages_has_words() {
        use atrium_core::portal::Home;
        let staff = keys(include_str!("../../locales/en/staff.ftl"));
        let portal = keys(include_str!("../../locales/en/portal.ftl"));
        let both: Vec<_> = staff.iter().filter(|k| portal.contains(k)).collect();
        assert!(both.is_empty(), "one catalog overrides the other: {both:?}");
        let staff: Vec<&str> = staff.into_iter().chain(portal).collect();
        let word = |v: serde_json::Value| v.as_str().unwrap_or_default().replace('_', "-");
        let home = Home::default();
        let mut wanted: Vec<String> = Vec::new();
        wanted.extend(
            home.widgets
                .iter()
                .map(|w| format!("widget-{}", word(serde_json::json!(w)))),
        );
        wanted.extend(
            home.shortcuts
                .iter()
                .map(|s| format!("shortcut-{}", word(serde_json::json!(s)))),
        );
        wanted.extend(
            atrium_core::templates::NAMES
                .iter()
                .map(|n| format!("template-{}", n.replace('_', "-"))),
        );
        for key in wanted {
            assert!(staff.contains(&key.as_str()), "{key} is missing");
        }
    }

    #[test]
    fn every_activity_kind_and_source_has_words() {
        use atrium_core::kinds::{ActivityKind, ActivitySource};
        let staff = keys(include_str!("../../locales/en/staff.ftl"));
        for kind in ActivityKind::ALL {
            let key = format!("activity-kind-{}", kind.as_str());
            assert!(staff.contains(&key.as_str()), "{key} is missing");
        }
        for source in ActivitySource::ALL {
            let key = format!("activity-{}", source.as_str());
            assert!(staff.contains(&key.as_str()), "{key} is missing");
        }
    }

    #[test]
    fn numbers_and_dates_are_written_the_language_s_way() {
        let de = Tr::of("de").expect("de");
        assert_eq!(de.number(1234567), "1.234.567");
        assert_eq!(Tr::default().number(-1234), "-1,234");
        assert_eq!(de.date("2026-03-09"), "09.03.2026");
        assert_eq!(Tr::default().date("2026-03-09"), "9 Mar 2026");
        assert_eq!(de.decimal(2.5), "2,5");
    }
}
