//! `GET modules`: the customer's menu, each module with its visible fields and what the
//! customer may do there.

use atrium_core::FieldType;
use atrium_core::portal::{FieldAccess, Level};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::portal::context::Customer;

#[derive(Serialize, ToSchema)]
pub struct MenuEntry {
    pub module: String,
    pub label: String,
    pub singular_label: String,
    /// Visible fields in order: `{name, label, type, access, required, values?, module?}`.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<Value>,
    /// `{create: bool, read, edit, delete, comment}` (levels: own, contact, account, all, none).
    #[schema(value_type = Object)]
    pub actions: Value,
    /// Related lists shown on the record page.
    pub related: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Menu {
    pub items: Vec<MenuEntry>,
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/modules", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = Menu), (status = 401, body = Problem)))]
pub async fn modules(State(state): State<AppState>, customer: Customer) -> ApiResult<Json<Menu>> {
    let engine = customer.access(&state);
    let mut items = Vec::new();
    for module in engine.menu() {
        let access = engine.module(module);
        let fields = module
            .fields
            .iter()
            .filter_map(|field| {
                let level = access.field(&field.name);
                if level == FieldAccess::Hidden {
                    return None;
                }
                let mut out = json!({
                    "name": field.name,
                    "label": field.label,
                    "type": serde_json::to_value(&field.field_type).ok().and_then(|t| t.get("type").cloned()),
                    "access": level,
                    "required": field.required,
                });
                if !field.values.is_empty() {
                    out["values"] = json!(field.values);
                }
                if let FieldType::Reference { module } = &field.field_type {
                    out["module"] = json!(module);
                }
                Some(out)
            })
            .collect();
        let grant = access.grant;
        let level = |l: Level| serde_json::to_value(l).unwrap_or(Value::Null);
        items.push(MenuEntry {
            module: module.name.clone(),
            label: module.label.clone(),
            singular_label: module.singular_label.clone(),
            fields,
            actions: json!({
                "create": grant.create,
                "read": level(grant.read),
                "edit": level(grant.edit),
                "delete": level(grant.delete),
                "comment": level(grant.comment),
            }),
            related: customer
                .portal
                .module(&module.name)
                .map(|entry| entry.related.clone())
                .unwrap_or_default(),
        });
    }
    Ok(Json(Menu { items }))
}
