//! Atrium's storage: one [`Store`] over SQLite or PostgreSQL (the same code for both, queries
//! built with sea-query), the migrations, and the object store that keeps document files.
//!
//! Invariant: every SQL statement is built here; no other crate sees SQL.

pub mod aggregates;
pub mod comments;
pub mod customers;
pub mod db;
pub mod files;
pub mod lender;
pub mod logins;
pub mod mail;
pub mod outbox;
pub mod portals;
pub mod records;
pub mod schema;
pub mod search;
pub mod settings;
mod shapes;
pub mod timeline;
mod totals;
pub mod users;
pub mod work;

use std::sync::Arc;

use atrium_core::Registry;

pub use comments::Comment;
pub use customers::{ActivityEntry, CustomerSession};
pub use db::{Backend, Db, PoolStats, Workload};
pub use files::{Files, Upload};
pub use mail::{Effects, NewActivity, NewMail, NewToken};
pub use outbox::{AttemptOutcome, Backoff, OutboxEntry, OutboxMail};
pub use records::{Actor, Changed, Checked, ListProbe, Page, Questions, UpdateEntry};
pub use search::SearchHit;
pub use timeline::Timeline;
pub use users::{Role, SessionKind, StaffUser};
pub use work::Work;

/// The storage every handler and command goes through.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// The database for statements planned once (see [`Store::with_generic_plans`]).
    generic_plans: Db,
    registry: Arc<Registry>,
    files: Files,
    settings: Arc<settings::SettingsCache>,
    /// Statements kept by their shape (see `shapes`).
    shapes: Arc<shapes::Shapes>,
    /// Large totals of lists, kept until their modules change (see `totals`).
    totals: Arc<totals::Totals>,
}

impl Store {
    /// Connects, brings the schema up to date and opens the file storage.
    pub async fn open(
        database_url: &str,
        storage_url: &str,
        registry: Registry,
    ) -> anyhow::Result<Self> {
        Self::open_for(database_url, storage_url, registry, Workload::Requests).await
    }

    /// [`Store::open`] with connections tuned for `workload`.
    pub async fn open_for(
        database_url: &str,
        storage_url: &str,
        registry: Registry,
        workload: Workload,
    ) -> anyhow::Result<Self> {
        let db = Db::connect_for(database_url, workload).await?;
        schema::migrate(&db, &registry).await?;
        let files = Files::open(storage_url)?;
        let generic_plans = db.with_generic_plans(database_url)?;
        let store = Self {
            db,
            generic_plans,
            registry: Arc::new(registry),
            files,
            settings: Arc::default(),
            shapes: Arc::default(),
            totals: Arc::default(),
        };
        store.ensure_default_portal().await?;
        store.sync_portal_logins().await?;
        Ok(store)
    }

    /// Drops the module tables' secondary indexes for a bulk load; see [`schema::drop_indexes`].
    pub async fn drop_indexes(&self) -> atrium_core::Result<()> {
        schema::drop_indexes(&self.db, &self.registry).await
    }

    /// Builds the indexes again after a bulk load.
    pub async fn rebuild_indexes(&self) -> atrium_core::Result<()> {
        schema::rebuild_indexes(&self.db, &self.registry).await
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// This store, its statements planned once for any values: for reads whose statements'
    /// shape alone decides their best plan (see [`Db::with_generic_plans`]). The home's
    /// widgets are such reads — a customer's access rules with the customer's ids bound,
    /// whose generic plans `bench/query_plans.py` prints — while a staff list filtered by a
    /// common value is not (its plan for any value would not use the value's index).
    pub fn with_generic_plans(&self) -> Store {
        Store {
            db: self.generic_plans.clone(),
            ..self.clone()
        }
    }

    /// Closes the connections to the database.
    pub async fn close(&self) {
        self.db.close().await;
        self.generic_plans.close().await;
    }
}
