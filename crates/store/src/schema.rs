//! Bringing a database up to date at start-up: the versioned migrations of the system tables,
//! then one table per module with one column per field, created or extended from the metadata.
//! Adding a field to the metadata adds its column here; no handler or query changes.

use std::collections::HashSet;

use atrium_core::{FieldType, ModuleDef, Registry, Result};
use sea_query::{Expr, ExprTrait, Query};
use sha2::Digest;

use crate::db::{Backend, Db};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL advisory lock that instances starting together take in turn, so that one
/// brings the schema up to date while the others wait and then find nothing left to do. Its
/// second half is the schema's name, so that databases holding several schemas (as the
/// tests do) lock each on its own.
const SCHEMA_LOCK: i32 = 0x6174_726d; // "atrm"

pub async fn migrate(db: &Db, registry: &Registry) -> Result<()> {
    let Db::Postgres(lender) = db else {
        // SQLite: one file, opened by one process; its writes are serialized anyway.
        return bring_up_to_date(db, registry).await;
    };
    // A session lock on one connection, held while the others migrate and sync through the
    // pool: a second instance blocks here until the first is done.
    let mut holder = lender
        .pool()
        .acquire()
        .await
        .map_err(atrium_core::Error::internal)?;
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(current_schema()))")
        .bind(SCHEMA_LOCK)
        .execute(&mut *holder)
        .await
        .map_err(atrium_core::Error::internal)?;
    let done = bring_up_to_date(db, registry).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, hashtext(current_schema()))")
        .bind(SCHEMA_LOCK)
        .execute(&mut *holder)
        .await;
    if unlocked.is_err() {
        // The lock ends with the session: drop the connection rather than return it locked.
        holder.detach();
    }
    done
}

/// The versioned migrations, then each module's table and the search index.
async fn bring_up_to_date(db: &Db, registry: &Registry) -> Result<()> {
    match db {
        Db::Sqlite(lender) => SQLITE_MIGRATIONS.run(lender.pool()).await,
        Db::Postgres(lender) => POSTGRES_MIGRATIONS.run(lender.pool()).await,
    }
    .map_err(|e| atrium_core::Error::Internal(format!("migrations: {e}")))?;
    for module in registry.modules() {
        sync_module(db, module).await?;
        crate::records::sync_text_index(db, module).await?;
    }
    if registry.module("faqs").is_some() {
        crate::search::sync(db).await?;
    }
    if db.backend() == Backend::Sqlite {
        widen_sqlite_times(db, registry).await?;
    }
    Ok(())
}

/// The system tables' columns that hold times (on SQLite, as text).
const SYSTEM_TIMES: &[(&str, &[&str])] = &[
    ("staff_users", &["created_at", "updated_at"]),
    ("sessions", &["created_at", "last_seen_at", "expires_at"]),
    ("record_links", &["created_at"]),
    ("comments", &["created_at"]),
    ("record_updates", &["changed_at"]),
    ("portals", &["updated_at"]),
    ("portal_roles", &["updated_at"]),
    ("portal_accounts", &["password_changed_at"]),
    ("login_attempts", &["at"]),
    ("activity", &["at"]),
    ("follows", &["created_at"]),
    (
        "email_outbox",
        &["next_attempt_at", "locked_until", "created_at", "sent_at"],
    ),
    ("email_templates", &["updated_at"]),
    ("portal_tokens", &["created_at", "expires_at", "used_at"]),
    ("job_runs", &["ran_at"]),
    ("sign_in_checks", &["window_start"]),
];

/// The `user_version` of an SQLite database whose times are all kept as `db::SQLITE_TIME`.
const SQLITE_TIMES_WIDENED: i64 = 1;

/// Rewrites the times an SQLite database kept before they were written at one width (see
/// `db::SQLITE_TIME`) — RFC 3339 with a fraction of any length and any offset — once:
/// SQLite's `user_version` tells that it was done.
async fn widen_sqlite_times(db: &Db, registry: &Registry) -> Result<()> {
    let version = Query::select()
        .column("user_version")
        .from("pragma_user_version")
        .take();
    let done = match db.fetch_optional(&version).await? {
        Some(row) => row.get::<i64>("user_version")? >= SQLITE_TIMES_WIDENED,
        None => false,
    };
    if done {
        return Ok(());
    }
    // A database with records was written before: say why this one start takes longer.
    for module in registry.modules() {
        let probe = Query::select()
            .expr(Expr::val(1))
            .from(module.name.clone())
            .limit(1)
            .take();
        if db.fetch_optional(&probe).await?.is_some() {
            tracing::info!(
                "rewriting the times kept before at one width, once (a while on a large database)"
            );
            break;
        }
    }
    let mut columns: Vec<(String, String)> = SYSTEM_TIMES
        .iter()
        .flat_map(|(table, names)| {
            names
                .iter()
                .map(|name| (table.to_string(), name.to_string()))
        })
        .collect();
    for module in registry.modules() {
        let times = module
            .fields
            .iter()
            .filter(|f| f.field_type == FieldType::Datetime)
            .map(|f| f.name.as_str());
        for name in ["created_at", "updated_at", "deleted_at"]
            .into_iter()
            .chain(times)
        {
            columns.push((module.name.clone(), name.to_owned()));
        }
    }
    for (table, column) in columns {
        let (table, c) = (ident(&table)?, ident(&column)?);
        // SQLite's `strftime` reads RFC 3339 and turns any offset into UTC; the fraction's
        // digits (offsets are whole minutes) sit between the seconds and the offset, which is
        // `Z` or six characters long.
        db.execute_ddl(format!(
            "UPDATE {table} SET {c} = strftime('%Y-%m-%dT%H:%M:%S', {c}) || '.' || \
             substr(CASE WHEN substr({c}, 20, 1) = '.' \
             THEN substr({c}, 21, length({c}) - 20 - CASE WHEN {c} LIKE '%Z' THEN 1 ELSE 6 END) \
             ELSE '' END || '000000', 1, 6) || 'Z' \
             WHERE {c} NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z' \
             AND strftime('%s', {c}) IS NOT NULL"
        ))
        .await?;
    }
    db.execute_ddl(format!("PRAGMA user_version = {SQLITE_TIMES_WIDENED}"))
        .await
}

/// For a bulk load: drops the secondary indexes of every module's table and the triggers that
/// keep its text index, so that millions of rows go in without updating a dozen B-trees each.
/// [`rebuild_indexes`] builds them once afterwards, from sorted data, several times faster;
/// should a load stop half-way, the next start-up builds them as well.
pub async fn drop_indexes(db: &Db, registry: &Registry) -> Result<()> {
    for module in registry.modules() {
        for object in objects_named(db, &module.name, &format!("{}__", module.name)).await? {
            object.drop(db).await?;
        }
    }
    Ok(())
}

/// An index or a trigger the schema made on a module's table.
pub(crate) struct SchemaObject {
    pub name: String,
    pub trigger: bool,
}

impl SchemaObject {
    pub async fn drop(&self, db: &Db) -> Result<()> {
        let kind = if self.trigger { "TRIGGER" } else { "INDEX" };
        db.execute_ddl(format!("DROP {kind} IF EXISTS {}", quote_name(&self.name)))
            .await
    }
}

/// The indexes and triggers (SQLite; PostgreSQL has no triggers here) on `table` whose
/// names begin with `prefix`.
pub(crate) async fn objects_named(db: &Db, table: &str, prefix: &str) -> Result<Vec<SchemaObject>> {
    let pattern = format!("{}%", prefix.replace('_', "\\_"));
    let select = match db.backend() {
        Backend::Sqlite => Query::select()
            .column("name")
            .expr_as(Expr::cust("type = 'trigger'"), "is_trigger")
            .from("sqlite_master")
            .and_where(Expr::col("type").is_in(["index", "trigger"]))
            .and_where(Expr::col("tbl_name").eq(table))
            .and_where(Expr::cust_with_values("name LIKE ? ESCAPE '\\'", [pattern]))
            .take(),
        Backend::Postgres => Query::select()
            .expr_as(Expr::col("indexname"), "name")
            .expr_as(Expr::cust("false"), "is_trigger")
            .from("pg_indexes")
            .and_where(Expr::cust("schemaname = current_schema()"))
            .and_where(Expr::col("tablename").eq(table))
            .and_where(Expr::cust_with_values(
                "indexname LIKE $1 ESCAPE '\\'",
                [pattern],
            ))
            .take(),
    };
    db.fetch_all(&select)
        .await?
        .iter()
        .map(|row| {
            Ok(SchemaObject {
                name: row.get("name")?,
                trigger: row.get("is_trigger")?,
            })
        })
        .collect()
}

/// A name the schema made (from a module's name and a digest) as a quoted identifier.
pub(crate) fn quote_name(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A picklist order index's name: `…__order_` and a 12-digit hex digest.
fn is_order_index(name: &str) -> bool {
    name.rsplit_once("__order_").is_some_and(|(_, digest)| {
        digest.len() == 12 && digest.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Builds what [`drop_indexes`] dropped (and anything else missing).
pub async fn rebuild_indexes(db: &Db, registry: &Registry) -> Result<()> {
    for module in registry.modules() {
        sync_module(db, module).await?;
        crate::records::sync_text_index(db, module).await?;
    }
    if db.backend() == Backend::Postgres {
        // Freshly loaded rows are neither counted in the planner's statistics nor marked
        // all-visible, until autovacuum gets to them: meanwhile the planner guesses, and a
        // count over an index visits every counted row's table page to check it is visible.
        // This schema's tables only: a database may hold others' (tests share one).
        let tables = Query::select()
            .column("tablename")
            .from("pg_tables")
            .and_where(Expr::cust("schemaname = current_schema()"))
            .take();
        let names = db
            .fetch_all(&tables)
            .await?
            .iter()
            .map(|row| Ok(quote_name(&row.get::<String>("tablename")?)))
            .collect::<Result<Vec<_>>>()?;
        if !names.is_empty() {
            db.execute_ddl(format!("VACUUM (ANALYZE) {}", names.join(", ")))
                .await?;
        }
    }
    Ok(())
}

/// Identifiers come from metadata; only plain snake_case names become SQL identifiers.
pub(crate) fn quoted(name: &str) -> Result<String> {
    ident(name)
}

fn ident(name: &str) -> Result<String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 48;
    if ok {
        Ok(format!("\"{name}\""))
    } else {
        Err(atrium_core::Error::Internal(format!(
            "bad identifier in metadata: {name}"
        )))
    }
}

/// The SQL type that stores a field of `field_type` in `backend`.
pub fn column_type(field_type: &FieldType, backend: Backend) -> &'static str {
    use Backend::*;
    match (field_type, backend) {
        (FieldType::Reference { .. } | FieldType::User, Sqlite) => "BLOB",
        (FieldType::Reference { .. } | FieldType::User, Postgres) => "UUID",
        (
            FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent,
            Sqlite,
        ) => "INTEGER",
        (
            FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent,
            Postgres,
        ) => "BIGINT",
        (FieldType::Boolean, Sqlite) => "INTEGER",
        (FieldType::Boolean, Postgres) => "BOOLEAN",
        (FieldType::Date, Postgres) => "DATE",
        (FieldType::Datetime, Postgres) => "TIMESTAMPTZ",
        _ => "TEXT",
    }
}

async fn sync_module(db: &Db, module: &ModuleDef) -> Result<()> {
    let backend = db.backend();
    let table = ident(&module.name)?;
    let (uuid, ts) = match backend {
        Backend::Sqlite => ("BLOB", "TEXT"),
        Backend::Postgres => ("UUID", "TIMESTAMPTZ"),
    };
    db.execute_ddl(format!(
        "CREATE TABLE IF NOT EXISTS {table} (\
         id {uuid} PRIMARY KEY, number TEXT NOT NULL, version BIGINT NOT NULL, \
         label TEXT NOT NULL, created_at {ts} NOT NULL, updated_at {ts} NOT NULL, \
         deleted_at {ts})"
    ))
    .await?;
    let existing = existing_columns(db, &module.name).await?;
    for field in &module.fields {
        if !existing.contains(&field.name) {
            let column = ident(&field.name)?;
            let sql_type = column_type(&field.field_type, backend);
            db.execute_ddl(format!(
                "ALTER TABLE {table} ADD COLUMN {column} {sql_type}"
            ))
            .await?;
        }
    }
    db.execute_ddl(format!(
        "CREATE UNIQUE INDEX IF NOT EXISTS \"{0}__number\" ON {table} (number)",
        module.name
    ))
    .await?;
    // Lists read live rows, filtered by one field and sorted by time: each index covers the
    // live rows only (counts stay index-only) and carries the default sort after the field.
    let mut indexes: Vec<Vec<&str>> = vec![vec!["updated_at", "id"], vec!["created_at", "id"]];
    // Booleans split rows in two halves: an index on them only misleads the planner.
    let indexed = module.fields.iter().filter(|f| {
        (f.filterable && !f.system || f.references().is_some())
            && f.field_type != FieldType::Boolean
    });
    indexes.extend(indexed.map(|f| vec![f.name.as_str(), "updated_at", "id"]));
    for columns in indexes {
        let list = columns
            .iter()
            .map(|c| ident(c))
            .collect::<Result<Vec<_>>>()?
            .join(", ");
        let first = ident(columns[0])?;
        // Only set values: a column that is mostly empty (e.g. who created a record through
        // the portal) then still looks selective to the planner's statistics.
        let set = if ["updated_at", "created_at"].contains(&columns[0]) {
            String::new()
        } else {
            format!(" AND {first} IS NOT NULL")
        };
        db.execute_ddl(format!(
            "CREATE INDEX IF NOT EXISTS \"{0}__{1}__set\" ON {table} ({list}) WHERE deleted_at IS NULL{set}",
            module.name, columns[0]
        ))
        .await?;
    }
    // Start-up reads of the portal users — those without a login (`Store::sync_portal_logins`)
    // and those whose support ends soon (the reminders' filter on `portal_user`) — read the
    // few of them through this index instead of every contact. Other booleans stay without
    // one (see above); this one is true for few rows and read at every start.
    if module.name == "contacts" && module.field("portal_user").is_some() {
        db.execute_ddl(format!(
            "CREATE INDEX IF NOT EXISTS \"contacts__portal_user__true\" ON {table} (id) \
             WHERE deleted_at IS NULL AND \"portal_user\""
        ))
        .await?;
    }
    // Lists sorted by a picklist read its values' order from an index on the very expression
    // they sort by; the name carries a digest of the values, so new values get a new index
    // and the index of the old values (which every write would still keep) goes.
    let mut orders = HashSet::new();
    for field in &module.fields {
        let Some(order) = crate::records::picklist_order(field) else {
            continue;
        };
        let digest = crate::files::hex(&sha2::Sha256::digest(order.as_bytes()));
        let name = format!("{}__{}__order_{}", module.name, field.name, &digest[..12]);
        db.execute_ddl(format!(
            "CREATE INDEX IF NOT EXISTS {} ON {table} (({order}), id) WHERE deleted_at IS NULL",
            quote_name(&name)
        ))
        .await?;
        orders.insert(name);
    }
    for object in objects_named(db, &module.name, &format!("{}__", module.name)).await? {
        if !object.trigger && is_order_index(&object.name) && !orders.contains(&object.name) {
            object.drop(db).await?;
        }
    }
    // Its number's sequence and its records' version (see `totals`), each made once.
    for (table, column, first) in [
        ("record_sequences", "next_value", 1_i64),
        ("record_versions", "version", 0_i64),
    ] {
        let row = Query::insert()
            .into_table(table)
            .columns(["module", column])
            .values_panic([module.name.clone().into(), first.into()])
            .on_conflict(
                sea_query::OnConflict::column("module")
                    .do_nothing()
                    .to_owned(),
            )
            .take();
        db.execute(&row).await?;
    }
    Ok(())
}

pub(crate) async fn existing_columns(db: &Db, table: &str) -> Result<HashSet<String>> {
    let rows = match db.backend() {
        Backend::Sqlite => {
            let q = Query::select()
                .column("name")
                .from_function(
                    sea_query::Func::cust("pragma_table_info").arg(table),
                    "info",
                )
                .take();
            db.fetch_all(&q).await?
        }
        Backend::Postgres => {
            let q = Query::select()
                .expr_as(Expr::col("column_name"), "name")
                .from(("information_schema", "columns"))
                .and_where(Expr::col("table_name").eq(table))
                .and_where(Expr::cust("table_schema = current_schema()"))
                .take();
            db.fetch_all(&q).await?
        }
    };
    rows.iter().map(|r| r.get::<String>("name")).collect()
}

#[cfg(test)]
mod tests {
    use sea_query::Query;

    use super::*;

    #[tokio::test]
    async fn times_kept_before_are_rewritten_once_at_one_width() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/atrium.db", dir.path().display());
        let registry = atrium_core::standard::registry();
        let db = Db::connect(&url).await.expect("opens");
        migrate(&db, &registry).await.expect("migrates");
        // As sqlx wrote them: the fraction's trailing zeros left out, the caller's offset.
        db.execute_ddl(
            "INSERT INTO follows (module, record_id, contact_id, created_at) VALUES \
             ('cases', x'01', x'01', '2026-12-05T14:00:05.25+02:00'), \
             ('cases', x'02', x'02', '2026-12-05T12:00:05Z'), \
             ('cases', x'03', x'03', '2026-12-05T12:00:05.000007Z'), \
             ('cases', x'04', x'04', '2026-12-04T23:30:00.5-01:00'); \
             PRAGMA user_version = 0"
                .into(),
        )
        .await
        .expect("old times");
        migrate(&db, &registry).await.expect("migrates again");
        let select = Query::select()
            .column("created_at")
            .from("follows")
            .order_by("record_id", sea_query::Order::Asc)
            .take();
        let times: Vec<String> = db
            .fetch_all(&select)
            .await
            .expect("reads")
            .iter()
            .map(|row| row.get("created_at").expect("created_at"))
            .collect();
        assert_eq!(
            times,
            [
                "2026-12-05T12:00:05.250000Z",
                "2026-12-05T12:00:05.000000Z",
                "2026-12-05T12:00:05.000007Z",
                "2026-12-05T00:30:00.500000Z",
            ]
        );
        // Done once: a time written as text afterwards is left alone.
        db.execute_ddl(
            "INSERT INTO follows (module, record_id, contact_id, created_at) VALUES \
             ('cases', x'05', x'05', '2026-12-05T12:00:05Z')"
                .into(),
        )
        .await
        .expect("insert");
        migrate(&db, &registry)
            .await
            .expect("migrates a third time");
        let select = Query::select()
            .column("created_at")
            .from("follows")
            .and_where(sea_query::Expr::col("record_id").eq(vec![5u8]))
            .take();
        let row = db
            .fetch_optional(&select)
            .await
            .expect("reads")
            .expect("row");
        assert_eq!(
            row.get::<String>("created_at").expect("text"),
            "2026-12-05T12:00:05Z"
        );
    }
}
