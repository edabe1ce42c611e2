//! Health checks, metrics, module metadata, the OpenAPI document and problem+json for anonymous callers, on both databases.

mod common;

use common::{TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::Value;

on_both_databases!(
    health_and_readiness_answer_200_without_signing_in,
    metrics_count_requests_time_them_and_show_the_pool,
    modules_list_every_standard_module_with_fields_colors_and_links,
    the_openapi_document_is_3_1_and_names_every_route,
    staff_routes_without_a_session_answer_401_problem_json,
);

const STANDARD_MODULES: [&str; 12] = [
    "organizations",
    "contacts",
    "cases",
    "tickets",
    "documents",
    "faqs",
    "projects",
    "project_tasks",
    "project_milestones",
    "products",
    "services",
    "assets",
];

async fn get_text(app: &TestApp, path: &str) -> (StatusCode, Option<String>, String) {
    let response = app.client.get(app.url(path)).send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, content_type, response.text().await.expect("text"))
}

fn is_hex_color(color: &str) -> bool {
    color.len() == 7
        && color.starts_with('#')
        && color[1..]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

async fn health_and_readiness_answer_200_without_signing_in(app: TestApp) {
    let (status, _, body) = get_text(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
    let (status, _, body) = get_text(&app, "/readyz").await;
    assert_eq!(status, StatusCode::OK, "the database answers: {body}");
    assert_eq!(body, "ready");
}

async fn metrics_count_requests_time_them_and_show_the_pool(app: TestApp) {
    let (status, _) = app.get("/api/v1/records/cases").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/api/v1/records/cases/not-a-uuid").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, content_type, text) = get_text(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        content_type.is_some_and(|t| t.starts_with("text/plain")),
        "Prometheus text format"
    );
    let request_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("http_requests_total{"))
        .collect();
    assert!(
        request_lines
            .iter()
            .any(|l| l.contains("route=\"/api/v1/records/{module}\"")
                && l.contains("method=\"GET\"")
                && l.contains("status=\"200\"")),
        "requests are counted by route template, method and status: {request_lines:?}"
    );
    assert!(
        request_lines
            .iter()
            .any(|l| l.contains("route=\"/api/v1/records/{module}/{id}\"")
                && l.contains("status=\"404\"")),
        "{request_lines:?}"
    );
    assert!(
        !text.contains("not-a-uuid"),
        "raw paths never become labels"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("http_request_duration_seconds_bucket{")),
        "latency is a histogram"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("http_request_duration_seconds_count{")),
    );
    let pool = text
        .lines()
        .find(|l| l.starts_with("db_pool_connections "))
        .expect("a db_pool_connections gauge");
    let connections: f64 = pool
        .rsplit(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .expect("a number");
    assert!(connections >= 0.0, "{pool}");
    assert!(text.contains("db_pool_max_connections"));
}

async fn modules_list_every_standard_module_with_fields_colors_and_links(app: TestApp) {
    let (status, body) = app.get("/api/v1/modules").await;
    assert_eq!(status, StatusCode::OK);
    let modules = body["items"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = modules.iter().filter_map(|m| m["name"].as_str()).collect();
    for name in STANDARD_MODULES {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for module in &modules {
        let fields = module["fields"].as_array().cloned().unwrap_or_default();
        assert!(!fields.is_empty(), "{} has fields", module["name"]);
        assert!(module["label"].as_str().is_some_and(|l| !l.is_empty()));
        for field in &fields {
            assert!(
                field["name"].is_string() && field["type"].is_string(),
                "{field}"
            );
            for value in field["values"].as_array().into_iter().flatten() {
                let color = value["color"].as_str().unwrap_or_default();
                assert!(
                    is_hex_color(color),
                    "{}.{}: {value}",
                    module["name"],
                    field["name"]
                );
            }
        }
    }

    let module = |name: &str| -> Value {
        modules
            .iter()
            .find(|m| m["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let field = |module: &Value, name: &str| -> Value {
        module["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let cases = module("cases");
    let priority = field(&cases, "priority");
    assert_eq!(priority["type"], "picklist", "{priority}");
    let priorities: Vec<&str> = priority["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["value"].as_str())
        .collect();
    for value in ["Low", "Medium", "High", "Urgent"] {
        assert!(priorities.contains(&value), "{value} in {priorities:?}");
    }
    assert_eq!(priority["default"], "Medium");
    let contact = field(&cases, "contact");
    assert_eq!(contact["type"], "reference", "{contact}");
    assert_eq!(contact["module"], "contacts", "{contact}");
    assert_eq!(field(&cases, "title")["required"], true);
    assert_eq!(field(&cases, "resolved_at")["system"], true);

    let documents = module("documents");
    assert_eq!(field(&documents, "file")["type"], "file");
    let links: Vec<&str> = documents["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for linked in ["contacts", "organizations", "cases", "tickets", "projects"] {
        assert!(
            links.contains(&linked),
            "documents link to {linked}: {links:?}"
        );
    }
}

async fn the_openapi_document_is_3_1_and_names_every_route(app: TestApp) {
    let (status, doc) = send(app.client.get(app.url("/api/v1/openapi.json"))).await;
    assert_eq!(status, StatusCode::OK, "no sign-in needed");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let expected = [
        ("/api/v1/staff/login", &["post"][..]),
        ("/api/v1/staff/logout", &["post"]),
        ("/api/v1/modules", &["get"]),
        ("/api/v1/records/{module}", &["get", "post"]),
        ("/api/v1/records/{module}/{id}", &["get", "patch", "delete"]),
        ("/api/v1/records/{module}/{id}/related/{module2}", &["get"]),
        (
            "/api/v1/records/{module}/{id}/links/{module2}/{id2}",
            &["put", "delete"],
        ),
        ("/api/v1/records/{module}/{id}/comments", &["get", "post"]),
        ("/api/v1/records/{module}/{id}/updates", &["get"]),
        ("/api/v1/records/documents/{id}/file", &["put", "get"]),
        ("/api/v1/admin/users", &["get", "post"]),
        ("/api/v1/admin/users/{id}", &["get", "patch"]),
    ];
    for (path, methods) in expected {
        let item = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is documented; paths: {:?}", paths.keys()));
        for method in methods {
            assert!(item.get(*method).is_some(), "{method} {path} is documented");
        }
    }
    let schemas = &doc["components"]["schemas"];
    let case = &schemas["Record.cases"];
    assert!(case.is_object(), "Record.cases is a schema");
    let properties = &case["properties"];
    for property in ["id", "number", "title", "priority", "contact"] {
        assert!(
            properties.get(property).is_some(),
            "Record.cases has {property}: {case}"
        );
    }
    assert!(schemas["Record.documents"].is_object());
    assert!(schemas["Problem"].is_object(), "errors are documented");
}

async fn staff_routes_without_a_session_answer_401_problem_json(app: TestApp) {
    let case = app
        .create("cases", serde_json::json!({"title": "Secret"}))
        .await;
    let case_path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().expect("case id")
    );
    let routes = [
        (Method::GET, "/api/v1/modules".to_owned()),
        (Method::GET, "/api/v1/records/cases".to_owned()),
        (Method::POST, "/api/v1/records/cases".to_owned()),
        (Method::GET, case_path.clone()),
        (Method::PATCH, case_path.clone()),
        (Method::DELETE, case_path.clone()),
        (Method::GET, format!("{case_path}/comments")),
        (Method::GET, format!("{case_path}/updates")),
        (Method::GET, format!("{case_path}/related/documents")),
        (Method::POST, "/api/v1/staff/logout".to_owned()),
        (Method::GET, "/api/v1/admin/users".to_owned()),
    ];
    for (method, path) in routes {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .header("content-type", "application/json")
            .body("{\"title\": \"x\"}")
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "{method} {path}"
        );
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["status"], 401, "{method} {path}");
        assert_eq!(problem["code"], "unauthorized", "{method} {path}");
        assert!(problem["title"].is_string() && problem["detail"].is_string());
    }
    let (status, still) = app.get(&case_path).await;
    assert_eq!(status, StatusCode::OK, "the anonymous DELETE did nothing");
    assert_eq!(still["title"], "Secret");
}
