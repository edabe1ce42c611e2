//! A field added to the metadata needs no new code: its column appears at start-up and every
//! route reads, writes, validates, filters and sorts it.

mod common;

use atrium_core::metadata::{FieldDef, FieldType};
use atrium_core::standard::standard_modules;
use atrium_core::{Registry, Value};
use atrium_store::{Actor, Store};
use common::{Backend, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn registry_with_custom_fields() -> Registry {
    let mut modules = standard_modules();
    let cases = modules
        .iter_mut()
        .find(|m| m.name == "cases")
        .expect("cases");
    cases
        .fields
        .push(FieldDef::new("sla_hours", "SLA hours", FieldType::Integer));
    cases.fields.push(FieldDef::new(
        "site_notes",
        "Site notes",
        FieldType::Textarea,
    ));
    cases.fields.push(
        FieldDef::new("region", "Region", FieldType::Picklist)
            .values(&[("EMEA", "#1c7ed6"), ("APAC", "#37b24d")]),
    );
    Registry::new(modules).expect("valid metadata")
}

async fn a_field_added_to_the_metadata_works_without_new_code(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = common::database_url(backend, dir.path()).await else {
        return;
    };
    let storage = format!("file://{}/files", dir.path().display());
    // An existing database, made before the fields existed, with a record in it.
    let before = Store::open(&url, &storage, atrium_core::standard::registry())
        .await
        .expect("open");
    let cases = before.registry().module("cases").expect("cases").clone();
    let old = before
        .create(
            &cases,
            vec![("title".into(), Value::Text("Older case".into()))],
            Actor::System,
        )
        .await
        .expect("create");
    before.db().close().await;

    let store = Store::open(&url, &storage, registry_with_custom_fields())
        .await
        .expect("reopen with new fields");
    let hash = atrium_app::passwords::hash_password(common::ADMIN_PASSWORD.to_owned())
        .await
        .expect("hash");
    let admin = store
        .upsert_staff_user(
            "admin@example.com",
            "Ada Admin",
            &hash,
            atrium_store::Role::Admin,
        )
        .await
        .expect("admin");
    let (token, digest) = atrium_app::passwords::new_token();
    store
        .create_session(&digest, atrium_store::SessionKind::Staff, admin.id)
        .await
        .expect("session");
    let app = atrium_web::app(atrium_app::App::new(
        store,
        atrium_app::Settings {
            base_url: "http://127.0.0.1".into(),
            max_upload_bytes: 1024,
            trusted_proxies: Vec::new(),
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let client = reqwest::Client::new();
    let call = |method: Method, path: &str| {
        client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token)
    };

    let (status, created) = send(
        call(Method::POST, "/api/v1/records/cases")
            .json(&json!({"title": "New case", "sla_hours": 8, "region": "EMEA"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["sla_hours"], 8);
    assert_eq!(created["region"], "EMEA");

    let (status, problem) = send(
        call(Method::POST, "/api/v1/records/cases")
            .json(&json!({"title": "x", "sla_hours": "soon", "region": "Mars"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        vec!["sla_hours".to_owned(), "region".to_owned()]
    );

    let (_, old_case) = send(call(
        Method::GET,
        &format!("/api/v1/records/cases/{}", old.id),
    ))
    .await;
    assert_eq!(old_case["title"], "Older case");
    assert_eq!(
        old_case["sla_hours"],
        serde_json::Value::Null,
        "older rows get the new column empty"
    );

    let (_, emea) = send(call(
        Method::GET,
        "/api/v1/records/cases?region=EMEA&sort=-sla_hours",
    ))
    .await;
    assert_eq!(emea["total"], 1);

    // The text index takes the new text field in, and still holds the older rows.
    let (status, _) = send(
        call(Method::POST, "/api/v1/records/cases")
            .json(&json!({"title": "Rack", "site_notes": "basement behind the boiler"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, by_note) = send(call(Method::GET, "/api/v1/records/cases?q=boiler")).await;
    assert_eq!(by_note["total"], 1, "{by_note}");
    let (_, older) = send(call(Method::GET, "/api/v1/records/cases?q=older")).await;
    assert_eq!(older["total"], 1, "{older}");

    let (_, modules) = send(call(Method::GET, "/api/v1/modules")).await;
    let case_fields: Vec<String> = modules["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["name"] == "cases")
        .flat_map(|m| m["fields"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    assert!(case_fields.contains(&"region".to_owned()));

    let (_, openapi) = send(client.get(format!("{base}/api/v1/openapi.json"))).await;
    assert!(
        openapi["components"]["schemas"]["Record.cases"]["properties"]["sla_hours"].is_object()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_added_to_the_metadata_works_without_new_code_on_sqlite() {
    a_field_added_to_the_metadata_works_without_new_code(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_added_to_the_metadata_works_without_new_code_on_postgres() {
    a_field_added_to_the_metadata_works_without_new_code(Backend::Postgres).await;
}
