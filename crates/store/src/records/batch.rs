//! Bulk loading for seed and demo: multi-row inserts with numbers reserved in one step.

use atrium_core::record::now;
use atrium_core::validate::Changes;
use atrium_core::{ModuleDef, Result};
use sea_query::{InsertStatement, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use super::*;
use crate::Store;

/// Rows of one module to load: id, values and creation time of each.
type Rows = Vec<(Uuid, Changes, OffsetDateTime)>;

/// Links to load: (module, id, other module, other id).
type Links = Vec<(String, Uuid, String, Uuid)>;

impl Store {
    /// Inserts many records of one module in one transaction, with numbers allocated in one
    /// step; for bulk loading (seed, demo). Values are not validated: callers build them.
    /// Contacts loaded as portal users sign in once the loader calls
    /// [`Store::sync_portal_logins`].
    pub async fn insert_batch(&self, module: &ModuleDef, rows: Rows, actor: Actor) -> Result<()> {
        self.load(vec![(module, rows)], Vec::new(), actor).await
    }

    /// Inserts the records of several modules and links between them in one transaction: the
    /// numbers of each module reserved first, then multi-row inserts, each made while the one
    /// before runs, from the first module's rows to the last link.
    pub async fn load(
        &self,
        parts: Vec<(&ModuleDef, Rows)>,
        links: Links,
        actor: Actor,
    ) -> Result<()> {
        let parts: Vec<_> = parts
            .into_iter()
            .filter(|(_, rows)| !rows.is_empty())
            .collect();
        if parts.is_empty() && links.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let mut firsts = Vec::with_capacity(parts.len());
        for (module, rows) in &parts {
            tx.changes_records_of(&module.name);
            firsts.push(reserve_numbers(&mut tx, module, rows.len() as i64).await?);
        }
        for (m1, _, m2, _) in &links {
            tx.changes_records_of(m1);
            tx.changes_records_of(m2);
        }
        tx.execute_each(load_inserts(&parts, firsts, &links, actor))
            .await?;
        tx.commit().await
    }
}

// The statements are made lazily, each while the one before runs (`Tx::execute_each`). These
// are functions rather than closures in place so that the iterators' types are plainly `Send`.

/// Multi-row inserts of each part's rows, numbered from its first number, then of `links`.
fn load_inserts<'a>(
    parts: &'a [(&'a ModuleDef, Rows)],
    firsts: Vec<i64>,
    links: &'a [(String, Uuid, String, Uuid)],
    actor: Actor,
) -> impl Iterator<Item = InsertStatement> + Send + 'a {
    parts
        .iter()
        .zip(firsts)
        .flat_map(move |((module, rows), first)| record_inserts(module, rows, first, actor))
        .chain(link_inserts(links, now()))
}

/// Multi-row inserts of `rows`, numbered from `first`.
fn record_inserts<'a>(
    module: &'a ModuleDef,
    rows: &'a [(Uuid, Changes, OffsetDateTime)],
    first: i64,
    actor: Actor,
) -> impl Iterator<Item = InsertStatement> + Send + 'a {
    // Stay under SQLite's bound-parameter limit with a multi-row INSERT per chunk.
    let per_row = HEADER.len() + 2 + module.fields.len();
    let chunk = (30_000 / per_row).max(1);
    rows.chunks(chunk)
        .enumerate()
        .map(move |(chunk_index, part)| {
            let mut insert = Query::insert();
            insert
                .into_table(module.name.clone())
                .columns(insert_columns(module));
            for (i, (id, changes, at)) in part.iter().enumerate() {
                let sequence = first + (chunk_index * chunk + i) as i64;
                let number = module.format_number(sequence);
                insert.values_panic(insert_values(module, *id, &number, changes, actor, *at));
            }
            insert
        })
}

/// Multi-row inserts of the links `pairs`.
fn link_inserts(
    pairs: &[(String, Uuid, String, Uuid)],
    at: OffsetDateTime,
) -> impl Iterator<Item = InsertStatement> + Send + '_ {
    pairs.chunks(2_000).map(move |part| {
        let part: Vec<(&str, Uuid, &str, Uuid)> = part
            .iter()
            .map(|(m1, id1, m2, id2)| (m1.as_str(), *id1, m2.as_str(), *id2))
            .collect();
        links_insert(&part, at)
    })
}
