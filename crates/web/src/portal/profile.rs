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
/// dates are the company's to set. (A new e-mail applies only once confirmed: see below.)
const PROTECTED: &[&str] = &[
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
    // The session's contact is read without reference labels; the profile shows them.
    let contact = state.store.get(contacts, customer.contact.id).await?;
    Ok(Json(record_json(&view, &contact)))
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
    let mut changes = parse_input(contacts, &body, Mode::Update)?;
    // A new e-mail applies only after its owner confirms a link sent to it.
    let mut pending = None;
    if let Some(position) = changes.iter().position(|(f, _)| f == "email") {
        let (_, new) = changes.remove(position);
        let new = new
            .as_text()
            .map(str::to_lowercase)
            .ok_or_else(|| Error::field("email", "required"))?;
        let current = customer
            .contact
            .get("email")
            .as_text()
            .map(str::to_lowercase);
        if current.as_deref() != Some(new.as_str()) {
            request_email_change(&state, &customer, &new).await?;
            pending = Some(new);
        }
    }
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
    let mut json = record_json(&visible_view(contacts, &access), &record);
    if let Some(new) = pending {
        json["email_change"] = serde_json::json!({"pending": new});
    }
    Ok(Json(json))
}

/// How long the link confirming a new e-mail address works.
pub const EMAIL_CHANGE_TTL: time::Duration = time::Duration::hours(24);

/// Mails a confirmation link to the new address; nothing changes until it is used.
async fn request_email_change(state: &AppState, customer: &Customer, new: &str) -> ApiResult<()> {
    if state
        .store
        .other_portal_user_with_email(new, Some(customer.contact.id))
        .await?
    {
        return Err(Error::Conflict("portal user with this e-mail".into()).into());
    }
    let kit = crate::mailing::Kit::load(state).await?;
    let (token, digest) = crate::auth::new_token();
    let link = format!(
        "{}/email/confirm?token={token}",
        crate::mailing::portal_url(&kit.base_url, &customer.portal)
    );
    let title = &customer.portal.title;
    let company = &kit.company.name;
    let text = format!(
        "Please confirm that {new} is your new e-mail address for {title}:\n{link}\n\nThe link works once and for 24 hours. Until you confirm, you keep signing in with your current address.\n\n{company}\n"
    );
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = format!(
        "<p>Please confirm that <strong>{}</strong> is your new e-mail address for {}.</p><p><a href=\"{}\">Confirm my new address</a></p><p>The link works once and for 24 hours. Until you confirm, you keep signing in with your current address.</p><p>{}</p>",
        escape(new),
        escape(title),
        escape(&link),
        escape(company)
    );
    let effects = atrium_store::Effects {
        mails: vec![atrium_store::NewMail {
            to: new.to_owned(),
            subject: format!("Confirm your new e-mail address for {title}"),
            text,
            html,
            template: "email_change_confirmation".into(),
            contact: Some(customer.contact.id),
            ..atrium_store::NewMail::default()
        }],
        tokens: vec![atrium_store::NewToken {
            digest,
            kind: "email_change",
            contact: customer.contact.id,
            portal: Some(customer.portal.slug.clone()),
            payload: Some(new.to_owned()),
            ttl: EMAIL_CHANGE_TTL,
        }],
        revoke_tokens: vec![(customer.contact.id, "email_change")],
        activity: vec![atrium_store::NewActivity {
            contact: customer.contact.id,
            kind: "email_change_requested".into(),
            source: "email".into(),
            detail: format!("Confirmation sent to {new}"),
            record: None,
        }],
    };
    state.store.apply_effects(&effects).await?;
    Ok(())
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EmailConfirmation {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/email/confirm", tag = "portal", params(("slug" = String, Path)),
    request_body = EmailConfirmation,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_email(
    State(state): State<AppState>,
    crate::portal::context::PortalOf(portal): crate::portal::context::PortalOf,
    JsonBody(body): JsonBody<EmailConfirmation>,
) -> ApiResult<axum::http::StatusCode> {
    let bad_link = || {
        Error::field(
            "token",
            "this link is invalid, was already used or has expired",
        )
    };
    let digest = crate::auth::token_digest(body.token.trim());
    let token = state.store.token(&digest).await?.ok_or_else(bad_link)?;
    if token.kind != "email_change" || token.portal.as_deref() != Some(portal.slug.as_str()) {
        return Err(bad_link().into());
    }
    let new = token.payload.clone().ok_or_else(bad_link)?;
    if state
        .store
        .other_portal_user_with_email(&new, Some(token.contact))
        .await?
    {
        return Err(Error::Conflict("portal user with this e-mail".into()).into());
    }
    let token = state
        .store
        .use_token(&digest, "email_change")
        .await?
        .ok_or_else(bad_link)?;
    let contacts = state.store.module("contacts")?;
    state
        .store
        .update(
            contacts,
            token.contact,
            vec![("email".into(), atrium_core::Value::Text(new.clone()))],
            Actor::Contact(token.contact),
            None,
        )
        .await?;
    state
        .store
        .add_activity(
            token.contact,
            "email_changed",
            "portal",
            &format!("E-mail changed to {new}"),
            None,
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
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
