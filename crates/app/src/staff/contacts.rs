//! What staff writes to a contact must keep the portal consistent: `portal_roles` name existing
//! portal roles, `portals` existing portals, no two portal users sign in with one e-mail, and
//! a contact whose portal access is taken away or changed is signed out.

use std::collections::BTreeSet;

use atrium_core::kinds::TokenKind;
use atrium_core::validate::Changes;
use atrium_core::{Error, FieldError, Record, Value};
use atrium_store::{Store, Work};
use uuid::Uuid;

use crate::App;
use crate::mailing::{Invitation, Kit, contact_after, plan_invitation};

pub const CONTACTS: &str = "contacts";

/// What to do once a checked write has succeeded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AfterWrite {
    /// End every session of the contact (portal access removed or changed).
    pub end_sessions: bool,
}

fn list(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn changed<'a>(changes: &'a Changes, field: &str) -> Option<&'a Value> {
    changes.iter().find(|(f, _)| f == field).map(|(_, v)| v)
}

/// Checks a contact write by staff before it is made: `before` is the contact as stored (None
/// on create). Role ids are rewritten to their canonical form.
pub async fn check_write(
    store: &Store,
    before: Option<&Record>,
    changes: &mut Changes,
) -> Result<AfterWrite, Error> {
    // Entries the contact already holds are kept even when they no longer name anything (a
    // deleted role, a renamed portal), so that sending a contact back as read still works.
    let held = |field: &str| -> BTreeSet<String> {
        before
            .map(|b| list(b.get(field)))
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    let mut errors = Vec::new();
    for (field, value) in changes.iter_mut() {
        match field.as_str() {
            "portal_roles" => {
                if let Err(error) = canonical_roles(store, value, &held("portal_roles")).await? {
                    errors.push(error);
                }
            }
            "portals" => {
                let mut known: BTreeSet<String> =
                    store.portals().await?.into_iter().map(|p| p.slug).collect();
                known.extend(held("portals"));
                let unknown: Vec<String> = list(value)
                    .into_iter()
                    .filter(|slug| !known.contains(slug))
                    .collect();
                if !unknown.is_empty() {
                    errors.push(FieldError::new(
                        "portals",
                        format!("unknown portals: {}", unknown.join(", ")),
                    ));
                }
            }
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }

    let now = |field: &str| {
        changed(changes, field)
            .or_else(|| before.map(|b| b.get(field)))
            .unwrap_or(&Value::Null)
            .clone()
    };
    let portal_user = matches!(now("portal_user"), Value::Boolean(true));
    let touches_login =
        changed(changes, "portal_user").is_some() || changed(changes, "email").is_some();
    if portal_user
        && touches_login
        && let Value::Text(email) = now("email")
        && store
            .other_portal_user_with_email(&email, before.map(|b| b.id))
            .await?
    {
        return Err(Error::Conflict(
            "portal user with this e-mail address".into(),
        ));
    }

    let mut after = AfterWrite::default();
    if let Some(before) = before {
        let was_portal_user = matches!(before.get("portal_user"), Value::Boolean(true));
        if was_portal_user && !portal_user {
            after.end_sessions = true;
        }
        if let Some(portals) = changed(changes, "portals") {
            let old: BTreeSet<String> = list(before.get("portals")).into_iter().collect();
            let new: BTreeSet<String> = list(portals).into_iter().collect();
            if old != new {
                after.end_sessions = true;
            }
        }
    }
    Ok(after)
}

/// Rewrites a list of role ids to their canonical spelling; a malformed or unknown id that
/// the contact does not already hold is an error naming them all.
async fn canonical_roles(
    store: &Store,
    value: &mut Value,
    held: &BTreeSet<String>,
) -> Result<Result<(), FieldError>, Error> {
    let Value::List(items) = value else {
        return Ok(Ok(()));
    };
    let ids: Vec<Uuid> = items
        .iter()
        .filter_map(|item| Uuid::parse_str(item.trim()).ok())
        .collect();
    let found: BTreeSet<Uuid> = store
        .portal_roles_by_id(&ids)
        .await?
        .iter()
        .filter_map(|role| role.id)
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    let mut unknown = Vec::new();
    for item in items.iter() {
        let entry = match Uuid::parse_str(item.trim()) {
            Ok(id) if found.contains(&id) => id.to_string(),
            _ if held.contains(item) => item.clone(),
            _ => {
                unknown.push(item.clone());
                continue;
            }
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(FieldError::new(
            "portal_roles",
            format!("unknown portal roles: {}", unknown.join(", ")),
        )));
    }
    *items = out;
    Ok(Ok(()))
}

/// Carries out, in the write's transaction, what the checked write asked for.
pub async fn after_write(
    work: &mut Work<'_>,
    contact: Uuid,
    after: AfterWrite,
) -> Result<(), Error> {
    if after.end_sessions {
        work.end_customer_sessions(contact).await?;
        // Links already mailed would let them in again.
        work.revoke_tokens(contact, TokenKind::ALL).await?;
    }
    Ok(())
}

/// Everything needed to invite a contact, loaded before the write so that the invitation can be
/// planned inside the write's transaction (from the contact as it will be).
pub struct InvitePlanner {
    kit: Option<Kit>,
    contacts: atrium_core::ModuleDef,
    organizations: Option<atrium_core::ModuleDef>,
    organization: Option<Record>,
}

impl InvitePlanner {
    /// `inviting`: whether the write may turn portal access on; nothing is loaded otherwise.
    pub async fn load(
        app: &App,
        before: Option<&Record>,
        changes: &Changes,
        inviting: bool,
    ) -> Result<Self, Error> {
        let contacts = app.store.module(CONTACTS)?.clone();
        let organizations = app.store.registry().module("organizations").cloned();
        if !inviting {
            return Ok(Self {
                kit: None,
                contacts,
                organizations,
                organization: None,
            });
        }
        let organization_id = match changed(changes, "organization") {
            Some(value) => value.as_ref_id(),
            None => before.and_then(|b| b.get("organization").as_ref_id()),
        };
        let organization = match (organization_id, &organizations) {
            (Some(id), Some(module)) => match app.store.get(module, id).await {
                Ok(organization) => Some(organization),
                Err(Error::NotFound) => None,
                Err(other) => return Err(other),
            },
            _ => None,
        };
        Ok(Self {
            kit: Some(Kit::load(app).await?),
            contacts,
            organizations,
            organization,
        })
    }

    /// The invitation for the contact `id` once `changes` apply to `before`, if portal access
    /// is being turned on.
    pub fn plan(
        &self,
        id: Uuid,
        before: Option<&Record>,
        changes: &Changes,
    ) -> Result<Option<Invitation>, Error> {
        let Some(kit) = &self.kit else {
            return Ok(None);
        };
        let after = contact_after(id, before, changes);
        if after.get("portal_user") != &Value::Boolean(true) {
            return Ok(None);
        }
        plan_invitation(
            kit,
            &self.contacts,
            &after,
            self.organization.as_ref(),
            self.organizations.as_ref(),
        )
        .map(Some)
    }
}
