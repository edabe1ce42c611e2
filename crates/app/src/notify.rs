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

use crate::App;
use crate::customer::contact_role_ids;
use crate::mailing::{Kit, Merge, mail_refusal, portal_url, record_fields};

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
    app: &App,
    module: &ModuleDef,
    record: &Record,
    update: &Update<'_>,
) -> Result<Effects> {
    let mut recipients = app.store.followers(&module.name, record.id).await?;
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
    let kit = Kit::load(app).await?;
    let contacts = app.store.module("contacts")?;
    let mut effects = Effects::default();
    for contact_id in recipients {
        // A follower deleted since is no one to tell; any other failure is the action's.
        let contact = match app.store.get(contacts, contact_id).await {
            Ok(contact) => contact,
            Err(atrium_core::Error::NotFound) => continue,
            Err(other) => return Err(other),
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
        let roles = app.store.portal_roles_by_id(&role_ids).await?;
        let access = Access {
            registry: app.store.registry(),
            portal: &portal,
            roles: roles.iter().collect(),
            customer: Customer {
                contact: contact.id,
                organization: contact.get("organization").as_ref_id(),
            },
        };
        let read = access.read_filter(module);
        if !app.store.matches(module, record.id, &read).await? {
            continue;
        }
        let module_access = access.module(module);
        if let Some(mail) = compose(
            app,
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
    app: &App,
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
    let mut payload = app
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
    let merge = Merge {
        record: Some(fields),
        comment: Some(comment),
        link: url,
        ..Merge::default()
    };
    let mail = kit.mail(
        "record_updated",
        email,
        contacts,
        contact,
        portal,
        merge,
        Some(contact.id),
    )?;
    Ok(Some(NewMail {
        batch_key: Some(key),
        payload: Some(payload),
        not_before: Some(atrium_core::record::now() + BATCH_WINDOW),
        ..mail
    }))
}

/// The `staff_customer_activity` mail to staff when a customer creates a case or ticket or
/// comments: everything it needs is loaded by [`StaffNotice::load`] before the action's
/// transaction, and [`StaffNotice::render`] composes it inside, from the record as written.
pub struct StaffNotice {
    kit: Kit,
    portal: Portal,
    to: String,
    organization: Option<serde_json::Value>,
}

impl StaffNotice {
    /// The notice to the record's assignee (`assigned_to`), else the portal's default assignee;
    /// None when that is nobody, or a user who is not active.
    pub async fn load(
        app: &App,
        portal: &Portal,
        assigned_to: Option<uuid::Uuid>,
        customer: &Record,
    ) -> Result<Option<StaffNotice>> {
        let Some(user) = assigned_to.or(portal.default_assignee) else {
            return Ok(None);
        };
        let Some(user) = app.store.staff_user(user).await?.filter(|u| u.active) else {
            return Ok(None);
        };
        let organization = match (
            customer.get("organization").as_ref_id(),
            app.store.registry().module("organizations"),
        ) {
            (Some(id), Some(organizations)) => match app.store.get(organizations, id).await {
                Ok(org) => Some(serde_json::Value::Object(record_fields(
                    organizations,
                    &org,
                ))),
                Err(atrium_core::Error::NotFound) => None,
                Err(other) => return Err(other),
            },
            _ => None,
        };
        Ok(Some(StaffNotice {
            kit: Kit::load(app).await?,
            portal: portal.clone(),
            to: user.email,
            organization,
        }))
    }

    /// The mail about `record` (as written) of `module`, by the contact `customer`.
    pub fn render(
        &self,
        contacts: &ModuleDef,
        module: &ModuleDef,
        record: &Record,
        customer: &Record,
        comment: Option<&str>,
    ) -> Result<NewMail> {
        let kit = &self.kit;
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
        let author = atrium_core::record::label_of(contacts, |f| customer.values.get(f));
        let merge = Merge {
            organization: self.organization.clone(),
            record: Some(fields),
            comment: Some(json!(
                comment.map(|body| json!({"body": body, "author": author}))
            )),
            link: url,
            ..Merge::default()
        };
        kit.mail(
            "staff_customer_activity",
            self.to.clone(),
            contacts,
            customer,
            &self.portal,
            merge,
            None,
        )
    }
}
