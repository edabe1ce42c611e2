//! The customer's menu: each module they may use, with its visible fields and what they may
//! do there.

use atrium_core::access::Access;
use atrium_core::portal::{FieldAccess, Level};
use atrium_core::{FieldType, ModuleDef, PicklistValue};
use serde::Serialize;
use utoipa::ToSchema;

use super::Customer;
use crate::App;

/// A visible field of a menu module.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MenuField {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[schema(value_type = String)]
    pub access: FieldAccess,
    pub required: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<PicklistValue>,
    /// The module a reference points to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// What the customer may do in a module (levels: own, contact, account, all, none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Actions {
    pub create: bool,
    #[schema(value_type = String)]
    pub read: Level,
    #[schema(value_type = String)]
    pub edit: Level,
    #[schema(value_type = String)]
    pub delete: Level,
    #[schema(value_type = String)]
    pub comment: Level,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MenuEntry {
    pub module: String,
    pub label: String,
    pub singular_label: String,
    /// Visible fields in order.
    pub fields: Vec<MenuField>,
    pub actions: Actions,
    /// Related lists shown on the record page.
    pub related: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Menu {
    pub items: Vec<MenuEntry>,
}

/// A module of the customer's menu as the navigation shows it.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub module: String,
    pub label: String,
}

impl App {
    /// The modules of the customer's menu, in the portal's order.
    pub fn customer_menu(&self, customer: &Customer) -> Menu {
        let engine = customer.access(self);
        let items = engine
            .menu()
            .into_iter()
            .map(|module| menu_entry(customer, &engine, module))
            .collect();
        Menu { items }
    }

    /// The names and labels of the customer's menu, in its order: what every page's
    /// navigation needs, without the fields of each module.
    pub fn customer_nav(&self, customer: &Customer) -> Vec<MenuItem> {
        customer
            .access(self)
            .menu()
            .into_iter()
            .map(|module| MenuItem {
                module: module.name.clone(),
                label: module.label.clone(),
            })
            .collect()
    }

    /// One module of the customer's menu, with its fields (None if it is not in the menu).
    pub fn customer_menu_entry(&self, customer: &Customer, module: &str) -> Option<MenuEntry> {
        let engine = customer.access(self);
        engine
            .menu()
            .into_iter()
            .find(|m| m.name == module)
            .map(|m| menu_entry(customer, &engine, m))
    }
}

/// `module` of the customer's menu as `engine` grants it.
fn menu_entry(customer: &Customer, engine: &Access<'_>, module: &ModuleDef) -> MenuEntry {
    let access = customer.audience.shown(engine, module).access;
    let fields = module
        .fields
        .iter()
        .filter_map(|field| {
            let level = access.field(&field.name);
            if level == FieldAccess::Hidden {
                return None;
            }
            Some(MenuField {
                name: field.name.clone(),
                label: field.label.clone(),
                field_type: field.field_type.name().to_owned(),
                access: level,
                required: field.required,
                values: field.values.clone(),
                module: match &field.field_type {
                    FieldType::Reference { module } => Some(module.clone()),
                    _ => None,
                },
            })
        })
        .collect();
    let grant = access.grant;
    MenuEntry {
        module: module.name.clone(),
        label: module.label.clone(),
        singular_label: module.singular_label.clone(),
        fields,
        actions: Actions {
            create: grant.create,
            read: grant.read,
            edit: grant.edit,
            delete: grant.delete,
            comment: grant.comment,
        },
        related: customer
            .portal
            .module(&module.name)
            .map(|entry| entry.related.clone())
            .unwrap_or_default(),
    }
}
