//! `me` and `me/organization`: the customer's own contact and organization, shown and changed
//! per the portal's profile layout.

use atrium_core::access::visible_view;
use atrium_core::portal::FieldAccess;
use atrium_core::validate::{Mode, parse_input};
use atrium_core::{Error, FieldError, ModuleDef};
use atrium_store::Actor;
use axum::Json;
use axum::extract::State;
use indexmap::IndexMap;
use serde_json::Value;

use crate::AppState;
use crate::api::wire::{RecordDoc, record_json};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::Customer;

/// Profile fields customers may never change, whatever the layout says: access and support
/// dates are the company's to set, and a new e-mail needs confirming first.
const PROTECTED: &[&str] = &[
    "email",
    "portal_user",
    "portal_roles",
    "portals",
    "support_start_date",
    "support_end_date",
    "organization",
];

fn layout_access(
    module: &ModuleDef,
    layout: &IndexMap<String, FieldAccess>,
) -> atrium_core::access::ModuleAccess {
    let mut fields = IndexMap::new();
    for (name, access) in layout {
        let Some(field) = module.field(name) else {
            continue;
        };
        if *access == FieldAccess::Hidden {
            continue;
        }
        let writable =
            !field.system && !PROTECTED.contains(&name.as_str()) && name != "assigned_to";
        fields.insert(
            name.clone(),
            if writable {
                *access
            } else {
                (*access).min(FieldAccess::ReadOnly)
            },
        );
    }
    atrium_core::access::ModuleAccess {
        grant: atrium_core::portal::Grant::NOTHING,
        fields,
    }
}

fn check_keys(access: &atrium_core::access::ModuleAccess, body: &Value) -> ApiResult<()> {
    let object = body
        .as_object()
        .ok_or_else(|| Error::BadRequest("the body must be a JSON object".into()))?;
    let errors: Vec<FieldError> = object
        .keys()
        .filter_map(|key| match access.field(key) {
            FieldAccess::ReadWrite => None,
            FieldAccess::ReadOnly => Some(FieldError::new(key, "read-only field")),
            FieldAccess::Hidden => Some(FieldError::new(key, "unknown field")),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors).into())
    }
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, customer: Customer) -> ApiResult<Json<Value>> {
    let contacts = state.store.module("contacts")?;
    let access = layout_access(contacts, &customer.portal.profile.contact);
    let view = visible_view(contacts, &access);
    Ok(Json(record_json(&view, &customer.contact)))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)), request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_me(
    State(state): State<AppState>,
    customer: Customer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let contacts = state.store.module("contacts")?;
    let access = layout_access(contacts, &customer.portal.profile.contact);
    check_keys(&access, &body)?;
    let changes = parse_input(contacts, &body, Mode::Update)?;
    let record = state
        .store
        .update(
            contacts,
            customer.contact.id,
            changes,
            Actor::Contact(customer.contact.id),
            None,
        )
        .await?;
    state
        .store
        .add_activity(
            customer.contact.id,
            "portal_record_updated",
            "portal",
            "Updated their profile",
            Some(("contacts", customer.contact.id)),
        )
        .await?;
    Ok(Json(record_json(&visible_view(contacts, &access), &record)))
}

/// The customer's organization; a contact without one has no organization page (404).
fn organization_of(customer: &Customer) -> ApiResult<uuid::Uuid> {
    customer
        .id
        .organization
        .ok_or_else(|| Error::NotFound.into())
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn organization(
    State(state): State<AppState>,
    customer: Customer,
) -> ApiResult<Json<Value>> {
    let organizations = state.store.module("organizations")?;
    let id = organization_of(&customer)?;
    let access = layout_access(organizations, &customer.portal.profile.organization);
    let view = visible_view(organizations, &access);
    let record = state.store.get(organizations, id).await?;
    Ok(Json(record_json(&view, &record)))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)), request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_organization(
    State(state): State<AppState>,
    customer: Customer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let organizations = state.store.module("organizations")?;
    let id = organization_of(&customer)?;
    let access = layout_access(organizations, &customer.portal.profile.organization);
    check_keys(&access, &body)?;
    let changes = parse_input(organizations, &body, Mode::Update)?;
    let record = state
        .store
        .update(
            organizations,
            id,
            changes,
            Actor::Contact(customer.contact.id),
            None,
        )
        .await?;
    state
        .store
        .add_activity(
            customer.contact.id,
            "portal_record_updated",
            "portal",
            "Updated their organization",
            Some(("organizations", id)),
        )
        .await?;
    Ok(Json(record_json(
        &visible_view(organizations, &access),
        &record,
    )))
}
