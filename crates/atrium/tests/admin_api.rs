//! The admin API (portals, portal roles, company and logo), the contact activity timeline and
//! the portal checks on staff writes to contacts, through HTTP, on both databases.

mod common;

use atrium_core::kinds::{ActivityKind, ActivitySource};

use common::{TestApp, error_fields, send};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    the_default_portal_exists_with_every_default,
    get_then_put_round_trips_unchanged,
    invalid_portals_are_422_naming_each_place,
    malformed_portal_bodies,
    a_second_portal_can_become_the_default,
    the_default_portal_cannot_be_deleted,
    slugs_and_custom_hosts_are_unique,
    portal_default_assignee_must_be_an_active_staff_user,
    portal_roles_crud_and_validation,
    portals_may_only_name_existing_roles,
    agents_are_forbidden_on_every_admin_route,
    company_details_read_change_and_validate,
    a_png_logo_is_served_publicly,
    only_raster_images_are_accepted_as_logo,
    contact_activity_lists_newest_first_and_filters_by_source,
    contacts_name_only_existing_roles_and_portals,
    two_portal_users_cannot_share_an_email,
    taking_portal_access_away_ends_the_sessions,
    deactivating_or_deleting_a_portal_ends_its_sessions,
    deleting_a_role_leaves_portals_and_contacts_usable,
    the_openapi_document_lists_every_admin_route,
);

const PORTALS: &str = "/api/v1/admin/portals";
const ROLES: &str = "/api/v1/admin/portal-roles";
const COMPANY: &str = "/api/v1/admin/company";
const LOGO: &str = "/api/v1/admin/company/logo";
const PUBLIC_LOGO: &str = "/api/v1/company/logo";

/// A 1×1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

async fn put(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    send(app.admin(Method::PUT, path).json(&body)).await
}

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    send(app.admin(Method::DELETE, path)).await
}

async fn default_portal(app: &TestApp) -> Value {
    let (status, portal) = app.get(&format!("{PORTALS}/default")).await;
    assert_eq!(status, StatusCode::OK, "{portal}");
    portal
}

fn id_of(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

/// A second portal, with only what is required.
fn partner_portal(slug: &str) -> Value {
    json!({"slug": slug, "name": "Partner Portal"})
}

async fn the_default_portal_exists_with_every_default(app: TestApp) {
    let portal = default_portal(&app).await;
    let expected = json!({
      "slug": "default", "name": "Customer Portal", "active": true, "default": true,
      "custom_host": null, "title": "Customer Portal", "css_url": null,
      "default_assignee": null, "support_notification_days": 7,
      "login_template": "portal_invitation", "forgot_password_template": "portal_password_reset",
      "default_scope": "mine", "session_idle_minutes": 30,
      "home": {
        "announcement": "", "greeting": "standard",
        "widgets": ["open_cases_by_priority", "case_resolution_time_by_priority", "projects_by_status",
                    "recent_cases", "recent_tickets", "recent_faqs", "recent_documents",
                    "account_representatives", "shortcuts"],
        "shortcuts": ["add_document", "create_ticket", "open_tickets", "create_case", "open_cases"]
      },
      "modules": [
        {"module": "cases", "scope": null, "create": true, "edit": true, "comments": true,
         "related": ["documents"],
         "fields": {"title": "read_write", "description": "read_write", "priority": "read_write",
                    "case_type": "read_write", "status": "read_only", "resolution": "read_only",
                    "contact": "read_only", "resolved_at": "read_only"}},
        {"module": "tickets", "scope": null, "create": true, "edit": true, "comments": true,
         "related": ["documents"],
         "fields": {"title": "read_write", "description": "read_write", "priority": "read_write",
                    "severity": "read_write", "category": "read_write", "status": "read_only",
                    "solution": "read_only", "contact": "read_only"}},
        {"module": "documents", "scope": null, "create": true, "edit": false, "comments": false,
         "related": [],
         "fields": {"title": "read_write", "folder": "read_only", "file": "read_write",
                    "notes": "read_write"}},
        {"module": "faqs", "scope": null, "create": false, "edit": false, "comments": false,
         "related": [],
         "fields": {"question": "read_only", "answer": "read_only", "category": "read_only"}},
        {"module": "projects", "scope": null, "create": false, "edit": false, "comments": true,
         "related": ["project_tasks", "project_milestones", "documents"],
         "fields": {"name": "read_only", "status": "read_only", "progress": "read_only",
                    "start_date": "read_only", "target_end_date": "read_only",
                    "description": "read_only"}}
      ],
      "profile": {"contact": {"first_name": "read_only", "last_name": "read_only",
                              "email": "read_only", "phone": "read_write", "mobile": "read_write",
                              "title": "read_write", "department": "read_write"},
                  "organization": {"name": "read_only", "phone": "read_only", "website": "read_only"}},
      "roles": []
    });
    assert_eq!(portal, expected);
    // Field order matters to the portal's pages: the modules and fields come in the stated order.
    let modules: Vec<&str> = portal["modules"]
        .as_array()
        .expect("modules")
        .iter()
        .filter_map(|m| m["module"].as_str())
        .collect();
    assert_eq!(
        modules,
        ["cases", "tickets", "documents", "faqs", "projects"]
    );
    let case_fields: Vec<&String> = portal["modules"][0]["fields"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    assert_eq!(case_fields[0], "title");
    assert_eq!(case_fields[7], "resolved_at");

    let (status, list) = app.get(PORTALS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([expected]));
}

async fn get_then_put_round_trips_unchanged(app: TestApp) {
    let before = default_portal(&app).await;
    let (status, answer) = put(&app, &format!("{PORTALS}/default"), before.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, before);
    assert_eq!(default_portal(&app).await, before);

    // A change sticks, and every default is filled in on the way.
    let mut changed = before.clone();
    changed["title"] = json!("Help Center");
    changed["home"]["announcement"] = json!("Maintenance on Sunday");
    changed["modules"][0]["scope"] = json!("all");
    changed["modules"][0]["fields"]["status"] = json!("hidden");
    let (status, answer) = put(&app, &format!("{PORTALS}/default"), changed.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, changed);
    assert_eq!(default_portal(&app).await, changed);

    // A minimal body takes the defaults; the slug comes from the path; the title from the name.
    let (status, answer) = put(
        &app,
        &format!("{PORTALS}/default"),
        json!({"name": "Support", "default": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["slug"], "default");
    assert_eq!(answer["title"], "Support");
    assert_eq!(answer["modules"], json!([]));
    assert_eq!(answer["session_idle_minutes"], 30);
    assert_eq!(answer["home"]["widgets"][0], "open_cases_by_priority");
}

async fn invalid_portals_are_422_naming_each_place(app: TestApp) {
    let path = format!("{PORTALS}/default");
    let good = default_portal(&app).await;

    let mut body = good.clone();
    body["modules"][1]["module"] = json!("spaceships");
    body["modules"][0]["fields"]["colour"] = json!("read_only");
    body["modules"][0]["fields"]["title"] = json!("read_only");
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        error_fields(&problem),
        [
            "modules[0].fields.colour",
            "modules[0].fields.title",
            "modules[1].module"
        ],
        "{problem}"
    );

    // A level that does not exist is a 422 at its place, not a 400.
    let mut body = good.clone();
    body["modules"][2]["fields"]["notes"] = json!("sometimes");
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["modules[2].fields.notes"]);

    // An unknown key, a wrong type, a missing name.
    let mut body = good.clone();
    body["colour"] = json!("blue");
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["colour"]);

    let mut body = good.clone();
    body["home"]["widgets"] = json!(["recent_cases", 7]);
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["home.widgets[1]"]);

    let mut body = good.clone();
    body.as_object_mut().expect("object").remove("name");
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["name"]);

    // Everything the domain checks is listed in one answer.
    let mut body = good.clone();
    body["session_idle_minutes"] = json!(0);
    body["css_url"] = json!("javascript:alert(1)");
    body["profile"]["contact"]["shoe_size"] = json!("read_only");
    body["modules"][3]["related"] = json!(["invoices"]);
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        error_fields(&problem),
        [
            "css_url",
            "session_idle_minutes",
            "modules[3].related",
            "profile.contact.shoe_size"
        ]
    );

    // Nothing was changed by the refused PUTs.
    assert_eq!(default_portal(&app).await, good);
}

async fn malformed_portal_bodies(app: TestApp) {
    let (status, problem) = send(app.admin(Method::POST, PORTALS).json(&json!([1, 2]))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, _) = send(
        app.admin(Method::POST, PORTALS)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = put(&app, &format!("{PORTALS}/default"), json!("text")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.get(&format!("{PORTALS}/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = put(
        &app,
        &format!("{PORTALS}/nowhere"),
        partner_portal("nowhere"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = delete(&app, &format!("{PORTALS}/nowhere")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Slugs are checked: reserved words and bad characters.
    let (status, problem) = app.post(PORTALS, partner_portal("login")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["slug"]);
    let (status, problem) = app.post(PORTALS, partner_portal("a b")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["slug"]);
}

async fn a_second_portal_can_become_the_default(app: TestApp) {
    let (status, created) = app.post(PORTALS, partner_portal("partners")).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["slug"], "partners");
    assert_eq!(created["default"], false);
    assert_eq!(created["title"], "Partner Portal");
    assert_eq!(created["roles"], json!([]));
    let (status, read) = app.get(&format!("{PORTALS}/partners")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);

    let mut body = created.clone();
    body["default"] = json!(true);
    let (status, answer) = put(&app, &format!("{PORTALS}/partners"), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["default"], true);
    assert_eq!(default_portal(&app).await["default"], false);

    let (_, list) = app.get(PORTALS).await;
    let defaults: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|p| p["default"] == true)
        .filter_map(|p| p["slug"].as_str())
        .collect();
    assert_eq!(defaults, ["partners"]);

    // Now the first portal can go, and the new default cannot.
    let (status, _) = delete(&app, &format!("{PORTALS}/default")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = delete(&app, &format!("{PORTALS}/partners")).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn the_default_portal_cannot_be_deleted(app: TestApp) {
    let (status, problem) = delete(&app, &format!("{PORTALS}/default")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "conflict");
    let (status, _) = app.post(PORTALS, partner_portal("partners")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = delete(&app, &format!("{PORTALS}/partners")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("{PORTALS}/partners")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(PORTALS).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

async fn slugs_and_custom_hosts_are_unique(app: TestApp) {
    let (status, problem) = app.post(PORTALS, partner_portal("default")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    let mut body = partner_portal("partners");
    body["custom_host"] = json!(" Partners.Example.com ");
    let (status, created) = app.post(PORTALS, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["custom_host"], "partners.example.com");
    // Replacing a portal keeps its own host.
    let (status, answer) = put(&app, &format!("{PORTALS}/partners"), created.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let mut body = partner_portal("resellers");
    body["custom_host"] = json!("partners.example.com");
    let (status, problem) = app.post(PORTALS, body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    let mut body = default_portal(&app).await;
    body["custom_host"] = json!("PARTNERS.example.com");
    let (status, problem) = put(&app, &format!("{PORTALS}/default"), body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // A portal's slug is its identity: it cannot be renamed, onto another's or a new one.
    for new_slug in ["default", "brand-new"] {
        let mut body = created.clone();
        body["slug"] = json!(new_slug);
        let (status, problem) = put(&app, &format!("{PORTALS}/partners"), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), ["slug"]);
    }
}

async fn portal_default_assignee_must_be_an_active_staff_user(app: TestApp) {
    let path = format!("{PORTALS}/default");
    let mut body = default_portal(&app).await;
    body["default_assignee"] = json!(app.admin_id);
    let (status, answer) = put(&app, &path, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["default_assignee"], json!(app.admin_id));

    body["default_assignee"] = json!(uuid::Uuid::now_v7().to_string());
    let (status, problem) = put(&app, &path, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["default_assignee"]);

    body["default_assignee"] = json!("not-an-id");
    let (status, problem) = put(&app, &path, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["default_assignee"]);

    // An inactive user cannot take new cases.
    let (status, user) = app
        .post(
            "/api/v1/admin/users",
            json!({"email": "gone@example.com", "name": "Gone", "password": "a long enough password", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (status, _) = app
        .patch(
            &format!("/api/v1/admin/users/{}", id_of(&user)),
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    body["default_assignee"] = user["id"].clone();
    let (status, problem) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["default_assignee"]);
}

async fn portal_roles_crud_and_validation(app: TestApp) {
    let (status, list) = app.get(ROLES).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"], json!([]));

    let permissions = json!({"cases": {"create": true, "read": "account", "edit": "own", "delete": "none", "comment": "account"}});
    let (status, role) = app
        .post(
            ROLES,
            json!({"name": "Account manager", "permissions": permissions}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert!(uuid::Uuid::parse_str(id_of(&role)).is_ok(), "{role}");
    assert_eq!(role["name"], "Account manager");
    assert_eq!(role["permissions"], permissions);
    let path = format!("{ROLES}/{}", id_of(&role));
    let (status, read) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, role);

    // Levels not given are none; what GET returns is a valid PUT body.
    let mut body = read.clone();
    body["name"] = json!("Reader");
    body["permissions"] = json!({"faqs": {"read": "all"}});
    let (status, changed) = put(&app, &path, body).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["id"], role["id"]);
    assert_eq!(
        changed["permissions"],
        json!({"faqs": {"create": false, "read": "all", "edit": "none", "delete": "none", "comment": "none"}})
    );
    let (status, again) = put(&app, &path, changed.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, changed);
    let (_, list) = app.get(ROLES).await;
    assert_eq!(list["items"], json!([changed]));

    // Each problem is a 422 naming its place.
    let cases = [
        (
            json!({"name": "X", "permissions": {"cases": {"read": "sometimes"}}}),
            "permissions.cases.read",
        ),
        (
            json!({"name": "X", "permissions": {"cases": {"create": "yes"}}}),
            "permissions.cases.create",
        ),
        (
            json!({"name": "X", "permissions": {"cases": {"write": "all"}}}),
            "permissions.cases.write",
        ),
        (
            json!({"name": "X", "permissions": {"spaceships": {"read": "all"}}}),
            "permissions.spaceships",
        ),
        (json!({"name": " ", "permissions": {}}), "name"),
        (json!({"permissions": {}}), "name"),
        (json!({"name": "X", "colour": "red"}), "colour"),
    ];
    for (body, place) in cases {
        let (status, problem) = app.post(ROLES, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(error_fields(&problem), [place], "{body}: {problem}");
        let (status, problem) = put(&app, &path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
    }
    let (status, _) = app.post(ROLES, json!("role")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Unknown and malformed ids are 404.
    let unknown = format!("{ROLES}/{}", uuid::Uuid::now_v7());
    for missing in [unknown.as_str(), "/api/v1/admin/portal-roles/not-an-id"] {
        assert_eq!(app.get(missing).await.0, StatusCode::NOT_FOUND);
        assert_eq!(
            put(&app, missing, json!({"name": "X"})).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(delete(&app, missing).await.0, StatusCode::NOT_FOUND);
    }

    let (status, _) = delete(&app, &path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(delete(&app, &path).await.0, StatusCode::NOT_FOUND);
}

async fn portals_may_only_name_existing_roles(app: TestApp) {
    let (status, role) = app.post(ROLES, json!({"name": "Partner"})).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let mut body = partner_portal("partners");
    body["roles"] = json!([role["id"], uuid::Uuid::now_v7().to_string()]);
    let (status, problem) = app.post(PORTALS, body.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["roles"]);

    body["roles"] = json!([role["id"]]);
    let (status, created) = app.post(PORTALS, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["roles"], json!([role["id"]]));

    let mut body = default_portal(&app).await;
    body["roles"] = json!(["not-an-id"]);
    let (status, problem) = put(&app, &format!("{PORTALS}/default"), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["roles[0]"]);
}

async fn agents_are_forbidden_on_every_admin_route(app: TestApp) {
    let role = uuid::Uuid::now_v7();
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, PORTALS.into()),
        (Method::POST, PORTALS.into()),
        (Method::GET, format!("{PORTALS}/default")),
        (Method::PUT, format!("{PORTALS}/default")),
        (Method::DELETE, format!("{PORTALS}/default")),
        (Method::GET, ROLES.into()),
        (Method::POST, ROLES.into()),
        (Method::GET, format!("{ROLES}/{role}")),
        (Method::PUT, format!("{ROLES}/{role}")),
        (Method::DELETE, format!("{ROLES}/{role}")),
        (Method::GET, COMPANY.into()),
        (Method::PUT, COMPANY.into()),
    ];
    for (method, path) in routes {
        let mut request = app.agent(method.clone(), &path);
        if method == Method::POST || method == Method::PUT {
            request = request.json(&json!({"slug": "x", "name": "X"}));
        }
        let (status, problem) = send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {problem}");
        // Without signing in it is 401.
        let (status, _) = send(app.client.request(method.clone(), app.url(&path))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let form = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("logo.png"));
    let (status, _) = send(app.agent(Method::PUT, LOGO).multipart(form)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.company_logo().await.expect("logo"), None);
}

async fn company_details_read_change_and_validate(app: TestApp) {
    let (status, company) = app.get(COMPANY).await;
    assert_eq!(status, StatusCode::OK, "{company}");
    assert_eq!(
        company,
        json!({"name": "Atrium", "address": "", "email": null, "phone": null,
               "time_zone": "UTC", "accent_color": "#4263eb", "language": "en", "currency": "EUR",
               "logo_url": null})
    );
    // What GET returns is a valid PUT body.
    let (status, same) = put(&app, COMPANY, company.clone()).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same, company);

    let body = json!({"name": "Acme Support", "address": "1 Main St\nSpringfield",
                      "email": "help@acme.example", "phone": "+1 555 0100",
                      "time_zone": "Europe/Berlin", "accent_color": "#1C7ED6", "language": "de"});
    let (status, changed) = put(&app, COMPANY, body).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Acme Support");
    assert_eq!(changed["time_zone"], "Europe/Berlin");
    assert_eq!(changed["accent_color"], "#1c7ed6");
    assert_eq!(changed["language"], "de");
    let (_, read) = app.get(COMPANY).await;
    assert_eq!(read, changed);

    let (status, problem) = put(
        &app,
        COMPANY,
        json!({"name": "", "email": "nope", "time_zone": "Mars Base", "accent_color": "blue", "language": "fr"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        error_fields(&problem),
        ["name", "accent_color", "time_zone", "language", "email"]
    );
    let (status, problem) = put(&app, COMPANY, json!({"name": "X", "fax": "123"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["fax"]);
    let (status, problem) = put(&app, COMPANY, json!({"name": 7})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["name"]);
    let (status, _) = put(&app, COMPANY, json!(null)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, read) = app.get(COMPANY).await;
    assert_eq!(read, changed, "refused changes change nothing");
}

fn logo_form(bytes: &[u8], name: &str, claimed_type: &str) -> Form {
    let part = Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str(claimed_type)
        .expect("a valid MIME type");
    Form::new().part("file", part)
}

async fn public_logo(app: &TestApp) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .client
        .get(app.url(PUBLIC_LOGO))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body").to_vec();
    (status, headers, bytes)
}

async fn a_png_logo_is_served_publicly(app: TestApp) {
    let (status, _, _) = public_logo(&app).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no logo yet");

    let (status, problem) = send(app.admin(Method::PUT, LOGO).multipart(logo_form(
        PNG,
        "logo.png",
        "image/png",
    )))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");

    let (status, headers, bytes) = public_logo(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("content-type"), Some("image/png"));
    assert_eq!(header("x-content-type-options"), Some("nosniff"));

    let (_, company) = app.get(COMPANY).await;
    assert_eq!(company["logo_url"], PUBLIC_LOGO);
    // The company document as read, logo_url included, is still a valid PUT body.
    let (status, answer) = put(&app, COMPANY, company.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, company);

    // A new logo replaces the old one; the type comes from the bytes, not the claim.
    let gif: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    let (status, _) = send(app.admin(Method::PUT, LOGO).multipart(logo_form(
        gif,
        "logo.png",
        "image/png",
    )))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, headers, bytes) = public_logo(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, gif);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/gif")
    );
}

async fn only_raster_images_are_accepted_as_logo(app: TestApp) {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let html = b"<html><body>hello</body></html>";
    for (bytes, name, claimed) in [
        (&svg[..], "logo.svg", "image/svg+xml"),
        (&svg[..], "logo.png", "image/png"),
        (&html[..], "logo.png", "image/png"),
        (&b"just text"[..], "logo.txt", "text/plain"),
        (&b""[..], "logo.png", "image/png"),
    ] {
        let (status, problem) = send(
            app.admin(Method::PUT, LOGO)
                .multipart(logo_form(bytes, name, claimed)),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {claimed}: {problem}"
        );
        assert_eq!(error_fields(&problem), ["file"]);
    }
    // No file part at all.
    let form = Form::new().text("other", "x");
    let (status, problem) = send(app.admin(Method::PUT, LOGO).multipart(form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["file"]);

    // More than 2 MiB is too large, even a real PNG.
    let mut big = PNG.to_vec();
    big.resize(2 * 1024 * 1024 + 1, 0);
    let (status, problem) = send(app.admin(Method::PUT, LOGO).multipart(logo_form(
        &big,
        "big.png",
        "image/png",
    )))
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    // Exactly 2 MiB fits.
    big.truncate(2 * 1024 * 1024);
    let (status, problem) = send(app.admin(Method::PUT, LOGO).multipart(logo_form(
        &big,
        "big.png",
        "image/png",
    )))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{problem}");
    let (status, _, bytes) = public_logo(&app).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes.len(), 2 * 1024 * 1024);
}

async fn contact_activity_lists_newest_first_and_filters_by_source(app: TestApp) {
    let contact = app
        .create(
            "contacts",
            json!({"first_name": "Emma", "last_name": "Stone"}),
        )
        .await;
    let contact_id = uuid::Uuid::parse_str(id_of(&contact)).expect("uuid");
    let path = format!("/api/v1/records/contacts/{contact_id}/activity");
    let (status, empty) = send(app.agent(Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "agents may read it: {empty}");
    assert_eq!(empty, json!({"items": []}));

    let case = app.create("cases", json!({"title": "Printer"})).await;
    let case_id = uuid::Uuid::parse_str(id_of(&case)).expect("uuid");
    app.store
        .add_activity(
            contact_id,
            ActivityKind::PortalLogin,
            ActivitySource::Portal,
            "signed in",
            None,
        )
        .await
        .expect("activity");
    app.store
        .add_activity(
            contact_id,
            ActivityKind::EmailSent,
            ActivitySource::Email,
            "Welcome",
            None,
        )
        .await
        .expect("activity");
    app.store
        .add_activity(
            contact_id,
            ActivityKind::PortalRecordCreated,
            ActivitySource::Portal,
            "created a case",
            Some(("cases", case_id)),
        )
        .await
        .expect("activity");

    let (status, all) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        ["portal_record_created", "email_sent", "portal_login"]
    );
    let newest = &all["items"][0];
    assert_eq!(newest["source"], "portal");
    assert_eq!(newest["detail"], "created a case");
    assert_eq!(
        newest["record"],
        json!({"module": "cases", "id": case["id"], "label": "Printer"})
    );
    assert!(newest["at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(all["items"][1]["record"], Value::Null);

    let (status, portal) = app.get(&format!("{path}?source=portal")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(portal["items"].as_array().map(Vec::len), Some(2));
    let (status, email) = app.get(&format!("{path}?source=email")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(email["items"][0]["kind"], "email_sent");
    assert_eq!(email["items"].as_array().map(Vec::len), Some(1));

    let (status, problem) = app.get(&format!("{path}?source=fax")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["source"]);

    for missing in [
        format!("/api/v1/records/contacts/{}/activity", uuid::Uuid::now_v7()),
        "/api/v1/records/contacts/not-an-id/activity".to_owned(),
        format!("/api/v1/records/contacts/{case_id}/activity"),
    ] {
        let (status, _) = app.get(&missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    }
    let (status, _) = send(app.client.get(app.url(&path))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn contacts_name_only_existing_roles_and_portals(app: TestApp) {
    let (status, role) = app.post(ROLES, json!({"name": "Partner"})).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let unknown_role = uuid::Uuid::now_v7().to_string();

    let (status, problem) = app
        .post(
            "/api/v1/records/contacts",
            json!({"last_name": "Stone", "portal_roles": [role["id"], unknown_role], "portals": ["default", "nowhere"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["portal_roles", "portals"]);
    let (status, problem) = app
        .post(
            "/api/v1/records/contacts",
            json!({"last_name": "Stone", "portal_roles": ["not-an-id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["portal_roles"]);
    let (_, list) = app.get("/api/v1/records/contacts").await;
    assert_eq!(list["total"], 0, "refused creates store nothing");

    // Role ids are kept in their canonical spelling.
    let upper = id_of(&role).to_uppercase();
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Stone", "portal_roles": [upper], "portals": ["default"]}),
        )
        .await;
    assert_eq!(contact["portal_roles"], json!([role["id"]]));
    assert_eq!(contact["portals"], json!(["default"]));

    let path = format!("/api/v1/records/contacts/{}", id_of(&contact));
    let (status, problem) = app.patch(&path, json!({"portals": ["nowhere"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["portals"]);
    let (status, problem) = app
        .patch(&path, json!({"portal_roles": [unknown_role]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["portal_roles"]);

    let (status, _) = app.post(PORTALS, partner_portal("partners")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, changed) = app
        .patch(&path, json!({"portals": ["partners"], "portal_roles": []}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["portals"], json!(["partners"]));
    assert_eq!(changed["portal_roles"], json!([]));

    // Other modules are untouched by these checks.
    app.create(
        "faqs",
        json!({"question": "Why?", "answer": "Because.", "portals": ["anything"]}),
    )
    .await;
}

async fn two_portal_users_cannot_share_an_email(app: TestApp) {
    let first = app
        .create(
            "contacts",
            json!({"last_name": "One", "email": "emma@example.com", "portal_user": true}),
        )
        .await;
    let (status, problem) = app
        .post(
            "/api/v1/records/contacts",
            json!({"last_name": "Two", "email": "EMMA@example.com", "portal_user": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "conflict");

    // The same e-mail on a contact that does not use the portal is fine…
    let second = app
        .create(
            "contacts",
            json!({"last_name": "Two", "email": "Emma@Example.com"}),
        )
        .await;
    let second_path = format!("/api/v1/records/contacts/{}", id_of(&second));
    // …until it is made a portal user.
    let (status, problem) = app.patch(&second_path, json!({"portal_user": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (_, read) = app.get(&second_path).await;
    assert_eq!(
        read["portal_user"], false,
        "a refused change changes nothing"
    );

    // A portal user may be saved again with its own e-mail.
    let first_path = format!("/api/v1/records/contacts/{}", id_of(&first));
    let (status, same) = app
        .patch(
            &first_path,
            json!({"email": "emma@example.com", "portal_user": true, "phone": "+1 555 0100"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{same}");

    // Changing a portal user's e-mail onto another portal user's is refused too.
    let third = app
        .create(
            "contacts",
            json!({"last_name": "Three", "email": "three@example.com", "portal_user": true}),
        )
        .await;
    let (status, _) = app
        .patch(
            &format!("/api/v1/records/contacts/{}", id_of(&third)),
            json!({"email": "Emma@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Once the first no longer uses the portal, the second may.
    let (status, _) = app.patch(&first_path, json!({"portal_user": false})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, changed) = app.patch(&second_path, json!({"portal_user": true})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["portal_user"], true);
}

async fn has_session(app: &TestApp, digest: &str) -> bool {
    app.store
        .customer_session(digest, "default", time::Duration::hours(1))
        .await
        .expect("session")
        .is_some()
}

async fn taking_portal_access_away_ends_the_sessions(app: TestApp) {
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Stone", "email": "emma@example.com", "portal_user": true}),
        )
        .await;
    let id = uuid::Uuid::parse_str(id_of(&contact)).expect("uuid");
    let path = format!("/api/v1/records/contacts/{id}");
    let (status, _) = app.post(PORTALS, partner_portal("partners")).await;
    assert_eq!(status, StatusCode::CREATED);
    let sign_in = |digest: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .create_customer_session(digest, id, "default")
                .await
                .expect("session");
        }
    };

    sign_in("first").await;
    let (status, _) = app.patch(&path, json!({"phone": "+1 555 0100"})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(has_session(&app, "first").await, "other changes keep it");
    let (status, _) = app.patch(&path, json!({"portals": []})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(has_session(&app, "first").await, "the same portals keep it");

    let (status, _) = app
        .patch(&path, json!({"portals": ["default", "partners"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!has_session(&app, "first").await, "changed portals end it");

    sign_in("second").await;
    sign_in("third").await;
    let (status, _) = app.patch(&path, json!({"portal_user": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!has_session(&app, "second").await);
    assert!(!has_session(&app, "third").await);
}

async fn deactivating_or_deleting_a_portal_ends_its_sessions(app: TestApp) {
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Stone", "email": "emma@example.com", "portal_user": true}),
        )
        .await;
    let id = uuid::Uuid::parse_str(id_of(&contact)).expect("uuid");
    let (status, partners) = app.post(PORTALS, partner_portal("partners")).await;
    assert_eq!(status, StatusCode::CREATED);
    for (digest, portal) in [("on-default", "default"), ("on-partners", "partners")] {
        app.store
            .create_customer_session(digest, id, portal)
            .await
            .expect("session");
    }
    let mut body = partners.clone();
    body["active"] = json!(false);
    let (status, answer) = put(&app, &format!("{PORTALS}/partners"), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["active"], false);
    assert!(!has_session(&app, "on-partners").await);
    assert!(
        has_session(&app, "on-default").await,
        "other portals keep theirs"
    );

    app.store
        .create_customer_session("again", id, "partners")
        .await
        .expect("session");
    let (status, _) = delete(&app, &format!("{PORTALS}/partners")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!has_session(&app, "again").await);
    assert!(has_session(&app, "on-default").await);
}

async fn deleting_a_role_leaves_portals_and_contacts_usable(app: TestApp) {
    let (_, kept) = app.post(ROLES, json!({"name": "Kept"})).await;
    let (_, gone) = app.post(ROLES, json!({"name": "Gone"})).await;
    let mut body = default_portal(&app).await;
    body["roles"] = json!([gone["id"], kept["id"]]);
    let (status, answer) = put(&app, &format!("{PORTALS}/default"), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Stone", "portal_roles": [gone["id"], kept["id"]]}),
        )
        .await;

    let (status, _) = delete(&app, &format!("{ROLES}/{}", id_of(&gone))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The portal no longer lists it, and what GET returns is still a valid PUT body.
    let portal = default_portal(&app).await;
    assert_eq!(portal["roles"], json!([kept["id"]]));
    let (status, answer) = put(&app, &format!("{PORTALS}/default"), portal.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    // The contact may be sent back as read, but the deleted role cannot be given anew.
    let path = format!("/api/v1/records/contacts/{}", id_of(&contact));
    let (_, read) = app.get(&path).await;
    let (status, answer) = app
        .patch(
            &path,
            json!({"portal_roles": read["portal_roles"], "title": "CTO"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let other = app.create("contacts", json!({"last_name": "Other"})).await;
    let (status, problem) = app
        .patch(
            &format!("/api/v1/records/contacts/{}", id_of(&other)),
            json!({"portal_roles": [gone["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["portal_roles"]);
}

async fn the_openapi_document_lists_every_admin_route(app: TestApp) {
    let (status, doc) = send(app.client.get(app.url("/api/v1/openapi.json"))).await;
    assert_eq!(status, StatusCode::OK);
    for (path, methods) in [
        (PORTALS, &["get", "post"][..]),
        (
            "/api/v1/admin/portals/{slug}",
            &["get", "put", "delete"][..],
        ),
        (ROLES, &["get", "post"][..]),
        (
            "/api/v1/admin/portal-roles/{id}",
            &["get", "put", "delete"][..],
        ),
        (COMPANY, &["get", "put"][..]),
        (LOGO, &["put"][..]),
        (PUBLIC_LOGO, &["get"][..]),
        ("/api/v1/records/contacts/{id}/activity", &["get"][..]),
    ] {
        for method in methods {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is documented"
            );
        }
    }
    assert_eq!(doc["paths"][PORTALS]["get"]["tags"], json!(["admin"]));
}
