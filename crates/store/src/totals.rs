//! The totals of lists, kept until the records they count change.
//!
//! Every list answers with the exact count of the records matching it. For a staff list of
//! the open cases that is an index scan of a quarter of the table on every request, though
//! the same rows were counted a moment before. So each module has a version
//! (`record_versions`) that every transaction writing the module's records or their
//! links moves as it commits (`Tx::changes_records_of`, then `Tx::commit`), and a large count
//! is kept with the sum of the versions of the modules its condition reads. A count statement
//! is asked for the versions only once it has counted a large total (for any values): a
//! customer's lists, a few records each, are counted plainly, as cheaply as before.
//!
//! Why a kept total is never wrong, on any instance: the count statement reads that sum and,
//! only when it differs from the kept one, counts again — both in one statement, so in one
//! snapshot of the database. A sum that did not move means no transaction visible to the
//! statement changed those modules since the kept count was taken (versions only grow); a
//! count made again comes with the sum read beside it, so it is kept with the versions of the
//! very rows it counted.
//!
//! A large count is first asked for its kept total without counting (the sum, and the kept
//! total if the sum stands); only when the sum moved is it counted, then by one request per
//! instance for each sum found: the others that find the same sum wait for that count (see
//! [`Flight`]). Right after a write, the requests of a busy list would otherwise all count
//! the same rows at once.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use atrium_core::query::Filter;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_query_sqlx::SqlxValues;
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

use tokio::sync::watch;

use crate::db::{Backend, Db, Rendered};

/// A total under this is counted on every request: counting it costs about what keeping it
/// does, and the many small lists of customers would crowd out the large ones.
const KEEP_FROM: i64 = 1000;

/// How many totals a store keeps (each under its statement's text); when the limit is
/// reached the kept ones are dropped and counted again as they are asked for.
const KEPT_TOTALS: usize = 1024;

/// The large totals a store has counted, by their count statement and its values.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    kept: Mutex<HashMap<String, Kept>>,
    /// The count statements (their SQL, whatever the values) that have counted a large
    /// total: only these are asked for their versions. A customer's lists, a few records
    /// each, are counted as they always were.
    large: RwLock<HashSet<String>>,
    /// The large counts under way, by the key their total is kept under (see [`Flight`]).
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

#[derive(Debug, Clone, Copy)]
struct Kept {
    version: i64,
    total: i64,
}

/// A count under way after the versions of its modules were found at `version`: a request
/// of the same list that finds the same versions waits for its total instead of counting too.
/// Right after a write, every request of a large list in flight would otherwise count the
/// same rows at once (32 counts of a quarter of a million cases, each slowing the others).
///
/// Why the total is right for the waiting request: the waiter read the versions after it
/// began, and found them as the counter had before its count; versions only grow and move in
/// the very transaction that writes, so the modules' rows were the same at both reads, and
/// the count, made after the counter's read, saw them so or younger.
#[derive(Debug)]
struct Flight {
    version: i64,
    total: watch::Receiver<Option<i64>>,
}

/// A count under way, registered until it is dropped — when the count lands, fails, or its
/// request is cut short — so that no later request waits for a count that will never land.
struct Boarded<'a> {
    flights: &'a Mutex<HashMap<String, Arc<Flight>>>,
    key: String,
    flight: Arc<Flight>,
}

impl Drop for Boarded<'_> {
    fn drop(&mut self) {
        // A panic while the map was held leaves it whole (inserts and removes only).
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A later count of the same list (of newer versions) may have taken the place.
        if flights
            .get(&self.key)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            flights.remove(&self.key);
        }
    }
}

/// What a count statement answers and with which versions of its modules.
struct Answer {
    total: Option<i64>,
    version: i64,
}

impl Totals {
    /// The total of `count` (a `SELECT COUNT(*) AS n` of `module`'s records matching
    /// `filter`): kept while the versions of the modules it reads stay as they were, else
    /// counted, once on this instance for all the requests that find the same versions.
    pub(crate) async fn total(
        &self,
        db: &Db,
        (sql, SqlxValues(values)): Rendered,
        module: &str,
        filter: &Filter,
    ) -> Result<u64> {
        let large = self
            .large
            .read()
            .map_err(|_| Error::Internal("kept totals poisoned".into()))?
            .contains(sql.as_str());
        if !large {
            let row = db
                .fetch_optional_rendered((sql.clone(), SqlxValues(values)))
                .await?
                .ok_or_else(|| Error::Internal("a count without its row".into()))?;
            let total: i64 = row.get("n")?;
            // Its next count, whatever the values, reads the versions and keeps a large total.
            if total >= KEEP_FROM {
                let mut large = self
                    .large
                    .write()
                    .map_err(|_| Error::Internal("kept totals poisoned".into()))?;
                if large.len() >= KEPT_TOTALS {
                    large.clear();
                }
                large.insert(sql.as_str().to_owned());
            }
            return Ok(non_negative(total));
        }
        let versioned = Versioned::new(db.backend(), &sql, values, modules_read(module, filter))?;
        let kept = self.lock()?.get(&versioned.key).copied();
        // The kept total if the versions did not move, else the versions as they are now.
        let probe = self.answer(db, versioned.statement(kept, false)?).await?;
        if let Some(total) = probe.total {
            return Ok(non_negative(total));
        }
        if let Some(total) = self.landed(&versioned.key, probe.version).await? {
            return Ok(non_negative(total));
        }
        let (landing, total) = watch::channel(None);
        let boarded = self.board(&versioned.key, probe.version, total)?;
        let counted = self.answer(db, versioned.statement(kept, true)?).await;
        drop(boarded);
        // Dropped without a total (the count failed, or its request was cut short), the
        // landing sends the waiters to count themselves.
        let counted = counted?;
        let total = counted.total.unwrap_or(0);
        landing.send_replace(Some(total));
        self.keep(versioned.key, kept, counted.version, total)?;
        Ok(non_negative(total))
    }

    /// The total of a count under way for `key` after the versions were found at `version`,
    /// once it lands; None when there is none, or it failed.
    async fn landed(&self, key: &str, version: i64) -> Result<Option<i64>> {
        let flight = match self.flights()?.get(key) {
            Some(flight) if flight.version == version => Arc::clone(flight),
            _ => return Ok(None),
        };
        let mut total = flight.total.clone();
        Ok(total.wait_for(Option::is_some).await.ok().and_then(|t| *t))
    }

    /// Registers a count of `key` under way after the versions were found at `version`, its
    /// total to come through `total`, until the returned guard is dropped.
    fn board(
        &self,
        key: &str,
        version: i64,
        total: watch::Receiver<Option<i64>>,
    ) -> Result<Boarded<'_>> {
        let flight = Arc::new(Flight { version, total });
        self.flights()?.insert(key.to_owned(), Arc::clone(&flight));
        Ok(Boarded {
            flights: &self.flights,
            key: key.to_owned(),
            flight,
        })
    }

    async fn answer(&self, db: &Db, statement: Rendered) -> Result<Answer> {
        let row = db
            .fetch_optional_rendered(statement)
            .await?
            .ok_or_else(|| Error::Internal("a count without its row".into()))?;
        Ok(Answer {
            total: row.get("n")?,
            version: row.get("version")?,
        })
    }

    /// Keeps a large `total` counted at `version` (or forgets a kept one gone small).
    fn keep(&self, key: String, kept: Option<Kept>, version: i64, total: i64) -> Result<()> {
        let unchanged = kept.is_some_and(|kept| kept.version == version && kept.total == total);
        if unchanged {
            return Ok(());
        }
        let mut all = self.lock()?;
        if total >= KEEP_FROM {
            if all.len() >= KEPT_TOTALS {
                all.clear();
            }
            all.insert(key, Kept { version, total });
        } else if kept.is_some() {
            all.remove(&key);
        }
        Ok(())
    }

    fn lock(&self) -> Result<MutexGuard<'_, HashMap<String, Kept>>> {
        self.kept
            .lock()
            .map_err(|_| Error::Internal("kept totals poisoned".into()))
    }

    fn flights(&self) -> Result<MutexGuard<'_, HashMap<String, Arc<Flight>>>> {
        self.flights
            .lock()
            .map_err(|_| Error::Internal("kept totals poisoned".into()))
    }
}

/// A count statement made to read the versions of the modules its condition reads.
struct Versioned {
    backend: Backend,
    /// The statement's SQL and values: what its total is kept under.
    key: String,
    count: SqlStr,
    values: sea_query::Values,
    modules: Vec<String>,
}

impl Versioned {
    fn new(
        backend: Backend,
        count: &SqlStr,
        values: sea_query::Values,
        modules: Vec<&str>,
    ) -> Result<Self> {
        let mut key = String::with_capacity(count.as_str().len() + 64 * values.0.len());
        key.push_str(count.as_str());
        write!(key, "\0{values:?}")
            .map_err(|_| Error::Internal("a count's values that cannot be printed".into()))?;
        Ok(Versioned {
            backend,
            key,
            count: count.clone(),
            values,
            modules: modules.into_iter().map(str::to_owned).collect(),
        })
    }

    /// The statement answering the `kept` total while the versions stand, else (when
    /// `counting`) the count or (when not) nothing, with the versions beside it: one
    /// statement, so one snapshot.
    fn statement(&self, kept: Option<Kept>, counting: bool) -> Result<Rendered> {
        // Without the count, none of its values: the placeholders are numbered from the first.
        let mut values = match counting {
            true => self.values.clone(),
            false => sea_query::Values(Vec::new()),
        };
        let mut next = values.0.len();
        let mut placeholder = || {
            next += 1;
            match self.backend {
                Backend::Sqlite => "?".to_owned(),
                Backend::Postgres => format!("${next}"),
            }
        };
        // The statement's own placeholders come first in the text, so SQLite's `?` keep
        // their order; the versions' modules, then the kept version and total, follow.
        let otherwise = match counting {
            true => format!("({})", self.count.as_str()),
            false => "NULL".to_owned(),
        };
        let mut wrapped = format!(
            "SELECT CASE WHEN kept.version = kept.seen THEN kept.total ELSE {otherwise} END AS n, \
             kept.version AS version FROM (SELECT (SELECT CAST(COALESCE(SUM(version), 0) AS \
             BIGINT) FROM record_versions WHERE module IN ("
        );
        for (i, module) in self.modules.iter().enumerate() {
            if i > 0 {
                wrapped.push_str(", ");
            }
            wrapped.push_str(&placeholder());
            values.0.push(module.as_str().into());
        }
        let (seen, total) = (placeholder(), placeholder());
        write!(
            wrapped,
            ")) AS version, CAST({seen} AS BIGINT) AS seen, CAST({total} AS BIGINT) AS total) \
             AS kept"
        )
        .map_err(|_| Error::Internal("a count that cannot be written".into()))?;
        // No version is below zero: without a kept total the statement counts.
        let Kept { version, total } = kept.unwrap_or(Kept {
            version: -1,
            total: 0,
        });
        values.0.push(version.into());
        values.0.push(total.into());
        Ok((AssertSqlSafe(wrapped).into_sql_str(), SqlxValues(values)))
    }
}

fn non_negative(total: i64) -> u64 {
    Ord::max(total, 0) as u64
}

/// The statement moving the version of `module` by one (run by `Tx::commit`).
pub(crate) fn version_moved(module: &str) -> UpdateStatement {
    Query::update()
        .table("record_versions")
        .value("version", Expr::col("version").add(1))
        .and_where(Expr::col("module").eq(module))
        .take()
}

/// The modules whose records decide which of `module`'s records match `filter`: the module
/// itself (and, through its version, its links), and each module a reference or a link of
/// the filter looks into.
fn modules_read<'a>(module: &'a str, filter: &'a Filter) -> Vec<&'a str> {
    let mut modules = vec![module];
    looked_into(filter, &mut modules);
    modules
}

fn looked_into<'a>(filter: &'a Filter, modules: &mut Vec<&'a str>) {
    match filter {
        Filter::Refers { module, filter, .. } | Filter::LinkedToAny { module, filter } => {
            if !modules.contains(&module.as_str()) {
                modules.push(module);
            }
            looked_into(filter, modules);
        }
        Filter::And(all) | Filter::Or(all) => {
            for filter in all {
                looked_into(filter, modules);
            }
        }
        // A link changes the versions of both modules it links.
        Filter::LinkedTo { .. }
        | Filter::All
        | Filter::Nothing
        | Filter::IdIs(_)
        | Filter::Eq(..)
        | Filter::Ne(..)
        | Filter::Gte(..)
        | Filter::Lte(..)
        | Filter::ListEmptyOrContains(..)
        | Filter::Text(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use atrium_core::Value;
    use time::OffsetDateTime;
    use uuid::Uuid;

    use super::*;
    use crate::{Actor, Store};

    /// A store with 1 200 products, and the statement counting them.
    async fn products() -> (tempfile::TempDir, Store, Rendered) {
        let (dir, store) = crate::shapes::tests::store().await;
        let module = store.module("products").expect("products").clone();
        let rows = (0..1200)
            .map(|i| {
                let name = ("name".to_owned(), Value::Text(format!("Part {i}")));
                (Uuid::now_v7(), vec![name], OffsetDateTime::now_utc())
            })
            .collect();
        store
            .insert_batch(&module, rows, Actor::System)
            .await
            .expect("loads");
        let count = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from("products")
            .and_where(Expr::col("deleted_at").is_null())
            .take();
        (dir, store, Backend::Sqlite.render(&count))
    }

    async fn move_products_version(store: &Store) {
        store
            .db
            .execute(&version_moved("products"))
            .await
            .expect("moves");
    }

    async fn products_version(store: &Store) -> i64 {
        let select = Query::select()
            .column("version")
            .from("record_versions")
            .and_where(Expr::col("module").eq("products"))
            .take();
        let row = store.db.fetch_optional(&select).await.expect("reads");
        row.expect("a version").get("version").expect("a number")
    }

    async fn total_of(totals: &Totals, store: &Store, count: &Rendered) -> u64 {
        totals
            .total(&store.db, count.clone(), "products", &Filter::All)
            .await
            .expect("counts")
    }

    /// A count of `count` under way after the versions were found at `version`, as another
    /// request would have it; its total is sent through the returned sender.
    fn fly(totals: &Totals, count: &Rendered, version: i64) -> watch::Sender<Option<i64>> {
        let key = Versioned::new(
            Backend::Sqlite,
            &count.0,
            count.1.0.clone(),
            vec!["products"],
        )
        .expect("key")
        .key;
        let (landing, total) = watch::channel(None);
        let flight = Arc::new(Flight { version, total });
        totals.flights().expect("flights").insert(key, flight);
        landing
    }

    #[tokio::test]
    async fn a_request_that_finds_a_count_under_way_of_the_same_versions_takes_its_total() {
        let (_dir, store, count) = products().await;
        let totals = Arc::new(Totals::default());
        // Counted plainly, then with the versions, then kept.
        for _ in 0..3 {
            assert_eq!(total_of(&totals, &store, &count).await, 1200);
        }
        assert!(totals.flights().expect("flights").is_empty());

        // A write moves the version, and a count of the new version is under way: the request
        // waits for its total.
        move_products_version(&store).await;
        let version = products_version(&store).await;
        let landing = fly(&totals, &count, version);
        let waiting = tokio::spawn({
            let (totals, store, count) = (Arc::clone(&totals), store.clone(), count.clone());
            async move { total_of(&totals, &store, &count).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "the request waits for the count under way"
        );
        // A total no count of these rows gives: the one the request was handed.
        landing.send_replace(Some(4242));
        assert_eq!(waiting.await.expect("joins"), 4242);

        // A count under way of older versions is not waited for (its sender never sends).
        move_products_version(&store).await;
        let _older = fly(&totals, &count, version);
        assert_eq!(total_of(&totals, &store, &count).await, 1200);
        // Nor one that fails: the request counts itself.
        move_products_version(&store).await;
        let failed = fly(&totals, &count, products_version(&store).await);
        drop(failed);
        assert_eq!(total_of(&totals, &store, &count).await, 1200);
        // Its own count lands and leaves no flight behind.
        move_products_version(&store).await;
        assert_eq!(total_of(&totals, &store, &count).await, 1200);
        assert!(totals.flights().expect("flights").is_empty());
    }

    #[test]
    fn a_count_that_ends_in_any_way_leaves_no_flight_behind() {
        let totals = Totals::default();
        // The guard lives in the counting request's future: dropped with it when the request
        // is cut short mid-count, as when the count lands or fails.
        let (_landing, total) = watch::channel(None);
        let boarded = totals.board("list", 7, total).expect("boards");
        assert_eq!(totals.flights().expect("flights").len(), 1);
        drop(boarded);
        assert!(
            totals.flights().expect("flights").is_empty(),
            "no request waits for a count that will never land"
        );
        // A count of newer versions that took the list's place stays when the older one ends.
        let (_older_landing, older) = watch::channel(None);
        let older = totals.board("list", 7, older).expect("boards");
        let (_newer_landing, newer) = watch::channel(None);
        let newer = totals.board("list", 8, newer).expect("boards");
        drop(older);
        let version = totals
            .flights()
            .expect("flights")
            .get("list")
            .map(|f| f.version);
        assert_eq!(version, Some(8));
        drop(newer);
        assert!(totals.flights().expect("flights").is_empty());
    }

    #[test]
    fn a_count_reads_the_versions_of_every_module_its_filter_looks_into() {
        let filter = Filter::And(vec![
            Filter::Eq("status".into(), Value::Text("Open".into())),
            Filter::Or(vec![
                Filter::Refers {
                    field: "contact".into(),
                    module: "contacts".into(),
                    filter: Box::new(Filter::Refers {
                        field: "organization".into(),
                        module: "organizations".into(),
                        filter: Box::new(Filter::IdIs(Uuid::nil())),
                    }),
                },
                Filter::LinkedToAny {
                    module: "documents".into(),
                    filter: Box::new(Filter::All),
                },
                Filter::LinkedTo {
                    module: "projects".into(),
                    id: Uuid::nil(),
                },
                Filter::Refers {
                    field: "organization".into(),
                    module: "organizations".into(),
                    filter: Box::new(Filter::All),
                },
            ]),
        ]);
        assert_eq!(
            modules_read("cases", &filter),
            ["cases", "contacts", "organizations", "documents"]
        );
        assert_eq!(modules_read("cases", &Filter::All), ["cases"]);
    }
}
