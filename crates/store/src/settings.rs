//! Portals, portal roles and the company: read on every request, so kept in process. One
//! small statement reads the settings' version; only when it moved are the documents read
//! again. Every write to them moves the version in the same transaction, so a change made
//! through any instance applies to the very next request on all of them.

use std::sync::{Arc, RwLock};

use atrium_core::audience::Audiences;
use atrium_core::company::Company;
use atrium_core::portal::{Portal, PortalRole};
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, Query, UpdateStatement};

use crate::Store;

/// The portals, roles and company as one version of them.
#[derive(Debug)]
pub struct Settings {
    pub version: i64,
    /// The default portal first, then by slug. Shared, so a request holds its portal and
    /// roles without copying them.
    pub portals: Vec<Arc<Portal>>,
    pub roles: Vec<Arc<PortalRole>>,
    /// Shared, like the portals: each request's front holds it without copying it.
    pub company: Arc<Company>,
    pub has_logo: bool,
    /// What each portal shows each set of roles, worked out as requests need it.
    pub audiences: Audiences,
}

/// The last settings read, shared by the clones of a [`Store`].
#[derive(Debug, Default)]
pub(crate) struct SettingsCache(RwLock<Option<Arc<Settings>>>);

impl SettingsCache {
    fn current(&self, version: i64) -> Option<Arc<Settings>> {
        let held = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        held.as_ref().filter(|s| s.version == version).cloned()
    }

    fn keep(&self, settings: Arc<Settings>) {
        let mut held = self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A slower reader must not put back an older version than one already kept.
        if held.as_ref().is_none_or(|s| s.version <= settings.version) {
            *held = Some(settings);
        }
    }
}

/// The statement every write to portals, roles or the company runs in its transaction.
pub(crate) fn bump() -> UpdateStatement {
    Query::update()
        .table("settings_version")
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("id").eq(1))
        .take()
}

impl Store {
    /// The settings as they are now: the kept copy when its version is current.
    pub async fn settings(&self) -> Result<Arc<Settings>> {
        let select = Query::select()
            .column("version")
            .from("settings_version")
            .and_where(Expr::col("id").eq(1))
            .take();
        let version: i64 = self
            .db
            .fetch_optional(&select)
            .await?
            .ok_or_else(|| Error::Internal("no settings version".into()))?
            .get("version")?;
        self.settings_at(version).await
    }

    /// The settings at `version`, just read from the database: the kept copy when it is of
    /// that version, else read again and kept.
    pub(crate) async fn settings_at(&self, version: i64) -> Result<Arc<Settings>> {
        if let Some(current) = self.settings.current(version) {
            return Ok(current);
        }
        // Read after the version: what is read is at least as new as the version it is kept
        // under (a change in between only means one more read next time).
        let (company, has_logo) = self.load_company_and_logo().await?;
        let settings = Arc::new(Settings {
            version,
            portals: self
                .load_portals()
                .await?
                .into_iter()
                .map(Arc::new)
                .collect(),
            roles: self
                .portal_roles()
                .await?
                .into_iter()
                .map(Arc::new)
                .collect(),
            company: Arc::new(company),
            has_logo,
            audiences: Audiences::default(),
        });
        self.settings.keep(Arc::clone(&settings));
        Ok(settings)
    }
}
