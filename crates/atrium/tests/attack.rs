//! The attack test. Two organizations each have a customer, A and B, with records of every
//! module the default portal reaches: cases, tickets, documents with a file, projects with
//! tasks and milestones, and comments. Customer A then walks every route of the portal API the
//! way an attacker would:
//!
//! - (a) with B's record ids in every id position: the path of every record route, references
//!   in the bodies of creates and changes, list filters and searches;
//! - (b) with a tampered session token (one character changed; as Bearer and, same-origin, as
//!   the cookie), an expired session, no token, a staff token, A's token on another portal and
//!   on a portal that does not exist, on A's records and on B's; the routes
//!   that take a link token in their body (invitation, password reset, e-mail confirmation) get
//!   tampered, expired, empty and misused tokens (a session token, a link of another kind, a
//!   link of the same kind on another portal);
//! - (c) with the session in the `atrium_portal` cookie instead of a Bearer token, on every
//!   state-changing route, sent cross-origin: a foreign `Origin`, `Sec-Fetch-Site: cross-site`
//!   or `same-site`, `Origin: null`, another port of the same host, or neither header.
//!
//! Every such request must be refused with the status the contract gives — 401, 403, 404 or
//! 422, never 2xx and never 5xx — must not show anything of B's, and must leave the database
//! exactly as it was: every row of every table is read (as text) before and after each request
//! and compared (the one change allowed is the removal of an expired session that was
//! presented; see also `UNCOMPARED`). At the end A sends the same requests properly, with A's own ids and a Bearer
//! token, and gets what the default portal allows, which shows that the refused requests
//! addressed real routes.
//!
//! The default portal is used as it comes, except that the contact's `email` is `read_write` in
//! its profile layout, so that B can have a live e-mail confirmation link to attack.

mod common;

use std::collections::BTreeMap;

use common::{CUSTOMER_PASSWORD, Customer, TestApp, error_fields, send};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

on_both_databases!(a_customer_can_neither_reach_nor_change_what_is_not_theirs);

/// The new password in link bodies (strong, so that only the token can be the reason for a
/// refusal).
const STRONG: &str = "tangerine submarine orchestra";
/// A's new password in the final, allowed password change.
const NEW_PASSWORD: &str = "marmalade lighthouse sideways";
/// A word in the texts of B's records, which no answer to A may contain.
const B_WORD: &str = "zqbravoqz";
/// Columns that a refused request may legitimately change, left out of the comparison:
/// `sessions.last_seen_at` is touched (at most once a minute) by any request that presents a
/// live session, including a read that is then refused.
const UNCOMPARED: &[(&str, &str)] = &[("sessions", "last_seen_at")];

async fn a_customer_can_neither_reach_nor_change_what_is_not_theirs(app: TestApp) {
    let world = World::build(&app).await;
    let mut attack = Attacker::new(&app, &world).await;
    attack.foreign_ids().await;
    attack.bad_sessions().await;
    attack.cross_site_cookies().await;
    attack.recover().await;
    attack.bad_links().await;
    attack.proper_requests().await;
    attack.finish();
}

// ---------------------------------------------------------------------------------------------
// The two customers and their records.
// ---------------------------------------------------------------------------------------------

/// One customer's organization, contact and records.
struct Holdings {
    organization: String,
    contact: String,
    case: String,
    ticket: String,
    document: String,
    project: String,
    task: String,
    milestone: String,
}

impl Holdings {
    /// The records that have routes of their own, with their modules.
    fn records(&self) -> [(&'static str, &str); 6] {
        [
            ("cases", &self.case),
            ("tickets", &self.ticket),
            ("documents", &self.document),
            ("projects", &self.project),
            ("project_tasks", &self.task),
            ("project_milestones", &self.milestone),
        ]
    }

    fn ids(&self) -> Vec<String> {
        let mut ids = vec![self.organization.clone(), self.contact.clone()];
        ids.extend(self.records().iter().map(|(_, id)| id.to_string()));
        ids
    }
}

struct World {
    a: Customer,
    b: Customer,
    mine: Holdings,
    theirs: Holdings,
    /// B's live links: invitation, password reset, e-mail change.
    invitation: String,
    reset: String,
    email_change: String,
}

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_owned()
}

/// Creates a record through the portal as `customer`; panics unless it is created.
async fn portal_create(app: &TestApp, customer: &Customer, module: &str, body: Value) -> String {
    let (status, record) = send(
        app.portal(customer, Method::POST, &format!("/records/{module}"))
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "creating {module}: {record}");
    id_of(&record)
}

fn file_part(text: &str) -> Part {
    Part::bytes(text.as_bytes().to_vec()).file_name("notes.txt")
}

/// A customer's records: a case, a ticket and a document of their own (created through the
/// portal), a project of theirs with a task and a milestone, the document linked to the case
/// and the project, and comments (theirs, staff replies and an internal note).
async fn holdings(app: &TestApp, customer: &Customer, organization: &str, word: &str) -> Holdings {
    let case = portal_create(
        app,
        customer,
        "cases",
        json!({"title": format!("Case {word}"), "description": format!("Details {word}")}),
    )
    .await;
    let ticket = portal_create(
        app,
        customer,
        "tickets",
        json!({"title": format!("Ticket {word}"), "description": format!("Details {word}")}),
    )
    .await;
    let form = Form::new()
        .text("title", format!("Document {word}"))
        .part("file", file_part(&format!("File of {word}\n")));
    let (status, document) = send(
        app.portal(customer, Method::POST, "/records/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "uploading: {document}");
    let document = id_of(&document);
    let project = id_of(
        &app.create(
            "projects",
            json!({"name": format!("Project {word}"), "contact": customer.id,
                   "organization": organization, "description": format!("Plan {word}")}),
        )
        .await,
    );
    let task = id_of(
        &app.create(
            "project_tasks",
            json!({"name": format!("Task {word}"), "project": project}),
        )
        .await,
    );
    let milestone = id_of(
        &app.create(
            "project_milestones",
            json!({"name": format!("Milestone {word}"), "project": project}),
        )
        .await,
    );
    for parent in [format!("cases/{case}"), format!("projects/{project}")] {
        let (status, body) = send(app.admin(
            Method::PUT,
            &format!("/api/v1/records/{parent}/links/documents/{document}"),
        ))
        .await;
        assert!(status.is_success(), "linking the document: {body}");
    }
    for (module, id) in [
        ("cases", &case),
        ("tickets", &ticket),
        ("projects", &project),
    ] {
        let (status, body) = send(
            app.portal(
                customer,
                Method::POST,
                &format!("/records/{module}/{id}/comments"),
            )
            .json(&json!({"body": format!("Question {word}")})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "commenting: {body}");
        let (status, body) = app
            .post(
                &format!("/api/v1/records/{module}/{id}/comments"),
                json!({"body": format!("Answer {word}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "replying: {body}");
    }
    let (status, body) = app
        .post(
            &format!("/api/v1/records/cases/{case}/comments"),
            json!({"body": format!("Internal note {word}"), "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "an internal note: {body}");
    let (status, body) = send(app.portal(
        customer,
        Method::PUT,
        &format!("/records/projects/{project}/follow"),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "following: {body}");
    Holdings {
        organization: organization.to_owned(),
        contact: customer.id.clone(),
        case,
        ticket,
        document,
        project,
        task,
        milestone,
    }
}

/// The token of the last mail from `template` to `to` (the link's `token=` parameter), once
/// there is one.
async fn token_in_last_mail(app: &TestApp, to: &str, template: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let mails = app.store.mails_to(to).await.expect("mails");
        if let Some((_, _, text)) = mails.into_iter().rev().find(|(t, _, _)| t == template) {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {template} mail to {to}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

impl World {
    async fn build(app: &TestApp) -> World {
        // A second portal, whose slug A tries with a session of the default portal.
        let (status, body) = app
            .post(
                "/api/v1/admin/portals",
                json!({"slug": "partners", "name": "Partner Portal"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "the second portal: {body}");
        // Customers may change their e-mail address (confirmed by a link), so that the
        // confirmation route has a live link to attack.
        let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
        portal["profile"]["contact"]["email"] = json!("read_write");
        let (status, body) = send(
            app.admin(Method::PUT, "/api/v1/admin/portals/default")
                .json(&portal),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "the profile layout: {body}");
        let (status, body) = app
            .post(
                "/api/v1/records/faqs",
                json!({"question": "How do I reset the printer?", "answer": "Hold the button.",
                       "status": "Published"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "a FAQ: {body}");

        let acme = app.organization("Acme").await;
        let globex = app.organization(&format!("Globex {B_WORD}")).await;
        let a = app.customer("Anna", "Alpha", Some(&acme)).await;
        let b = app.customer("Bert", B_WORD, Some(&globex)).await;
        let mine = holdings(app, &a, &acme, "alpha").await;
        let theirs = holdings(app, &b, &globex, B_WORD).await;

        // B's live links. Creating B as a portal user mailed the invitation; B's password was
        // then set directly, which leaves that link unused.
        let invitation = token_in_last_mail(app, &b.email, "portal_invitation").await;
        let (status, _) = send(
            app.client
                .post(app.url("/api/v1/portal/default/password/forgot"))
                .json(&json!({"email": b.email})),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        let reset = token_in_last_mail(app, &b.email, "portal_password_reset").await;
        let new_address = format!("bert.{B_WORD}.new@example.com");
        let (status, body) = send(
            app.portal(&b, Method::PATCH, "/me")
                .json(&json!({"email": new_address})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "B asks for a new address: {body}");
        let email_change = token_in_last_mail(app, &new_address, "email_change_confirmation").await;
        for (what, token) in [
            ("invitation", &invitation),
            ("reset", &reset),
            ("e-mail change", &email_change),
        ] {
            let digest = atrium_app::passwords::token_digest(token);
            let found = app.store.token(&digest).await.expect("token").expect(what);
            assert!(found.used_at.is_none(), "B's {what} link is live");
        }

        World {
            a,
            b,
            mine,
            theirs,
            invitation,
            reset,
            email_change,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The routes.
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    /// Multipart with a `file` part (replacing a document's file).
    File,
    /// Multipart with a `title` and a `file` part (a new document).
    NewDocument,
}

/// One request of the portal API, below `/api/v1/portal/{slug}`.
#[derive(Clone)]
struct Probe {
    method: Method,
    path: String,
    body: Body,
}

impl Probe {
    fn new(method: Method, path: impl Into<String>, body: Body) -> Probe {
        Probe {
            method,
            path: path.into(),
            body,
        }
    }

    fn get(path: impl Into<String>) -> Probe {
        Probe::new(Method::GET, path, Body::None)
    }

    fn json(method: Method, path: impl Into<String>, body: Value) -> Probe {
        Probe::new(method, path, Body::Json(body))
    }

    fn changes_state(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The related lists the default portal shows for a module.
fn related(module: &str) -> &'static [&'static str] {
    match module {
        "cases" | "tickets" => &["documents"],
        "projects" => &["project_tasks", "project_milestones", "documents"],
        _ => &[],
    }
}

/// The text field a change sends.
fn text_field(module: &str) -> &'static str {
    match module {
        "cases" | "tickets" | "documents" => "title",
        _ => "name",
    }
}

/// Every route on one customer's records, with what its owner gets in the default portal
/// (API.md's default portal, ACCESS.md): cases and tickets can be changed and commented on,
/// documents only created, projects only commented on, tasks and milestones only read through
/// their project; nothing can be deleted; everything readable can be followed and printed.
fn record_probes(h: &Holdings) -> Vec<(Probe, StatusCode)> {
    use StatusCode as S;
    let mut probes = Vec::new();
    for (module, id) in h.records() {
        let base = format!("/records/{module}/{id}");
        let editable = matches!(module, "cases" | "tickets");
        let commentable = matches!(module, "cases" | "tickets" | "projects");
        probes.push((Probe::get(&base), S::OK));
        probes.push((
            Probe::json(
                Method::PATCH,
                &base,
                json!({ text_field(module): "Changed by an attacker" }),
            ),
            if editable { S::OK } else { S::FORBIDDEN },
        ));
        probes.push((Probe::new(Method::DELETE, &base, Body::None), S::FORBIDDEN));
        for other in related(module) {
            probes.push((Probe::get(format!("{base}/related/{other}")), S::OK));
        }
        probes.push((Probe::get(format!("{base}/updates")), S::OK));
        probes.push((Probe::get(format!("{base}/comments")), S::OK));
        probes.push((
            Probe::json(
                Method::POST,
                format!("{base}/comments"),
                json!({"body": "A comment from an attacker"}),
            ),
            if commentable {
                S::CREATED
            } else {
                S::FORBIDDEN
            },
        ));
        probes.push((
            Probe::new(Method::PUT, format!("{base}/follow"), Body::None),
            S::NO_CONTENT,
        ));
        probes.push((
            Probe::new(Method::DELETE, format!("{base}/follow"), Body::None),
            S::NO_CONTENT,
        ));
        probes.push((Probe::get(format!("{base}/pdf")), S::OK));
        if module == "documents" {
            probes.push((Probe::get(format!("{base}/file")), S::OK));
            probes.push((
                Probe::new(Method::PUT, format!("{base}/file"), Body::File),
                S::FORBIDDEN,
            ));
        }
    }
    probes
}

/// The routes of a signed-in customer that name no record, with what the customer gets; the
/// password change and the sign-out come last.
fn session_probes() -> Vec<(Probe, StatusCode)> {
    use StatusCode as S;
    let mut probes = Vec::new();
    for module in ["cases", "tickets", "documents", "projects"] {
        probes.push((Probe::get(format!("/records/{module}")), S::OK));
    }
    probes.extend([
        (
            Probe::json(Method::POST, "/records/cases", json!({"title": "New case"})),
            S::CREATED,
        ),
        (
            Probe::json(
                Method::POST,
                "/records/tickets",
                json!({"title": "New ticket"}),
            ),
            S::CREATED,
        ),
        (
            Probe::new(Method::POST, "/records/documents", Body::NewDocument),
            S::CREATED,
        ),
        (Probe::get("/home"), S::OK),
        (Probe::get("/modules"), S::OK),
        (Probe::get("/faqs/search?q=printer"), S::OK),
        (Probe::get("/me"), S::OK),
        (
            Probe::json(Method::PATCH, "/me", json!({"phone": "+1 555 0100"})),
            S::OK,
        ),
        (Probe::get("/me/organization"), S::OK),
        // Every organization field is read-only in the default profile layout.
        (
            Probe::json(
                Method::PATCH,
                "/me/organization",
                json!({"phone": "+1 555 0199"}),
            ),
            S::UNPROCESSABLE_ENTITY,
        ),
        (
            Probe::json(
                Method::POST,
                "/password/change",
                json!({"current_password": CUSTOMER_PASSWORD, "new_password": NEW_PASSWORD}),
            ),
            S::NO_CONTENT,
        ),
        (
            Probe::new(Method::POST, "/logout", Body::None),
            S::NO_CONTENT,
        ),
    ]);
    probes
}

/// A route that takes a link's token in its body (`invitation/accept`, `password/reset`,
/// `email/confirm`).
fn link_probe(route: &str, token: &str) -> Probe {
    let body = if route == "email/confirm" {
        json!({ "token": token })
    } else {
        json!({ "token": token, "password": STRONG })
    };
    Probe::json(Method::POST, format!("/{route}"), body)
}

/// The token with one character changed.
fn tampered(token: &str) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// How a request presents itself.
enum Auth<'a> {
    Bearer(&'a str),
    /// The token in the `atrium_portal` cookie, with these extra headers.
    Cookie(&'a str, &'a [(&'static str, &'static str)]),
    Anonymous,
}

fn request(app: &TestApp, slug: &str, probe: &Probe, auth: Auth<'_>) -> RequestBuilder {
    let url = app.url(&format!("/api/v1/portal/{slug}{}", probe.path));
    let mut request = app.client.request(probe.method.clone(), url);
    request = match auth {
        Auth::Bearer(token) => request.bearer_auth(token),
        Auth::Cookie(token, headers) => {
            request = request.header("cookie", format!("theme=dark; atrium_portal={token}"));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            request
        }
        Auth::Anonymous => request,
    };
    match &probe.body {
        Body::None => request,
        Body::Json(body) => request.json(body),
        Body::File => request.multipart(Form::new().part("file", file_part("Replaced\n"))),
        Body::NewDocument => request.multipart(
            Form::new()
                .text("title", "Uploaded document")
                .part("file", file_part("Uploaded\n")),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// The database, read whole.
// ---------------------------------------------------------------------------------------------

/// One row: (column, value as text) in the table's column order.
type Row = Vec<(String, Option<String>)>;
/// Every table's rows, sorted.
type Dump = BTreeMap<String, Vec<Row>>;

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The test's database, opened beside the app's own pool.
struct Database {
    pool: Pool,
    /// Per table: its name, the compared columns and the statement that reads them as text
    /// (SQLite: `quote(…)`; PostgreSQL: `::text`). Listed once, when the attack starts: Atrium
    /// creates its tables at start-up.
    tables: Vec<(String, Vec<String>, String)>,
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn compared(table: &str, column: &str) -> bool {
    !UNCOMPARED.contains(&(table, column))
}

impl Database {
    async fn open(app: &TestApp) -> Database {
        // (table, column) of every table, in column order. SQLite: `sqlite_master`;
        // PostgreSQL: the base tables of the current schema (from the catalog rather than
        // `information_schema`, which is slow on a server with many test schemas).
        let (pool, pairs): (Pool, Vec<(String, String)>) = match app.backend {
            common::Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&app.database_url)
                    .await
                    .expect("open the SQLite database");
                let pairs = sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p \
                     WHERE m.type = 'table' ORDER BY m.name, p.cid",
                )
                .fetch_all(&pool)
                .await
                .expect("list the SQLite tables");
                (Pool::Sqlite(pool), pairs)
            }
            common::Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&app.database_url)
                    .await
                    .expect("open the PostgreSQL database");
                let pairs = sqlx::query_as(
                    "SELECT c.relname::text, a.attname::text \
                     FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid \
                     WHERE c.relnamespace = current_schema()::regnamespace \
                       AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
                     ORDER BY c.relname, a.attnum",
                )
                .fetch_all(&pool)
                .await
                .expect("list the PostgreSQL tables");
                (Pool::Postgres(pool), pairs)
            }
        };
        let mut columns_of: Vec<(String, Vec<String>)> = Vec::new();
        for (table, column) in pairs {
            if !compared(&table, &column) {
                continue;
            }
            match columns_of.last_mut() {
                Some((last, columns)) if *last == table => columns.push(column),
                _ => columns_of.push((table, vec![column])),
            }
        }
        let tables = columns_of
            .into_iter()
            .map(|(table, columns)| {
                let list = columns
                    .iter()
                    .map(|c| match pool {
                        Pool::Sqlite(_) => format!("quote({})", quoted(c)),
                        Pool::Postgres(_) => format!("{}::text", quoted(c)),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!("SELECT {list} FROM {}", quoted(&table));
                (table, columns, sql)
            })
            .collect();
        Database { pool, tables }
    }

    /// Every row of every table, as text, without the uncompared columns.
    async fn dump(&self) -> Dump {
        let mut dump = Dump::new();
        for (table, columns, sql) in &self.tables {
            let statement = sqlx::AssertSqlSafe(sql.clone());
            let mut rows: Vec<Row> = match &self.pool {
                Pool::Sqlite(pool) => sqlx::query(statement)
                    .fetch_all(pool)
                    .await
                    .unwrap_or_else(|e| panic!("reading {table}: {e}"))
                    .iter()
                    .map(|row| text_row(columns, row))
                    .collect(),
                Pool::Postgres(pool) => sqlx::query(statement)
                    .fetch_all(pool)
                    .await
                    .unwrap_or_else(|e| panic!("reading {table}: {e}"))
                    .iter()
                    .map(|row| text_row(columns, row))
                    .collect(),
            };
            rows.sort();
            dump.insert(table.clone(), rows);
        }
        dump
    }

    /// Makes links expire: their `expires_at` becomes their `created_at`.
    async fn expire_links(&self, digests: &[String]) {
        for digest in digests {
            let done = match &self.pool {
                Pool::Sqlite(pool) => sqlx::query(
                    "UPDATE portal_tokens SET expires_at = created_at WHERE token_hash = ?",
                )
                .bind(digest)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
                Pool::Postgres(pool) => sqlx::query(
                    "UPDATE portal_tokens SET expires_at = created_at WHERE token_hash = $1",
                )
                .bind(digest)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            };
            assert_eq!(done.expect("expire a link"), 1, "one link expired");
        }
    }
}

fn text_row<R>(columns: &[String], row: &R) -> Row
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let value: Option<String> = row
                .try_get(i)
                .unwrap_or_else(|e| panic!("column {column} as text: {e}"));
            (column.clone(), value)
        })
        .collect()
}

/// What changed between two dumps: rows that went away (`-`) and rows that came (`+`).
fn differences(before: &Dump, after: &Dump) -> Vec<String> {
    let mut changes = Vec::new();
    let tables: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for table in tables {
        let mut count: BTreeMap<&Row, i64> = BTreeMap::new();
        for row in before.get(table).into_iter().flatten() {
            *count.entry(row).or_default() -= 1;
        }
        for row in after.get(table).into_iter().flatten() {
            *count.entry(row).or_default() += 1;
        }
        for (row, n) in count {
            if n != 0 {
                let sign = if n < 0 { '-' } else { '+' };
                let text = row
                    .iter()
                    .map(|(c, v)| format!("{c}={}", v.as_deref().unwrap_or("NULL")))
                    .collect::<Vec<_>>()
                    .join(", ");
                changes.push(format!("{table}: {sign} {}", short(&text, 300)));
            }
        }
    }
    changes
}

fn short(text: &str, max: usize) -> String {
    if text.len() > max {
        format!("{}…", &text[..text.floor_char_boundary(max)])
    } else {
        text.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// The attacker.
// ---------------------------------------------------------------------------------------------

const REFUSALS: [StatusCode; 4] = [
    StatusCode::UNAUTHORIZED,
    StatusCode::FORBIDDEN,
    StatusCode::NOT_FOUND,
    StatusCode::UNPROCESSABLE_ENTITY,
];

/// Cross-origin header sets for cookie requests (c). A browser sends `Origin` with every
/// cross-origin POST, PUT, PATCH and DELETE, and `Sec-Fetch-Site` where it supports it.
const CROSS_ORIGIN: &[(&str, &[(&str, &str)])] = &[
    (
        "a foreign Origin",
        &[("origin", "https://attacker.example")],
    ),
    (
        "Sec-Fetch-Site: cross-site",
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://attacker.example"),
        ],
    ),
    (
        "Sec-Fetch-Site: same-site",
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://sub.127.0.0.1"),
        ],
    ),
    ("Origin: null", &[("origin", "null")]),
    (
        "the Origin of another port",
        &[("origin", "http://127.0.0.1:9")],
    ),
    // Nothing shows the request to be same-origin (API.md: the check must pass).
    ("neither Origin nor Sec-Fetch-Site", &[]),
];

/// What a browser sends with a same-origin request.
const SAME_ORIGIN: &[(&str, &str)] = &[("sec-fetch-site", "same-origin")];

struct Attacker<'a> {
    app: &'a TestApp,
    world: &'a World,
    db: Database,
    /// A, whose session is renewed if an attack that should have failed ended it.
    a: Customer,
    /// The database as it must still be.
    snapshot: Dump,
    /// Texts of B's that no answer to A may contain (unless A's request itself carried them).
    secrets: Vec<String>,
    problems: Vec<String>,
    /// Refused requests sent.
    sent: usize,
    started: std::time::Instant,
    /// Time spent reading the database, and how many times it was read.
    dumping: std::time::Duration,
    dumps: usize,
}

impl<'a> Attacker<'a> {
    async fn new(app: &'a TestApp, world: &'a World) -> Attacker<'a> {
        let db = Database::open(app).await;
        let snapshot = db.dump().await;
        let mut secrets = world.theirs.ids();
        secrets.push(B_WORD.to_owned());
        secrets.push(world.b.email.clone());
        let a = Customer {
            id: world.a.id.clone(),
            email: world.a.email.clone(),
            token: world.a.token.clone(),
        };
        Attacker {
            app,
            world,
            db,
            a,
            snapshot,
            secrets,
            problems: Vec::new(),
            sent: 0,
            started: std::time::Instant::now(),
            dumping: std::time::Duration::ZERO,
            dumps: 0,
        }
    }

    /// Sends a request that must be refused with `expected` (and the problem `code`, when
    /// given), show nothing of B's and change nothing in the database. A session with the
    /// digest `expiring` may disappear: an expired session is removed when it is presented.
    async fn refused(
        &mut self,
        what: &str,
        request: RequestBuilder,
        expected: StatusCode,
        code: Option<&str>,
        expiring: Option<&str>,
    ) -> Value {
        assert!(
            REFUSALS.contains(&expected),
            "{what}: {expected} is no refusal"
        );
        self.sent += 1;
        let (status, text) = self.exchange(what, request).await;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            // Accepted after all: give work that follows the answer (a reset mail) the time to
            // land, so that the change is reported here rather than with the next request.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        if status != expected {
            let kind = if status.is_success() {
                "ACCEPTED"
            } else if status.is_server_error() {
                "SERVER ERROR"
            } else {
                "wrong refusal"
            };
            self.problems.push(format!(
                "{what}: {kind}: expected {expected}, got {status} {}",
                short(&text, 300)
            ));
        } else if let Some(code) = code
            && body["code"] != code
        {
            self.problems.push(format!(
                "{what}: expected the problem code {code:?}, got {}",
                short(&text, 300)
            ));
        }
        self.check_unchanged(what, expiring).await;
        body
    }

    /// Sends a read that answers 200 and must show nothing of B's nor change the database.
    async fn read(&mut self, what: &str, request: RequestBuilder) -> Value {
        self.sent += 1;
        let (status, text) = self.exchange(what, request).await;
        if status != StatusCode::OK {
            self.problems.push(format!(
                "{what}: expected 200, got {status} {}",
                short(&text, 300)
            ));
        }
        self.check_unchanged(what, None).await;
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Sends the request; checks that the answer carries nothing of B's that the request did
    /// not carry itself.
    async fn exchange(&mut self, what: &str, request: RequestBuilder) -> (StatusCode, String) {
        let (client, request) = request.build_split();
        let request = request.expect("a well-formed request");
        let mut sent = request.url().to_string();
        if let Some(bytes) = request.body().and_then(|b| b.as_bytes()) {
            sent.push_str(&String::from_utf8_lossy(bytes));
        }
        let response = client.execute(request).await.expect("an answer");
        let status = response.status();
        let text = String::from_utf8_lossy(&response.bytes().await.expect("a body")).into_owned();
        let lowered = text.to_lowercase();
        for secret in &self.secrets {
            if !sent.contains(secret.as_str()) && lowered.contains(&secret.to_lowercase()) {
                self.problems.push(format!(
                    "{what}: the answer shows B's {secret:?}: {}",
                    short(&text, 300)
                ));
            }
        }
        (status, text)
    }

    async fn dump(&mut self) -> Dump {
        let started = std::time::Instant::now();
        let dump = self.db.dump().await;
        self.dumping += started.elapsed();
        self.dumps += 1;
        dump
    }

    /// Fails with every problem found, else prints the figures.
    fn finish(&self) {
        assert!(
            self.problems.is_empty(),
            "{} problems in {} attacks:\n{}",
            self.problems.len(),
            self.sent,
            self.problems.join("\n")
        );
        eprintln!(
            "{:?}: {} attacks refused, the database ({} tables) unchanged after each; \
             {:.1} s, of which {:.1} s reading the database {} times",
            self.app.backend,
            self.sent,
            self.snapshot.len(),
            self.started.elapsed().as_secs_f64(),
            self.dumping.as_secs_f64(),
            self.dumps
        );
    }

    /// Compares the database with the snapshot.
    async fn check_unchanged(&mut self, what: &str, expiring: Option<&str>) {
        let after = self.dump().await;
        let mut before = self.snapshot.clone();
        if let (Some(digest), Some(sessions)) = (expiring, before.get_mut("sessions")) {
            sessions.retain(|row| {
                !row.iter().any(|(c, v)| {
                    c == "token_hash" && v.as_deref().is_some_and(|v| v.contains(digest))
                })
            });
        }
        let changes = differences(&before, &after);
        if !changes.is_empty() {
            self.problems.push(format!(
                "{what}: the database changed:\n    {}",
                changes.join("\n    ")
            ));
        }
        self.snapshot = after;
    }

    /// (a) B's ids in every id position.
    async fn foreign_ids(&mut self) {
        let (app, world) = (self.app, self.world);
        let token = self.a.token.clone();
        let theirs = &world.theirs;
        for (probe, _) in record_probes(theirs) {
            let what = format!("(a) B's record: {}", probe.label());
            let sent = request(app, "default", &probe, Auth::Bearer(&token));
            self.refused(&what, sent, StatusCode::NOT_FOUND, None, None)
                .await;
        }
        // B's ids under another module's name, and B's contact and organization, which the
        // default portal does not list at all.
        let crossed = [
            Probe::get(format!("/records/tickets/{}", theirs.case)),
            Probe::get(format!("/records/cases/{}", theirs.ticket)),
            Probe::get(format!("/records/projects/{}", theirs.task)),
            Probe::get(format!(
                "/records/cases/{}/related/documents",
                theirs.document
            )),
            Probe::get(format!("/records/contacts/{}", theirs.contact)),
            Probe::get(format!("/records/organizations/{}", theirs.organization)),
            Probe::json(
                Method::PATCH,
                format!("/records/contacts/{}", theirs.contact),
                json!({"phone": "+1 555 0666"}),
            ),
            Probe::json(
                Method::PATCH,
                format!("/records/organizations/{}", theirs.organization),
                json!({"phone": "+1 555 0666"}),
            ),
            Probe::get(format!("/records/contacts/{}/comments", theirs.contact)),
        ];
        for probe in crossed {
            let what = format!("(a) B's id elsewhere: {}", probe.label());
            let sent = request(app, "default", &probe, Auth::Bearer(&token));
            self.refused(&what, sent, StatusCode::NOT_FOUND, None, None)
                .await;
        }
        // B's ids as references in A's writes: fields customers may not write (422).
        let mine = &world.mine;
        let writes = [
            Probe::json(
                Method::POST,
                "/records/cases",
                json!({"title": "Mine", "contact": theirs.contact}),
            ),
            Probe::json(
                Method::POST,
                "/records/cases",
                json!({"title": "Mine", "organization": theirs.organization}),
            ),
            Probe::json(
                Method::POST,
                "/records/tickets",
                json!({"title": "Mine", "contact": theirs.contact}),
            ),
            Probe::json(
                Method::POST,
                "/records/tickets",
                json!({"title": "Mine", "organization": theirs.organization}),
            ),
            Probe::json(
                Method::PATCH,
                format!("/records/cases/{}", mine.case),
                json!({"contact": theirs.contact}),
            ),
            Probe::json(
                Method::PATCH,
                format!("/records/cases/{}", mine.case),
                json!({"organization": theirs.organization}),
            ),
            Probe::json(
                Method::PATCH,
                format!("/records/tickets/{}", mine.ticket),
                json!({"contact": theirs.contact}),
            ),
            Probe::json(
                Method::PATCH,
                "/me",
                json!({"organization": theirs.organization}),
            ),
            Probe::json(Method::PATCH, "/me", json!({"id": theirs.contact})),
            Probe::json(
                Method::PATCH,
                "/me/organization",
                json!({"id": theirs.organization}),
            ),
        ];
        for probe in writes {
            let what = format!(
                "(a) B's id in a body: {} {:?}",
                probe.label(),
                body_of(&probe)
            );
            let sent = request(app, "default", &probe, Auth::Bearer(&token));
            self.refused(&what, sent, StatusCode::UNPROCESSABLE_ENTITY, None, None)
                .await;
        }
        // Filters and searches that name B or B's records: refused (a hidden field) or
        // answered without any of B's records.
        let what = "(a) filter on B's organization";
        let probe = Probe::get(format!(
            "/records/cases?organization={}",
            theirs.organization
        ));
        let sent = request(app, "default", &probe, Auth::Bearer(&token));
        self.refused(what, sent, StatusCode::UNPROCESSABLE_ENTITY, None, None)
            .await;
        let reads = [
            format!("/records/cases?contact={}", theirs.contact),
            format!("/records/tickets?contact={}", theirs.contact),
            format!("/records/cases?q={B_WORD}"),
            format!("/records/documents?q={B_WORD}"),
            format!("/records/projects?q={B_WORD}"),
            format!("/faqs/search?q={B_WORD}"),
        ];
        for path in reads {
            let what = format!("(a) a read naming B: GET {path}");
            let probe = Probe::get(&path);
            let sent = request(app, "default", &probe, Auth::Bearer(&token));
            let answer = self.read(&what, sent).await;
            let listed = answer["items"].as_array().map_or(0, Vec::len);
            if listed != 0 {
                self.problems
                    .push(format!("{what}: lists {listed} records: {answer}"));
            }
        }
    }

    /// (b) Every customer route with a session that is not A's live session of this portal.
    async fn bad_sessions(&mut self) {
        let (app, world) = (self.app, self.world);
        let token = self.a.token.clone();
        let forged = tampered(&token);
        let mut probes: Vec<Probe> = record_probes(&world.mine)
            .into_iter()
            .chain(session_probes())
            .map(|(probe, _)| probe)
            .collect();
        // The same routes on B's records (no session at all must not get further than A's).
        probes.extend(record_probes(&world.theirs).into_iter().map(|(p, _)| p));
        for probe in &probes {
            let label = probe.label();
            let unauthorized = StatusCode::UNAUTHORIZED;
            let sent = request(app, "default", probe, Auth::Bearer(&forged));
            self.refused(
                &format!("(b) a tampered token: {label}"),
                sent,
                unauthorized,
                None,
                None,
            )
            .await;
            let sent = request(app, "default", probe, Auth::Anonymous);
            self.refused(
                &format!("(b) no token: {label}"),
                sent,
                unauthorized,
                None,
                None,
            )
            .await;
            let sent = request(app, "default", probe, Auth::Cookie(&forged, SAME_ORIGIN));
            self.refused(
                &format!("(b) a tampered cookie: {label}"),
                sent,
                unauthorized,
                None,
                None,
            )
            .await;
            let sent = request(app, "default", probe, Auth::Bearer(&app.admin_token));
            self.refused(
                &format!("(b) a staff token: {label}"),
                sent,
                unauthorized,
                None,
                None,
            )
            .await;
            let sent = request(app, "partners", probe, Auth::Bearer(&token));
            self.refused(
                &format!("(b) A's token on another portal: {label}"),
                sent,
                unauthorized,
                None,
                None,
            )
            .await;
            let sent = request(app, "nowhere", probe, Auth::Bearer(&token));
            self.refused(
                &format!("(b) A's token on a portal that does not exist: {label}"),
                sent,
                StatusCode::NOT_FOUND,
                None,
                None,
            )
            .await;

            // An expired session of A's: a fresh one, idle for longer than the portal allows.
            let (token, digest) = atrium_app::passwords::new_token();
            let contact = uuid::Uuid::parse_str(&world.a.id).expect("a uuid");
            app.store
                .create_customer_session(&digest, contact, "default")
                .await
                .expect("a session");
            app.store
                .age_session(&digest, time::Duration::minutes(31))
                .await
                .expect("age the session");
            self.snapshot = self.dump().await;
            let sent = request(app, "default", probe, Auth::Bearer(&token));
            self.refused(
                &format!("(b) an expired session: {label}"),
                sent,
                unauthorized,
                None,
                Some(&digest),
            )
            .await;
        }
        // And the other way round: A's portal token on the staff API.
        let sent = app
            .client
            .get(app.url("/api/v1/records/cases"))
            .bearer_auth(&token);
        self.sent += 1;
        let (status, text) = self.exchange("(b) A's token on the staff API", sent).await;
        if status != StatusCode::UNAUTHORIZED {
            self.problems.push(format!(
                "(b) A's token on the staff API: expected 401, got {status} {}",
                short(&text, 300)
            ));
        }
        self.check_unchanged("(b) A's token on the staff API", None)
            .await;
    }

    /// (c) A's session in the cookie, on every state-changing route, from another origin.
    async fn cross_site_cookies(&mut self) {
        let (app, world) = (self.app, self.world);
        let token = self.a.token.clone();
        let mut probes: Vec<Probe> = record_probes(&world.mine)
            .into_iter()
            .chain(session_probes())
            .map(|(probe, _)| probe)
            .filter(Probe::changes_state)
            .collect();
        // Routes that need no session: a cookie makes them subject to the check all the same.
        probes.extend([
            Probe::json(
                Method::POST,
                "/login",
                json!({"email": world.a.email, "password": CUSTOMER_PASSWORD}),
            ),
            Probe::json(
                Method::POST,
                "/password/forgot",
                json!({"email": world.a.email}),
            ),
            link_probe("invitation/accept", &world.invitation),
            link_probe("password/reset", &world.reset),
            link_probe("email/confirm", &world.email_change),
        ]);
        for probe in &probes {
            for (origin, headers) in CROSS_ORIGIN {
                let what = format!("(c) a cookie with {origin}: {}", probe.label());
                let sent = request(app, "default", probe, Auth::Cookie(&token, headers));
                self.refused(&what, sent, StatusCode::FORBIDDEN, Some("csrf"), None)
                    .await;
            }
        }
    }

    /// After a refusal that did not happen (a session ended, the password changed), A signs
    /// in again so that the later phases test what they mean to; the problem is reported.
    async fn recover(&mut self) {
        let app = self.app;
        let (status, _) = send(app.portal(&self.a, Method::GET, "/me")).await;
        if status == StatusCode::UNAUTHORIZED {
            for password in [CUSTOMER_PASSWORD, NEW_PASSWORD] {
                let (status, body) = send(
                    app.client
                        .post(app.url("/api/v1/portal/default/login"))
                        .json(&json!({"email": self.a.email, "password": password})),
                )
                .await;
                if status == StatusCode::OK {
                    self.a.token = body["token"].as_str().expect("a token").to_owned();
                    break;
                }
            }
        }
        self.snapshot = self.dump().await;
    }

    /// (b) The routes that take a link: tampered, empty, misused, on another portal, expired.
    async fn bad_links(&mut self) {
        let (app, world) = (self.app, self.world);
        let token = self.a.token.clone();
        let routes = [
            ("invitation/accept", world.invitation.as_str()),
            ("password/reset", world.reset.as_str()),
            ("email/confirm", world.email_change.as_str()),
        ];
        for (route, live) in routes {
            let mut attempts: Vec<(String, String)> = vec![
                ("a tampered link".into(), tampered(live)),
                ("an empty token".into(), String::new()),
                ("A's session token".into(), token.clone()),
                ("a staff session token".into(), app.admin_token.clone()),
            ];
            for (other, token) in routes {
                if other != route {
                    attempts.push((format!("B's {other} link"), token.to_owned()));
                }
            }
            for (how, token) in attempts {
                let what = format!("(b) {how}: POST /{route}");
                let sent = request(app, "default", &link_probe(route, &token), Auth::Anonymous);
                self.bad_link(&what, sent).await;
            }
            let what = format!("(b) B's link on another portal: POST /{route}");
            let sent = request(app, "partners", &link_probe(route, live), Auth::Anonymous);
            self.bad_link(&what, sent).await;
            let what = format!("(b) B's link on a portal that does not exist: POST /{route}");
            let sent = request(app, "nowhere", &link_probe(route, live), Auth::Anonymous);
            self.refused(&what, sent, StatusCode::NOT_FOUND, None, None)
                .await;
        }
        // The same links, expired.
        let digests: Vec<String> = routes
            .iter()
            .map(|(_, token)| atrium_app::passwords::token_digest(token))
            .collect();
        self.db.expire_links(&digests).await;
        self.snapshot = self.dump().await;
        for (route, live) in routes {
            let what = format!("(b) B's expired link: POST /{route}");
            let sent = request(app, "default", &link_probe(route, live), Auth::Anonymous);
            self.bad_link(&what, sent).await;
        }
    }

    /// A link refused as a 422 naming `token`.
    async fn bad_link(&mut self, what: &str, sent: RequestBuilder) {
        let body = self
            .refused(what, sent, StatusCode::UNPROCESSABLE_ENTITY, None, None)
            .await;
        if body["status"] == 422 && error_fields(&body) != ["token"] {
            self.problems
                .push(format!("{what}: the 422 does not name the token: {body}"));
        }
    }

    /// The same routes, sent properly by A on A's records: what the default portal allows.
    async fn proper_requests(&mut self) {
        let (app, world) = (self.app, self.world);
        let token = self.a.token.clone();
        // The cookie works from the same origin, so the refusals of (c) were the origin
        // check's: `Sec-Fetch-Site: same-origin`, and an `Origin` that is the server's own.
        let comment = Probe::json(
            Method::POST,
            format!("/records/cases/{}/comments", world.mine.case),
            json!({"body": "Sent from the portal's own page"}),
        );
        let own_origin = [
            request(app, "default", &comment, Auth::Cookie(&token, SAME_ORIGIN)),
            request(app, "default", &comment, Auth::Cookie(&token, &[]))
                .header("origin", app.base.clone()),
        ];
        for sent in own_origin {
            let (status, body) = send(sent).await;
            if status != StatusCode::CREATED {
                self.problems.push(format!(
                    "A's same-origin cookie request {}: expected 201, got {status} {body}",
                    comment.label()
                ));
            }
        }
        for (probe, expected) in record_probes(&world.mine)
            .into_iter()
            .chain(session_probes())
        {
            let sent = request(app, "default", &probe, Auth::Bearer(&token));
            let (status, body) = send(sent).await;
            if status != expected {
                self.problems.push(format!(
                    "A's own request {}: expected {expected}, got {status} {}",
                    probe.label(),
                    short(&body.to_string(), 300)
                ));
            }
            if status == StatusCode::UNPROCESSABLE_ENTITY && error_fields(&body).is_empty() {
                self.problems
                    .push(format!("{}: a 422 names no field: {body}", probe.label()));
            }
        }
    }
}

fn body_of(probe: &Probe) -> Value {
    match &probe.body {
        Body::Json(body) => body.clone(),
        _ => Value::Null,
    }
}
