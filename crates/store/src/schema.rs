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
    Ok(())
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
    let sequence = Query::insert()
        .into_table("record_sequences")
        .columns(["module", "next_value"])
        .values_panic([module.name.clone().into(), 1_i64.into()])
        .on_conflict(
            sea_query::OnConflict::column("module")
                .do_nothing()
                .to_owned(),
        )
        .take();
    db.execute(&sequence).await?;
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
