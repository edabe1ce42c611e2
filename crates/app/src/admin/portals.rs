//! Portals: each is one customer-facing site (its modules, fields, home page and roles),
//! edited by admins as one JSON document.

use std::collections::BTreeSet;

use atrium_core::portal::Portal;
use atrium_core::{Error, FieldError, Result};
use serde_json::Value;
use uuid::Uuid;

use super::{from_document, validation};
use crate::App;
use crate::staff::Staff;

impl App {
    /// Every portal.
    pub async fn list_portals(&self, admin: &Staff) -> Result<Vec<Portal>> {
        admin.require_admin()?;
        self.store.portals().await
    }

    /// The portal `slug`.
    pub async fn read_portal(&self, admin: &Staff, slug: &str) -> Result<Portal> {
        admin.require_admin()?;
        self.store.portal(slug).await?.ok_or(Error::NotFound)
    }

    /// A new portal from its document.
    pub async fn create_portal(&self, admin: &Staff, document: Value) -> Result<Portal> {
        admin.require_admin()?;
        let portal = self.checked_portal(document, None).await?;
        self.store.save_portal(None, portal).await
    }

    /// Replaces the portal `slug` by a document. The slug itself cannot change: contacts'
    /// `portals`, FAQs' `portals` and links in e-mails name it.
    pub async fn replace_portal(
        &self,
        admin: &Staff,
        slug: &str,
        mut document: Value,
    ) -> Result<Portal> {
        admin.require_admin()?;
        if self.store.portal(slug).await?.is_none() {
            return Err(Error::NotFound);
        }
        if let Some(object) = document.as_object_mut() {
            match object.get("slug") {
                None | Some(Value::Null) => {
                    object.insert("slug".into(), Value::String(slug.to_owned()));
                }
                Some(Value::String(sent)) if sent.trim().to_lowercase() == slug => {
                    object.insert("slug".into(), Value::String(slug.to_owned()));
                }
                Some(Value::String(_)) => {
                    return Err(Error::field(
                        "slug",
                        "cannot change; create a new portal instead",
                    ));
                }
                Some(_) => return Err(Error::field("slug", "must be a string")),
            }
        }
        let portal = self.checked_portal(document, Some(slug)).await?;
        self.store.save_portal(Some(slug), portal).await
    }

    /// Deletes the portal `slug`; the default portal cannot be deleted (409).
    pub async fn delete_portal(&self, admin: &Staff, slug: &str) -> Result<()> {
        admin.require_admin()?;
        self.store.delete_portal(slug).await
    }

    /// Parses and checks a portal document: its own rules, an active default assignee, known
    /// roles, and a custom host and slug no other portal has. `replacing` is the slug of the
    /// portal it replaces.
    async fn checked_portal(&self, document: Value, replacing: Option<&str>) -> Result<Portal> {
        let portal = from_document::<Portal>(document)?.normalized();
        let mut errors = portal.validate(self.store.registry());
        if let Some(id) = portal.default_assignee {
            let active = self
                .store
                .staff_user(id)
                .await?
                .is_some_and(|user| user.active);
            if !active {
                errors.push(FieldError::new(
                    "default_assignee",
                    "must be an active staff user",
                ));
            }
        }
        if let Some(unknown) = self.unknown_roles(&portal.roles).await? {
            errors.push(unknown);
        }
        validation(errors)?;
        if let Some(host) = &portal.custom_host
            && let Some(other) = self.store.portal_by_host(host).await?
            && Some(other.slug.as_str()) != replacing
        {
            return Err(Error::Conflict(format!(
                "portal with the custom host {host}"
            )));
        }
        if replacing != Some(portal.slug.as_str())
            && self.store.portal(&portal.slug).await?.is_some()
        {
            return Err(Error::Conflict(format!(
                "portal with the slug {}",
                portal.slug
            )));
        }
        Ok(portal)
    }

    /// The problem with `roles` if some of them do not exist.
    async fn unknown_roles(&self, roles: &[Uuid]) -> Result<Option<FieldError>> {
        let wanted: BTreeSet<Uuid> = roles.iter().copied().collect();
        if wanted.is_empty() {
            return Ok(None);
        }
        let ids: Vec<Uuid> = wanted.iter().copied().collect();
        let found: BTreeSet<Uuid> = self
            .store
            .portal_roles_by_id(&ids)
            .await?
            .iter()
            .filter_map(|role| role.id)
            .collect();
        let unknown: Vec<String> = wanted.difference(&found).map(ToString::to_string).collect();
        Ok((!unknown.is_empty()).then(|| {
            FieldError::new(
                "roles",
                format!("unknown portal roles: {}", unknown.join(", ")),
            )
        }))
    }
}
