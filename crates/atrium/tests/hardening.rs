//! Holes an outside review found, each closed and kept closed: fields that decide access are
//! never customer-writable, a write cannot take a record out of the customer's sight, password
//! guesses are limited however many race, out-of-range paging is a 422, hidden FAQ answers are
//! not searched, uploads may be as large as configured, links end when the password or access
//! changes, delivered bodies do not keep links, files are sandboxed, sessions are bound to
//! their portal, and comments cannot embed remote images.

mod common;

use common::{TestApp, send};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    fields_that_decide_access_are_never_customer_writable,
    a_write_that_hides_the_record_is_refused_and_changes_nothing,
    parallel_guesses_are_checked_five_times_at_most,
    staff_sign_in_and_password_change_are_throttled,
    paging_beyond_any_list_is_a_422,
    a_hidden_faq_answer_is_not_searched,
    portal_uploads_may_be_as_large_as_configured,
    links_end_when_the_password_changes,
    delivered_bodies_keep_no_link,
    downloads_are_sandboxed,
    a_session_is_bound_to_its_portal,
    comments_keep_only_images_atrium_serves,
    addresses_match_in_full_unicode_and_belong_to_one_portal_user,
    a_child_record_is_measured_against_the_action_level,
    malformed_requests_are_problems_naming_what_is_wrong,
);

mod behind_a_trusted_proxy {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::each_forwarded_client_is_throttled_alone(super::common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::each_forwarded_client_is_throttled_alone(super::common::Backend::Postgres).await;
    }
}

const STRONG: &str = "tangerine submarine orchestra";

async fn put_portal(app: &TestApp, portal: &Value) -> (StatusCode, Value) {
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(portal),
    )
    .await
}

async fn fields_that_decide_access_are_never_customer_writable(app: TestApp) {
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    let modules = portal["modules"].as_array_mut().expect("modules");
    modules.push(json!({
        "module": "contacts", "scope": "mine", "create": false, "edit": true, "comments": false,
        "related": [],
        "fields": {"last_name": "read_write", "organization": "read_write", "email": "read_write"}
    }));
    let (status, problem) = put_portal(&app, &portal).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.iter().any(|f| f.ends_with(".fields.organization"))
            && fields.iter().any(|f| f.ends_with(".fields.email")),
        "{fields:?}"
    );

    // A portal stored before this rule (or written around the API) still cannot open them.
    let mut stored: atrium_core::portal::Portal =
        serde_json::from_value(portal.clone()).expect("portal");
    stored = stored.normalized();
    app.store
        .save_portal(Some("default"), stored)
        .await
        .expect("save around the API");
    let me = format!("/records/contacts/{}", emma.id);
    for body in [
        json!({"organization": globex}),
        json!({"email": "someone.else@example.com"}),
    ] {
        let (status, problem) = send(app.portal(&emma, Method::PATCH, &me).json(&body)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
    }
    let (status, changed) = send(
        app.portal(&emma, Method::PATCH, &me)
            .json(&json!({"last_name": "Stone-Smith"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "other fields stay writable: {changed}"
    );
    let (_, contact) = app
        .get(&format!("/api/v1/records/contacts/{}", emma.id))
        .await;
    assert_eq!(contact["organization"]["id"], json!(acme));
    assert_eq!(contact["email"], json!(emma.email));
}

async fn a_write_that_hides_the_record_is_refused_and_changes_nothing(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    for entry in portal["modules"].as_array_mut().expect("modules") {
        if entry["module"] == "documents" {
            entry["edit"] = json!(true);
            entry["fields"]["status"] = json!("read_write");
        }
    }
    let (status, problem) = put_portal(&app, &portal).await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let document = app.create("documents", json!({"title": "Manual"})).await;
    let id = document["id"].as_str().expect("id");
    let (status, _) = send(app.admin(
        Method::PUT,
        &format!("/api/v1/records/documents/{id}/links/contacts/{}", emma.id),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let path = format!("/records/documents/{id}");
    let (status, problem) = send(
        app.portal(&emma, Method::PATCH, &path)
            .json(&json!({"status": "Inactive", "notes": "hide it"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (_, stored) = app.get(&format!("/api/v1/records/documents/{id}")).await;
    assert_eq!(stored["status"], "Active", "nothing changed");
    assert_eq!(stored["notes"], Value::Null, "nothing changed");
    let (status, _) = send(app.portal(&emma, Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "still visible");
}

async fn parallel_guesses_are_checked_five_times_at_most(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let guesses = (0..30).map(|n| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/login"))
                .json(&json!({"email": emma.email, "password": format!("wrong guess {n}")})),
        )
    });
    let statuses: Vec<StatusCode> = join_all(guesses)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(checked <= 5, "{statuses:?}");
    assert_eq!(checked + refused, 30, "{statuses:?}");
}

async fn staff_sign_in_and_password_change_are_throttled(app: TestApp) {
    let login = |password: &str| {
        send(
            app.client
                .post(app.url("/api/v1/staff/login"))
                .json(&json!({"email": "agent@example.com", "password": password})),
        )
    };
    for _ in 0..5 {
        let (status, _) = login("not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, problem) = login(common::ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");

    let emma = app.customer("Emma", "Stone", None).await;
    let change = |current: &str| {
        send(
            app.portal(&emma, Method::POST, "/password/change")
                .json(&json!({"current_password": current, "new_password": STRONG})),
        )
    };
    for _ in 0..5 {
        let (status, _) = change("not my password at all").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _) = change(common::CUSTOMER_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn paging_beyond_any_list_is_a_422(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let huge = "page=9223372036854775807";
    let (status, problem) = app.get(&format!("/api/v1/records/cases?{huge}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) =
        send(app.portal(&emma, Method::GET, &format!("/records/cases?{huge}"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, page) = app.get("/api/v1/records/cases?page=1000000").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"], json!([]));
}

async fn a_hidden_faq_answer_is_not_searched(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    app.create(
        "faqs",
        json!({"question": "How do I reset the router?", "answer": "Press the zanzibar button.", "status": "Published"}),
    )
    .await;
    let search = |q: &str| send(app.portal(&emma, Method::GET, &format!("/faqs/search?q={q}")));
    let (_, hits) = search("zanzibar").await;
    assert_eq!(hits["items"].as_array().map(Vec::len), Some(1), "{hits}");

    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    for entry in portal["modules"].as_array_mut().expect("modules") {
        if entry["module"] == "faqs" {
            entry["fields"] = json!({"question": "read_only"});
        }
    }
    let (status, problem) = put_portal(&app, &portal).await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let (_, hits) = search("zanzibar").await;
    assert_eq!(
        hits["items"],
        json!([]),
        "the hidden answer is not searched"
    );
    let (_, hits) = search("router").await;
    assert_eq!(hits["items"].as_array().map(Vec::len), Some(1), "{hits}");
}

async fn portal_uploads_may_be_as_large_as_configured(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let bytes = vec![b'a'; 3 * 1024 * 1024];
    let form = reqwest::multipart::Form::new()
        .text("title", "Big log")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("big.log"),
        );
    let (status, document) = send(
        app.portal(&emma, Method::POST, "/records/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    assert_eq!(document["file"]["size"], 3 * 1024 * 1024);
}

async fn links_end_when_the_password_changes(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let token = common::reset_token(&app, &emma.email).await;
    let (status, _) = send(
        app.portal(&emma, Method::POST, "/password/change")
            .json(&json!({"current_password": common::CUSTOMER_PASSWORD, "new_password": STRONG})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/password/reset"))
            .json(&json!({"token": token, "password": "another long passphrase here"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the link ended");
}

async fn delivered_bodies_keep_no_link(app: TestApp) {
    app.store
        .apply_effects(&atrium_store::Effects {
            mails: vec![atrium_store::NewMail {
                to: "emma@example.com".into(),
                subject: "Your link".into(),
                text: "https://example.com/reset?token=secret".into(),
                html: "<a href=\"https://example.com/reset?token=secret\">reset</a>".into(),
                template: "portal_password_reset".into(),
                ..atrium_store::NewMail::default()
            }],
            ..atrium_store::Effects::default()
        })
        .await
        .expect("queue");
    let claimed = app
        .store
        .claim_due("worker", time::Duration::minutes(5), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert!(
        app.store
            .mark_sent(claimed[0].id, "worker")
            .await
            .expect("sent")
    );
    let mails = app.store.mails_to("emma@example.com").await.expect("mails");
    assert!(!mails[0].2.contains("secret"), "{mails:?}");
}

async fn downloads_are_sandboxed(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let form = reqwest::multipart::Form::new().text("title", "Page").part(
        "file",
        reqwest::multipart::Part::bytes(b"<html><script>alert(1)</script></html>".to_vec())
            .file_name("page.html"),
    );
    let (status, document) = send(
        app.portal(&emma, Method::POST, "/records/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let id = document["id"].as_str().expect("id");
    for response in [
        app.portal(&emma, Method::GET, &format!("/records/documents/{id}/file"))
            .send()
            .await
            .expect("portal download"),
        app.admin(Method::GET, &format!("/api/v1/records/documents/{id}/file"))
            .send()
            .await
            .expect("staff download"),
    ] {
        assert_eq!(response.status(), StatusCode::OK);
        let csp = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("sandbox"), "{csp}");
    }
}

async fn a_session_is_bound_to_its_portal(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (_, mut partners) = app.get("/api/v1/admin/portals/default").await;
    partners["slug"] = json!("partners");
    partners["name"] = json!("Partners");
    partners["default"] = json!(false);
    partners["session_idle_minutes"] = json!(1);
    let (status, problem) = send(
        app.admin(Method::POST, "/api/v1/admin/portals")
            .json(&partners),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
    let digest = atrium_app::passwords::token_digest(&emma.token);
    app.store
        .age_session(&digest, time::Duration::minutes(5))
        .await
        .expect("age");
    let (status, _) = send(
        app.client
            .get(app.url("/api/v1/portal/partners/me"))
            .bearer_auth(&emma.token),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "another portal's idle limit does not end the session"
    );
}

async fn comments_keep_only_images_atrium_serves(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (status, case) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "Look"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().expect("id");
    let (status, comment) = send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/cases/{id}/comments"),
        )
        .json(&json!({"body": "See ![x](https://tracker.example/pixel.gif)"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert!(
        !comment["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("tracker.example"),
        "{comment}"
    );
}

async fn addresses_match_in_full_unicode_and_belong_to_one_portal_user(app: TestApp) {
    let jorg = app
        .create(
            "contacts",
            json!({"first_name": "Jörg", "last_name": "Ähnlich", "email": "JÖRG.ÄHNLICH@Example.com", "portal_user": true}),
        )
        .await;
    let id = jorg["id"].as_str().expect("id");
    app.set_customer_password(id).await;
    app.customer_login("default", "jörg.ähnlich@example.com")
        .await;

    let (status, problem) = send(app.admin(Method::POST, "/api/v1/records/contacts").json(
        &json!({"first_name": "Other", "last_name": "Jörg", "email": "jörg.ähnlich@EXAMPLE.com", "portal_user": true}),
    ))
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
}

async fn a_child_record_is_measured_against_the_action_level(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let project = app
        .create("projects", json!({"name": "Rollout", "contact": emma.id}))
        .await;
    let project_id = project["id"].as_str().expect("id");
    let task = app
        .create(
            "project_tasks",
            json!({"name": "Cabling", "project": project_id}),
        )
        .await;
    let task_id = task["id"].as_str().expect("id");
    let (status, role) = send(app.admin(Method::POST, "/api/v1/admin/portal-roles").json(&json!({
        "name": "Own tasks only",
        "permissions": {"project_tasks": {"create": false, "read": "contact", "edit": "own", "delete": "none", "comment": "none"}}
    })))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let (status, contact) = app
        .patch(
            &format!("/api/v1/records/contacts/{}", emma.id),
            json!({"portal_roles": [role["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{contact}");
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["modules"].as_array_mut().expect("modules").push(json!({
        "module": "project_tasks", "scope": "mine", "create": false, "edit": false, "comments": false,
        "related": [], "fields": {"name": "read_only", "description": "read_write"}
    }));
    let (status, problem) = put_portal(&app, &portal).await;
    assert_eq!(status, StatusCode::OK, "{problem}");
    let emma = common::Customer {
        token: app.customer_login("default", &emma.email).await,
        ..emma
    };

    let path = format!("/records/project_tasks/{task_id}");
    let (status, _) = send(app.portal(&emma, Method::GET, &path)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the task of her project is readable"
    );
    let (status, problem) = send(
        app.portal(&emma, Method::PATCH, &path)
            .json(&json!({"description": "mine now"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "edit: own reaches only what she created: {problem}"
    );
}

/// Bodies and parameters of the wrong shape are 400s and 422s in problem+json, never axum's
/// plain text and never taken for something else.
async fn malformed_requests_are_problems_naming_what_is_wrong(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let document = app.create("documents", json!({"title": "Terms"})).await;
    let id = document["id"].as_str().expect("id");
    let problem_type = |response: &reqwest::Response| {
        response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    for request in [
        app.admin(Method::PUT, &format!("/api/v1/records/documents/{id}/file"))
            .json(&json!({"file": "not a form"})),
        app.admin(Method::PUT, "/api/v1/admin/company/logo")
            .body("plain"),
    ] {
        let response = request.send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            problem_type(&response).as_deref(),
            Some("application/problem+json")
        );
    }

    let response = app
        .portal(&emma, Method::GET, "/faqs/search?q=router&q=modem")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        problem_type(&response).as_deref(),
        Some("application/problem+json")
    );

    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["slug"] = json!(5);
    let (status, problem) = put_portal(&app, &portal).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(common::error_fields(&problem), ["slug"]);
}

/// Behind a load balancer every request comes from the proxy's address: with the proxy
/// trusted, sign-in failures count against the client it forwarded for, so one client's
/// guesses lock out that client only; what a client writes into `X-Forwarded-For` itself
/// does not move it to another count.
async fn each_forwarded_client_is_throttled_alone(backend: common::Backend) {
    let trusted = vec!["127.0.0.1/32".parse().expect("network")];
    let Some(app) = TestApp::spawn_configured(backend, 1024 * 1024, trusted).await else {
        return;
    };
    app.customer("Emma", "Stone", None).await;
    let login = |forwarded_for: &str, email: &str, password: &str| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/login"))
                .header("x-forwarded-for", forwarded_for)
                .json(&json!({"email": email, "password": password})),
        )
    };
    // A guesser behind the proxy, trying many e-mails and claiming a new address each time.
    let mut refused = None;
    for i in 0..40 {
        let claimed = format!("192.0.2.{i}, 198.51.100.1");
        let (status, _) = login(&claimed, &format!("guess{i}@example.com"), "wrong guess").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(refused.is_some(), "the guessing client was never throttled");
    // Another client behind the same proxy still signs in.
    let (status, body) = login(
        "198.51.100.2",
        "emma.stone@example.com",
        common::CUSTOMER_PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The guesser stays refused, even with its right password.
    let (status, _) = login(
        "198.51.100.1",
        "emma.stone@example.com",
        common::CUSTOMER_PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
