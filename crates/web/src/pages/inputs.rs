//! Form inputs from field definitions, and a posted form back to the JSON body the app takes.
//! The right control per type (picklist → select, date → date input, reference → select of
//! what the customer may read, boolean → checkbox); only `read_write` fields are inputs, the
//! rest are shown as text; after a 422 the posted values are kept and each error is shown
//! beside its field.

use atrium_app::customer::Customer;
use atrium_core::portal::FieldAccess;
use atrium_core::{FieldDef, FieldError, FieldType, Record, Value};
use serde_json::{Map, Value as Json, json};

use crate::AppState;
use crate::pages::display::{input_value, show};
use crate::pages::form::Form;
use crate::pages::site::Site;

/// A field of a form and what the visitor may do to it.
pub struct Spec<'a> {
    pub def: &'a FieldDef,
    pub access: FieldAccess,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One input (or read-only value) of a form.
pub struct Input {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `tel`, `url`, `number`, `date`, `datetime-local`, `textarea`,
    /// `select`, `checkbox`, `file`, or `readonly`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub step: Option<&'static str>,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

fn kind_of(field: &FieldDef) -> (&'static str, Option<&'static str>) {
    match &field.field_type {
        FieldType::Email => ("email", None),
        FieldType::Phone => ("tel", None),
        FieldType::Url => ("url", None),
        FieldType::Integer => ("number", Some("1")),
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => ("number", Some("0.01")),
        FieldType::Date => ("date", None),
        FieldType::Datetime => ("datetime-local", None),
        FieldType::Textarea | FieldType::Markdown => ("textarea", None),
        FieldType::Boolean => ("checkbox", None),
        FieldType::Picklist | FieldType::Reference { .. } => ("select", None),
        FieldType::File => ("file", None),
        _ => ("text", None),
    }
}

/// The options of a reference select: the records of the target module the customer may read.
async fn reference_choices(
    state: &AppState,
    customer: &Customer,
    module: &str,
    selected: &str,
) -> Vec<Choice> {
    let params = [
        ("per_page".to_owned(), "200".to_owned()),
        ("sort".to_owned(), "-updated_at".to_owned()),
    ];
    let Ok(page) = state.app.customer_list(customer, module, &params).await else {
        return Vec::new();
    };
    page.items
        .iter()
        .map(|item| {
            let id = item.record.id.to_string();
            let label = atrium_core::record::label_of(&item.view, |f| Some(item.record.get(f)));
            Choice {
                selected: id == selected,
                label: format!("{} {label}", item.record.number),
                value: id,
            }
        })
        .collect()
}

/// What a form is about, and what it shows.
pub struct Draft<'a> {
    /// The record being edited; None for a new one (then read-only fields are left out).
    pub current: Option<&'a Record>,
    /// What was posted, after a 422.
    pub posted: Option<&'a Form>,
    pub errors: &'a [FieldError],
}

/// The inputs of a form for `specs`.
pub async fn inputs(
    state: &AppState,
    site: &Site,
    customer: &Customer,
    specs: &[Spec<'_>],
    draft: &Draft<'_>,
    link: &(dyn Fn(&str, &str) -> Option<String> + Sync),
) -> Vec<Input> {
    let mut out = Vec::new();
    for Spec { def, access } in specs {
        let editable = *access == FieldAccess::ReadWrite && !def.system;
        if draft.current.is_none() && !editable {
            continue;
        }
        let stored = draft.current.map(|record| record.get(&def.name));
        let error = draft
            .errors
            .iter()
            .find(|e| e.field == def.name)
            .map(|e| e.message.clone());
        let label = site.tr.field_label(&def.name, &def.label);
        if !editable {
            let value = stored
                .map(|value| show(&site.tr, def, value, &customer.company.time_zone, link).text)
                .unwrap_or_default();
            out.push(Input {
                name: def.name.clone(),
                label,
                kind: "readonly",
                value,
                checked: false,
                required: false,
                step: None,
                choices: Vec::new(),
                error,
            });
            continue;
        }
        let (kind, step) = kind_of(def);
        let value = match draft.posted {
            Some(form) => form.text(&def.name).to_owned(),
            None => stored.map(input_value).unwrap_or_default(),
        };
        let checked = match draft.posted {
            Some(form) => form.has(&def.name),
            None => matches!(stored, Some(Value::Boolean(true))),
        };
        let choices = match &def.field_type {
            FieldType::Picklist => def
                .values
                .iter()
                .map(|v| Choice {
                    selected: v.value == value,
                    label: v.value.clone(),
                    value: v.value.clone(),
                })
                .collect(),
            FieldType::Reference { module } => {
                reference_choices(state, customer, module, &value).await
            }
            _ => Vec::new(),
        };
        out.push(Input {
            name: def.name.clone(),
            label,
            kind,
            value,
            checked,
            required: def.required,
            step,
            choices,
            error,
        });
    }
    out
}

/// Whether the posted `value` is what `before` (the record's JSON value) already holds.
fn unchanged(before: &Json, value: &Json) -> bool {
    match (before, value) {
        (Json::Object(reference), Json::String(id)) => {
            reference.get("id").and_then(Json::as_str) == Some(id.as_str())
        }
        (Json::Number(a), Json::String(b)) => {
            a.to_string() == *b
                || a.as_f64()
                    .zip(b.parse::<f64>().ok())
                    .is_some_and(|(a, b)| a == b)
        }
        (a, b) => a == b,
    }
}

/// The JSON body of a posted form: the `read_write` fields of `specs`, typed for the app
/// (empty → null, checkbox → boolean, whole numbers as numbers); editing `current`, only what
/// changed.
pub fn body_of(specs: &[Spec<'_>], form: &Form, current: Option<&Record>) -> Json {
    let mut body = Map::new();
    for Spec { def, access } in specs {
        if *access != FieldAccess::ReadWrite || def.system {
            continue;
        }
        let text = form.text(&def.name).trim();
        let value = match &def.field_type {
            FieldType::File | FieldType::Grid { .. } => continue,
            FieldType::Boolean => Json::Bool(form.has(&def.name)),
            FieldType::Multipicklist => Json::Array(
                form.pairs
                    .iter()
                    .filter(|(k, v)| k == &def.name && !v.is_empty())
                    .map(|(_, v)| Json::String(v.clone()))
                    .collect(),
            ),
            _ if text.is_empty() => Json::Null,
            FieldType::Integer => match text.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => Json::String(text.to_owned()),
            },
            _ => Json::String(text.to_owned()),
        };
        if let Some(record) = current
            && unchanged(&record.get(&def.name).to_json(def), &value)
        {
            continue;
        }
        body.insert(def.name.clone(), value);
    }
    Json::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_value_equal_to_the_stored_one_is_not_a_change() {
        assert!(unchanged(&json!({"id": "a", "label": "A"}), &json!("a")));
        assert!(unchanged(&json!(12.5), &json!("12.50")));
        assert!(!unchanged(&json!("Open"), &json!("Closed")));
        assert!(unchanged(&Json::Null, &Json::Null));
    }
}
