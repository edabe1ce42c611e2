//! Document files through HTTP: upload, sniffed types, hashes, safe names, download, replacement and limits, on both databases.

mod common;

use common::{Backend, TestApp, error_fields, send};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    an_uploaded_png_is_sniffed_hashed_and_downloaded_as_an_attachment,
    plain_text_is_utf8_text_and_path_parts_of_names_are_dropped,
    replacing_the_file_serves_only_the_new_bytes,
    uploads_larger_than_two_mebibytes_fit_under_the_default_limit,
    a_body_without_a_file_part_is_422,
    uploads_to_unknown_or_malformed_documents_are_404,
    a_document_without_a_file_has_nothing_to_download,
    the_file_field_cannot_be_set_through_json,
    file_routes_need_a_signed_in_staff_user,
);

/// A 1×1 RGBA PNG.
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
/// `sha256sum` of [`PNG`].
const PNG_SHA256: &str = "4ff6ab670a58c14270e034e2090d9a432caa263a14e0a25785386b0c12f880b5";
const HELLO: &[u8] = b"hello, world\n";
/// `printf 'hello, world\n' | sha256sum`
const HELLO_SHA256: &str = "853ff93762a06ddbf722c4ebe9ddd66d8f63ddaea97f521c3ecc20da7c976020";
const SECOND: &[u8] = b"second version\n";
/// `printf 'second version\n' | sha256sum`
const SECOND_SHA256: &str = "66ed1142ab3b2f1cdb29e8b81c9471444a5d9e6fb657a54d089073ab8bd34e27";
const UNKNOWN_ID: &str = "01890000-0000-7000-8000-000000000000";

fn record_path(document: &Value) -> String {
    format!(
        "/api/v1/records/documents/{}",
        document["id"].as_str().expect("document id")
    )
}

fn file_path(document: &Value) -> String {
    format!("{}/file", record_path(document))
}

/// A multipart body with one `file` part.
fn file_form(bytes: &[u8], name: &str, claimed_type: &str) -> Form {
    let part = Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str(claimed_type)
        .expect("a valid MIME type");
    Form::new().part("file", part)
}

async fn upload(app: &TestApp, path: &str, form: Form) -> (StatusCode, Value) {
    send(app.admin(Method::PUT, path).multipart(form)).await
}

async fn new_document(app: &TestApp, title: &str) -> Value {
    app.create("documents", json!({"title": title})).await
}

/// Downloads a file: status, headers and bytes.
async fn download(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.admin(Method::GET, path).send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn an_uploaded_png_is_sniffed_hashed_and_downloaded_as_an_attachment(app: TestApp) {
    let document = new_document(&app, "Logo").await;
    assert_eq!(document["file"], Value::Null);
    let (status, stored) = upload(
        &app,
        &file_path(&document),
        file_form(&PNG, "logo.png", "text/html"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(
        stored,
        json!({"name": "logo.png", "size": 70, "mime_type": "image/png", "sha256": PNG_SHA256}),
        "the type comes from the bytes, not the client's text/html"
    );

    let (status, record) = app.get(&record_path(&document)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["file"], stored, "no storage key is exposed");
    assert_eq!(record["title"], "Logo");
    let (_, updates) = app
        .get(&format!("{}/updates", record_path(&document)))
        .await;
    let fields: Vec<&str> = updates["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["field"].as_str())
        .collect();
    assert_eq!(fields, ["file"], "the upload is in the history: {updates}");

    let (status, headers, bytes) = download(&app, &file_path(&document)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
    assert_eq!(header(&headers, "content-length"), Some("70"));
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
    let disposition = header(&headers, "content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"logo.png\""),
        "{disposition}"
    );
}

async fn plain_text_is_utf8_text_and_path_parts_of_names_are_dropped(app: TestApp) {
    let document = new_document(&app, "Passwords?").await;
    let (status, stored) = upload(
        &app,
        &file_path(&document),
        file_form(HELLO, "../../etc/passwd", "application/octet-stream"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["name"], "passwd");
    assert_eq!(stored["mime_type"], "text/plain; charset=utf-8");
    assert_eq!(stored["sha256"], HELLO_SHA256);
    assert_eq!(stored["size"], 13);

    let (status, headers, bytes) = download(&app, &file_path(&document)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, HELLO);
    assert_eq!(
        header(&headers, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    let disposition = header(&headers, "content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"passwd\""),
        "{disposition}"
    );

    let (status, stored) = upload(
        &app,
        &file_path(&document),
        file_form(HELLO, "C:\\Users\\emma\\notes \"final\".txt", "text/plain"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(
        stored["name"], "notes final.txt",
        "backslash paths and quotes are dropped"
    );
    let (_, headers, _) = download(&app, &file_path(&document)).await;
    let disposition = header(&headers, "content-disposition").unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"notes final.txt\""),
        "{disposition}"
    );
}

async fn replacing_the_file_serves_only_the_new_bytes(app: TestApp) {
    let document = new_document(&app, "Contract").await;
    let path = file_path(&document);
    let (status, first) = upload(&app, &path, file_form(HELLO, "v1.txt", "text/plain")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, second) = upload(&app, &path, file_form(SECOND, "v2.txt", "text/plain")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["name"], "v2.txt");
    assert_eq!(second["sha256"], SECOND_SHA256);
    assert_eq!(second["size"], 15);

    let (status, headers, bytes) = download(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, SECOND, "the old bytes are gone from the download");
    let disposition = header(&headers, "content-disposition").unwrap_or_default();
    assert!(disposition.contains("v2.txt"), "{disposition}");
    let (_, record) = app.get(&record_path(&document)).await;
    assert_eq!(record["file"], second);

    let (status, png) = upload(&app, &path, file_form(&PNG, "v3.png", "text/plain")).await;
    assert_eq!(status, StatusCode::OK, "{png}");
    let (_, headers, bytes) = download(&app, &path).await;
    assert_eq!(bytes, PNG);
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
}

async fn uploads_larger_than_two_mebibytes_fit_under_the_default_limit(app: TestApp) {
    // The harness allows 25 MiB; 3 MiB must pass whatever a framework's own default is.
    let big: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i % 251) as u8 | 0x80)
        .collect();
    let document = new_document(&app, "Big scan").await;
    let (status, stored) = upload(
        &app,
        &file_path(&document),
        file_form(&big, "scan.bin", "application/octet-stream"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["size"], big.len());
    assert_eq!(stored["mime_type"], "application/octet-stream");
    let (status, _, bytes) = download(&app, &file_path(&document)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == big, "the same {} bytes come back", big.len());
}

async fn a_body_without_a_file_part_is_422(app: TestApp) {
    let document = new_document(&app, "Empty").await;
    let form = Form::new()
        .text("title", "not a file")
        .part("attachment", Part::bytes(HELLO.to_vec()).file_name("a.txt"));
    let (status, problem) = upload(&app, &file_path(&document), form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(error_fields(&problem), ["file"]);
    let (_, record) = app.get(&record_path(&document)).await;
    assert_eq!(record["file"], Value::Null);

    let (status, problem) = send(
        app.admin(Method::PUT, &file_path(&document))
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await;
    assert!(
        status.is_client_error() && status != StatusCode::NOT_FOUND,
        "a non-multipart body is refused: {status} {problem}"
    );
}

async fn uploads_to_unknown_or_malformed_documents_are_404(app: TestApp) {
    let case = app
        .create("cases", json!({"title": "Not a document"}))
        .await;
    for id in [
        UNKNOWN_ID,
        "not-a-uuid",
        case["id"].as_str().expect("case id"),
    ] {
        let path = format!("/api/v1/records/documents/{id}/file");
        let (status, problem) = upload(&app, &path, file_form(HELLO, "a.txt", "text/plain")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PUT {path}: {problem}");
        assert_eq!(problem["code"], "not_found");
        let (status, _, _) = download(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "GET {path}");
    }

    let document = new_document(&app, "Deleted").await;
    let (status, _) = send(app.admin(Method::DELETE, &record_path(&document))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = upload(
        &app,
        &file_path(&document),
        file_form(HELLO, "a.txt", "text/plain"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a deleted document takes no file"
    );
}

async fn a_document_without_a_file_has_nothing_to_download(app: TestApp) {
    let document = new_document(&app, "Placeholder").await;
    let (status, problem) = app.get(&file_path(&document)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["code"], "not_found");
}

/// The 422 names `file` and nothing else (it may name it more than once).
fn assert_only_file_is_named(problem: &Value) {
    let fields = error_fields(problem);
    assert!(
        !fields.is_empty() && fields.iter().all(|f| f == "file"),
        "{problem}"
    );
}

async fn the_file_field_cannot_be_set_through_json(app: TestApp) {
    let file = json!({"name": "x.txt", "size": 1, "mime_type": "text/plain", "sha256": "00", "key": "documents/elsewhere"});
    let (status, problem) = app
        .post(
            "/api/v1/records/documents",
            json!({"title": "Sneaky", "file": file}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_only_file_is_named(&problem);
    let (_, list) = app.get("/api/v1/records/documents").await;
    assert_eq!(list["total"], 0, "nothing was created");

    let document = new_document(&app, "Honest").await;
    for value in [file, json!("x.txt"), Value::Null] {
        let (status, problem) = app
            .patch(&record_path(&document), json!({"file": value}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_only_file_is_named(&problem);
    }
    let (_, record) = app.get(&record_path(&document)).await;
    assert_eq!(record["file"], Value::Null);
}

async fn file_routes_need_a_signed_in_staff_user(app: TestApp) {
    let document = new_document(&app, "Private").await;
    let path = file_path(&document);
    let (status, stored) = upload(&app, &path, file_form(HELLO, "a.txt", "text/plain")).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let (status, _) = send(app.client.get(app.url(&path))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(app.client.put(app.url(&path)).multipart(file_form(
        SECOND,
        "b.txt",
        "text/plain",
    )))
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, _, bytes) = download(&app, &path).await;
    assert_eq!(bytes, HELLO, "the anonymous PUT changed nothing");
    let (status, _, bytes) = download_as_agent(&app, &path).await;
    assert_eq!(status, StatusCode::OK, "agents may download too");
    assert_eq!(bytes, HELLO);
}

async fn download_as_agent(
    app: &TestApp,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.agent(Method::GET, path).send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

async fn oversized_uploads_are_413_and_store_nothing(app: TestApp) {
    let document = new_document(&app, "Too big").await;
    let (status, problem) = upload(
        &app,
        &file_path(&document),
        file_form(&[b'a'; 2000], "big.txt", "text/plain"),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    assert_eq!(problem["code"], "too_large");
    let (_, record) = app.get(&record_path(&document)).await;
    assert_eq!(record["file"], Value::Null, "{record}");
    let (status, _) = app.get(&file_path(&document)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, stored) = upload(
        &app,
        &file_path(&document),
        file_form(&[b'a'; 1000], "small.txt", "text/plain"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "under the limit is fine: {stored}");
    assert_eq!(stored["size"], 1000);

    let (status, problem) = upload(
        &app,
        &file_path(&document),
        file_form(&[b'b'; 1025], "big.txt", "text/plain"),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    let (_, _, bytes) = download(&app, &file_path(&document)).await;
    assert_eq!(
        bytes, [b'a'; 1000],
        "a refused replacement keeps the old file"
    );
}

/// Needs its own app with a 1 KiB upload limit, so it cannot use `on_both_databases!`.
mod oversized_uploads_are_413_and_store_nothing {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn_with(Backend::Sqlite, 1024)
            .await
            .expect("sqlite app");
        super::oversized_uploads_are_413_and_store_nothing(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = TestApp::spawn_with(Backend::Postgres, 1024).await {
            super::oversized_uploads_are_413_and_store_nothing(app).await;
        }
    }
}
