//! Two `atrium serve` processes on one PostgreSQL database, as behind a load balancer: both
//! start at once, a session made on one works on the other, sign-in throttling counts across
//! both, a portal change made through one applies on the next request to the other, and each
//! queued mail is delivered once (by whichever instance claims it).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::binary::{Served, atrium, serve};
use common::{Backend, database_url};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// The binary on `database` and `storage`, its data in `data`.
fn atrium_on(database: &str, storage: &str, data: &Path) -> Command {
    let mut command = atrium(&[("DATABASE_URL", database), ("ATRIUM_STORAGE_URL", storage)]);
    command.arg("--data-dir").arg(data);
    command
}

/// `atrium serve` on `database` and `storage`, and the address it listens on.
fn serve_on(database: &str, storage: &str, data: &Path) -> (Served, String) {
    let mut command = atrium_on(database, storage, data);
    command.args(["serve", "--bind", "127.0.0.1:0"]);
    serve(command)
}

async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_behave_as_one() {
    common::init_logs();
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(database) = database_url(Backend::Postgres, dir.path()).await else {
        return;
    };
    let storage = format!("file://{}/files", dir.path().display());
    let (data_a, data_b) = (dir.path().join("a"), dir.path().join("b"));
    let password = "a long enough password";
    let created = atrium_on(&database, &storage, &data_a)
        .args([
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--password",
        ])
        .arg(password)
        .output()
        .expect("run atrium admin create");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    // A portal user whose support ends in three days: the daily job, which each instance runs
    // when it starts, must queue their notice once.
    {
        let store =
            atrium_store::Store::open(&database, &storage, atrium_core::standard::registry())
                .await
                .expect("open the database");
        let contacts = store.module("contacts").expect("contacts");
        let ends = time::OffsetDateTime::now_utc().date() + time::Duration::days(3);
        let changes = atrium_core::validate::parse_input(
            contacts,
            &json!({
                "first_name": "Ending", "last_name": "Soon", "email": "ending@example.com",
                "portal_user": true, "support_end_date": ends.to_string(),
            }),
            atrium_core::validate::Mode::Create,
        )
        .expect("a contact");
        store
            .create(contacts, changes, atrium_store::Actor::System)
            .await
            .expect("created");
        drop(store);
    }

    // Both start at once on the same database.
    let (starting_a, starting_b) = (
        std::thread::spawn({
            let (database, storage, data) = (database.clone(), storage.clone(), data_a.clone());
            move || serve_on(&database, &storage, &data)
        }),
        std::thread::spawn({
            let (database, storage, data) = (database.clone(), storage.clone(), data_b.clone());
            move || serve_on(&database, &storage, &data)
        }),
    );
    let (_a, a) = starting_a.join().expect("instance a");
    let (_b, b) = starting_b.join().expect("instance b");
    let client = Client::new();

    // A session made on one works on the other.
    let (status, signed_in) = json_of(
        client
            .post(format!("{a}/api/v1/staff/login"))
            .json(&json!({"email": "root@example.com", "password": password}))
            .send()
            .await
            .expect("sign in"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let token = signed_in["token"].as_str().expect("token").to_owned();
    let admin =
        |method: reqwest::Method, url: String| client.request(method, url).bearer_auth(&token);
    let (status, _) = json_of(
        admin(reqwest::Method::GET, format!("{b}/api/v1/records/cases"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the session of a works on b");

    // Throttling counts across both: five wrong guesses, alternating, then a refusal on either.
    for attempt in 0..5 {
        let base = if attempt % 2 == 0 { &a } else { &b };
        let answer = client
            .post(format!("{base}/api/v1/staff/login"))
            .json(&json!({"email": "root@example.com", "password": "wrong guess"}))
            .send()
            .await
            .expect("guess");
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    for base in [&a, &b] {
        let answer = client
            .post(format!("{base}/api/v1/staff/login"))
            .json(&json!({"email": "root@example.com", "password": password}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(
            answer.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "the sixth try is refused on {base}"
        );
    }

    // A portal change made through a applies on the next request to b.
    let (status, mut portal) = json_of(
        admin(
            reqwest::Method::GET,
            format!("{a}/api/v1/admin/portals/default"),
        )
        .send()
        .await
        .expect("read portal"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    portal["title"] = json!("Support for Acme customers");
    let (status, saved) = json_of(
        admin(
            reqwest::Method::PUT,
            format!("{a}/api/v1/admin/portals/default"),
        )
        .json(&portal)
        .send()
        .await
        .expect("save portal"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let login = client
        .get(format!("{b}/portal/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    assert!(login.contains("Support for Acme customers"), "{login}");

    // Each queued mail is delivered once, by one of the two workers.
    let invited = 6;
    for n in 0..invited {
        let base = if n % 2 == 0 { &a } else { &b };
        let (status, contact) = json_of(
            admin(
                reqwest::Method::POST,
                format!("{base}/api/v1/records/contacts"),
            )
            .json(&json!({
                "first_name": format!("Guest{n}"),
                "last_name": "Visitor",
                "email": format!("guest{n}@example.com"),
                "portal_user": true,
            }))
            .send()
            .await
            .expect("create contact"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{contact}");
    }
    let mut sent = 0;
    for _ in 0..200 {
        let (_, outbox) = json_of(
            admin(
                reqwest::Method::GET,
                format!("{a}/api/v1/admin/outbox?status=sent"),
            )
            .send()
            .await
            .expect("outbox"),
        )
        .await;
        sent = outbox["items"].as_array().map_or(0, Vec::len);
        if sent >= invited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent >= invited, "every invitation is marked sent");
    let (_, outbox) = json_of(
        admin(reqwest::Method::GET, format!("{b}/api/v1/admin/outbox"))
            .send()
            .await
            .expect("outbox"),
    )
    .await;
    let mails = outbox["items"].as_array().cloned().unwrap_or_default();
    let of = |template: &str| mails.iter().filter(|m| m["template"] == template).count();
    assert_eq!(of("portal_invitation"), invited, "{outbox}");
    assert_eq!(
        of("support_ending"),
        1,
        "the daily job ran on both instances and queued its mail once: {outbox}"
    );
    let files = |data: &Path| {
        std::fs::read_dir(data.join("mail"))
            .map(|entries| entries.filter_map(Result::ok).count())
            .unwrap_or(0)
    };
    // The support notice may still be on its way; every invitation was delivered once.
    for _ in 0..100 {
        if files(&data_a) + files(&data_b) > invited {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        files(&data_a) + files(&data_b),
        invited + 1,
        "each mail was delivered once, whichever instance delivered it"
    );
}
