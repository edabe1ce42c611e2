//! Documents in S3-compatible storage: `atrium serve` with `ATRIUM_STORAGE_URL=s3://bucket`
//! against a real S3-compatible server (moto's, started here) — upload, download, replace
//! (the old object removed), and a refused upload that leaves no object and no record.
//!
//! Without moto (`pip install 'moto[server]'`) the test says it was skipped, unless
//! `TEST_REQUIRE_S3=1` (set by `.ci/run`) makes that a failure.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::binary::{Served, atrium, serve};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// moto's S3 server on a free port, or None (after saying so) when moto is not installed.
async fn moto() -> Option<(Served, String)> {
    let installed = Command::new("python3")
        .args(["-c", "import moto.server"])
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        if std::env::var("TEST_REQUIRE_S3").as_deref() == Ok("1") {
            panic!("moto[server] is required (TEST_REQUIRE_S3=1): pip install 'moto[server]'");
        }
        eprintln!("skipped: moto[server] is not installed");
        return None;
    }
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto");
    let running = Served(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(&url).await.is_ok() {
            return Some((running, url));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start");
}

/// The binary against `endpoint`'s bucket.
fn atrium_on(endpoint: &str, data: &Path) -> Command {
    let mut command = atrium(&[
        ("ATRIUM_STORAGE_URL", "s3://documents"),
        ("ATRIUM_MAX_UPLOAD_BYTES", "1000"),
        ("AWS_ENDPOINT", endpoint),
        ("AWS_ALLOW_HTTP", "true"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ]);
    command.arg("--data-dir").arg(data);
    command
}

/// The keys in the bucket.
async fn keys(client: &Client, endpoint: &str) -> Vec<String> {
    let listing = client
        .get(format!("{endpoint}/documents?list-type=2"))
        .send()
        .await
        .expect("list the bucket")
        .text()
        .await
        .expect("listing");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .map(str::to_owned)
        .collect()
}

fn file_form(name: &str, bytes: Vec<u8>) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("text/plain")
            .expect("a type"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_s3_compatible_storage() {
    let Some((_moto, endpoint)) = moto().await else {
        return;
    };
    let client = Client::new();
    let bucket = client
        .put(format!("{endpoint}/documents"))
        .send()
        .await
        .expect("create the bucket");
    assert!(bucket.status().is_success(), "{}", bucket.status());

    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let password = "a long enough password";
    let created = atrium_on(&endpoint, &data)
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
    let mut command = atrium_on(&endpoint, &data);
    command.args(["serve", "--bind", "127.0.0.1:0"]);
    let (_served, base) = serve(command);
    let login: Value = client
        .post(format!("{base}/api/v1/staff/login"))
        .json(&json!({"email": "root@example.com", "password": password}))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("json");
    let token = login["token"].as_str().expect("token").to_owned();

    // Upload, then download.
    let document: Value = client
        .post(format!("{base}/api/v1/records/documents"))
        .bearer_auth(&token)
        .json(&json!({"title": "Contract"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = document["id"].as_str().expect("id").to_owned();
    let file_url = format!("{base}/api/v1/records/documents/{id}/file");
    let uploaded = client
        .put(&file_url)
        .bearer_auth(&token)
        .multipart(file_form("contract.txt", b"first version".to_vec()))
        .send()
        .await
        .expect("upload");
    assert_eq!(uploaded.status(), StatusCode::OK);
    let stored = keys(&client, &endpoint).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let downloaded = client
        .get(&file_url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert_eq!(downloaded.text().await.expect("body"), "first version");

    // Replace: the new bytes are served and the old object is gone.
    let replaced = client
        .put(&file_url)
        .bearer_auth(&token)
        .multipart(file_form("contract-v2.txt", b"second version".to_vec()))
        .send()
        .await
        .expect("replace");
    assert_eq!(replaced.status(), StatusCode::OK);
    let now = keys(&client, &endpoint).await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now, stored, "a new object replaced the old one");
    let downloaded = client
        .get(&file_url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(downloaded.text().await.expect("body"), "second version");

    // A refused upload (too large) leaves no object and changes no record.
    let refused = client
        .put(&file_url)
        .bearer_auth(&token)
        .multipart(file_form("huge.txt", vec![b'x'; 5000]))
        .send()
        .await
        .expect("upload");
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(keys(&client, &endpoint).await, now);
    let document: Value = client
        .get(format!("{base}/api/v1/records/documents/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("json");
    assert_eq!(document["file"]["name"], "contract-v2.txt", "{document}");
}
