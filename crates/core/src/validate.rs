//! Turning a JSON request body into typed field values, from the metadata alone. Every problem
//! is collected, so a 422 lists each bad field at once. Whether a referenced record exists is
//! checked by the store, which adds its findings to the same list.

use serde_json::Value as Json;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{Error, FieldError, Result};
use crate::metadata::{DECIMAL_SCALE, FieldDef, FieldType, ModuleDef};
use crate::value::{DATE_FORMAT, Reference, Value};

const MAX_TEXT_CHARS: usize = 1_000;
const MAX_LONG_TEXT_CHARS: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// Field values in the order the module defines its fields.
pub type Changes = Vec<(String, Value)>;

/// Parses and validates `body` for `module`. On create, missing fields take their defaults
/// and missing required fields are errors; on update only the fields sent change.
pub fn parse_input(module: &ModuleDef, body: &Json, mode: Mode) -> Result<Changes> {
    let Json::Object(object) = body else {
        return Err(Error::BadRequest("the body must be a JSON object".into()));
    };
    let mut errors = Vec::new();
    for key in object.keys() {
        match module.field(key) {
            None => errors.push(FieldError::new(key, "unknown field")),
            Some(field) if field.computed => {}
            Some(field) if field.system => errors.push(FieldError::new(key, "read-only field")),
            Some(field) if field.field_type == FieldType::File => errors.push(FieldError::new(
                key,
                "read-only field: upload the file through the file route",
            )),
            Some(_) => {}
        }
    }
    let mut changes = Vec::new();
    for field in module.fields.iter().filter(|f| !f.system) {
        let value = match object.get(&field.name) {
            Some(json) if matches!(field.field_type, FieldType::Grid { .. }) => {
                match parse_grid(field, json) {
                    Ok(value) => value,
                    Err(mut found) => {
                        errors.append(&mut found);
                        continue;
                    }
                }
            }
            Some(json) => match parse_value(field, json) {
                Ok(value) => value,
                Err(message) => {
                    errors.push(FieldError::new(&field.name, message));
                    continue;
                }
            },
            None if mode == Mode::Create => match &field.default {
                Some(default) => parse_value(field, default).unwrap_or(Value::Null),
                None => Value::Null,
            },
            None => continue,
        };
        if field.required && is_blank(&value) {
            errors.push(FieldError::new(&field.name, "required"));
            continue;
        }
        changes.push((field.name.clone(), value));
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(Error::Validation(errors))
    }
}

/// Reads a JSON object's keys as the given module's fields; used for list filters too.
pub fn parse_value(field: &FieldDef, json: &Json) -> std::result::Result<Value, String> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let expect = |what: &str| format!("must be {what}");
    match &field.field_type {
        FieldType::Text | FieldType::Phone => {
            let s = json.as_str().ok_or_else(|| expect("a string"))?.trim();
            check_len(s, MAX_TEXT_CHARS)?;
            if field.field_type == FieldType::Phone && !is_phone(s) {
                return Err("must be a phone number (digits, spaces and + - ( ) . /)".into());
            }
            Ok(text_or_null(s))
        }
        FieldType::Textarea | FieldType::Markdown => {
            let s = json.as_str().ok_or_else(|| expect("a string"))?;
            check_len(s, MAX_LONG_TEXT_CHARS)?;
            Ok(text_or_null(s))
        }
        FieldType::Email => {
            let s = json.as_str().ok_or_else(|| expect("a string"))?.trim();
            if s.is_empty() {
                return Ok(Value::Null);
            }
            check_len(s, 254)?;
            if !email_address::EmailAddress::is_valid(s) || !s.contains('.') {
                return Err("must be an e-mail address".into());
            }
            Ok(Value::Text(s.to_owned()))
        }
        FieldType::Url => {
            let s = json.as_str().ok_or_else(|| expect("a string"))?.trim();
            if s.is_empty() {
                return Ok(Value::Null);
            }
            check_len(s, 2_000)?;
            match url::Url::parse(s) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Ok(Value::Text(s.to_owned()))
                }
                _ => Err("must be an http or https URL".into()),
            }
        }
        FieldType::Integer => json
            .as_i64()
            .map(Value::Integer)
            .ok_or_else(|| expect("an integer")),
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => {
            let text = match json {
                Json::Number(n) => n.to_string(),
                Json::String(s) => s.trim().to_owned(),
                _ => return Err(expect("a number")),
            };
            let hundredths = parse_hundredths(&text)
                .ok_or_else(|| format!("must be a number with at most {DECIMAL_SCALE} decimals"))?;
            if field.field_type == FieldType::Percent && !(0..=100 * 100).contains(&hundredths) {
                return Err("must be between 0 and 100".into());
            }
            Ok(Value::Decimal(hundredths))
        }
        FieldType::Date => {
            let s = json.as_str().ok_or_else(|| expect("a date (YYYY-MM-DD)"))?;
            Date::parse(s, DATE_FORMAT)
                .map(Value::Date)
                .map_err(|_| expect("a date (YYYY-MM-DD)"))
        }
        FieldType::Datetime => {
            let s = json.as_str().ok_or_else(|| expect("an RFC 3339 time"))?;
            OffsetDateTime::parse(s, &Rfc3339)
                .map(|t| Value::DateTime(t.to_offset(time::UtcOffset::UTC)))
                .map_err(|_| expect("an RFC 3339 time"))
        }
        FieldType::Boolean => json
            .as_bool()
            .map(Value::Boolean)
            .ok_or_else(|| expect("true or false")),
        FieldType::Picklist => {
            let s = json.as_str().ok_or_else(|| expect("a string"))?;
            if s.is_empty() {
                return Ok(Value::Null);
            }
            if field.values.is_empty() || field.picklist_value(s).is_some() {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(format!("must be one of: {}", allowed_values(field)))
            }
        }
        FieldType::Multipicklist => {
            let items = json.as_array().ok_or_else(|| expect("a list of strings"))?;
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let s = item.as_str().ok_or_else(|| expect("a list of strings"))?;
                if !field.values.is_empty() && field.picklist_value(s).is_none() {
                    return Err(format!(
                        "each value must be one of: {}",
                        allowed_values(field)
                    ));
                }
                check_len(s, MAX_TEXT_CHARS)?;
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_owned());
                }
            }
            Ok(Value::List(out))
        }
        FieldType::Reference { .. } | FieldType::User => {
            let s = json.as_str().ok_or_else(|| expect("a record id"))?;
            // A malformed id names no record, like a well-formed one that does not exist.
            Uuid::parse_str(s)
                .map(|id| Value::Ref(Reference::to(id)))
                .map_err(|_| "no such record".to_owned())
        }
        FieldType::Grid { .. } => match parse_grid(field, json) {
            Ok(value) => Ok(value),
            Err(errors) => Err(errors
                .into_iter()
                .next()
                .map_or_else(|| expect("a list of rows"), |e| e.message)),
        },
        FieldType::File => Err("read-only field".into()),
    }
}

/// A grid's rows; each bad cell is an error of its own (`items[2].quantity`).
fn parse_grid(field: &FieldDef, json: &Json) -> std::result::Result<Value, Vec<FieldError>> {
    match &field.field_type {
        FieldType::Grid { .. } if json.is_null() => Ok(crate::grid::no_rows()),
        FieldType::Grid { columns } => crate::grid::parse_rows(field, columns, json),
        _ => Err(vec![FieldError::new(&field.name, "must be a list of rows")]),
    }
}

fn allowed_values(field: &FieldDef) -> String {
    field
        .values
        .iter()
        .map(|v| v.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn text_or_null(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::Text(s.to_owned())
    }
}

fn check_len(s: &str, max: usize) -> std::result::Result<(), String> {
    if s.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

fn is_phone(s: &str) -> bool {
    s.is_empty()
        || (s.chars().any(|c| c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_digit() || " +-()./x".contains(c)))
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Text(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Parses `-12.5` into `-1250` exactly; more than two decimals is an error, not a rounding.
pub fn parse_hundredths(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > DECIMAL_SCALE as usize {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let value = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;
    use serde_json::json;

    #[test]
    fn hundredths_are_exact() {
        assert_eq!(parse_hundredths("12.5"), Some(1250));
        assert_eq!(parse_hundredths("-0.05"), Some(-5));
        assert_eq!(parse_hundredths("7"), Some(700));
        assert_eq!(parse_hundredths("1.230"), Some(123));
        assert_eq!(parse_hundredths("1.234"), None);
        assert_eq!(parse_hundredths("1e3"), None);
        assert_eq!(parse_hundredths(""), None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let registry = standard::registry();
        let cases = registry.module("cases").expect("cases");
        let body = json!({
            "priority": "Sometimes",
            "nonsense": 1,
            "contact": "not-an-id",
            "resolved_at": "2026-01-01T00:00:00Z",
            "internal": "yes"
        });
        let Err(Error::Validation(errors)) = parse_input(cases, &body, Mode::Create) else {
            panic!("expected a validation error");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "nonsense",
            "resolved_at",
            "title",
            "priority",
            "contact",
            "internal",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing from {fields:?}"
            );
        }
    }

    #[test]
    fn create_applies_defaults_and_update_only_sent_fields() {
        let registry = standard::registry();
        let cases = registry.module("cases").expect("cases");
        let created =
            parse_input(cases, &json!({"title": "Printer on fire"}), Mode::Create).expect("valid");
        assert!(created.contains(&("status".into(), Value::Text("New".into()))));
        let updated = parse_input(cases, &json!({"status": "Open"}), Mode::Update).expect("valid");
        assert_eq!(updated, vec![("status".into(), Value::Text("Open".into()))]);
        assert!(parse_input(cases, &json!({"title": null}), Mode::Update).is_err());
    }

    #[test]
    fn formats_are_checked() {
        let registry = standard::registry();
        let contacts = registry.module("contacts").expect("contacts");
        let field = |name| contacts.field(name).expect("field");
        assert!(parse_value(field("email"), &json!("emma@example.com")).is_ok());
        assert!(parse_value(field("email"), &json!("emma@")).is_err());
        assert!(parse_value(field("support_end_date"), &json!("2026-02-30")).is_err());
        assert!(parse_value(field("support_end_date"), &json!("2026-02-28")).is_ok());
        let orgs = registry.module("organizations").expect("organizations");
        let website = orgs.field("website").expect("website");
        assert!(parse_value(website, &json!("javascript:alert(1)")).is_err());
        assert!(parse_value(website, &json!("https://example.com")).is_ok());
    }
}
