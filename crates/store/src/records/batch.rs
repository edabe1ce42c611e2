//! Bulk loading for seed and demo: multi-row inserts with numbers reserved in one step.

use atrium_core::record::now;
use atrium_core::validate::Changes;
use atrium_core::{ModuleDef, Result};
use sea_query::Query;
use time::OffsetDateTime;
use uuid::Uuid;

use super::*;
use crate::Store;

impl Store {
    /// Inserts many records in one transaction per call, with numbers allocated in one step;
    /// for bulk loading (seed, demo). Values are not validated: callers build them. Contacts
    /// loaded as portal users sign in once the loader calls [`Store::sync_portal_logins`].
    pub async fn insert_batch(
        &self,
        module: &ModuleDef,
        rows: Vec<(Uuid, Changes, OffsetDateTime)>,
        actor: Actor,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let first = reserve_numbers(&mut tx, module, rows.len() as i64).await?;
        // Stay under SQLite's bound-parameter limit with a multi-row INSERT per chunk.
        let per_row = HEADER.len() + 2 + module.fields.len();
        let chunk = (30_000 / per_row).max(1);
        for (chunk_index, part) in rows.chunks(chunk).enumerate() {
            let mut insert = Query::insert();
            insert
                .into_table(module.name.clone())
                .columns(insert_columns(module));
            for (i, (id, changes, at)) in part.iter().enumerate() {
                let sequence = first + (chunk_index * chunk + i) as i64;
                let number = module.format_number(sequence);
                insert.values_panic(insert_values(module, *id, &number, changes, actor, *at));
            }
            tx.execute(&insert).await?;
        }
        tx.commit().await
    }

    /// Links many pairs at once (bulk loading).
    pub async fn link_batch(&self, pairs: Vec<(String, Uuid, String, Uuid)>) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let at = now();
        let mut tx = self.db.begin().await?;
        for part in pairs.chunks(2_000) {
            let part: Vec<(&str, Uuid, &str, Uuid)> = part
                .iter()
                .map(|(m1, id1, m2, id2)| (m1.as_str(), *id1, m2.as_str(), *id2))
                .collect();
            tx.execute(&links_insert(&part, at)).await?;
        }
        tx.commit().await
    }
}
