//! A field's value as a page shows it: text written the visitor's way (dates, numbers, yes/no,
//! times in the company's time zone), picklist values with their color, references with their
//! label, markdown rendered safely. Everything but sanitized markdown is escaped by the template.

use atrium_core::metadata::DECIMAL_SCALE;
use atrium_core::{FieldDef, FieldType, Value};
use time::OffsetDateTime;

use super::i18n::Tr;

/// One shown value.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    pub text: String,
    /// Sanitized HTML (markdown fields), shown as is.
    pub html: Option<String>,
    /// A picklist value's color.
    pub color: Option<String>,
    /// A reference the visitor may open.
    pub href: Option<String>,
    /// A reference to a deleted record (shown struck through).
    pub struck: bool,
    pub empty: bool,
}

impl Shown {
    fn text(text: String) -> Shown {
        Shown {
            empty: text.is_empty(),
            text,
            ..Shown::default()
        }
    }
}

/// A moment in the company's time zone, written the language's way.
pub fn moment(tr: &Tr, at: OffsetDateTime, time_zone: &str) -> String {
    let local = jiff::Timestamp::from_second(at.unix_timestamp())
        .ok()
        .and_then(|t| t.in_tz(time_zone).ok())
        .map(|z| z.strftime("%Y-%m-%dT%H:%M").to_string());
    match local {
        Some(text) => tr.datetime(&text),
        None => tr.datetime(&atrium_core::value::format_datetime(at)),
    }
}

const HUNDRED: i64 = 10_i64.pow(DECIMAL_SCALE);

fn decimal(tr: &Tr, hundredths: i64) -> String {
    let whole = hundredths / HUNDRED;
    let cents = (hundredths % HUNDRED).abs();
    let separator = if tr.code() == "de" { ',' } else { '.' };
    let sign = if hundredths < 0 && whole == 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{}{separator}{cents:02}", tr.number(whole))
}

/// `value` of `field` as shown to a visitor speaking `tr`, times in `time_zone`; `link` makes
/// the path of a referenced record of `module`, where the visitor may open it.
pub fn show(
    tr: &Tr,
    field: &FieldDef,
    value: &Value,
    time_zone: &str,
    link: &dyn Fn(&str, &str) -> Option<String>,
) -> Shown {
    match value {
        Value::Null => Shown {
            text: tr.t("none"),
            empty: true,
            ..Shown::default()
        },
        Value::Text(text) => match &field.field_type {
            FieldType::Picklist => Shown {
                color: field.picklist_value(text).map(|v| v.color.clone()),
                ..Shown::text(text.clone())
            },
            FieldType::Markdown => Shown {
                html: Some(atrium_core::markdown::to_safe_html(text)),
                ..Shown::text(text.clone())
            },
            _ => Shown::text(text.clone()),
        },
        Value::Integer(n) => Shown::text(tr.number(*n)),
        Value::Decimal(hundredths) => {
            let text = decimal(tr, *hundredths);
            match field.field_type {
                FieldType::Percent => Shown::text(format!("{text} %")),
                _ => Shown::text(text),
            }
        }
        Value::Boolean(yes) => Shown::text(tr.t(if *yes { "yes" } else { "no" })),
        Value::Date(date) => Shown::text(tr.date(&atrium_core::value::format_date(*date))),
        Value::DateTime(at) => Shown::text(moment(tr, *at, time_zone)),
        Value::Ref(reference) => {
            let label = reference.label.clone().unwrap_or_default();
            let href = match &field.field_type {
                FieldType::Reference { module } if !reference.deleted => {
                    link(module, &reference.id.to_string())
                }
                _ => None,
            };
            Shown {
                href,
                struck: reference.deleted,
                ..Shown::text(label)
            }
        }
        Value::List(items) => Shown::text(items.join(", ")),
        Value::File(file) => Shown::text(format!("{} ({})", file.name, size(tr, file.size))),
        Value::Json(json) => Shown::text(json.to_string()),
    }
}

/// A file size in kB or MB.
pub fn size(tr: &Tr, bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", tr.decimal(bytes as f64 / (1024.0 * 1024.0)))
    } else {
        format!("{} kB", tr.decimal(bytes as f64 / 1024.0))
    }
}

/// A value as a form input holds it (`YYYY-MM-DD` for dates, the id for references).
pub fn input_value(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(text) => text.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Decimal(hundredths) => {
            let whole = hundredths / HUNDRED;
            let cents = (hundredths % HUNDRED).abs();
            let sign = if *hundredths < 0 && whole == 0 {
                "-"
            } else {
                ""
            };
            format!("{sign}{whole}.{cents:02}")
        }
        Value::Boolean(yes) => yes.to_string(),
        Value::Date(date) => atrium_core::value::format_date(*date),
        Value::DateTime(at) => atrium_core::value::format_datetime(*at),
        Value::Ref(reference) => reference.id.to_string(),
        Value::List(items) => items.join(", "),
        Value::File(file) => file.name.clone(),
        Value::Json(json) => json.to_string(),
    }
}

/// A value of the field history's JSON (`old`, `new`) as text: a reference by its label.
pub fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => o
            .get("label")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| value.to_string()),
        other => other.to_string(),
    }
}
