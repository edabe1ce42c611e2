//! The floor of `bench/portal_api.sh`: the benchmarked routes of the customer portal's read API
//! answered with hand-written SQL against the same database (SQLite or PostgreSQL), in the same
//! JSON shape.
//!
//! It does the work the product must do on every request, and nothing general: the session
//! (token → SHA-256 digest → `sessions` row, checked for kind, portal, lifetime and idle time,
//! and touched at most once a minute), the portal document and the contact (one joined query),
//! the contact's sign-in rules, then the rows. Access is written out for the standard modules
//! and the portal's two scopes only: `mine` is "created by the contact or belongs to the
//! contact", `all` adds the contact's organization; portal roles, field layouts other than the
//! default portal's and the company's time zone are not looked at.
//!
//! Usage: `atrium-bench-floor --data-dir DIR [--bind ADDR]` (the product's data directory, whose
//! SQLite file it reads) or `atrium-bench-floor --database-url URL [--bind ADDR]` (`sqlite://…`
//! or `postgres://…`, as the product's `DATABASE_URL`); prints `listening on http://ADDR` like
//! `atrium serve`.

use std::collections::HashMap;
use std::io::Write as _;
use std::str::FromStr;
use std::time::Duration;

use atrium_store::lender::{Lender, SPARE_CONNECTIONS};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Arguments, AssertSqlSafe, Decode, Postgres, Row as _, SqlSafeStr, Sqlite, Type};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

// ----------------------------------------------------------------------------------------------
// Errors

enum Fail {
    Unauthorized,
    NotFound,
    BadRequest(&'static str),
    Internal(String),
}

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(err: E) -> Self {
        Fail::Internal(err.to_string())
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            Fail::Unauthorized => (StatusCode::UNAUTHORIZED, "Sign in first.".to_owned()),
            Fail::NotFound => (StatusCode::NOT_FOUND, "Not found.".to_owned()),
            Fail::BadRequest(why) => (StatusCode::BAD_REQUEST, why.to_owned()),
            Fail::Internal(why) => (StatusCode::INTERNAL_SERVER_ERROR, why),
        };
        (
            status,
            Json(json!({ "status": status.as_u16(), "detail": detail })),
        )
            .into_response()
    }
}

type Answer<T> = Result<T, Fail>;

// ----------------------------------------------------------------------------------------------
// The database: SQLite or PostgreSQL
//
// The statements are the same text on both where the dialects agree; parameters are written
// `$n` (SQLite takes `$n` as well, and sqlx binds it by its number). Where the storage differs —
// ids (BLOB, UUID), timestamps (RFC 3339 text, TIMESTAMPTZ), booleans (0/1, BOOLEAN) — the rows
// are read through [`Row`], and the few SQL functions that differ are written per dialect.

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The product's connection lending (`atrium_store::lender`): a statement that finished
/// gives its connection back without a check, so the floor pays no more per statement than the
/// product does.
#[derive(Clone)]
enum Db {
    Sqlite(Lender<Sqlite>),
    Postgres(Lender<Postgres>),
}

/// A value bound to a statement's `$n`, in order.
enum Param {
    Id(Option<Uuid>),
    Text(String),
    /// A timestamp: fixed-width UTC text on SQLite (as the product stores it), TIMESTAMPTZ on
    /// PostgreSQL.
    Time(OffsetDateTime),
}

/// How the product keeps a time on SQLite: UTC text with all six digits of its microseconds.
const SQLITE_TIME: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

fn sqlite_args(params: Vec<Param>) -> Answer<SqliteArguments> {
    let mut args = SqliteArguments::default();
    for param in params {
        match param {
            Param::Id(id) => args.add(id)?,
            Param::Text(text) => args.add(text)?,
            Param::Time(at) => args.add(at.to_offset(UtcOffset::UTC).format(SQLITE_TIME)?)?,
        }
    }
    Ok(args)
}

/// PostgreSQL is told every parameter's type, so a statement may leave some unused (the
/// organization in `mine`, the FAQ pattern outside FAQs).
fn pg_args(params: Vec<Param>) -> Answer<PgArguments> {
    let mut args = PgArguments::default();
    for param in params {
        match param {
            Param::Id(id) => args.add(id)?,
            Param::Text(text) => args.add(text)?,
            Param::Time(at) => args.add(at)?,
        }
    }
    Ok(args)
}

impl Db {
    fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    async fn fetch_all(&self, sql: impl SqlSafeStr, params: Vec<Param>) -> Answer<Vec<Row>> {
        Ok(match self {
            Db::Sqlite(lender) => {
                let args = sqlite_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).fetch_all(c).await)
                    .await?
                    .into_iter()
                    .map(Row::Sqlite)
                    .collect()
            }
            Db::Postgres(lender) => {
                let args = pg_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).fetch_all(c).await)
                    .await?
                    .into_iter()
                    .map(Row::Postgres)
                    .collect()
            }
        })
    }

    async fn fetch_optional(
        &self,
        sql: impl SqlSafeStr,
        params: Vec<Param>,
    ) -> Answer<Option<Row>> {
        Ok(match self {
            Db::Sqlite(lender) => {
                let args = sqlite_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).fetch_optional(c).await)
                    .await?
                    .map(Row::Sqlite)
            }
            Db::Postgres(lender) => {
                let args = pg_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).fetch_optional(c).await)
                    .await?
                    .map(Row::Postgres)
            }
        })
    }

    async fn execute(&self, sql: impl SqlSafeStr, params: Vec<Param>) -> Answer<()> {
        match self {
            Db::Sqlite(lender) => {
                let args = sqlite_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).execute(c).await)
                    .await?;
            }
            Db::Postgres(lender) => {
                let args = pg_args(params)?;
                lender
                    .with(async |c| sqlx::query_with(sql, args).execute(c).await)
                    .await?;
            }
        }
        Ok(())
    }

    async fn close(&self) {
        match self {
            Db::Sqlite(lender) => lender.close().await,
            Db::Postgres(lender) => lender.close().await,
        }
    }
}

enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// Column `col` as `T`, which both databases decode alike (text, ids, integers, floats,
    /// booleans).
    fn get<'r, T>(&'r self, col: &str) -> Answer<T>
    where
        T: Decode<'r, Sqlite> + Type<Sqlite> + Decode<'r, Postgres> + Type<Postgres>,
    {
        Ok(match self {
            Row::Sqlite(row) => row.try_get(col)?,
            Row::Postgres(row) => row.try_get(col)?,
        })
    }

    /// A timestamp column as the API shows it: RFC 3339 in UTC, without a fraction's trailing
    /// zeros (SQLite keeps all six digits).
    fn time(&self, col: &str) -> Answer<Option<String>> {
        let at = match self {
            Row::Sqlite(row) => row
                .try_get::<Option<&str>, _>(col)?
                .map(timestamp)
                .transpose()?,
            Row::Postgres(row) => row.try_get::<Option<OffsetDateTime>, _>(col)?,
        };
        Ok(at
            .map(|at| at.to_offset(UtcOffset::UTC).format(&Rfc3339))
            .transpose()?)
    }

    /// A timestamp column (not null) as a time.
    fn instant(&self, col: &str) -> Answer<OffsetDateTime> {
        match self {
            Row::Sqlite(row) => timestamp(row.try_get(col)?),
            Row::Postgres(row) => Ok(row.try_get(col)?),
        }
    }

    /// A date column as `YYYY-MM-DD` (the text SQLite stores; a DATE on PostgreSQL).
    fn date(&self, col: &str) -> Answer<Option<String>> {
        match self {
            Row::Sqlite(row) => Ok(row.try_get::<Option<&str>, _>(col)?.map(str::to_owned)),
            Row::Postgres(row) => Ok(row
                .try_get::<Option<time::Date>, _>(col)?
                .map(|date| date.to_string())),
        }
    }
}

// ----------------------------------------------------------------------------------------------
// The signed-in customer

/// Default-portal contact fields shown by `me`, in the module's order.
const PROFILE: [&str; 7] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "title",
    "department",
];

const SESSION_SQL: &str = "SELECT s.last_seen_at, s.expires_at, p.document, \
     c.id, c.number, c.created_at, c.updated_at, c.first_name, c.last_name, c.email, c.phone, \
     c.mobile, c.title, c.department, c.organization, c.portal_user, c.portals, \
     c.support_start_date, c.support_end_date \
     FROM sessions s JOIN portals p ON p.slug = s.portal JOIN contacts c ON c.id = s.user_id \
     WHERE s.token_hash = $1 AND s.kind = 'customer' AND s.portal = $2 AND c.deleted_at IS NULL";

struct Customer {
    dialect: Dialect,
    contact: Uuid,
    organization: Option<Uuid>,
    /// The portal's document (`portals.document`).
    portal: Value,
    /// The contact's columns from `SESSION_SQL`.
    row: Row,
}

fn timestamp(text: &str) -> Answer<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(Fail::from)
}

fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap_or(now)
}

async fn customer(db: &Db, headers: &HeaderMap, slug: &str) -> Answer<Customer> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Fail::Unauthorized)?;
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
    let params = vec![Param::Text(digest.clone()), Param::Text(slug.to_owned())];
    let row = db
        .fetch_optional(SESSION_SQL, params)
        .await?
        .ok_or(Fail::Unauthorized)?;
    let portal: Value = serde_json::from_str(row.get::<&str>("document")?)?;
    let at = now();
    let idle = portal["session_idle_minutes"].as_i64().unwrap_or(30);
    let last_seen = row.instant("last_seen_at")?;
    if at >= row.instant("expires_at")? || at - last_seen >= time::Duration::minutes(idle) {
        return Err(Fail::Unauthorized);
    }
    if at - last_seen >= time::Duration::minutes(1) {
        let params = vec![Param::Time(at), Param::Text(digest)];
        db.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
            params,
        )
        .await?;
    }
    // Who may be signed in (the product's sign-in refusals), with today in UTC.
    let today = at.date().to_string();
    let allowed: Vec<String> = row
        .get::<Option<&str>>("portals")?
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let permitted = if allowed.is_empty() {
        portal["default"] == true
    } else {
        allowed.iter().any(|s| s == slug)
    };
    let refused = portal["active"] == false
        || row.get::<Option<bool>>("portal_user")? != Some(true)
        || !permitted
        || row
            .date("support_start_date")?
            .is_some_and(|start| today < start)
        || row.date("support_end_date")?.is_some_and(|end| today > end);
    if refused {
        return Err(Fail::Unauthorized);
    }
    Ok(Customer {
        dialect: db.dialect(),
        contact: row.get("id")?,
        organization: row.get("organization")?,
        portal,
        row,
    })
}

// ----------------------------------------------------------------------------------------------
// Who sees what: `$1` is the contact, `$2` the organization, `$3` the FAQs' portal pattern (all
// three bound to every query).

#[derive(Clone, Copy, PartialEq)]
enum Level {
    Contact,
    Account,
}

impl Customer {
    fn entry(&self, module: &str) -> Option<&Value> {
        self.portal["modules"]
            .as_array()?
            .iter()
            .find(|m| m["module"] == module)
    }

    fn shows(&self, module: &str, fields: &[&str]) -> bool {
        self.entry(module).is_some_and(|e| {
            fields
                .iter()
                .all(|f| e["fields"][*f].as_str().is_some_and(|a| a != "hidden"))
        })
    }

    /// The read level of an owned module in this portal; None when it is not in the portal.
    fn level(&self, module: &str) -> Option<Level> {
        let entry = self.entry(module)?;
        let scope = entry["scope"]
            .as_str()
            .or(self.portal["default_scope"].as_str());
        Some(match (scope, self.organization) {
            (Some("all"), Some(_)) => Level::Account,
            _ => Level::Contact,
        })
    }

    /// The SQL condition on table alias `t` for the records of `module` this customer reads,
    /// hard rules included; None when the customer reads none.
    fn scope(&self, module: &str, t: &str) -> Option<String> {
        if module == "faqs" {
            self.entry(module)?;
            let find = match self.dialect {
                Dialect::Sqlite => "instr",
                Dialect::Postgres => "strpos",
            };
            return Some(format!(
                "{t}.status = 'Published' AND ({t}.portals IS NULL OR {t}.portals = '[]' \
                 OR {find}({t}.portals, $3) > 0)"
            ));
        }
        let level = self.level(module)?;
        let contacts_of_o =
            "SELECT id FROM contacts WHERE deleted_at IS NULL AND organization = $2";
        // `column IN (subquery)`. PostgreSQL uses no index for such an arm of an OR: it tests
        // every row against the subquery's hashed rows. The subquery's ids as an array are an
        // index condition (`= ANY`), run once, and the arms combine in a bitmap of index scans.
        let within = |column: &str, ids: &str| match self.dialect {
            Dialect::Sqlite => format!("{column} IN ({ids})"),
            Dialect::Postgres => format!("{column} = ANY(ARRAY({ids}))"),
        };
        let links = |from: &str, ids: &str| {
            within(
                &format!("{t}.id"),
                &format!(
                    "SELECT other_id FROM record_links WHERE module = '{from}' \
                     AND other_module = '{module}' AND record_id IN ({ids})"
                ),
            )
        };
        let contact_of_o = || within(&format!("{t}.contact"), contacts_of_o);
        let mut any = vec![format!("{t}.created_by_ext = $1")];
        let hard = match module {
            "cases" | "tickets" => {
                any.push(format!("{t}.contact = $1"));
                if level == Level::Account {
                    any.push(format!("{t}.organization = $2"));
                    any.push(contact_of_o());
                }
                match self.dialect {
                    Dialect::Sqlite => format!("({t}.internal IS NULL OR {t}.internal <> 1)"),
                    Dialect::Postgres => format!("{t}.internal IS NOT TRUE"),
                }
            }
            "projects" => {
                any.push(format!("{t}.contact = $1"));
                any.push(links("contacts", "$1"));
                if level == Level::Account {
                    any.push(format!("{t}.organization = $2"));
                    any.push(contact_of_o());
                    any.push(links("contacts", contacts_of_o));
                }
                "TRUE".to_owned()
            }
            "documents" => {
                any.push(links("contacts", "$1"));
                if level == Level::Account {
                    any.push(links("organizations", "$2"));
                    any.push(links("contacts", contacts_of_o));
                }
                for (parent, p) in [("cases", "pc"), ("tickets", "pt"), ("projects", "pp")] {
                    if let Some(visible) = self.scope(parent, p) {
                        let ids = format!("SELECT {p}.id FROM {parent} {p} WHERE {visible}");
                        any.push(links(parent, &ids));
                    }
                }
                format!("({t}.status IS NULL OR {t}.status <> 'Inactive')")
            }
            _ => return None,
        };
        // `deleted_at IS NULL` goes into every arm: the module indexes are partial (live rows
        // only), and SQLite uses a partial index for an arm of an OR only when the arm itself
        // implies the index's condition. Without it every list scans the whole table.
        let any: Vec<String> = any
            .iter()
            .map(|arm| format!("({arm} AND {t}.deleted_at IS NULL)"))
            .collect();
        Some(format!("({}) AND {hard}", any.join(" OR ")))
    }

    /// `$1`, `$2` and `$3` of [`Customer::scope`].
    fn args(&self) -> Vec<Param> {
        let slug = self.portal["slug"].as_str().unwrap_or_default();
        // Found with instr, not LIKE: SQLite plans a statement again each time a LIKE pattern
        // is bound.
        vec![
            Param::Id(Some(self.contact)),
            Param::Id(self.organization),
            Param::Text(format!("\"{slug}\"")),
        ]
    }

    async fn rows(&self, db: &Db, sql: String) -> Answer<Vec<Row>> {
        db.fetch_all(AssertSqlSafe(sql), self.args()).await
    }
}

// ----------------------------------------------------------------------------------------------
// Records as JSON: `id`, `number`, `created_at`, `updated_at`, then the visible fields.

#[derive(Clone, Copy)]
enum Kind {
    Text,
    /// A datetime field (RFC 3339 in UTC).
    Time,
    /// A reference to a record of this table: `{id, label}`.
    Ref(&'static str),
    /// A file descriptor: `{name, size, mime_type, sha256}`.
    File,
}

use Kind::{File, Ref, Text, Time};

/// The default portal's visible fields of each module, in the module's order.
fn view(module: &str) -> &'static [(&'static str, Kind)] {
    match module {
        "cases" => &[
            ("title", Text),
            ("description", Text),
            ("status", Text),
            ("priority", Text),
            ("case_type", Text),
            ("contact", Ref("contacts")),
            ("resolution", Text),
            ("resolved_at", Time),
        ],
        "tickets" => &[
            ("title", Text),
            ("description", Text),
            ("status", Text),
            ("priority", Text),
            ("severity", Text),
            ("category", Text),
            ("contact", Ref("contacts")),
            ("solution", Text),
        ],
        "faqs" => &[("question", Text), ("answer", Text), ("category", Text)],
        "documents" => &[
            ("title", Text),
            ("folder", Text),
            ("file", File),
            ("notes", Text),
        ],
        _ => &[],
    }
}

/// `SELECT … FROM module t WHERE t.deleted_at IS NULL AND (scope)` with the columns of `view`.
fn select(module: &str, scope: &str) -> String {
    let mut sql = String::from("SELECT t.id, t.number, t.version, t.created_at, t.updated_at");
    for (name, kind) in view(module) {
        sql.push_str(", t.");
        sql.push_str(name);
        if let Ref(table) = kind {
            sql.push_str(&format!(
                ", (SELECT label FROM {table} WHERE id = t.{name}) AS {name}__label"
            ));
        }
    }
    sql.push_str(&format!(
        " FROM {module} t WHERE t.deleted_at IS NULL AND {scope}"
    ));
    sql
}

fn record(module: &str, row: &Row) -> Answer<Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(row.get::<Uuid>("id")?));
    out.insert("number".into(), json!(row.get::<&str>("number")?));
    for header in ["created_at", "updated_at"] {
        out.insert(header.into(), json!(row.time(header)?));
    }
    for (name, kind) in view(module) {
        let value = match kind {
            Text => json!(row.get::<Option<&str>>(name)?),
            Time => json!(row.time(name)?),
            Ref(_) => match row.get::<Option<Uuid>>(name)? {
                Some(id) => {
                    let label: Option<&str> = row.get(&format!("{name}__label"))?;
                    json!({ "id": id, "label": label })
                }
                None => Value::Null,
            },
            File => row
                .get::<Option<&str>>(name)?
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .map_or(Value::Null, |f| {
                    json!({"name": f["name"], "size": f["size"], "mime_type": f["mime_type"], "sha256": f["sha256"]})
                }),
        };
        out.insert((*name).into(), value);
    }
    Ok(Value::Object(out))
}

fn records(module: &str, rows: &[Row]) -> Answer<Vec<Value>> {
    rows.iter().map(|r| record(module, r)).collect()
}

// ----------------------------------------------------------------------------------------------
// Routes

type Pool = State<Db>;

async fn list(
    State(db): Pool,
    headers: HeaderMap,
    Path((slug, module)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Answer<Json<Value>> {
    let who = customer(&db, &headers, &slug).await?;
    if module != "cases" {
        return Err(Fail::NotFound);
    }
    let number = |key: &str, default: i64, max: i64| match params.get(key) {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(Fail::BadRequest("bad paging")),
    };
    let page = number("page", 1, i64::MAX)?;
    let per_page = number("per_page", 25, 200)?;
    let scope = who.scope(&module, "t").ok_or(Fail::NotFound)?;
    let offset = (page - 1)
        .checked_mul(per_page)
        .ok_or(Fail::BadRequest("bad paging"))?;
    // The paging is written into the statement, not bound: SQLite plans a statement again
    // each time a bound LIMIT is bound (the product switches that off per connection instead).
    let rows = who.rows(
        &db,
        format!(
            "{} ORDER BY t.updated_at DESC, t.id DESC LIMIT {per_page} OFFSET {offset}",
            select(&module, &scope)
        ),
    );
    let count = who.rows(
        &db,
        format!("SELECT COUNT(*) AS n FROM {module} t WHERE t.deleted_at IS NULL AND {scope}"),
    );
    let (rows, count) = tokio::try_join!(rows, count)?;
    let total: i64 = count.first().map_or(Ok(0), |r| r.get("n"))?;
    Ok(Json(json!({
        "items": records(&module, &rows)?,
        "total": total,
        "page": page,
        "per_page": per_page,
    })))
}

fn record_id(id: &str) -> Answer<Uuid> {
    Uuid::parse_str(id).map_err(|_| Fail::NotFound)
}

async fn read(
    State(db): Pool,
    headers: HeaderMap,
    Path((slug, module, id)): Path<(String, String, String)>,
) -> Answer<Response> {
    let who = customer(&db, &headers, &slug).await?;
    let id = record_id(&id)?;
    if module != "cases" {
        return Err(Fail::NotFound);
    }
    let scope = who.scope(&module, "t").ok_or(Fail::NotFound)?;
    let sql = format!("{} AND t.id = $4", select(&module, &scope));
    let mut args = who.args();
    args.push(Param::Id(Some(id)));
    let row = db
        .fetch_optional(AssertSqlSafe(sql), args)
        .await?
        .ok_or(Fail::NotFound)?;
    let etag = format!("\"{}\"", row.get::<i64>("version")?);
    let mut response = Json(record(&module, &row)?).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

async fn comments(
    State(db): Pool,
    headers: HeaderMap,
    Path((slug, module, id)): Path<(String, String, String)>,
) -> Answer<Json<Value>> {
    let who = customer(&db, &headers, &slug).await?;
    let id = record_id(&id)?;
    if module != "cases" {
        return Err(Fail::NotFound);
    }
    let scope = who.scope(&module, "t").ok_or(Fail::NotFound)?;
    let mut args = who.args();
    args.push(Param::Id(Some(id)));
    let sql =
        format!("SELECT 1 FROM {module} t WHERE t.id = $4 AND t.deleted_at IS NULL AND {scope}");
    db.fetch_optional(AssertSqlSafe(sql), args)
        .await?
        .ok_or(Fail::NotFound)?;
    let rows = db
        .fetch_all(
            "SELECT m.id, m.body, m.body_html, m.internal, m.author_user, u.name AS user_label, \
             m.author_contact, k.label AS contact_label, \
             k.deleted_at IS NOT NULL AS contact_deleted, m.created_at \
             FROM comments m LEFT JOIN staff_users u ON u.id = m.author_user \
             LEFT JOIN contacts k ON k.id = m.author_contact \
             WHERE m.module = $1 AND m.record_id = $2 AND NOT m.internal \
             ORDER BY m.created_at, m.id",
            vec![Param::Text(module), Param::Id(Some(id))],
        )
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let author = row
            .get::<Option<Uuid>>("author_user")?
            .map(|id| {
                Ok::<_, Fail>(json!({"id": id, "label": row.get::<Option<&str>>("user_label")?}))
            })
            .transpose()?;
        let author_ext = row
            .get::<Option<Uuid>>("author_contact")?
            .map(|id| {
                Ok::<_, Fail>(json!({
                    "id": id,
                    "label": row.get::<Option<&str>>("contact_label")?,
                    "deleted": row.get::<Option<bool>>("contact_deleted")?.unwrap_or(false),
                }))
            })
            .transpose()?;
        items.push(json!({
            "id": row.get::<Uuid>("id")?.to_string(),
            "body": row.get::<&str>("body")?,
            "body_html": row.get::<&str>("body_html")?,
            "internal": row.get::<bool>("internal")?,
            "author": author,
            "author_ext": author_ext,
            "created_at": row.time("created_at")?,
        }));
    }
    Ok(Json(json!({ "items": items })))
}

async fn me(State(db): Pool, headers: HeaderMap, Path(slug): Path<String>) -> Answer<Json<Value>> {
    let who = customer(&db, &headers, &slug).await?;
    let row = &who.row;
    let mut out = Map::new();
    out.insert("id".into(), json!(who.contact));
    out.insert("number".into(), json!(row.get::<&str>("number")?));
    for header in ["created_at", "updated_at"] {
        out.insert(header.into(), json!(row.time(header)?));
    }
    for field in PROFILE {
        out.insert(field.into(), json!(row.get::<Option<&str>>(field)?));
    }
    Ok(Json(Value::Object(out)))
}

// ----------------------------------------------------------------------------------------------
// Home

const GRAY: &str = "#868e96";

const CASE_PRIORITIES: [(&str, &str); 4] = [
    ("Low", GRAY),
    ("Medium", "#1c7ed6"),
    ("High", "#d9480f"),
    ("Urgent", "#e03131"),
];

const PROJECT_STATUSES: [(&str, &str); 8] = [
    ("Prospecting", GRAY),
    ("Initiated", "#1098ad"),
    ("In Progress", "#1c7ed6"),
    ("Waiting for Feedback", "#f59f00"),
    ("On Hold", "#f76707"),
    ("Completed", "#37b24d"),
    ("Delivered", "#0ca678"),
    ("Archived", "#7048e8"),
];

/// Chart slices in picklist order with their colors, then unknown buckets in gray.
fn slices(picklist: &[(&str, &str)], buckets: &[(Option<String>, Value)], unit: bool) -> Value {
    let slice = |label: &str, value: &Value, color: &str| {
        let mut s = json!({"label": label, "value": value, "color": color});
        if unit {
            s["unit"] = json!("hours");
        }
        s
    };
    let mut out: Vec<Value> = picklist
        .iter()
        .filter_map(|(name, color)| {
            buckets
                .iter()
                .find(|(b, _)| b.as_deref() == Some(*name))
                .map(|(_, v)| slice(name, v, color))
        })
        .collect();
    for (bucket, value) in buckets {
        if !bucket
            .as_deref()
            .is_some_and(|b| picklist.iter().any(|(name, _)| *name == b))
        {
            out.push(slice(bucket.as_deref().unwrap_or("None"), value, GRAY));
        }
    }
    Value::Array(out)
}

fn buckets(rows: &[Row], hours: bool) -> Answer<Vec<(Option<String>, Value)>> {
    rows.iter()
        .map(|r| {
            let value = if hours {
                let h = r.get::<Option<f64>>("v")?.unwrap_or(0.0);
                json!((h * 10.0).round() / 10.0)
            } else {
                json!(r.get::<i64>("v")?)
            };
            Ok((r.get("bucket")?, value))
        })
        .collect()
}

/// What one widget of the home shows.
enum Part<'a> {
    Chart(&'a str, Value),
    Recent(&'a str, Value),
    Representative(Value),
    Nothing,
}

/// The figures of one home widget; `cases` is the customer's scope of cases.
async fn part<'a>(
    db: &Db,
    who: &Customer,
    widget: &'a str,
    cases: Option<&str>,
) -> Answer<Part<'a>> {
    Ok(match widget {
        "open_cases_by_priority" if who.shows("cases", &["priority", "status"]) => {
            let Some(scope) = cases else {
                return Ok(Part::Nothing);
            };
            let sql = format!(
                "SELECT t.priority AS bucket, COUNT(*) AS v FROM cases t \
                 WHERE t.deleted_at IS NULL AND {scope} \
                 AND (t.status IS NULL OR t.status <> 'Resolved') \
                 AND (t.status IS NULL OR t.status <> 'Closed') GROUP BY t.priority"
            );
            let rows = who.rows(db, sql).await?;
            Part::Chart(
                widget,
                slices(&CASE_PRIORITIES, &buckets(&rows, false)?, false),
            )
        }
        "case_resolution_time_by_priority" if who.shows("cases", &["priority", "resolved_at"]) => {
            let Some(scope) = cases else {
                return Ok(Part::Nothing);
            };
            // The product's expressions (`average_hours_by`).
            let hours = match who.dialect {
                Dialect::Sqlite => {
                    "AVG((julianday(t.resolved_at) - julianday(t.created_at)) * 24.0)"
                }
                Dialect::Postgres => {
                    "(AVG(EXTRACT(EPOCH FROM (t.resolved_at - t.created_at)) / 3600.0))::float8"
                }
            };
            let sql = format!(
                "SELECT t.priority AS bucket, {hours} AS v \
                 FROM cases t WHERE t.deleted_at IS NULL AND t.resolved_at IS NOT NULL \
                 AND {scope} GROUP BY t.priority"
            );
            let rows = who.rows(db, sql).await?;
            Part::Chart(
                widget,
                slices(&CASE_PRIORITIES, &buckets(&rows, true)?, true),
            )
        }
        "projects_by_status" if who.shows("projects", &["status"]) => {
            let Some(scope) = who.scope("projects", "t") else {
                return Ok(Part::Nothing);
            };
            let sql = format!(
                "SELECT t.status AS bucket, COUNT(*) AS v FROM projects t \
                 WHERE t.deleted_at IS NULL AND {scope} GROUP BY t.status"
            );
            let rows = who.rows(db, sql).await?;
            Part::Chart(
                widget,
                slices(&PROJECT_STATUSES, &buckets(&rows, false)?, false),
            )
        }
        "recent_cases" | "recent_tickets" | "recent_faqs" | "recent_documents" => {
            let module = &widget["recent_".len()..];
            let items = match who.scope(module, "t") {
                Some(scope) => {
                    let sql = format!(
                        "{} ORDER BY t.updated_at DESC, t.id DESC LIMIT 5",
                        select(module, &scope)
                    );
                    Value::Array(records(module, &who.rows(db, sql).await?)?)
                }
                None => json!([]),
            };
            Part::Recent(module, items)
        }
        "account_representatives" => {
            let Some(org) = who.organization else {
                return Ok(Part::Nothing);
            };
            let row = db
                .fetch_optional(
                    "SELECT u.name, u.email, u.phone FROM organizations o \
                     JOIN staff_users u ON u.id = o.assigned_to \
                     WHERE o.id = $1 AND o.deleted_at IS NULL AND u.active",
                    vec![Param::Id(Some(org))],
                )
                .await?;
            match row {
                Some(u) => Part::Representative(json!({
                    "name": u.get::<&str>("name")?,
                    "email": u.get::<&str>("email")?,
                    "phone": u.get::<Option<&str>>("phone")?,
                })),
                None => Part::Nothing,
            }
        }
        _ => Part::Nothing,
    })
}

async fn home(
    State(db): Pool,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Answer<Json<Value>> {
    let who = customer(&db, &headers, &slug).await?;
    let layout = &who.portal["home"];
    let widgets: Vec<&str> = layout["widgets"]
        .as_array()
        .map(|w| w.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let cases = who.scope("cases", "t");
    // The widgets are read at once, each on its own connection, as the product reads them.
    let parts = futures::future::try_join_all(
        widgets
            .iter()
            .map(|widget| part(&db, &who, widget, cases.as_deref())),
    )
    .await?;
    let mut charts = Map::new();
    let mut recent = Map::new();
    let mut representatives = Vec::new();
    for part in parts {
        match part {
            Part::Chart(name, chart) => {
                charts.insert(name.into(), chart);
            }
            Part::Recent(module, items) => {
                recent.insert(module.into(), items);
            }
            Part::Representative(user) => representatives.push(user),
            Part::Nothing => {}
        }
    }
    let announcement = layout["announcement"].as_str().unwrap_or_default();
    let greeting = if layout["greeting"] == "time_based" {
        let part = match now().hour() {
            5..=11 => "Good morning",
            12..=17 => "Good afternoon",
            _ => "Good evening",
        };
        let name = [PROFILE[0], PROFILE[1]]
            .into_iter()
            .find_map(|f| who.row.get::<Option<&str>>(f).ok().flatten())
            .unwrap_or_default();
        if name.is_empty() {
            part.to_owned()
        } else {
            format!("{part}, {name}")
        }
    } else {
        "Welcome to the portal".to_owned()
    };
    let mut out = json!({
        "announcement": announcement,
        "announcement_html": if announcement.is_empty() { String::new() } else { format!("<p>{announcement}</p>\n") },
        "greeting": greeting,
        "charts": charts,
        "recent": recent,
    });
    if widgets.contains(&"account_representatives") {
        out["representatives"] = json!(representatives);
    }
    if widgets.contains(&"shortcuts") {
        let can = |module: &str, create: bool| {
            who.entry(module)
                .is_some_and(|e| !create || e["create"] == true)
        };
        let shortcuts: Vec<&Value> = layout["shortcuts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| match s.as_str() {
                Some("add_document") => can("documents", true),
                Some("create_ticket") => can("tickets", true),
                Some("open_tickets") => can("tickets", false),
                Some("create_case") => can("cases", true),
                Some("open_cases") => can("cases", false),
                _ => false,
            })
            .collect();
        out["shortcuts"] = json!(shortcuts);
    }
    Ok(Json(out))
}

// ----------------------------------------------------------------------------------------------
// Serving

const USAGE: &str = "usage: atrium-bench-floor (--data-dir DIR | --database-url URL) [--bind ADDR]";

/// The database URL (`--database-url`, or the SQLite file of `--data-dir`) and the address.
fn arguments() -> Result<(String, String), String> {
    let mut url = None;
    let mut bind = "127.0.0.1:0".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(USAGE)?;
        let given = match arg.as_str() {
            "--data-dir" => url.replace(format!("sqlite://{value}/atrium.db")),
            "--database-url" => url.replace(value),
            "--bind" => {
                bind = value;
                None
            }
            other => return Err(format!("unknown argument {other}; {USAGE}")),
        };
        if given.is_some() {
            return Err(format!("one database only; {USAGE}"));
        }
    }
    Ok((url.ok_or(USAGE)?, bind))
}

/// The product's connection settings (`Db::connect`), without creating or migrating anything.
async fn connect(url: &str) -> Result<Db, Box<dyn std::error::Error>> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8 + SPARE_CONNECTIONS)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(Lender::new(pool, 8, None)))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let pool = PgPoolOptions::new()
            .max_connections(20 + SPARE_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .test_before_acquire(false)
            .connect_with(PgConnectOptions::from_str(url)?)
            .await?;
        Ok(Db::Postgres(Lender::new(
            pool,
            20,
            Some(Duration::from_secs(5)),
        )))
    } else {
        Err("the database URL must start with sqlite:// or postgres://".into())
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The product's allocator, so that the ratio compares the work done, not the allocators.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (url, bind) = arguments()?;
    let db = connect(&url).await?;
    let app = Router::new()
        .route("/api/v1/portal/{slug}/records/{module}", get(list))
        .route("/api/v1/portal/{slug}/records/{module}/{id}", get(read))
        .route(
            "/api/v1/portal/{slug}/records/{module}/{id}/comments",
            get(comments),
        )
        .route("/api/v1/portal/{slug}/me", get(me))
        .route("/api/v1/portal/{slug}/home", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(db.clone());
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    db.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_follow_the_picklist_then_unknown_buckets() {
        let buckets = vec![
            (Some("Urgent".to_owned()), json!(1)),
            (None, json!(2)),
            (Some("Low".to_owned()), json!(3)),
        ];
        let out = slices(&CASE_PRIORITIES, &buckets, false);
        let labels: Vec<&str> = out
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["label"].as_str())
            .collect();
        assert_eq!(labels, ["Low", "Urgent", "None"]);
        assert_eq!(out[2]["color"], GRAY);
    }

    #[test]
    fn today_compares_with_stored_dates() {
        let date = time::Date::from_calendar_date(2026, time::Month::March, 4).expect("date");
        assert_eq!(date.to_string(), "2026-03-04");
    }
}
