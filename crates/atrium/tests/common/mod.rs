//! Test harness: each test gets a fresh Atrium on its own database (a temporary SQLite file,
//! or its own PostgreSQL schema) and its own port. Without a PostgreSQL server the PostgreSQL
//! variant says it was skipped, unless `TEST_REQUIRE_POSTGRES=1` makes that a failure.

#![allow(dead_code)]

pub mod binary;
pub mod pages;

use std::sync::OnceLock;

use atrium_store::{Role, SessionKind, Store};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub admin_token: String,
    pub agent_token: String,
    pub admin_id: String,
    pub backend: Backend,
    /// The database this app runs on, for tests that inspect it directly.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

fn postgres_server_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// Creates the shared test database once per process and removes schemas that earlier runs
/// left behind (older than an hour). None when no server answers.
async fn postgres_database() -> Option<String> {
    static READY: OnceCell<Option<String>> = OnceCell::const_new();
    READY
        .get_or_init(|| async {
            let server = postgres_server_url();
            let admin = sqlx::PgPool::connect(&format!("{server}/postgres"))
                .await
                .ok()?;
            let _ = sqlx::query("CREATE DATABASE atrium_test")
                .execute(&admin)
                .await;
            admin.close().await;
            let url = format!("{server}/atrium_test");
            let pool = sqlx::PgPool::connect(&url).await.ok()?;
            let cutoff = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
            let stale: Vec<(String,)> =
                sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 't\\_%'")
                    .fetch_all(&pool)
                    .await
                    .unwrap_or_default();
            for (schema,) in stale {
                let old = schema
                    .split('_')
                    .nth(1)
                    .and_then(|s| s.parse::<i64>().ok())
                    .is_some_and(|t| t < cutoff);
                if old {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                    )))
                    .execute(&pool)
                    .await;
                }
            }
            pool.close().await;
            Some(url)
        })
        .await
        .clone()
}

/// One argon2 hash of the test password, reused by every test of the process.
async fn password_hash() -> String {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| async {
        atrium_app::passwords::hash_password(ADMIN_PASSWORD.to_owned())
            .await
            .expect("hash")
    })
    .await
    .clone()
}

pub fn init_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    });
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or a new PostgreSQL schema.
/// None (after saying so) when PostgreSQL is wanted but not there.
pub async fn database_url(backend: Backend, dir: &std::path::Path) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!("sqlite://{}/atrium.db", dir.display())),
        Backend::Postgres => {
            let Some(url) = postgres_database().await else {
                if std::env::var("TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                    panic!("PostgreSQL is required (TEST_REQUIRE_POSTGRES=1) but not reachable");
                }
                eprintln!("skipped: no PostgreSQL server at {}", postgres_server_url());
                return None;
            };
            let schema = format!(
                "t_{}_{}",
                time::OffsetDateTime::now_utc().unix_timestamp(),
                uuid::Uuid::new_v4().simple()
            );
            let pool = sqlx::PgPool::connect(&url)
                .await
                .expect("connect to the test database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                .execute(&pool)
                .await
                .expect("create schema");
            pool.close().await;
            Some(format!("{url}?options[search_path]={schema}"))
        }
    }
}

impl TestApp {
    /// The store of a second instance on this app's database, its files under `storage`.
    pub async fn other_instance(&self, storage: &std::path::Path) -> Store {
        Store::open(
            &self.database_url,
            &format!("file://{}", storage.display()),
            atrium_core::standard::registry(),
        )
        .await
        .expect("a second instance's store")
    }

    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, 25 * 1024 * 1024).await
    }

    /// A fresh app, or None (after saying so) when PostgreSQL is wanted but not there.
    pub async fn spawn_with(backend: Backend, max_upload_bytes: usize) -> Option<TestApp> {
        Self::spawn_configured(backend, max_upload_bytes, Vec::new()).await
    }

    /// A fresh app behind proxies at `trusted_proxies` (as `ATRIUM_TRUSTED_PROXIES` sets).
    pub async fn spawn_configured(
        backend: Backend,
        max_upload_bytes: usize,
        trusted_proxies: Vec<ipnet::IpNet>,
    ) -> Option<TestApp> {
        init_logs();
        let dir = tempfile::tempdir().expect("tempdir");
        let database_url = database_url(backend, dir.path()).await?;
        let storage_url = format!("file://{}/files", dir.path().display());
        let store = Store::open(
            &database_url,
            &storage_url,
            atrium_core::standard::registry(),
        )
        .await
        .expect("open store");
        let hash = password_hash().await;
        let admin = store
            .upsert_staff_user("admin@example.com", "Ada Admin", &hash, Role::Admin)
            .await
            .expect("admin");
        let agent = store
            .upsert_staff_user("agent@example.com", "Alex Agent", &hash, Role::Agent)
            .await
            .expect("agent");
        let admin_token = session(&store, admin.id).await;
        let agent_token = session(&store, agent.id).await;
        let app = atrium_web::app(atrium_app::App::new(
            store.clone(),
            atrium_app::Settings {
                base_url: "http://127.0.0.1".into(),
                max_upload_bytes,
                trusted_proxies,
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        Some(TestApp {
            base,
            client: Client::new(),
            store,
            admin_token,
            agent_token,
            admin_id: admin.id.to_string(),
            backend,
            database_url,
            _dir: dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request signed in as the admin.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.admin_token)
    }

    pub fn agent(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.agent_token)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.admin(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.admin(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.admin(Method::PATCH, path).json(&body)).await
    }

    /// Creates a record and returns it; panics unless the API answers 201.
    pub async fn create(&self, module: &str, body: Value) -> Value {
        let (status, record) = self.post(&format!("/api/v1/records/{module}"), body).await;
        assert_eq!(status, StatusCode::CREATED, "creating {module}: {record}");
        record
    }
}

async fn session(store: &Store, user: uuid::Uuid) -> String {
    let (token, digest) = atrium_app::passwords::new_token();
    store
        .create_session(&digest, SessionKind::Staff, user)
        .await
        .expect("session");
    token
}

/// Sends a request and reads the JSON answer (Null when the body is empty or not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response: Response = request.send().await.expect("request");
    let status = response.status();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Field names of a 422 problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs an async test body once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::*;

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = common::TestApp::spawn(common::Backend::Sqlite).await.expect("sqlite app");
                    super::$name(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = common::TestApp::spawn(common::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

/// A customer for portal tests: a portal-user contact with a password, and its token.
pub struct Customer {
    pub id: String,
    pub email: String,
    pub token: String,
}

pub const CUSTOMER_PASSWORD: &str = "violet umbrella marching north";

impl TestApp {
    /// Creates an organization and returns its id.
    pub async fn organization(&self, name: &str) -> String {
        let org = self
            .create("organizations", serde_json::json!({"name": name}))
            .await;
        org["id"].as_str().expect("id").to_owned()
    }

    /// Creates a contact (a portal user when `portal_user`) in `organization`.
    pub async fn contact(
        &self,
        first: &str,
        last: &str,
        organization: Option<&str>,
        portal_user: bool,
    ) -> String {
        let email = format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let mut body = serde_json::json!({"first_name": first, "last_name": last, "email": email, "portal_user": portal_user});
        if let Some(org) = organization {
            body["organization"] = serde_json::json!(org);
        }
        let contact = self.create("contacts", body).await;
        contact["id"].as_str().expect("id").to_owned()
    }

    /// Gives a contact a portal password (the invitation flow's job, done directly here).
    pub async fn set_customer_password(&self, contact: &str) {
        let hash = password_hash_of(CUSTOMER_PASSWORD).await;
        let id = uuid::Uuid::parse_str(contact).expect("uuid");
        self.store
            .set_portal_password(id, &hash, None)
            .await
            .expect("set password");
    }

    /// Signs a customer in to portal `slug` and returns the token; panics unless it works.
    pub async fn customer_login(&self, slug: &str, email: &str) -> String {
        let (status, body) = send(
            self.client
                .post(self.url(&format!("/api/v1/portal/{slug}/login")))
                .json(&serde_json::json!({"email": email, "password": CUSTOMER_PASSWORD})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "login of {email}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// A portal user in `organization`, signed in to the default portal.
    pub async fn customer(&self, first: &str, last: &str, organization: Option<&str>) -> Customer {
        let id = self.contact(first, last, organization, true).await;
        self.set_customer_password(&id).await;
        let email = format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let token = self.customer_login("default", &email).await;
        Customer { id, email, token }
    }

    /// A request to the default portal's API as `customer`.
    pub fn portal(&self, customer: &Customer, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(&format!("/api/v1/portal/default{path}")))
            .bearer_auth(&customer.token)
    }
}

async fn password_hash_of(password: &str) -> String {
    static HASH: OnceCell<String> = OnceCell::const_new();
    let password = password.to_owned();
    HASH.get_or_init(|| async move {
        atrium_app::passwords::hash_password(password)
            .await
            .expect("hash")
    })
    .await
    .clone()
}

/// The mails queued or sent to `to` once there are at least `count` of them (work that
/// happens after the answer, such as a reset link, may take a moment): (template, subject,
/// text body).
pub async fn wait_for_mails(
    app: &TestApp,
    to: &str,
    count: usize,
) -> Vec<(String, String, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mails = app.store.mails_to(to).await.expect("mails");
        if mails.len() >= count || std::time::Instant::now() > deadline {
            return mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Asks for a reset link for `email` in the default portal and returns the token from the
/// mail that brings it.
pub async fn reset_token(app: &TestApp, email: &str) -> String {
    let before = app.store.mails_to(email).await.expect("mails").len();
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/password/forgot"))
            .json(&serde_json::json!({"email": email})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = wait_for_mails(app, email, before + 1).await;
    let (_, _, text) = mails.last().expect("the reset mail");
    let start = text.find("token=").expect("a link") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}
