//! The `atrium` binary: `admin create`, configuration errors, `seed` and `serve`, on SQLite in temporary directories.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::send;
use reqwest::StatusCode;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_atrium");
const PASSWORD: &str = "long enough password";

/// The binary with a clean environment for its configuration: no `ATRIUM_*` or `DATABASE_URL`
/// from the developer's shell.
fn atrium() -> Command {
    let mut command = Command::new(BIN);
    for (name, _) in std::env::vars() {
        if name.starts_with("ATRIUM_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "warn");
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run the atrium binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn admin_create(data_dir: &Path, email: &str, password: &str) -> Output {
    run(atrium()
        .args(["admin", "create", "--email", email, "--password", password])
        .arg("--data-dir")
        .arg(data_dir))
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `atrium serve` on a free port and returns it with the address it printed.
fn serve(data_dir: &Path) -> (Server, String) {
    let mut child = atrium()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start atrium serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines_rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(address) = line.strip_prefix("listening on ") {
                    let address = address.trim().to_owned();
                    assert!(
                        address.starts_with("http://127.0.0.1:")
                            && !address.ends_with(":0")
                            && address["http://127.0.0.1:".len()..].parse::<u16>().is_ok(),
                        "the real port is printed: {line}"
                    );
                    return (server, address);
                }
            }
            Err(err) => panic!("no `listening on` line within a minute: {err}"),
        }
    }
}

#[test]
fn admin_create_is_idempotent_and_refuses_short_passwords() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");

    let first = admin_create(&data, "x@example.com", PASSWORD);
    assert!(
        first.status.success(),
        "first create: {}",
        text(&first.stderr)
    );
    assert!(
        text(&first.stdout).contains("x@example.com"),
        "{}",
        text(&first.stdout)
    );
    assert!(data.join("atrium.db").exists(), "the database is created");

    let second = admin_create(&data, "x@example.com", "another long password");
    assert!(
        second.status.success(),
        "second create: {}",
        text(&second.stderr)
    );
    assert_eq!(
        text(&first.stdout),
        text(&second.stdout),
        "the same admin (same id) both times"
    );

    let short = admin_create(&data, "y@example.com", "short");
    assert!(!short.status.success(), "a short password fails");
    assert_ne!(short.status.code(), Some(0));
    let message = text(&short.stderr);
    assert!(
        message.contains("password") && message.contains("12"),
        "the message says why: {message}"
    );
    assert!(!text(&short.stdout).contains("ready"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_admin_create_changes_the_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    assert!(
        admin_create(&data, "x@example.com", PASSWORD)
            .status
            .success()
    );
    let changed = admin_create(&data, "X@Example.com", "another long password");
    assert!(changed.status.success(), "{}", text(&changed.stderr));

    let (_server, base) = serve(&data);
    let client = reqwest::Client::new();
    let login = |password: &str| {
        send(
            client
                .post(format!("{base}/api/v1/staff/login"))
                .json(&json!({"email": "x@example.com", "password": password})),
        )
    };
    let (status, _) = login(PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, body) = login("another long password").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["email"], "x@example.com");
    let token = body["token"].as_str().expect("token");
    let (status, users) = send(
        client
            .get(format!("{base}/api/v1/admin/users"))
            .bearer_auth(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(1),
        "one admin, not two: {users}"
    );
}

#[test]
fn an_unknown_key_in_the_config_file_fails_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("atrium.toml");
    std::fs::write(
        &config,
        "bind = \"127.0.0.1:9000\"\nmax_uplod_bytes = 1000\n",
    )
    .expect("write the config file");
    let output = run(atrium()
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&config)
        .args([
            "admin",
            "create",
            "--email",
            "x@example.com",
            "--password",
            PASSWORD,
        ]));
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(message.contains("max_uplod_bytes"), "{message}");
    assert!(
        !dir.path().join("data").join("atrium.db").exists(),
        "nothing was created"
    );

    let missing = run(atrium()
        .arg("--config")
        .arg(dir.path().join("nope.toml"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args([
            "admin",
            "create",
            "--email",
            "x@example.com",
            "--password",
            PASSWORD,
        ]));
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("nope.toml"),
        "{}",
        text(&missing.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_prints_its_counts_and_serve_answers_on_the_printed_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let seeded = run(atrium()
        .args(["seed", "--scale", "3", "--data-dir"])
        .arg(&data));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let counts = text(&seeded.stdout);
    for count in ["3 organizations", "9 contacts", "30 cases"] {
        assert!(counts.contains(count), "{count} in {counts}");
    }

    assert!(
        admin_create(&data, "ops@example.com", PASSWORD)
            .status
            .success()
    );
    let (_server, base) = serve(&data);
    let client = reqwest::Client::new();
    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("GET /healthz");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.expect("body"), "ok");

    let (status, body) = send(
        client
            .post(format!("{base}/api/v1/staff/login"))
            .json(&json!({"email": "ops@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().expect("token");
    for (module, total) in [("organizations", 3), ("contacts", 9), ("cases", 30)] {
        let (status, list) = send(
            client
                .get(format!("{base}/api/v1/records/{module}"))
                .bearer_auth(token),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["total"], total, "the served data is the seeded data");
    }
}

/// `seed` loads rows without indexes and builds them at the end: the file it leaves has every
/// index and a text index that finds the loaded rows, before any server touches it.
#[test]
fn seed_builds_the_indexes_it_set_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let fresh = dir.path().join("fresh");
    for (target, scale) in [(&data, "2"), (&fresh, "0")] {
        let seeded = run(atrium()
            .args(["seed", "--scale", scale, "--data-dir"])
            .arg(target));
        assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    }
    let schema = |dir: &std::path::Path| -> Vec<String> {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let pool =
                sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("atrium.db").display()))
                    .await
                    .expect("open the seeded file");
            let names: Vec<(String,)> = sqlx::query_as(
                "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name",
            )
            .fetch_all(&pool)
            .await
            .expect("schema");
            // FTS5 compares its index with the rows it was built from.
            sqlx::query("INSERT INTO cases__text (cases__text) VALUES ('integrity-check')")
                .execute(&pool)
                .await
                .expect("the text index holds exactly the loaded cases");
            // Built with a larger in-memory hash, which is set back for requests' writes.
            let (hash_size,): (i64,) =
                sqlx::query_as("SELECT v FROM cases__text_config WHERE k = 'hashsize'")
                    .fetch_one(&pool)
                    .await
                    .expect("the text index's hash size");
            assert_eq!(hash_size, 1024 * 1024);
            names.into_iter().map(|(n,)| n).collect()
        })
    };
    let seeded = schema(&data);
    assert_eq!(
        seeded,
        schema(&fresh),
        "the same indexes as a database never loaded"
    );
    assert!(seeded.iter().any(|n| n.starts_with("cases__text_")));
}

/// On PostgreSQL, `seed` leaves the loaded tables analyzed and vacuumed (the planner knows
/// their sizes, and counts over an index need not visit every row's page), and the staff's
/// text search reads a stored document column that every loaded row has, through its index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_on_postgres_leaves_statistics_and_the_text_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = common::database_url(common::Backend::Postgres, dir.path()).await else {
        return;
    };
    let seeded = run(atrium()
        .env("DATABASE_URL", &url)
        .args(["seed", "--scale", "2", "--data-dir"])
        .arg(dir.path().join("data")));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));

    let pool = sqlx::PgPool::connect(&url).await.expect("connect");
    let (vacuumed, analyzed): (bool, bool) = sqlx::query_as(
        "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables \
         WHERE schemaname = current_schema() AND relname = 'cases'",
    )
    .fetch_one(&pool)
    .await
    .expect("the cases table's statistics");
    assert!(
        vacuumed && analyzed,
        "vacuumed {vacuumed}, analyzed {analyzed}"
    );

    let columns: Vec<(String,)> = sqlx::query_as(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = 'cases' \
         AND column_name LIKE '\\_text\\_%'",
    )
    .fetch_all(&pool)
    .await
    .expect("columns");
    let [(column,)] = columns.as_slice() else {
        panic!("one document column, not {columns:?}");
    };
    let (rows, documents, indexes): (i64, i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT count(*) FROM cases), \
         (SELECT count(*) FROM cases WHERE \"{column}\" @@ to_tsquery('simple', 'cs:*')), \
         (SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() \
          AND tablename = 'cases' AND indexdef LIKE '%USING gin ({column})%')"
    )))
    .fetch_one(&pool)
    .await
    .expect("the document column");
    assert!(rows > 0);
    assert_eq!(documents, rows, "every case's number is in its document");
    assert_eq!(indexes, 1, "one index over the document");
}
