//! Portals, portal roles and company details, kept as validated JSON documents. Reads come
//! from [`Store::settings`] (kept in process while their version stands); every write moves
//! the version, so a change applies to the very next request on every instance.

use atrium_core::company::Company;
use atrium_core::portal::{Portal, PortalRole};
use atrium_core::record::now;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use uuid::Uuid;

use crate::Store;
use crate::db::Row;
use crate::settings::bump;

fn decode_portal(row: &Row) -> Result<Portal> {
    let document: String = row.get("document")?;
    serde_json::from_str(&document).map_err(|e| Error::Internal(format!("stored portal: {e}")))
}

fn decode_role(row: &Row) -> Result<PortalRole> {
    let permissions: String = row.get("permissions")?;
    Ok(PortalRole {
        id: Some(row.get("id")?),
        name: row.get("name")?,
        permissions: serde_json::from_str(&permissions)
            .map_err(|e| Error::Internal(format!("stored role: {e}")))?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(Error::internal)
}

impl Store {
    /// Creates the default portal when there is no portal at all (first start).
    pub async fn ensure_default_portal(&self) -> Result<()> {
        if self.portals().await?.is_empty() {
            match self.save_portal(None, Portal::default_portal()).await {
                // Another instance starting at the same time made it.
                Ok(_) | Err(Error::Conflict(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Every portal, the default first.
    pub async fn portals(&self) -> Result<Vec<Portal>> {
        Ok(self
            .settings()
            .await?
            .portals
            .iter()
            .map(|p| Portal::clone(p))
            .collect())
    }

    pub(crate) async fn load_portals(&self) -> Result<Vec<Portal>> {
        let select = Query::select()
            .column("document")
            .from("portals")
            .order_by("is_default", Order::Desc)
            .order_by("slug", Order::Asc)
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(decode_portal)
            .collect()
    }

    /// The first portal that `wanted` accepts, if any.
    async fn portal_where(&self, wanted: impl Fn(&Portal) -> bool) -> Result<Option<Portal>> {
        let settings = self.settings().await?;
        Ok(settings
            .portals
            .iter()
            .find(|p| wanted(p))
            .map(|p| Portal::clone(p)))
    }

    pub async fn portal(&self, slug: &str) -> Result<Option<Portal>> {
        self.portal_where(|p| p.slug == slug).await
    }

    pub async fn default_portal(&self) -> Result<Option<Portal>> {
        self.portal_where(|p| p.default).await
    }

    pub async fn portal_by_host(&self, host: &str) -> Result<Option<Portal>> {
        let host = host.to_lowercase();
        self.portal_where(|p| p.custom_host.as_deref() == Some(host.as_str()))
            .await
    }

    /// Creates (`replacing` None) or replaces the portal `replacing`. Exactly one portal is the
    /// default: making one the default clears the flag on the others. Deactivating a portal
    /// ends its sessions.
    pub async fn save_portal(&self, replacing: Option<&str>, portal: Portal) -> Result<Portal> {
        let at = now();
        let mut tx = self.db.begin().await?;
        let any_default = tx
            .fetch_optional(
                &Query::select()
                    .column("slug")
                    .from("portals")
                    .and_where(Expr::col("is_default").eq(true))
                    .take(),
            )
            .await?
            .map(|r| r.get::<String>("slug"))
            .transpose()?;
        let mut portal = portal;
        // The first portal is the default; the default stays the default until another takes over.
        if any_default.is_none()
            || any_default.as_deref() == replacing && !portal.default && replacing.is_some()
        {
            portal.default = true;
        }
        if portal.default {
            let others = Query::select()
                .columns(["slug", "document"])
                .from("portals")
                .and_where(Expr::col("is_default").eq(true))
                .take();
            for row in tx.fetch_all(&others).await? {
                let slug: String = row.get("slug")?;
                let mut other = decode_portal(&row)?;
                other.default = false;
                let update = Query::update()
                    .table("portals")
                    .value("is_default", false)
                    .value("document", to_json(&other)?)
                    .and_where(Expr::col("slug").eq(slug))
                    .take();
                tx.execute(&update).await?;
            }
        }
        match replacing {
            Some(old_slug) => {
                let update = Query::update()
                    .table("portals")
                    .value("slug", portal.slug.as_str())
                    .value("document", to_json(&portal)?)
                    .value("is_default", portal.default)
                    .value("custom_host", portal.custom_host.clone())
                    .value("updated_at", at)
                    .and_where(Expr::col("slug").eq(old_slug))
                    .take();
                if tx.execute(&update).await? == 0 {
                    return Err(Error::NotFound);
                }
                if !portal.active || old_slug != portal.slug {
                    let end = Query::delete()
                        .from_table("sessions")
                        .and_where(Expr::col("portal").eq(old_slug))
                        .take();
                    tx.execute(&end).await?;
                }
            }
            None => {
                let insert = Query::insert()
                    .into_table("portals")
                    .columns([
                        "slug",
                        "document",
                        "is_default",
                        "custom_host",
                        "updated_at",
                    ])
                    .values_panic([
                        portal.slug.clone().into(),
                        to_json(&portal)?.into(),
                        portal.default.into(),
                        portal.custom_host.clone().into(),
                        at.into(),
                    ])
                    .take();
                tx.execute(&insert).await?;
            }
        }
        tx.execute(&bump()).await?;
        tx.commit().await?;
        Ok(portal)
    }

    /// Deletes a portal; the default portal cannot be deleted.
    pub async fn delete_portal(&self, slug: &str) -> Result<()> {
        let portal = self.portal(slug).await?.ok_or(Error::NotFound)?;
        if portal.default {
            return Err(Error::Conflict(
                "default portal: make another portal the default first".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        tx.execute(
            &Query::delete()
                .from_table("portals")
                .and_where(Expr::col("slug").eq(slug))
                .take(),
        )
        .await?;
        tx.execute(
            &Query::delete()
                .from_table("sessions")
                .and_where(Expr::col("portal").eq(slug))
                .take(),
        )
        .await?;
        tx.execute(&bump()).await?;
        tx.commit().await
    }

    pub async fn portal_roles(&self) -> Result<Vec<PortalRole>> {
        let select = Query::select()
            .columns(["id", "name", "permissions"])
            .from("portal_roles")
            .order_by("name", Order::Asc)
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(decode_role)
            .collect()
    }

    pub async fn portal_role(&self, id: Uuid) -> Result<Option<PortalRole>> {
        let select = Query::select()
            .columns(["id", "name", "permissions"])
            .from("portal_roles")
            .and_where(Expr::col("id").eq(id))
            .take();
        self.db
            .fetch_optional(&select)
            .await?
            .as_ref()
            .map(decode_role)
            .transpose()
    }

    /// The roles with these ids (unknown ids are skipped).
    pub async fn portal_roles_by_id(&self, ids: &[Uuid]) -> Result<Vec<PortalRole>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let settings = self.settings().await?;
        Ok(settings
            .roles
            .iter()
            .filter(|role| role.id.is_some_and(|id| ids.contains(&id)))
            .map(|role| PortalRole::clone(role))
            .collect())
    }

    pub async fn save_portal_role(
        &self,
        id: Option<Uuid>,
        role: &PortalRole,
    ) -> Result<PortalRole> {
        let at = now();
        let permissions = to_json(&role.permissions)?;
        let mut tx = self.db.begin().await?;
        let id = match id {
            Some(id) => {
                let update = Query::update()
                    .table("portal_roles")
                    .value("name", role.name.trim())
                    .value("permissions", permissions)
                    .value("updated_at", at)
                    .and_where(Expr::col("id").eq(id))
                    .take();
                if tx.execute(&update).await? == 0 {
                    return Err(Error::NotFound);
                }
                id
            }
            None => {
                let id = Uuid::now_v7();
                let insert = Query::insert()
                    .into_table("portal_roles")
                    .columns(["id", "name", "permissions", "updated_at"])
                    .values_panic([
                        id.into(),
                        role.name.trim().into(),
                        permissions.into(),
                        at.into(),
                    ])
                    .take();
                tx.execute(&insert).await?;
                id
            }
        };
        tx.execute(&bump()).await?;
        tx.commit().await?;
        self.portal_role(id).await?.ok_or(Error::NotFound)
    }

    /// Deletes a portal role and removes it from every portal that lists it, so that what a
    /// portal's GET returns stays a valid PUT body.
    pub async fn delete_portal_role(&self, id: Uuid) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let delete = Query::delete()
            .from_table("portal_roles")
            .and_where(Expr::col("id").eq(id))
            .take();
        if tx.execute(&delete).await? == 0 {
            return Err(Error::NotFound);
        }
        let portals = Query::select()
            .columns(["slug", "document"])
            .from("portals")
            .take();
        for row in tx.fetch_all(&portals).await? {
            let mut portal = decode_portal(&row)?;
            if !portal.roles.contains(&id) {
                continue;
            }
            portal.roles.retain(|r| *r != id);
            let slug: String = row.get("slug")?;
            let update = Query::update()
                .table("portals")
                .value("document", to_json(&portal)?)
                .and_where(Expr::col("slug").eq(slug))
                .take();
            tx.execute(&update).await?;
        }
        tx.execute(&bump()).await?;
        tx.commit().await
    }

    pub async fn company(&self) -> Result<Company> {
        Ok(Company::clone(&self.settings().await?.company))
    }

    pub async fn save_company(&self, company: &Company) -> Result<()> {
        let insert = Query::insert()
            .into_table("company")
            .columns(["id", "document"])
            .values_panic([1_i64.into(), to_json(company)?.into()])
            .on_conflict(
                OnConflict::column("id")
                    .update_column("document")
                    .to_owned(),
            )
            .take();
        let mut tx = self.db.begin().await?;
        tx.execute(&insert).await?;
        tx.execute(&bump()).await?;
        tx.commit().await
    }

    /// Stores the logo's bytes and remembers where, replacing an earlier logo.
    pub async fn save_company_logo(&self, bytes: Vec<u8>, mime_type: &str) -> Result<()> {
        let company = self.company().await?;
        self.save_company(&company).await?;
        let key = format!("company/logo-{}", Uuid::now_v7());
        self.files.put(&key, bytes).await?;
        let old = self.company_logo().await?;
        let update = Query::update()
            .table("company")
            .value("logo_key", key.as_str())
            .value("logo_mime", mime_type)
            .and_where(Expr::col("id").eq(1_i64))
            .take();
        let saved = async {
            let mut tx = self.db.begin().await?;
            tx.execute(&update).await?;
            tx.execute(&bump()).await?;
            tx.commit().await
        };
        if let Err(err) = saved.await {
            let _ = self.files.delete(&key).await;
            return Err(err);
        }
        if let Some((old_key, _)) = old {
            let _ = self.files.delete(&old_key).await;
        }
        Ok(())
    }

    /// The logo's storage key and MIME type, if there is a logo.
    /// The company's details and whether it has a logo (every page shows both).
    pub async fn company_and_logo(&self) -> Result<(Company, bool)> {
        let settings = self.settings().await?;
        Ok((Company::clone(&settings.company), settings.has_logo))
    }

    pub(crate) async fn load_company_and_logo(&self) -> Result<(Company, bool)> {
        let select = Query::select()
            .columns(["document", "logo_key"])
            .from("company")
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => {
                let document: String = row.get("document")?;
                let company = serde_json::from_str(&document)
                    .map_err(|e| Error::Internal(format!("stored company: {e}")))?;
                Ok((company, row.get::<Option<String>>("logo_key")?.is_some()))
            }
            None => Ok((Company::default(), false)),
        }
    }

    pub async fn company_logo(&self) -> Result<Option<(String, String)>> {
        let select = Query::select()
            .columns(["logo_key", "logo_mime"])
            .from("company")
            .take();
        let Some(row) = self.db.fetch_optional(&select).await? else {
            return Ok(None);
        };
        Ok(
            match (
                row.get::<Option<String>>("logo_key")?,
                row.get::<Option<String>>("logo_mime")?,
            ) {
                (Some(key), Some(mime)) => Some((key, mime)),
                _ => None,
            },
        )
    }
}
