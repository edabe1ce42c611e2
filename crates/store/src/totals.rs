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

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Mutex, RwLock};

use atrium_core::query::Filter;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, Query, UpdateStatement};
use sea_query_sqlx::SqlxValues;
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlStr};

use crate::db::{Backend, Rendered, Row};

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
}

#[derive(Debug, Clone, Copy)]
struct Kept {
    version: i64,
    total: i64,
}

/// A count under way: what its total is kept under, if it may be kept.
#[derive(Debug)]
pub(crate) struct Counting(How);

#[derive(Debug)]
enum How {
    /// A statement that has only counted small totals: counted plainly. Its SQL is the kept
    /// statement's, shared rather than copied.
    Plain { sql: SqlStr },
    /// Counted only if the versions moved since `kept`; the total kept under `key`.
    Versioned { key: String, kept: Option<Kept> },
}

impl Totals {
    /// The statement answering `count` (a `SELECT COUNT(*) AS n` of `module`'s records matching
    /// `filter`) with the total kept for it while the versions of the modules it reads stay as
    /// they were, else by counting.
    pub(crate) fn count(
        &self,
        backend: Backend,
        (sql, SqlxValues(values)): Rendered,
        module: &str,
        filter: &Filter,
    ) -> Result<(Rendered, Counting)> {
        let large = self
            .large
            .read()
            .map_err(|_| Error::Internal("kept totals poisoned".into()))?
            .contains(sql.as_str());
        if !large {
            let plain = sql.clone();
            return Ok((
                (sql, SqlxValues(values)),
                Counting(How::Plain { sql: plain }),
            ));
        }
        let modules = modules_read(module, filter);
        let mut key = String::with_capacity(sql.as_str().len() + 64 * values.0.len());
        key.push_str(sql.as_str());
        write!(key, "\0{values:?}")
            .map_err(|_| Error::Internal("a count's values that cannot be printed".into()))?;
        let kept = self.lock()?.get(&key).copied();
        let mut values = values;
        let mut next = values.0.len();
        let mut placeholder = || {
            next += 1;
            match backend {
                Backend::Sqlite => "?".to_owned(),
                Backend::Postgres => format!("${next}"),
            }
        };
        // The statement's own placeholders come first in the text, so SQLite's `?` keep
        // their order; the versions' modules, then the kept version and total, follow.
        let mut wrapped = format!(
            "SELECT CASE WHEN kept.version = kept.seen THEN kept.total ELSE ({}) END AS n, \
             kept.version AS version FROM (SELECT (SELECT CAST(COALESCE(SUM(version), 0) AS \
             BIGINT) FROM record_versions WHERE module IN (",
            sql.as_str()
        );
        for (i, module) in modules.iter().enumerate() {
            if i > 0 {
                wrapped.push_str(", ");
            }
            wrapped.push_str(&placeholder());
            values.0.push((*module).into());
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
        Ok((
            (AssertSqlSafe(wrapped).into_sql_str(), SqlxValues(values)),
            Counting(How::Versioned { key, kept }),
        ))
    }

    /// The total in `row` (the answer to [`Totals::count`]'s statement), kept when large.
    pub(crate) fn total(&self, counting: Counting, row: &Row) -> Result<u64> {
        let total: i64 = row.get("n")?;
        match counting.0 {
            How::Plain { sql } => {
                // Its next count, whatever the values, reads the versions and keeps a
                // large total.
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
            }
            How::Versioned { key, kept } => {
                let version: i64 = row.get("version")?;
                let unchanged =
                    kept.is_some_and(|kept| kept.version == version && kept.total == total);
                if !unchanged {
                    let mut all = self.lock()?;
                    if total >= KEEP_FROM {
                        if all.len() >= KEPT_TOTALS {
                            all.clear();
                        }
                        all.insert(key, Kept { version, total });
                    } else if kept.is_some() {
                        all.remove(&key);
                    }
                }
            }
        }
        Ok(Ord::max(total, 0) as u64)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Kept>>> {
        self.kept
            .lock()
            .map_err(|_| Error::Internal("kept totals poisoned".into()))
    }
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
    use uuid::Uuid;

    use super::*;

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
