//! The customer's portal API: signing in, sessions, and records through the access engine.

mod common;

use common::{CUSTOMER_PASSWORD, TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    a_customer_signs_in_and_sees_only_their_cases,
    a_deleted_contacts_session_ends,
    wrong_credentials_look_the_same_whether_or_not_the_email_exists,
    refusals_after_a_correct_password_say_why,
    repeated_failures_are_throttled_with_retry_after,
    idle_sessions_expire_and_removed_access_ends_sessions,
    creating_a_case_sets_what_the_engine_owns,
    customers_write_only_read_write_fields,
    internal_records_and_comments_stay_hidden,
    a_reply_reopens_a_waiting_case,
    password_change_ends_the_other_sessions,
    sign_ins_and_portal_actions_land_on_the_activity_timeline,
    home_counts_only_what_the_customer_may_see,
    the_menu_lists_visible_fields_and_allowed_actions,
    the_profile_follows_the_layout,
    faq_search_ranks_published_faqs_of_this_portal,
    documents_are_readable_through_a_readable_case,
    a_record_exports_to_pdf_with_only_what_the_customer_may_see,
    the_related_documents_of_a_case_are_its_linked_documents_that_may_be_seen,
);

async fn a_customer_signs_in_and_sees_only_their_cases(app: TestApp) {
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let colleague = app.contact("Carl", "Colleague", Some(&acme), false).await;
    let other = app.contact("Olga", "Other", Some(&globex), false).await;
    let mine = app
        .create("cases", json!({"title": "Mine", "contact": emma.id}))
        .await;
    app.create(
        "cases",
        json!({"title": "Colleague's", "contact": colleague, "organization": acme}),
    )
    .await;
    let theirs = app
        .create(
            "cases",
            json!({"title": "Other org", "contact": other, "organization": globex}),
        )
        .await;

    let (status, list) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list["total"], 1,
        "scope mine: only cases linked to Emma: {list}"
    );
    assert_eq!(list["items"][0]["id"], mine["id"]);
    let item = &list["items"][0];
    assert!(
        item.get("internal").is_none() && item.get("assigned_to").is_none(),
        "hidden fields are absent: {item}"
    );
    assert_eq!(item["title"], "Mine");

    let (status, _) = send(app.portal(
        &emma,
        Method::GET,
        &format!(
            "/records/cases/{}",
            theirs["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another organization's case does not exist for Emma"
    );

    // The portal's scope `all` shows the organization's cases.
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["default_scope"] = json!("all");
    let (status, body) = send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(
        list["total"], 2,
        "scope all: the whole organization: {list}"
    );

    let (status, _) = send(
        app.client
            .get(app.url("/api/v1/portal/default/records/cases")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/spaceships")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/products")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "modules outside the menu are not there"
    );
}

/// The session and its contact are read together; a contact deleted by staff is signed out
/// on their next request, and their session does not come back.
async fn a_deleted_contacts_session_ends(app: TestApp) {
    let emma = app.customer("Emma", "Deleted", None).await;
    let (status, _) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(status, StatusCode::OK);
    let deleted = app
        .admin(
            Method::DELETE,
            &format!("/api/v1/records/contacts/{}", emma.id),
        )
        .send()
        .await
        .expect("DELETE");
    assert!(deleted.status().is_success(), "{}", deleted.status());
    for _ in 0..2 {
        let (status, _) = send(app.portal(&emma, Method::GET, "/me")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn wrong_credentials_look_the_same_whether_or_not_the_email_exists(app: TestApp) {
    let emma = app.contact("Emma", "Stone", None, true).await;
    app.set_customer_password(&emma).await;
    let login = |email: &str, password: &str| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/login"))
                .json(&json!({"email": email, "password": password})),
        )
    };
    let (status_wrong, body_wrong) =
        login("emma.stone@example.com", "not the password at all").await;
    let (status_unknown, body_unknown) =
        login("nobody@example.com", "not the password at all").await;
    assert_eq!(status_wrong, StatusCode::UNAUTHORIZED);
    assert_eq!(status_unknown, StatusCode::UNAUTHORIZED);
    assert_eq!(body_wrong, body_unknown);
    let (status, body) = login("EMMA.STONE@example.com", CUSTOMER_PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "e-mails compare without case: {body}"
    );
    assert_eq!(body["contact"]["first_name"], "Emma");
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/nope/login"))
            .json(&json!({"email": "a@b.co", "password": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn refusals_after_a_correct_password_say_why(app: TestApp) {
    let emma = app.contact("Emma", "Stone", None, true).await;
    app.set_customer_password(&emma).await;
    let contact_path = format!("/api/v1/records/contacts/{emma}");
    let login = || {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/login"))
                .json(&json!({"email": "emma.stone@example.com", "password": CUSTOMER_PASSWORD})),
        )
    };

    app.patch(&contact_path, json!({"support_end_date": "2020-01-31"}))
        .await;
    let (status, body) = login().await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("2020-01-31"),
        "{body}"
    );

    app.patch(
        &contact_path,
        json!({"support_end_date": null, "support_start_date": "2999-01-01"}),
    )
    .await;
    let (status, body) = login().await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("2999-01-01"),
        "{body}"
    );

    let today = time::OffsetDateTime::now_utc().date();
    let today = format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    );
    app.patch(
        &contact_path,
        json!({"support_start_date": today, "support_end_date": today}),
    )
    .await;
    let (status, body) = login().await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the start and end dates are days on which sign-in works: {body}"
    );

    // A wrong password is 401 even when sign-in would be refused: nothing is revealed.
    app.patch(&contact_path, json!({"support_end_date": "2020-01-31"}))
        .await;
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/login"))
            .json(&json!({"email": "emma.stone@example.com", "password": "wrong wrong wrong"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.patch(&contact_path, json!({"support_end_date": null}))
        .await;

    app.patch(&contact_path, json!({"portal_user": false}))
        .await;
    let (status, _) = login().await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a contact without portal access is not a portal user at all"
    );
    app.patch(&contact_path, json!({"portal_user": true})).await;

    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["active"] = json!(false);
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    let (status, body) = login().await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["detail"].is_string());
}

async fn repeated_failures_are_throttled_with_retry_after(app: TestApp) {
    let emma = app.contact("Emma", "Stone", None, true).await;
    app.set_customer_password(&emma).await;
    for _ in 0..5 {
        let (status, _) = send(
            app.client
                .post(app.url("/api/v1/portal/default/login"))
                .json(&json!({"email": "emma.stone@example.com", "password": "wrong guess here"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = app
        .client
        .post(app.url("/api/v1/portal/default/login"))
        .json(&json!({"email": "emma.stone@example.com", "password": CUSTOMER_PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Another e-mail from the same address is not blocked by these five.
    let other = app.contact("Olga", "Other", None, true).await;
    app.set_customer_password(&other).await;
    app.customer_login("default", "olga.other@example.com")
        .await;
}

async fn idle_sessions_expire_and_removed_access_ends_sessions(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(status, StatusCode::OK);
    let digest = atrium_app::passwords::token_digest(&emma.token);
    app.store
        .age_session(&digest, time::Duration::minutes(31))
        .await
        .expect("age");
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "30 idle minutes end the session"
    );

    let token = app.customer_login("default", &emma.email).await;
    let again = common::Customer { token, ..emma };
    let (status, _) = app
        .patch(
            &format!("/api/v1/records/contacts/{}", again.id),
            json!({"portal_user": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(app.portal(&again, Method::GET, "/records/cases")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "removing portal access ends the sessions at once"
    );
}

async fn creating_a_case_sets_what_the_engine_owns(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["default_assignee"] = json!(app.admin_id);
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;

    let (status, created) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "Printer jam", "priority": "High"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "New");
    assert_eq!(created["contact"]["id"], json!(emma.id));
    let (_, staff_view) = app
        .get(&format!(
            "/api/v1/records/cases/{}",
            created["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(staff_view["organization"]["id"], json!(acme));
    assert_eq!(staff_view["channel"], "Portal");
    assert_eq!(staff_view["assigned_to"]["id"], json!(app.admin_id));
    assert_eq!(staff_view["created_by_ext"]["id"], json!(emma.id));
    assert_eq!(staff_view["created_by_ext"]["deleted"], false);
    assert_eq!(staff_view["created_by"], Value::Null);

    let (status, problem) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"priority": "High"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["title".to_owned()]);
    let (status, _) = send(
        app.portal(&emma, Method::POST, "/records/faqs")
            .json(&json!({"question": "Why?"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "FAQs are readable but not creatable"
    );
}

async fn customers_write_only_read_write_fields(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (status, problem) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "x", "status": "Closed", "assigned_to": app.admin_id, "internal": true, "bogus": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&problem);
    for field in ["status", "assigned_to", "internal", "bogus"] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    let case = app
        .create("cases", json!({"title": "Mine", "contact": emma.id}))
        .await;
    let path = format!("/records/cases/{}", case["id"].as_str().unwrap_or_default());
    let (status, problem) = send(
        app.portal(&emma, Method::PATCH, &path)
            .json(&json!({"status": "Closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["status".to_owned()]);
    let (status, changed) = send(
        app.portal(&emma, Method::PATCH, &path)
            .json(&json!({"priority": "Urgent"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["priority"], "Urgent");
    let (_, staff_view) = app
        .get(&format!(
            "/api/v1/records/cases/{}",
            case["id"].as_str().unwrap_or_default()
        ))
        .await;
    assert_eq!(staff_view["modified_by_ext"]["id"], json!(emma.id));
    let (status, problem) =
        send(app.portal(&emma, Method::GET, "/records/cases?internal=false")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hidden fields cannot be filtered on: {problem}"
    );
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases?sort=assigned_to")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "nor sorted by");
    let (status, _) = send(app.portal(&emma, Method::DELETE, &path)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "visible, but the portal grants no delete"
    );
}

async fn internal_records_and_comments_stay_hidden(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let internal = app
        .create(
            "cases",
            json!({"title": "Internal", "contact": emma.id, "internal": true}),
        )
        .await;
    let visible = app
        .create(
            "cases",
            json!({"title": "Public", "contact": emma.id, "description": "secret sauce"}),
        )
        .await;
    let (_, list) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(list["total"], 1);
    let (status, _) = send(app.portal(
        &emma,
        Method::GET,
        &format!(
            "/records/cases/{}",
            internal["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let id = visible["id"].as_str().unwrap_or_default();
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "We are on it"}),
    )
    .await;
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "Grumpy customer", "internal": true}),
    )
    .await;
    let (_, comments) =
        send(app.portal(&emma, Method::GET, &format!("/records/cases/{id}/comments"))).await;
    let bodies: Vec<&str> = comments["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(bodies, ["We are on it"]);
    // Search does not look into fields the customer cannot see... but description is visible here.
    let (_, found) = send(app.portal(&emma, Method::GET, "/records/cases?q=secret")).await;
    assert_eq!(found["total"], 1);
    let (_, not_found) = send(app.portal(&emma, Method::GET, "/records/cases?q=Internal")).await;
    assert_eq!(not_found["total"], 0);
    // With the description hidden, a search does not look into it.
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["modules"][0]["fields"]["description"] = json!("hidden");
    let (status, body) = send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, hidden) = send(app.portal(&emma, Method::GET, "/records/cases?q=secret")).await;
    assert_eq!(
        hidden["total"], 0,
        "search must not look into hidden fields"
    );
    let (_, by_title) = send(app.portal(&emma, Method::GET, "/records/cases?q=public")).await;
    assert_eq!(by_title["total"], 1);
}

async fn a_reply_reopens_a_waiting_case(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let case = app
        .create(
            "cases",
            json!({"title": "Need info", "contact": emma.id, "status": "Waiting on Customer"}),
        )
        .await;
    let id = case["id"].as_str().unwrap_or_default();
    let (status, comment) = send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/cases/{id}/comments"),
        )
        .json(&json!({"body": "Here it is"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert_eq!(comment["internal"], false);
    assert_eq!(comment["author_ext"]["id"], json!(emma.id));
    let (_, reopened) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(reopened["status"], "Open");
    let (status, _) = send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/cases/{id}/comments"),
        )
        .json(&json!({"body": "x", "internal": true})),
    )
    .await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "customers cannot write internal comments"
    );
}

async fn password_change_ends_the_other_sessions(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let second = app.customer_login("default", &emma.email).await;
    let other_session = common::Customer {
        token: second,
        id: emma.id.clone(),
        email: emma.email.clone(),
    };
    let (status, problem) = send(
        app.portal(&emma, Method::POST, "/password/change")
            .json(&json!({"current_password": CUSTOMER_PASSWORD, "new_password": "password1234"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["new_password".to_owned()]);
    let (status, problem) = send(app.portal(&emma, Method::POST, "/password/change").json(
        &json!({"current_password": "wrong", "new_password": "a much longer passphrase 42"}),
    ))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["current_password".to_owned()]);
    let (status, _) = send(app.portal(&emma, Method::POST, "/password/change").json(&json!({"current_password": CUSTOMER_PASSWORD, "new_password": "a much longer passphrase 42"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the session that changed the password stays"
    );
    let (status, _) = send(app.portal(&other_session, Method::GET, "/records/cases")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the others end");
}

async fn sign_ins_and_portal_actions_land_on_the_activity_timeline(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    send(
        app.client
            .post(app.url("/api/v1/portal/default/login"))
            .json(&json!({"email": emma.email, "password": "wrong password here"})),
    )
    .await;
    let (_, case) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "Via portal"})),
    )
    .await;
    let id = case["id"].as_str().unwrap_or_default();
    send(
        app.portal(&emma, Method::PATCH, &format!("/records/cases/{id}"))
            .json(&json!({"priority": "High"})),
    )
    .await;
    send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/cases/{id}/comments"),
        )
        .json(&json!({"body": "Any news?"})),
    )
    .await;
    let (status, _) = send(app.portal(&emma, Method::POST, "/logout")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let contact = uuid::Uuid::parse_str(&emma.id).expect("uuid");
    let entries = app
        .store
        .activity(
            contact,
            Some(atrium_core::kinds::ActivitySource::Portal),
            50,
        )
        .await
        .expect("activity");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "portal_logout",
            "portal_comment",
            "portal_record_updated",
            "portal_record_created",
            "portal_login_failed",
            "portal_login"
        ]
    );
    assert_eq!(
        entries[1].record.as_ref().map(|r| r.0.as_str()),
        Some("cases")
    );
}

async fn home_counts_only_what_the_customer_may_see(app: TestApp) {
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let other = app.contact("Olga", "Other", Some(&globex), false).await;
    app.patch(
        &format!("/api/v1/records/organizations/{acme}"),
        json!({"assigned_to": app.admin_id}),
    )
    .await;
    for (priority, status) in [
        ("High", "Open"),
        ("High", "New"),
        ("Low", "Open"),
        ("Urgent", "Closed"),
        ("Low", "Resolved"),
    ] {
        app.create(
            "cases",
            json!({"title": "x", "priority": priority, "status": status, "contact": emma.id}),
        )
        .await;
    }
    app.create("cases", json!({"title": "hidden", "priority": "High", "status": "Open", "contact": emma.id, "internal": true})).await;
    app.create(
        "cases",
        json!({"title": "other", "priority": "High", "status": "Open", "contact": other}),
    )
    .await;
    app.create(
        "projects",
        json!({"name": "Roll-out", "status": "In Progress", "contact": emma.id}),
    )
    .await;
    app.create(
        "projects",
        json!({"name": "Theirs", "status": "In Progress", "organization": globex}),
    )
    .await;

    let (status, home) = send(app.portal(&emma, Method::GET, "/home")).await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert_eq!(home["greeting"], "Welcome to the portal");
    assert_eq!(
        home["charts"]["open_cases_by_priority"],
        json!([{"label": "Low", "value": 1, "color": "#868e96"}, {"label": "High", "value": 2, "color": "#d9480f"}])
    );
    let resolution = home["charts"]["case_resolution_time_by_priority"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let labels: Vec<&str> = resolution
        .iter()
        .filter_map(|s| s["label"].as_str())
        .collect();
    assert_eq!(labels, ["Low", "Urgent"], "{resolution:?}");
    assert!(
        resolution
            .iter()
            .all(|s| s["unit"] == "hours" && s["value"].as_f64().is_some_and(|v| v >= 0.0))
    );
    assert_eq!(
        home["charts"]["projects_by_status"],
        json!([{"label": "In Progress", "value": 1, "color": "#1c7ed6"}])
    );
    assert_eq!(home["recent"]["cases"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        home["representatives"],
        json!([{"name": "Ada Admin", "email": "admin@example.com", "phone": null}])
    );
    assert_eq!(
        home["shortcuts"],
        json!([
            "add_document",
            "create_ticket",
            "open_tickets",
            "create_case",
            "open_cases"
        ])
    );

    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["home"]["widgets"] = json!(["projects_by_status"]);
    portal["home"]["greeting"] = json!("time_based");
    portal["home"]["announcement"] = json!("**Maintenance** on Sunday");
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    let (_, home) = send(app.portal(&emma, Method::GET, "/home")).await;
    assert!(
        home["greeting"]
            .as_str()
            .unwrap_or_default()
            .ends_with(", Emma"),
        "{home}"
    );
    assert!(
        home["announcement_html"]
            .as_str()
            .unwrap_or_default()
            .contains("<strong>Maintenance</strong>")
    );
    assert_eq!(
        home["charts"].as_object().map(|c| c.len()),
        Some(1),
        "only configured widgets appear"
    );
    assert!(home.get("shortcuts").is_none() && home.get("representatives").is_none());
}

async fn the_menu_lists_visible_fields_and_allowed_actions(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (status, menu) = send(app.portal(&emma, Method::GET, "/modules")).await;
    assert_eq!(status, StatusCode::OK, "{menu}");
    let names: Vec<&str> = menu["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["module"].as_str())
        .collect();
    assert_eq!(names, ["cases", "tickets", "documents", "faqs", "projects"]);
    let cases = &menu["items"][0];
    assert_eq!(
        cases["actions"],
        json!({"create": true, "read": "contact", "edit": "contact", "delete": "none", "comment": "contact"})
    );
    let fields: Vec<(&str, &str)> = cases["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| Some((f["name"].as_str()?, f["access"].as_str()?)))
        .collect();
    assert!(fields.contains(&("title", "read_write")));
    assert!(fields.contains(&("status", "read_only")));
    assert!(fields.contains(&("contact", "read_only")));
    assert!(
        !fields
            .iter()
            .any(|(name, _)| *name == "internal" || *name == "assigned_to")
    );
    assert_eq!(
        menu["items"][3]["actions"]["read"], "all",
        "FAQs are a catalog"
    );
    assert_eq!(
        menu["items"][4]["related"],
        json!(["project_tasks", "project_milestones", "documents"])
    );
}

async fn the_profile_follows_the_layout(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (status, me) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "emma.stone@example.com");
    assert!(
        me.get("portal_user").is_none() && me.get("description").is_none(),
        "{me}"
    );
    let (status, changed) = send(
        app.portal(&emma, Method::PATCH, "/me")
            .json(&json!({"phone": "+1 555 0100", "title": "CTO"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["phone"], "+1 555 0100");
    let (status, problem) =
        send(app.portal(&emma, Method::PATCH, "/me").json(
            &json!({"last_name": "X", "support_end_date": "2999-01-01", "portal_user": true}),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        vec![
            "last_name".to_owned(),
            "support_end_date".to_owned(),
            "portal_user".to_owned()
        ]
    );
    // A reference the layout shows comes with its label (read with the session's contact).
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["profile"]["contact"]["organization"] = json!("read_only");
    let (status, saved) = send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, me) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["organization"]["id"], json!(acme), "{me}");
    assert_eq!(me["organization"]["label"], "Acme", "{me}");
    let (status, org) = send(app.portal(&emma, Method::GET, "/me/organization")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["name"], "Acme");
    let (status, _) = send(
        app.portal(&emma, Method::PATCH, "/me/organization")
            .json(&json!({"name": "Evil Corp"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let loner = app.customer("Lone", "Wolf", None).await;
    let (status, _) = send(app.portal(&loner, Method::GET, "/me/organization")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn faq_search_ranks_published_faqs_of_this_portal(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    app.create("faqs", json!({"question": "How do I reset my password?", "answer": "Use **Forgot password** on the sign-in page.", "status": "Published"})).await;
    app.create("faqs", json!({"question": "Where are invoices?", "answer": "In documents. Password not needed.", "status": "Published"})).await;
    app.create(
        "faqs",
        json!({"question": "Password draft", "answer": "Not yet", "status": "Draft"}),
    )
    .await;
    app.create("faqs", json!({"question": "Password for partners", "answer": "Partner portal only", "status": "Published", "portals": ["partners"]})).await;
    let (status, hits) = send(app.portal(&emma, Method::GET, "/faqs/search?q=password")).await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    let questions: Vec<&str> = hits["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["question"].as_str())
        .collect();
    assert_eq!(
        questions,
        ["How do I reset my password?", "Where are invoices?"],
        "ranked; drafts and other portals' FAQs excluded"
    );
    assert!(
        hits["items"][0]["rank"].as_f64().unwrap_or(0.0)
            >= hits["items"][1]["rank"].as_f64().unwrap_or(0.0)
    );
    assert!(
        !hits["items"][0]["snippet"]
            .as_str()
            .unwrap_or("*")
            .contains('*')
    );
    let (status, _) = send(app.portal(&emma, Method::GET, "/faqs/search?q=")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, hits) =
        send(app.portal(&emma, Method::GET, "/faqs/search?q=%22%29%20OR%20*")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "query syntax is never passed through: {hits}"
    );
}

async fn documents_are_readable_through_a_readable_case(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let case = app
        .create("cases", json!({"title": "With a file", "contact": emma.id}))
        .await;
    let document = app.create("documents", json!({"title": "Log file"})).await;
    let unrelated = app
        .create("documents", json!({"title": "Someone else's"}))
        .await;
    let (case_id, doc_id) = (
        case["id"].as_str().unwrap_or_default(),
        document["id"].as_str().unwrap_or_default(),
    );
    send(app.admin(
        Method::PUT,
        &format!("/api/v1/records/cases/{case_id}/links/documents/{doc_id}"),
    ))
    .await;
    let part = reqwest::multipart::Part::bytes(b"log line\n".to_vec()).file_name("log.txt");
    send(
        app.admin(
            Method::PUT,
            &format!("/api/v1/records/documents/{doc_id}/file"),
        )
        .multipart(reqwest::multipart::Form::new().part("file", part)),
    )
    .await;

    let (_, docs) = send(app.portal(&emma, Method::GET, "/records/documents")).await;
    assert_eq!(docs["total"], 1);
    assert_eq!(docs["items"][0]["id"], document["id"]);
    let (_, related) = send(app.portal(
        &emma,
        Method::GET,
        &format!("/records/cases/{case_id}/related/documents"),
    ))
    .await;
    assert_eq!(related["total"], 1);
    let response = app
        .portal(
            &emma,
            Method::GET,
            &format!("/records/documents/{doc_id}/file"),
        )
        .send()
        .await
        .expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.bytes().await.expect("bytes").as_ref(),
        b"log line\n"
    );
    let (status, _) = send(app.portal(
        &emma,
        Method::GET,
        &format!(
            "/records/documents/{}/file",
            unrelated["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A document a customer uploads is linked to them and their organization.
    let part = reqwest::multipart::Part::bytes(b"%PDF-1.4 tiny".to_vec()).file_name("scan.pdf");
    let form = reqwest::multipart::Form::new()
        .text("title", "My scan")
        .part("file", part);
    let (status, created) = send(
        app.portal(&emma, Method::POST, "/records/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["file"]["mime_type"], "application/pdf");
    let (_, docs) = send(app.portal(&emma, Method::GET, "/records/documents")).await;
    assert_eq!(docs["total"], 2);
}

async fn a_record_exports_to_pdf_with_only_what_the_customer_may_see(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let case = app.create("cases", json!({"title": "Printer on fire", "contact": emma.id, "description": "Smoke everywhere"})).await;
    let id = case["id"].as_str().unwrap_or_default();
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "Extinguisher is on its way"}),
    )
    .await;
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "SECRET-INTERNAL-NOTE", "internal": true}),
    )
    .await;
    let response = app
        .portal(&emma, Method::GET, &format!("/records/cases/{id}/pdf"))
        .send()
        .await
        .expect("pdf");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let bytes = response.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"%PDF-"));
    let other = app.create("cases", json!({"title": "Not hers"})).await;
    let (status, _) = send(app.portal(
        &emma,
        Method::GET,
        &format!(
            "/records/cases/{}/pdf",
            other["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The text, when a PDF reader is at hand: visible content in, internal notes out.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("case.pdf");
    std::fs::write(&path, &bytes).expect("write");
    if let Ok(output) = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
    {
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("Printer on fire") && text.contains("Extinguisher"),
            "{text}"
        );
        assert!(!text.contains("SECRET-INTERNAL-NOTE"), "{text}");
    }
}

async fn the_related_documents_of_a_case_are_its_linked_documents_that_may_be_seen(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let carl = app.customer("Carl", "Colleague", Some(&acme)).await;
    let case = app
        .create(
            "cases",
            json!({"title": "Shared", "contact": emma.id, "organization": acme}),
        )
        .await;
    let case_id = case["id"].as_str().unwrap_or_default().to_owned();
    // Linked and active: shown, though neither Emma's own nor her organization's.
    let linked = app
        .create("documents", json!({"title": "Linked log"}))
        .await;
    // Linked but inactive: never shown.
    let inactive = app
        .create(
            "documents",
            json!({"title": "Old log", "status": "Inactive"}),
        )
        .await;
    // Not linked: not in the list, whoever may read it.
    app.create("documents", json!({"title": "Not linked"}))
        .await;
    for doc in [&linked, &inactive] {
        let doc_id = doc["id"].as_str().unwrap_or_default();
        let (status, _) = send(app.admin(
            Method::PUT,
            &format!("/api/v1/records/cases/{case_id}/links/documents/{doc_id}"),
        ))
        .await;
        assert!(status.is_success());
    }
    let path = format!("/records/cases/{case_id}/related/documents");
    let (status, related) = send(app.portal(&emma, Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "{related}");
    let titles: Vec<&str> = related["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["title"].as_str())
        .collect();
    assert_eq!(titles, ["Linked log"], "{related}");
    assert_eq!(related["total"], 1);
    // The same list on the record page.
    let (status, _) =
        send(app.portal(&emma, Method::GET, &format!("/records/cases/{case_id}"))).await;
    assert_eq!(status, StatusCode::OK);
    // A colleague who may not read the case gets a 404, not the documents.
    let (status, _) = send(app.portal(&carl, Method::GET, &path)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
