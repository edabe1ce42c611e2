//! The staff records API through HTTP, on both databases.

mod common;

use common::{TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    creating_a_case_numbers_it_and_fills_defaults,
    reading_returns_references_with_labels_and_an_etag,
    patch_changes_only_the_fields_sent_and_records_history,
    stale_if_match_is_refused_with_412,
    resolving_a_case_stamps_resolved_at_and_reopening_clears_it,
    closing_a_ticket_stamps_closed_at,
    every_invalid_field_is_listed_in_one_422,
    unknown_modules_and_records_are_404,
    malformed_json_is_400,
    soft_deleted_records_disappear,
    lists_page_sort_filter_and_search_in_sql,
    bad_list_parameters_are_rejected,
    links_and_related_lists_work_both_ways,
    comments_render_markdown_safely_and_keep_the_internal_flag,
    created_by_and_modified_by_are_the_staff_user,
);

async fn creating_a_case_numbers_it_and_fills_defaults(app: TestApp) {
    let first = app
        .create("cases", json!({"title": "Printer on fire"}))
        .await;
    let second = app
        .create("cases", json!({"title": "Printer still on fire"}))
        .await;
    assert_eq!(first["number"], "CS-00001");
    assert_eq!(second["number"], "CS-00002");
    assert_eq!(first["status"], "New");
    assert_eq!(first["priority"], "Medium");
    assert_eq!(first["internal"], false);
    assert_eq!(first["resolved_at"], Value::Null);
    assert!(first["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        first["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let org = app.create("organizations", json!({"name": "Acme"})).await;
    assert_eq!(org["number"], "ORG-00001", "numbers are per module");
}

async fn reading_returns_references_with_labels_and_an_etag(app: TestApp) {
    let org = app
        .create("organizations", json!({"name": "Acme Corp"}))
        .await;
    let contact = app
        .create(
            "contacts",
            json!({"first_name": "Emma", "last_name": "Stone", "organization": org["id"]}),
        )
        .await;
    let case = app
        .create("cases", json!({"title": "Help", "contact": contact["id"], "organization": org["id"], "assigned_to": app.admin_id}))
        .await;
    let response = app
        .admin(
            Method::GET,
            &format!(
                "/api/v1/records/cases/{}",
                case["id"].as_str().unwrap_or_default()
            ),
        )
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body["contact"],
        json!({"id": contact["id"], "label": "Emma Stone"})
    );
    assert_eq!(
        body["organization"],
        json!({"id": org["id"], "label": "Acme Corp"})
    );
    assert_eq!(
        body["assigned_to"],
        json!({"id": app.admin_id, "label": "Ada Admin"})
    );
}

async fn patch_changes_only_the_fields_sent_and_records_history(app: TestApp) {
    let case = app
        .create(
            "cases",
            json!({"title": "Slow VPN", "description": "Since Monday", "priority": "Low"}),
        )
        .await;
    let path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().unwrap_or_default()
    );
    let (status, changed) = app.patch(&path, json!({"priority": "High"})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["priority"], "High");
    assert_eq!(
        changed["description"], "Since Monday",
        "fields not sent stay"
    );
    assert_eq!(changed["title"], "Slow VPN");
    let (status, updates) = app.get(&format!("{path}/updates")).await;
    assert_eq!(status, StatusCode::OK);
    let items = updates["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{updates}");
    assert_eq!(items[0]["field"], "priority");
    assert_eq!(items[0]["old"], "Low");
    assert_eq!(items[0]["new"], "High");
    assert_eq!(items[0]["by"]["label"], "Ada Admin");
    // Sending the same value again changes nothing and writes no history.
    let (_, _) = app.patch(&path, json!({"priority": "High"})).await;
    let (_, updates) = app.get(&format!("{path}/updates")).await;
    assert_eq!(updates["items"].as_array().map(Vec::len), Some(1));
}

async fn stale_if_match_is_refused_with_412(app: TestApp) {
    let case = app.create("cases", json!({"title": "Version me"})).await;
    let path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().unwrap_or_default()
    );
    let (status, _) = send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", "\"1\"")
            .json(&json!({"status": "Open"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = send(
        app.admin(Method::PATCH, &path)
            .header("If-Match", "\"1\"")
            .json(&json!({"status": "Closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(problem["code"], "precondition_failed");
    let (_, current) = app.get(&path).await;
    assert_eq!(
        current["status"], "Open",
        "a refused change changes nothing"
    );
}

async fn resolving_a_case_stamps_resolved_at_and_reopening_clears_it(app: TestApp) {
    let case = app.create("cases", json!({"title": "Fix me"})).await;
    let path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().unwrap_or_default()
    );
    let (_, resolved) = app.patch(&path, json!({"status": "Resolved"})).await;
    assert!(resolved["resolved_at"].is_string(), "{resolved}");
    let (_, closed) = app.patch(&path, json!({"status": "Closed"})).await;
    assert_eq!(
        closed["resolved_at"], resolved["resolved_at"],
        "closing a resolved case keeps the time"
    );
    let (_, reopened) = app.patch(&path, json!({"status": "Open"})).await;
    assert_eq!(reopened["resolved_at"], Value::Null);
    let created_resolved = app
        .create(
            "cases",
            json!({"title": "Done already", "status": "Closed"}),
        )
        .await;
    assert!(created_resolved["resolved_at"].is_string());
}

async fn closing_a_ticket_stamps_closed_at(app: TestApp) {
    let ticket = app
        .create("tickets", json!({"title": "Replace switch"}))
        .await;
    assert_eq!(ticket["status"], "Open");
    let path = format!(
        "/api/v1/records/tickets/{}",
        ticket["id"].as_str().unwrap_or_default()
    );
    let (_, closed) = app.patch(&path, json!({"status": "Closed"})).await;
    assert!(closed["closed_at"].is_string(), "{closed}");
}

async fn every_invalid_field_is_listed_in_one_422(app: TestApp) {
    let (status, problem) = app
        .post(
            "/api/v1/records/cases",
            json!({
                "priority": "Sometimes",
                "colour": "red",
                "contact": "00000000-0000-0000-0000-000000000000",
                "organization": "not-an-id",
                "internal": "yes",
                "resolved_at": "2026-01-01T00:00:00Z",
                "assigned_to": "01890000-0000-7000-8000-000000000000"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "validation_failed");
    let fields = error_fields(&problem);
    for expected in [
        "title",
        "priority",
        "colour",
        "organization",
        "internal",
        "resolved_at",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} missing in {fields:?}"
        );
    }
    // References to records that do not exist are checked once the values are well-formed.
    let (status, problem) = app
        .post("/api/v1/records/cases", json!({"title": "x", "contact": "00000000-0000-0000-0000-000000000000", "assigned_to": "01890000-0000-7000-8000-000000000000"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        vec!["contact".to_owned(), "assigned_to".to_owned()]
    );
    let (status, problem) = app
        .post(
            "/api/v1/records/contacts",
            json!({"last_name": "Doe", "email": "not-an-email", "support_end_date": "2026-13-01", "phone": "call me"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        vec![
            "email".to_owned(),
            "phone".to_owned(),
            "support_end_date".to_owned()
        ]
    );
    let (status, problem) = app
        .post(
            "/api/v1/records/organizations",
            json!({"name": "X", "website": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["website".to_owned()]);
    let (status, _) = app
        .post(
            "/api/v1/records/organizations",
            json!(["not", "an", "object"]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn unknown_modules_and_records_are_404(app: TestApp) {
    for path in [
        "/api/v1/records/spaceships",
        "/api/v1/records/cases/not-a-uuid",
        "/api/v1/records/cases/01890000-0000-7000-8000-000000000000",
        "/api/v1/records/cases/01890000-0000-7000-8000-000000000000/comments",
        "/api/v1/records/cases/01890000-0000-7000-8000-000000000000/updates",
        "/api/v1/no/such/route",
    ] {
        let (status, problem) = app.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(problem["code"], "not_found", "{path}");
    }
    let (status, _) = app
        .patch("/api/v1/records/cases/nope", json!({"title": "x"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(app.admin(
        Method::DELETE,
        "/api/v1/records/cases/01890000-0000-7000-8000-000000000000",
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn malformed_json_is_400(app: TestApp) {
    let (status, problem) = send(
        app.admin(Method::POST, "/api/v1/records/cases")
            .header("content-type", "application/json")
            .body("{\"title\": "),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "bad_request");
    let case = app.create("cases", json!({"title": "x"})).await;
    let (status, _) = send(
        app.admin(
            Method::PATCH,
            &format!(
                "/api/v1/records/cases/{}",
                case["id"].as_str().unwrap_or_default()
            ),
        )
        .header("content-type", "application/json")
        .body("not json"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn soft_deleted_records_disappear(app: TestApp) {
    let case = app.create("cases", json!({"title": "Delete me"})).await;
    let path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().unwrap_or_default()
    );
    let (status, _) = send(app.admin(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/records/cases").await;
    assert_eq!(list["total"], 0);
    let (status, _) = send(app.admin(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn lists_page_sort_filter_and_search_in_sql(app: TestApp) {
    let org = app.create("organizations", json!({"name": "Globex"})).await;
    for (i, priority) in ["Low", "Urgent", "Medium", "High", "Low"]
        .iter()
        .enumerate()
    {
        let mut body = json!({"title": format!("Case {i}"), "priority": priority});
        if i % 2 == 0 {
            body["organization"] = org["id"].clone();
        }
        app.create("cases", body).await;
    }
    app.create(
        "cases",
        json!({"title": "The 100% sure_thing", "priority": "Low"}),
    )
    .await;

    let (status, page) = app
        .get("/api/v1/records/cases?per_page=2&page=2&sort=number")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 6);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    let numbers: Vec<&str> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["number"].as_str())
        .collect();
    assert_eq!(numbers, ["CS-00003", "CS-00004"]);

    let (_, by_priority) = app
        .get("/api/v1/records/cases?sort=-priority&per_page=3")
        .await;
    let priorities: Vec<&str> = by_priority["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["priority"].as_str())
        .collect();
    assert_eq!(
        priorities,
        ["Urgent", "High", "Medium"],
        "picklists sort in their value order"
    );

    let (_, low) = app.get("/api/v1/records/cases?priority=Low").await;
    assert_eq!(low["total"], 3);
    let (_, of_org) = app
        .get(&format!(
            "/api/v1/records/cases?organization={}",
            org["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(of_org["total"], 3);
    let (_, both) = app
        .get(&format!(
            "/api/v1/records/cases?organization={}&priority=Low",
            org["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(both["total"], 2);
    let (_, internal) = app.get("/api/v1/records/cases?internal=false").await;
    assert_eq!(internal["total"], 6);

    let (_, search) = app.get("/api/v1/records/cases?q=case%203").await;
    assert_eq!(search["total"], 1);
    let (_, literal) = app.get("/api/v1/records/cases?q=100%25%20sure_").await;
    assert_eq!(literal["total"], 1, "% and _ match literally");
    let (_, underscore) = app.get("/api/v1/records/cases?q=_").await;
    assert_eq!(underscore["total"], 1);
    let (_, by_number) = app.get("/api/v1/records/cases?q=cs-00002").await;
    assert_eq!(by_number["total"], 1);
}

async fn bad_list_parameters_are_rejected(app: TestApp) {
    for (query, status) in [
        ("per_page=201", StatusCode::BAD_REQUEST),
        ("per_page=0", StatusCode::BAD_REQUEST),
        ("page=-1", StatusCode::BAD_REQUEST),
        ("page=abc", StatusCode::BAD_REQUEST),
        ("sort=description", StatusCode::UNPROCESSABLE_ENTITY),
        ("sort=nonsense", StatusCode::UNPROCESSABLE_ENTITY),
        ("status=Bogus", StatusCode::UNPROCESSABLE_ENTITY),
        ("title=x", StatusCode::UNPROCESSABLE_ENTITY),
        ("nonsense=1", StatusCode::UNPROCESSABLE_ENTITY),
        ("contact=not-an-id", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (got, problem) = app.get(&format!("/api/v1/records/cases?{query}")).await;
        assert_eq!(got, status, "{query}: {problem}");
    }
    let (status, page) = app.get("/api/v1/records/cases?per_page=200").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["per_page"], 200);
}

async fn links_and_related_lists_work_both_ways(app: TestApp) {
    let org = app
        .create("organizations", json!({"name": "Initech"}))
        .await;
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Lumbergh", "organization": org["id"]}),
        )
        .await;
    let case = app
        .create(
            "cases",
            json!({"title": "TPS reports", "contact": contact["id"]}),
        )
        .await;
    let document = app
        .create("documents", json!({"title": "Cover sheet memo"}))
        .await;
    let (id, doc_id) = (
        case["id"].as_str().unwrap_or_default(),
        document["id"].as_str().unwrap_or_default(),
    );

    let (status, _) = send(app.admin(
        Method::PUT,
        &format!("/api/v1/records/cases/{id}/links/documents/{doc_id}"),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(app.admin(
        Method::PUT,
        &format!("/api/v1/records/cases/{id}/links/documents/{doc_id}"),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "linking twice is fine");
    let (_, docs) = app
        .get(&format!("/api/v1/records/cases/{id}/related/documents"))
        .await;
    assert_eq!(docs["total"], 1);
    assert_eq!(docs["items"][0]["id"], document["id"]);
    let (_, cases) = app
        .get(&format!("/api/v1/records/documents/{doc_id}/related/cases"))
        .await;
    assert_eq!(cases["total"], 1, "links work from both sides");

    let contact_id = contact["id"].as_str().unwrap_or_default();
    let (_, contact_cases) = app
        .get(&format!(
            "/api/v1/records/contacts/{contact_id}/related/cases"
        ))
        .await;
    assert_eq!(
        contact_cases["total"], 1,
        "reference fields make related lists too"
    );
    let (_, org_contacts) = app
        .get(&format!(
            "/api/v1/records/organizations/{}/related/contacts",
            org["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(org_contacts["total"], 1);

    let (status, _) = send(app.admin(
        Method::PUT,
        &format!(
            "/api/v1/records/cases/{id}/links/organizations/{}",
            org["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "cases and organizations are not linkable many-to-many"
    );
    let (status, _) = send(app.admin(
        Method::PUT,
        &format!("/api/v1/records/cases/{id}/links/documents/01890000-0000-7000-8000-000000000000"),
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(&format!("/api/v1/records/products/{id}/related/cases"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = send(app.admin(
        Method::DELETE,
        &format!("/api/v1/records/documents/{doc_id}/links/cases/{id}"),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, docs) = app
        .get(&format!("/api/v1/records/cases/{id}/related/documents"))
        .await;
    assert_eq!(docs["total"], 0);
}

async fn comments_render_markdown_safely_and_keep_the_internal_flag(app: TestApp) {
    let case = app.create("cases", json!({"title": "Comment on me"})).await;
    let path = format!(
        "/api/v1/records/cases/{}/comments",
        case["id"].as_str().unwrap_or_default()
    );
    let (status, comment) = app
        .post(&path, json!({"body": "**Fixed** <script>alert(1)</script> [x](javascript:alert(1)) <a href=\"https://example.com\" onclick=\"evil()\">ok</a>"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let html = comment["body_html"].as_str().unwrap_or_default();
    assert!(html.contains("<strong>Fixed</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("onclick"), "{html}");
    assert_eq!(comment["internal"], false);
    assert_eq!(comment["author"]["label"], "Ada Admin");
    let (status, _) = app
        .post(
            &path,
            json!({"body": "Customer is grumpy", "internal": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, comments) = app.get(&path).await;
    let flags: Vec<bool> = comments["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["internal"].as_bool())
        .collect();
    assert_eq!(flags, [false, true]);
    let (status, problem) = app.post(&path, json!({"body": "   "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["body".to_owned()]);
    let (status, _) = app
        .post(&path, json!({"body": "x", "internal": "maybe"}))
        .await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY);
}

async fn created_by_and_modified_by_are_the_staff_user(app: TestApp) {
    let case = app.create("cases", json!({"title": "Who made me"})).await;
    assert_eq!(case["created_by"]["label"], "Ada Admin");
    assert_eq!(case["created_by_ext"], Value::Null);
    let path = format!(
        "/api/v1/records/cases/{}",
        case["id"].as_str().unwrap_or_default()
    );
    let (status, changed) = send(
        app.agent(Method::PATCH, &path)
            .json(&json!({"status": "Open"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(changed["modified_by"]["label"], "Alex Agent");
    assert_eq!(changed["created_by"]["label"], "Ada Admin");
}
