//! The two databases behind one face. Queries are built once with sea-query and rendered in the
//! dialect of the pool at hand; rows decode through one generic accessor. Builders whose best
//! SQL differs between the two databases ask [`Db::backend`]; the DDL lives in `schema`.

use std::str::FromStr;
use std::time::Duration;

use atrium_core::{Error, Result};
use sea_query::{
    PostgresQueryBuilder, QueryBuilder, QueryStatementWriter, SqlWriter, SqliteQueryBuilder,
};
use sea_query_sqlx::SqlxValues;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Decode, Postgres, Row as _, SqlSafeStr, SqlStr, Sqlite, Type};

use crate::lender::{Lender, LentTx, SPARE_CONNECTIONS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A statement rendered for a database, ready to run: its SQL (shared by the statements kept
/// in `shapes`, not copied for each run) and the values bound to it.
pub(crate) type Rendered = (SqlStr, SqlxValues);

impl Backend {
    /// `stmt` as this database's SQL and the values bound to it (see [`Writer`]).
    pub(crate) fn build(self, stmt: &impl QueryStatementWriter) -> (String, SqlxValues) {
        let mut writer = Writer {
            backend: self,
            sql: String::with_capacity(256),
            values: Vec::new(),
        };
        match self {
            Backend::Sqlite => stmt.build_collect_into(SqliteQueryBuilder, &mut writer),
            Backend::Postgres => stmt.build_collect_into(PostgresQueryBuilder, &mut writer),
        }
        (writer.sql, SqlxValues(sea_query::Values(writer.values)))
    }

    /// [`Backend::build`], ready to run.
    pub(crate) fn render(self, stmt: &impl QueryStatementWriter) -> Rendered {
        let (sql, values) = self.build(stmt);
        (AssertSqlSafe(sql).into_sql_str(), values)
    }
}

/// Writes a statement's SQL for one database, binding every value but a count of rows.
///
/// `LIMIT` and `OFFSET` (the only unsigned numbers a statement holds) are written into the
/// SQL: PostgreSQL plans a statement once for any values only when that plan is about as cheap
/// as one made for the values at hand, and with `LIMIT $n` it costs the generic plan as if a
/// tenth of the table were asked for. A list's statement was therefore planned anew on every
/// run (over a millisecond of a staff list's request, more than running it). Numbers written
/// into the SQL cannot carry anything else, and a list's statement is kept per page anyway
/// (`shapes`). On SQLite, times are bound as [`SQLITE_TIME`] text.
struct Writer {
    backend: Backend,
    sql: String,
    values: Vec<sea_query::Value>,
}

impl std::fmt::Write for Writer {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.sql.push_str(s);
        Ok(())
    }
}

impl std::fmt::Display for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

impl SqlWriter for Writer {
    fn push_param<T: QueryBuilder>(&mut self, mut value: sea_query::Value, _: &T) {
        use std::fmt::Write as _;
        let written = match value {
            sea_query::Value::BigUnsigned(Some(n)) => write!(self.sql, "{n}"),
            sea_query::Value::Unsigned(Some(n)) => write!(self.sql, "{n}"),
            _ => {
                let written = match self.backend {
                    Backend::Sqlite => {
                        sqlite_time(&mut value);
                        self.sql.write_char('?')
                    }
                    Backend::Postgres => write!(self.sql, "${}", self.values.len() + 1),
                };
                self.values.push(value);
                written
            }
        };
        // Writing into a `String` does not fail.
        debug_assert!(written.is_ok());
    }

    fn as_writer(&mut self) -> &mut dyn std::fmt::Write {
        self
    }
}

/// How SQLite keeps a time: as text, in UTC, with all six digits of its microseconds.
///
/// SQLite has no time type, so its comparisons and sorts of times (a mail due, a session
/// expired, a list by date) compare their text. sqlx writes RFC 3339 with the fraction's
/// trailing zeros left out and the time's own offset: `…:05.1Z` then sorted after `…:05.12Z`,
/// and a mail due at the first was not due at the second. Text of one width in one offset
/// sorts as the times do (and still reads back as RFC 3339). Times written before are
/// rewritten so at start-up (`schema::widen_sqlite_times`, whose SQL makes the same text).
const SQLITE_TIME: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// A time bound to an SQLite statement as [`SQLITE_TIME`] text; other values as they are.
fn sqlite_time(value: &mut sea_query::Value) {
    let sea_query::Value::TimeDateTimeWithTimeZone(Some(at)) = value else {
        return;
    };
    let utc = at.to_offset(time::UtcOffset::UTC);
    // Years beyond four digits have no RFC 3339 text: sqlx refuses them as before.
    if !(0..=9999).contains(&utc.year()) {
        return;
    }
    if let Ok(text) = utc.format(SQLITE_TIME) {
        *value = sea_query::Value::String(Some(text));
    }
}

/// Statements run on connections lent without a check on their return (see `lender`).
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(Lender<Sqlite>),
    Postgres(Lender<Postgres>),
}

/// What a process does with the database, which decides how its connections are tuned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Workload {
    /// Many short requests at once: serve, demo, the admin commands.
    #[default]
    Requests,
    /// One loader writing millions of rows (`seed`, while nothing else uses the database):
    /// on SQLite one connection that writes each page once and builds the indexes at the end
    /// (see `SqliteTuning`).
    BulkLoad,
}

/// How SQLite connections are set up for a workload.
struct SqliteTuning {
    connections: u32,
    /// In KiB when negative, as SQLite takes it.
    cache_size: &'static str,
    mmap_size: &'static str,
    journal: SqliteJournalMode,
    synchronous: SqliteSynchronous,
    temp_store: &'static str,
    /// Helper threads an index build may sort on.
    threads: &'static str,
}

impl SqliteTuning {
    fn for_workload(workload: Workload) -> Self {
        match workload {
            // 16 MiB of page cache per connection: eight of them stay within Atrium's memory
            // target, with the operating system's file cache beneath them. Temporary tables
            // and sorts in memory: a request's are small.
            Workload::Requests => Self {
                connections: 8,
                cache_size: "-16384",
                mmap_size: "0",
                journal: SqliteJournalMode::Wal,
                synchronous: SqliteSynchronous::Normal,
                temp_store: "memory",
                threads: "0",
            },
            // The bulk loader writes pages once, into the file, instead of into the
            // write-ahead log and then again into the file: a rollback journal, which new
            // pages at the end of the file do not even need, and no waiting for the disk. A
            // crash of the process loses at most the batch in progress; a power cut during a
            // load may leave a file to throw away, which for generated data is no loss.
            //
            // Its rows go in without secondary indexes, in the order of their ids (UUIDv7),
            // and the indexes are built at the end: what makes it fast is how an index build
            // sorts. SQLite sorts in runs of the page cache's size and hands each run to a
            // helper thread while it reads on — but only with temporary files (not memory) and
            // runs smaller than the table: a small cache, files and four helpers build each
            // index about twice as fast as one run sorted in a large cache. The file is also
            // mapped into memory (up to SQLite's 2 GiB limit), so that reading the whole table
            // for each index costs no copy into the page cache: another quarter. Requests stay
            // unmapped: mapped pages count in the process's resident memory.
            Workload::BulkLoad => Self {
                connections: 1,
                cache_size: "-8192",
                mmap_size: "2147418112",
                journal: SqliteJournalMode::Truncate,
                synchronous: SqliteSynchronous::Off,
                temp_store: "file",
                threads: "4",
            },
        }
    }
}

/// How long a PostgreSQL connection may sit idle in the pool and still be lent unchecked.
const IDLE_BEFORE_CHECK: Duration = Duration::from_secs(5);

/// Connections of the main PostgreSQL pool.
const PG_CONNECTIONS: u32 = 20;

/// Connections of the PostgreSQL pool that plans statements once (see
/// [`Db::with_generic_plans`]), beside the 20 of the main pool.
const GENERIC_PLAN_CONNECTIONS: u32 = 10;

/// Pool usage, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl Db {
    /// Opens `url` (`sqlite://…` or `postgres://…`). SQLite gets WAL, foreign keys, a busy
    /// timeout and a small pool: one writer at a time is what SQLite offers anyway.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_for(url, Workload::Requests).await
    }

    /// Opens `url` tuned for `workload`.
    pub async fn connect_for(url: &str, workload: Workload) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let tuning = SqliteTuning::for_workload(workload);
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(tuning.journal)
                .synchronous(tuning.synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", tuning.cache_size)
                .pragma("mmap_size", tuning.mmap_size)
                .pragma("temp_store", tuning.temp_store)
                .pragma("threads", tuning.threads);
            let pool = SqlitePoolOptions::new()
                .max_connections(tuning.connections + SPARE_CONNECTIONS)
                .min_connections(1)
                // The pool would ping each idle connection before lending it: a round trip
                // to the connection's thread before every statement, for a file in this
                // process that cannot hang up as a server can.
                .test_before_acquire(false)
                .after_connect(|conn, _| Box::pin(stable_plans(conn)))
                .connect_with(quiet_for(options, workload))
                .await?;
            Ok(Db::Sqlite(Lender::new(pool, tuning.connections, None)))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = pg_pool(PG_CONNECTIONS)
                .connect_with(quiet_for(options, workload))
                .await?;
            Ok(Db::Postgres(Lender::new(
                pool,
                PG_CONNECTIONS,
                Some(IDLE_BEFORE_CHECK),
            )))
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }

    /// The same database, for statements whose shape fixes their best plan, whatever values
    /// are bound to them: on PostgreSQL a second pool, opened as it is first used, whose
    /// connections plan each prepared statement once (`plan_cache_mode =
    /// force_generic_plan`). PostgreSQL plans a statement again for the values of each of its
    /// first executions and keeps doing so when that looks cheaper — always, for the portal's
    /// access rules, which then cost more to plan than to run. SQLite's plans never depend on
    /// the values (see `stable_plans`): there this is the very same pool.
    pub fn with_generic_plans(&self, url: &str) -> anyhow::Result<Db> {
        Ok(match self {
            Db::Sqlite(_) => self.clone(),
            Db::Postgres(_) => {
                let options = PgConnectOptions::from_str(url)?
                    .options([("plan_cache_mode", "force_generic_plan")]);
                let pool = pg_pool(GENERIC_PLAN_CONNECTIONS).connect_lazy_with(options);
                Db::Postgres(Lender::new(
                    pool,
                    GENERIC_PLAN_CONNECTIONS,
                    Some(IDLE_BEFORE_CHECK),
                ))
            }
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn stats(&self) -> PoolStats {
        let ((size, idle), max) = match self {
            Db::Sqlite(l) => (l.size_and_idle(), l.max()),
            Db::Postgres(l) => (l.size_and_idle(), l.max()),
        };
        PoolStats { size, idle, max }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(l) => l.close().await,
            Db::Postgres(l) => l.close().await,
        }
    }

    fn build(&self, stmt: &impl QueryStatementWriter) -> Rendered {
        self.backend().render(stmt)
    }

    pub async fn fetch_all(&self, stmt: &impl QueryStatementWriter) -> Result<Vec<Row>> {
        self.fetch_all_rendered(self.build(stmt)).await
    }

    /// [`Db::fetch_all`] for a statement rendered before (see `shapes`).
    pub(crate) async fn fetch_all_rendered(&self, (sql, values): Rendered) -> Result<Vec<Row>> {
        Ok(match self {
            Db::Sqlite(l) => l
                .with(async |c| sqlx::query_with(sql, values).fetch_all(c).await)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            Db::Postgres(l) => l
                .with(async |c| sqlx::query_with(sql, values).fetch_all(c).await)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn fetch_optional(&self, stmt: &impl QueryStatementWriter) -> Result<Option<Row>> {
        self.fetch_optional_rendered(self.build(stmt)).await
    }

    /// [`Db::fetch_optional`] for a statement rendered before (see `shapes`).
    pub(crate) async fn fetch_optional_rendered(
        &self,
        (sql, values): Rendered,
    ) -> Result<Option<Row>> {
        Ok(match self {
            Db::Sqlite(l) => l
                .with(async |c| sqlx::query_with(sql, values).fetch_optional(c).await)
                .await
                .map_err(db_error)?
                .map(Row::Sqlite),
            Db::Postgres(l) => l
                .with(async |c| sqlx::query_with(sql, values).fetch_optional(c).await)
                .await
                .map_err(db_error)?
                .map(Row::Postgres),
        })
    }

    pub async fn execute(&self, stmt: &impl QueryStatementWriter) -> Result<u64> {
        let (sql, values) = self.build(stmt);
        Ok(match self {
            Db::Sqlite(l) => l
                .with(async |c| sqlx::query_with(sql, values).execute(c).await)
                .await
                .map_err(db_error)?
                .rows_affected(),
            Db::Postgres(l) => l
                .with(async |c| sqlx::query_with(sql, values).execute(c).await)
                .await
                .map_err(db_error)?
                .rows_affected(),
        })
    }

    /// Runs DDL or other parameterless SQL that Atrium itself wrote.
    pub async fn execute_ddl(&self, sql: String) -> Result<()> {
        match self {
            Db::Sqlite(l) => l
                .with(async |c| sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await)
                .await
                .map(drop)
                .map_err(db_error),
            Db::Postgres(l) => l
                .with(async |c| sqlx::raw_sql(AssertSqlSafe(sql)).execute(c).await)
                .await
                .map(drop)
                .map_err(db_error),
        }
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so
    /// two writers wait for each other instead of failing when one upgrades its lock.
    pub async fn begin(&self) -> Result<Tx> {
        let conn = match self {
            Db::Sqlite(l) => TxConn::Sqlite(
                LentTx::begin(l, "BEGIN IMMEDIATE")
                    .await
                    .map_err(db_error)?,
            ),
            Db::Postgres(l) => TxConn::Postgres(LentTx::begin(l, "BEGIN").await.map_err(db_error)?),
        };
        Ok(Tx {
            conn,
            changed: Vec::new(),
        })
    }

    pub async fn ping(&self) -> Result<()> {
        self.execute_ddl("SELECT 1".to_owned()).await
    }
}

/// A write transaction, and the modules whose records it changed (see `totals`).
pub struct Tx {
    conn: TxConn,
    changed: Vec<String>,
}

enum TxConn {
    Sqlite(LentTx<Sqlite>),
    Postgres(LentTx<Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Notes that this transaction changes which records of `module` there are, or what they
    /// hold; its commit moves the module's version (see `totals`). Every write to a module's
    /// table or to the links between records says so.
    pub(crate) fn changes_records_of(&mut self, module: &str) {
        if !self.changed.iter().any(|m| m == module) {
            self.changed.push(module.to_owned());
        }
    }

    fn build(&self, stmt: &impl QueryStatementWriter) -> Rendered {
        self.backend().render(stmt)
    }

    pub async fn fetch_all(&mut self, stmt: &impl QueryStatementWriter) -> Result<Vec<Row>> {
        let (sql, values) = self.build(stmt);
        Ok(match &mut self.conn {
            TxConn::Sqlite(tx) => tx
                .with(async |c| sqlx::query_with(sql, values).fetch_all(c).await)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            TxConn::Postgres(tx) => tx
                .with(async |c| sqlx::query_with(sql, values).fetch_all(c).await)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    pub async fn fetch_optional(
        &mut self,
        stmt: &impl QueryStatementWriter,
    ) -> Result<Option<Row>> {
        Ok(self.fetch_all(stmt).await?.into_iter().next())
    }

    pub async fn execute(&mut self, stmt: &impl QueryStatementWriter) -> Result<u64> {
        let built = self.build(stmt);
        self.execute_built(built).await
    }

    /// Runs `statements` in turn, making and rendering each next one while the database runs
    /// the one before — for bulk loads, whose statement building costs about what running
    /// it does: this task and the database's stay busy together instead of taking turns.
    pub async fn execute_each<S: QueryStatementWriter>(
        &mut self,
        statements: impl IntoIterator<Item = S>,
    ) -> Result<u64> {
        let backend = self.backend();
        let mut statements = statements.into_iter();
        let mut next = statements.next().map(|s| backend.render(&s));
        let mut affected = 0;
        while let Some(built) = next {
            // The first future hands its statement to the database and waits; the second
            // then makes the next one meanwhile.
            let (done, made) = tokio::join!(self.execute_built(built), async {
                statements.next().map(|s| backend.render(&s))
            });
            affected += done?;
            next = made;
        }
        Ok(affected)
    }

    async fn execute_built(&mut self, (sql, values): Rendered) -> Result<u64> {
        Ok(match &mut self.conn {
            TxConn::Sqlite(tx) => tx
                .with(async |c| sqlx::query_with(sql, values).execute(c).await)
                .await
                .map_err(db_error)?
                .rows_affected(),
            TxConn::Postgres(tx) => tx
                .with(async |c| sqlx::query_with(sql, values).execute(c).await)
                .await
                .map_err(db_error)?
                .rows_affected(),
        })
    }

    /// Moves the version of each module whose records changed, then commits. The versions'
    /// rows are taken last and in the order of their names, so that two transactions never
    /// wait for each other's.
    pub async fn commit(mut self) -> Result<()> {
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        for module in &changed {
            self.execute(&crate::totals::version_moved(module)).await?;
        }
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await.map_err(db_error),
            TxConn::Postgres(tx) => tx.commit().await.map_err(db_error),
        }
    }
}

/// A row of either backend.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// Reads column `col` as `T`; both backends must be able to decode `T`.
    pub fn get<T>(&self, col: &str) -> Result<T>
    where
        T: for<'r> Decode<'r, Sqlite>
            + Type<Sqlite>
            + for<'r> Decode<'r, Postgres>
            + Type<Postgres>,
    {
        match self {
            Row::Sqlite(r) => r.try_get::<T, _>(col),
            Row::Postgres(r) => r.try_get::<T, _>(col),
        }
        .map_err(|e| Error::Internal(format!("column {col}: {e}")))
    }
}

/// Maps a database error to the domain: unique violations are conflicts, the rest internal.
pub fn db_error(err: sqlx::Error) -> Error {
    if let sqlx::Error::Database(db) = &err
        && db.is_unique_violation()
    {
        return Error::Conflict(db.constraint().unwrap_or("unique value").to_owned());
    }
    Error::Internal(err.to_string())
}

/// PostgreSQL pool options for a lender of `max` connections.
fn pg_pool(max: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max + SPARE_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx would check each connection it lends with a round trip (it checks each one
        // coming back anyway, which the lender spares the statements that finished): only a
        // connection that sat idle for a while (the server may have closed it since) is
        // checked before it is lent.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < IDLE_BEFORE_CHECK {
                    return Ok(true);
                }
                Ok(sqlx::Connection::ping(conn).await.is_ok())
            })
        })
}

/// A bulk load's statements are slow by design (inserts of thousands of rows, index builds
/// over millions, a vacuum): sqlx would warn of each with its whole SQL.
fn quiet_for<O: sqlx::ConnectOptions>(options: O, workload: Workload) -> O {
    match workload {
        Workload::Requests => options,
        Workload::BulkLoad => options.disable_statement_logging(),
    }
}

/// Switches on SQLite's query planner stability guarantee (QPSG) for a new connection.
///
/// Without it SQLite marks a prepared statement to be planned again whenever a parameter its
/// plan looked at is bound anew — a `LIKE ?` pattern is one, `LIMIT ?` another (3.51; limits are
/// now written into the SQL, see [`Writer`]) — and
/// sqlx binds every parameter on every execution: every list was parsed and planned again on
/// every request, a quarter of a home page's CPU. With QPSG the plan never depends on bound
/// values, so a cached statement is only stepped. Atrium loses nothing by it: its `LIKE`
/// patterns start with `%` and the plans do not hinge on the page size.
async fn stable_plans(conn: &mut sqlx::SqliteConnection) -> std::result::Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let mut now_on: std::ffi::c_int = 0;
    // SAFETY: `db` is this connection's open handle, locked against its worker thread for the
    // call; SQLITE_DBCONFIG_ENABLE_QPSG takes an int (1: on) and an int pointer that receives
    // the setting afterwards, both valid for the call.
    let rc = unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            &mut now_on as *mut std::ffi::c_int,
        )
    };
    if rc != libsqlite3_sys::SQLITE_OK || now_on != 1 {
        return Err(sqlx::Error::Configuration(
            format!("SQLite refused the query planner stability guarantee (code {rc})").into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_query::{Expr, ExprTrait, Order, Query};
    use time::macros::datetime;
    use time::{Duration as TimeDuration, OffsetDateTime, UtcOffset};

    use super::*;

    async fn sqlite() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/times.db", dir.path().display());
        let db = Db::connect(&url).await.expect("opens");
        db.execute_ddl("CREATE TABLE times (name TEXT NOT NULL, at TEXT NOT NULL)".into())
            .await
            .expect("table");
        (dir, db)
    }

    #[tokio::test]
    async fn a_write_cut_short_while_it_waits_for_the_lock_leaves_no_lock_behind() {
        let (_dir, db) = sqlite().await;
        let first = db.begin().await.expect("begins");
        // A second write waits for the first's lock; its request is cut short meanwhile. Its
        // `BEGIN IMMEDIATE` still runs on the connection's thread and gets the lock once the
        // first commits.
        let cut = tokio::time::timeout(Duration::from_millis(200), db.begin()).await;
        assert!(cut.is_err(), "the second write waits for the first");
        first.commit().await.expect("commits");
        // Time for the orphaned `BEGIN IMMEDIATE` to take the lock (SQLite's busy handler
        // retries every few tens of milliseconds).
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Every write after it gets the lock and its connection is free of any transaction.
        for i in 0..(SqliteTuning::for_workload(Workload::Requests).connections + 2) {
            let mut tx = tokio::time::timeout(Duration::from_secs(5), db.begin())
                .await
                .expect("no transaction left holding the lock")
                .expect("begins");
            let insert = Query::insert()
                .into_table("times")
                .columns(["name", "at"])
                .values_panic([format!("write {i}").into(), "now".into()])
                .take();
            tx.execute(&insert).await.expect("writes");
            tx.commit().await.expect("commits");
        }
    }

    #[test]
    fn counts_of_rows_are_written_into_the_sql_and_every_other_value_is_bound() {
        let select = Query::select()
            .column("id")
            .from("cases")
            .and_where(Expr::col("status").eq("Open"))
            .and_where(Expr::col("priority").eq("High"))
            .limit(25)
            .offset(50)
            .take();
        let (sql, SqlxValues(values)) = Backend::Postgres.build(&select);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM "cases" WHERE "status" = $1 AND "priority" = $2 LIMIT 25 OFFSET 50"#
        );
        assert_eq!(values.0, ["Open".into(), "High".into()]);
        let (sql, SqlxValues(values)) = Backend::Sqlite.build(&select);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM "cases" WHERE "status" = ? AND "priority" = ? LIMIT 25 OFFSET 50"#
        );
        assert_eq!(values.0.len(), 2);
    }

    #[tokio::test]
    async fn sqlite_compares_and_sorts_times_as_times() {
        let (_dir, db) = sqlite().await;
        let second = datetime!(2026-12-05 12:00:05 UTC);
        // Fractions whose RFC 3339 text is shorter than that of a later time in the same
        // second, and a time given in another offset.
        let times = [
            ("a tenth", second + TimeDuration::milliseconds(100)),
            (
                "twelve hundredths",
                second + TimeDuration::milliseconds(120),
            ),
            (
                "two tenths, at +02:00",
                (second + TimeDuration::milliseconds(200))
                    .to_offset(UtcOffset::from_hms(2, 0, 0).expect("offset")),
            ),
            ("the whole second", second),
        ];
        for (name, at) in times {
            let insert = Query::insert()
                .into_table("times")
                .columns(["name", "at"])
                .values_panic([name.into(), at.into()])
                .take();
            db.execute(&insert).await.expect("insert");
        }
        let read = |until: OffsetDateTime| {
            Query::select()
                .columns(["name", "at"])
                .from("times")
                .and_where(Expr::col("at").lte(until))
                .order_by("at", Order::Asc)
                .take()
        };
        let names = |rows: &[Row]| -> Vec<String> {
            rows.iter().map(|r| r.get("name").expect("name")).collect()
        };
        let all = db
            .fetch_all(&read(second + TimeDuration::SECOND))
            .await
            .expect("all");
        assert_eq!(
            names(&all),
            [
                "the whole second",
                "a tenth",
                "twelve hundredths",
                "two tenths, at +02:00"
            ]
        );
        let due = db
            .fetch_all(&read(second + TimeDuration::milliseconds(120)))
            .await
            .expect("due");
        assert_eq!(
            names(&due),
            ["the whole second", "a tenth", "twelve hundredths"]
        );
        // Read back as the same instants.
        let read_back: Vec<OffsetDateTime> = all.iter().map(|r| r.get("at").expect("at")).collect();
        assert_eq!(read_back[0], second);
        assert_eq!(read_back[3], second + TimeDuration::milliseconds(200));
    }
}
