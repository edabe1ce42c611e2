//! Who hears of what: customers who follow a record (and the record's contact) get
//! `record_updated` when staff reply or change its status — only for records they can see,
//! only the fields they can see, never when they turned it off, and replies within a few
//! minutes merged into one mail; staff get `staff_customer_activity` when a customer creates
//! a case or ticket or comments.

use atrium_core::access::{Access, Customer, visible_view};
use atrium_core::portal::{FieldAccess, Portal};
use atrium_core::{ModuleDef, Record, Result, Value};
use atrium_store::{Effects, NewMail};
use serde_json::json;
use time::Duration;

use crate::AppState;
use crate::mailing::{Kit, mail_refusal, portal_url, record_fields};
use crate::portal::context::contact_role_ids;

/// Staff replies to one record within this window reach a customer as one mail.
pub const BATCH_WINDOW: Duration = Duration::minutes(3);

/// What happened, as staff did it.
pub struct Update<'a> {
    /// A non-internal staff comment: (body, author name).
    pub comment: Option<(&'a str, &'a str)>,
    /// A status change: (old, new).
    pub status: Option<(String, String)>,
}

/// The `record_updated` mails for `record` of `module` after `update`.
pub async fn record_updated(
    state: &AppState,
    module: &ModuleDef,
    record: &Record,
    update: &Update<'_>,
) -> Result<Effects> {
    let mut recipients = state.store.followers(&module.name, record.id).await?;
    for field in module
        .fields
        .iter()
        .filter(|f| !f.system && f.references() == Some("contacts"))
    {
        if let Some(id) = record.get(&field.name).as_ref_id()
            && !recipients.contains(&id)
        {
            recipients.push(id);
        }
    }
    if recipients.is_empty() {
        return Ok(Effects::default());
    }
    let kit = Kit::load(state).await?;
    let contacts = state.store.module("contacts")?;
    let mut effects = Effects::default();
    for contact_id in recipients {
        let Ok(contact) = state.store.get(contacts, contact_id).await else {
            continue;
        };
        if contact.get("portal_user") != &Value::Boolean(true)
            || contact.get("notify_on_updates") == &Value::Boolean(false)
        {
            continue;
        }
        let Some(portal) = kit.portal_of(&contact).cloned() else {
            continue;
        };
        if mail_refusal(&kit, &contact, Some(&portal)).is_some() {
            continue;
        }
        let mut role_ids = portal.roles.clone();
        role_ids.extend(contact_role_ids(&contact));
        let roles = state.store.portal_roles_by_id(&role_ids).await?;
        let access = Access {
            registry: state.store.registry(),
            portal: &portal,
            roles: roles.iter().collect(),
            customer: Customer {
                contact: contact.id,
                organization: contact.get("organization").as_ref_id(),
            },
        };
        let read = access.read_filter(module);
        if !state.store.matches(module, record.id, &read).await? {
            continue;
        }
        let module_access = access.module(module);
        if let Some(mail) = compose(
            state,
            &kit,
            &portal,
            module,
            record,
            &module_access,
            &contact,
            contacts,
            update,
        )
        .await?
        {
            effects.mails.push(mail);
        }
    }
    Ok(effects)
}

#[allow(clippy::too_many_arguments)]
async fn compose(
    state: &AppState,
    kit: &Kit,
    portal: &Portal,
    module: &ModuleDef,
    record: &Record,
    access: &atrium_core::access::ModuleAccess,
    contact: &Record,
    contacts: &ModuleDef,
    update: &Update<'_>,
) -> Result<Option<NewMail>> {
    let Some(email) = contact.get("email").as_text().map(str::to_owned) else {
        return Ok(None);
    };
    let mut line = None;
    if let Some((old, new)) = &update.status
        && access.field("status") != FieldAccess::Hidden
    {
        line = Some(format!("Status: {old} → {new}"));
    }
    if line.is_none() && update.comment.is_none() {
        return Ok(None);
    }
    let key = format!(
        "record_updated:{}:{}:{}",
        contact.id, module.name, record.id
    );
    let mut payload = state
        .store
        .queued_batch(&key)
        .await?
        .unwrap_or_else(|| json!({"changes": [], "comments": []}));
    if let Some(line) = line
        && let Some(changes) = payload["changes"].as_array_mut()
    {
        changes.push(json!(line));
    }
    if let Some((body, author)) = update.comment
        && let Some(comments) = payload["comments"].as_array_mut()
    {
        comments.push(json!({"body": body, "author": author}));
    }
    let mut changes: Vec<serde_json::Value> =
        payload["changes"].as_array().cloned().unwrap_or_default();
    let comments = payload["comments"].as_array().cloned().unwrap_or_default();
    for comment in &comments {
        changes.push(json!(format!(
            "{} replied",
            comment["author"].as_str().unwrap_or("We")
        )));
    }
    let view = visible_view(module, access);
    let base = portal_url(&kit.base_url, portal);
    let url = format!("{base}/records/{}/{}", module.name, record.id);
    let mut fields = record_fields(&view, record);
    let label_visible = module.label_fields.iter().all(|f| view.has_field(f));
    let label = if label_visible {
        atrium_core::record::label_of(module, |f| record.values.get(f))
    } else {
        record.number.clone()
    };
    fields.insert("label".into(), json!(label));
    fields.insert("module".into(), json!(module.name));
    fields.insert("module_label".into(), json!(module.singular_label));
    fields.insert("url".into(), json!(url));
    fields.insert("changes".into(), json!(changes));
    let comment = comments.last().cloned().unwrap_or(serde_json::Value::Null);
    let context = json!({
        "contact": record_fields(contacts, contact),
        "organization": serde_json::Value::Null,
        "portal": kit.portal_json(portal),
        "company": kit.company_json(),
        "record": fields,
        "comment": comment,
        "link": url,
        "support_end_date": serde_json::Value::Null,
    });
    let rendered = kit.render("record_updated", &context)?;
    Ok(Some(NewMail {
        to: email,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        template: "record_updated".into(),
        contact: Some(contact.id),
        batch_key: Some(key),
        payload: Some(payload),
        not_before: Some(atrium_core::record::now() + BATCH_WINDOW),
    }))
}

/// The `staff_customer_activity` mail to the record's assigned user, else the portal's
/// default assignee, when a customer created `record` or commented on it.
pub async fn customer_activity(
    state: &AppState,
    portal: &Portal,
    module: &ModuleDef,
    record: &Record,
    customer: &Record,
    comment: Option<&str>,
) -> Result<Effects> {
    let assignee = record
        .get("assigned_to")
        .as_ref_id()
        .or(portal.default_assignee);
    let Some(user) = assignee else {
        return Ok(Effects::default());
    };
    let Some(user) = state.store.staff_user(user).await?.filter(|u| u.active) else {
        return Ok(Effects::default());
    };
    let kit = Kit::load(state).await?;
    let contacts = state.store.module("contacts")?;
    let organization = match (
        customer.get("organization").as_ref_id(),
        state.store.registry().module("organizations"),
    ) {
        (Some(id), Some(organizations)) => state
            .store
            .get(organizations, id)
            .await
            .ok()
            .map(|org| serde_json::Value::Object(record_fields(organizations, &org))),
        _ => None,
    };
    let url = format!(
        "{}/api/v1/records/{}/{}",
        kit.base_url, module.name, record.id
    );
    let mut fields = record_fields(module, record);
    fields.insert(
        "label".into(),
        json!(atrium_core::record::label_of(module, |f| record
            .values
            .get(f))),
    );
    fields.insert("module".into(), json!(module.name));
    fields.insert("module_label".into(), json!(module.singular_label));
    fields.insert("url".into(), json!(url));
    let context = json!({
        "contact": record_fields(contacts, customer),
        "organization": organization,
        "portal": kit.portal_json(portal),
        "company": kit.company_json(),
        "record": fields,
        "comment": comment.map(|body| json!({"body": body, "author": atrium_core::record::label_of(contacts, |f| customer.values.get(f))})),
        "link": url,
        "support_end_date": serde_json::Value::Null,
    });
    let rendered = kit.render("staff_customer_activity", &context)?;
    Ok(Effects {
        mails: vec![NewMail {
            to: user.email,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            template: "staff_customer_activity".into(),
            contact: None,
            ..NewMail::default()
        }],
        ..Effects::default()
    })
}
