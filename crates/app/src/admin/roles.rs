//! Portal roles: named sets of per-module grants that portals and contacts refer to by id.

use atrium_core::portal::PortalRole;
use atrium_core::{Error, RecordId, Result};
use serde_json::Value;
use uuid::Uuid;

use super::{from_document, validation};
use crate::App;
use crate::staff::Staff;

fn role_id(id: &str) -> Result<Uuid> {
    Ok(RecordId::parse(id)?.0)
}

impl App {
    /// Every portal role.
    pub async fn list_portal_roles(&self, admin: &Staff) -> Result<Vec<PortalRole>> {
        admin.require_admin()?;
        self.store.portal_roles().await
    }

    /// The portal role `id`.
    pub async fn read_portal_role(&self, admin: &Staff, id: &str) -> Result<PortalRole> {
        admin.require_admin()?;
        self.store
            .portal_role(role_id(id)?)
            .await?
            .ok_or(Error::NotFound)
    }

    /// A new portal role from its document.
    pub async fn create_portal_role(&self, admin: &Staff, document: Value) -> Result<PortalRole> {
        admin.require_admin()?;
        let role = self.checked_role(document)?;
        self.store.save_portal_role(None, &role).await
    }

    /// Replaces the portal role `id` by a document.
    pub async fn replace_portal_role(
        &self,
        admin: &Staff,
        id: &str,
        document: Value,
    ) -> Result<PortalRole> {
        admin.require_admin()?;
        let id = role_id(id)?;
        if self.store.portal_role(id).await?.is_none() {
            return Err(Error::NotFound);
        }
        let role = self.checked_role(document)?;
        self.store.save_portal_role(Some(id), &role).await
    }

    /// Deletes the portal role `id`.
    pub async fn delete_portal_role(&self, admin: &Staff, id: &str) -> Result<()> {
        admin.require_admin()?;
        self.store.delete_portal_role(role_id(id)?).await
    }

    /// Parses and checks a role document.
    fn checked_role(&self, mut document: Value) -> Result<PortalRole> {
        // The id comes from the path (or is new); the one a read returned may be sent back.
        if let Some(object) = document.as_object_mut() {
            object.remove("id");
        }
        let role = from_document::<PortalRole>(document)?;
        validation(role.validate(self.store.registry()))?;
        Ok(role)
    }
}
