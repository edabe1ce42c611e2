//! Form inputs from field definitions, and a posted form back to the JSON body the app takes.
//! The right control per type (picklist → select, date → date input, reference → select of
//! what the customer may read, boolean → checkbox); only `read_write` fields are inputs, the
//! rest are shown as text; after a 422 the posted values are kept and each error is shown
//! beside its field.

use std::collections::HashMap;

use atrium_app::customer::Customer;
use atrium_core::portal::FieldAccess;
use atrium_core::{FieldDef, FieldError, FieldType, Record, Value};
use serde_json::{Map, Value as Json, json};

use crate::AppState;
use crate::pages::display::{input_value, show};
use crate::pages::form::Form;

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
        FieldType::Picklist | FieldType::Reference { .. } | FieldType::User => ("select", None),
        FieldType::File => ("file", None),
        _ => ("text", None),
    }
}

/// The records a form's reference selects offer, per target module: `(id, label)`.
pub type Options = HashMap<String, Vec<(String, String)>>;

/// The key of [`Options`] under which staff users are offered (for `user` fields).
const STAFF_USERS: &str = "@staff";

/// The target modules of the editable reference fields of `specs`.
fn referenced<'a>(specs: &'a [Spec<'_>]) -> Vec<&'a str> {
    let mut modules: Vec<&str> = specs
        .iter()
        .filter(|s| s.access == FieldAccess::ReadWrite && !s.def.system)
        .filter_map(|s| match &s.def.field_type {
            FieldType::Reference { module } => Some(module.as_str()),
            _ => None,
        })
        .collect();
    modules.sort_unstable();
    modules.dedup();
    modules
}

/// Options for the most recently changed records of a page of them.
fn options_of(
    page: &atrium_app::views::Page<atrium_app::views::RecordView>,
) -> Vec<(String, String)> {
    page.items
        .iter()
        .map(|item| {
            let label = atrium_core::record::label_of(&item.view, |f| Some(item.record.get(f)));
            (
                item.record.id.to_string(),
                format!("{} {label}", item.record.number),
            )
        })
        .collect()
}

/// How many records a reference select offers (the most recently changed).
const OPTION_ROWS: &str = "200";

fn option_params() -> [(String, String); 2] {
    [
        ("per_page".to_owned(), OPTION_ROWS.to_owned()),
        ("sort".to_owned(), "-updated_at".to_owned()),
    ]
}

/// The reference options of a customer's form: only records the customer may read.
pub async fn customer_options(
    state: &AppState,
    customer: &Customer,
    specs: &[Spec<'_>],
) -> Options {
    let mut options = Options::new();
    for module in referenced(specs) {
        if let Ok(page) = state
            .app
            .customer_list(customer, module, &option_params())
            .await
        {
            options.insert(module.to_owned(), options_of(&page));
        }
    }
    options
}

/// The reference options of a staff form.
pub async fn staff_options(state: &AppState, specs: &[Spec<'_>]) -> Options {
    let mut options = Options::new();
    let assigns = specs
        .iter()
        .any(|s| s.access == FieldAccess::ReadWrite && s.def.field_type == FieldType::User);
    if assigns && let Ok(users) = state.app.staff_assignees().await {
        let users = users
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect();
        options.insert(STAFF_USERS.to_owned(), users);
    }
    for module in referenced(specs) {
        if let Ok(page) = state.app.staff_list(module, &option_params()).await {
            options.insert(module.to_owned(), options_of(&page));
        }
    }
    options
}

/// The choices of a reference select: the options, and the selected record even when it is
/// not among them (an older record).
fn reference_choices(
    options: &[(String, String)],
    selected: &str,
    stored: Option<&Value>,
) -> Vec<Choice> {
    let mut choices: Vec<Choice> = options
        .iter()
        .map(|(id, label)| Choice {
            selected: id == selected,
            label: label.clone(),
            value: id.clone(),
        })
        .collect();
    if !selected.is_empty() && !choices.iter().any(|c| c.selected) {
        let label = match stored {
            Some(Value::Ref(reference)) if reference.id.to_string() == selected => reference
                .label
                .clone()
                .unwrap_or_else(|| selected.to_owned()),
            _ => selected.to_owned(),
        };
        choices.insert(
            0,
            Choice {
                value: selected.to_owned(),
                label,
                selected: true,
            },
        );
    }
    choices
}

/// How a form writes values: the visitor's language and time zone, and where references link.
pub struct Looks<'a> {
    pub tr: &'a crate::pages::i18n::Tr,
    pub time_zone: &'a str,
    pub link: &'a (dyn Fn(&str, &str) -> Option<String> + Sync),
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
pub fn inputs(
    looks: &Looks<'_>,
    specs: &[Spec<'_>],
    draft: &Draft<'_>,
    options: &Options,
) -> Vec<Input> {
    let mut out = Vec::new();
    for Spec { def, access } in specs {
        // Line items have an editor of their own (staff) or a table (the portal's pages).
        if matches!(def.field_type, FieldType::Grid { .. }) {
            continue;
        }
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
        let label = looks.tr.field_label(&def.name, &def.label);
        if !editable {
            let value = stored
                .map(|value| show(looks.tr, def, value, looks.time_zone, looks.link).text)
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
        // A new record's form starts from the field's default (a quote's stage, a contact's
        // notifications), as the API would apply it.
        let default = draft
            .current
            .is_none()
            .then_some(def.default.as_ref())
            .flatten();
        let value = match draft.posted {
            Some(form) => form.text(&def.name).to_owned(),
            None => stored
                .map(input_value)
                .or_else(|| default.and_then(Json::as_str).map(str::to_owned))
                .unwrap_or_default(),
        };
        let checked = match draft.posted {
            Some(form) => form.has(&def.name),
            None => {
                matches!(stored, Some(Value::Boolean(true))) || default == Some(&Json::Bool(true))
            }
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
            FieldType::Reference { module } => reference_choices(
                options.get(module).map_or(&[][..], Vec::as_slice),
                &value,
                stored,
            ),
            FieldType::User => reference_choices(
                options.get(STAFF_USERS).map_or(&[][..], Vec::as_slice),
                &value,
                stored,
            ),
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
