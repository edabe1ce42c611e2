//! The customer's portal API: signing in, sessions, and records through the access engine.

mod common;

use common::{CUSTOMER_PASSWORD, TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    a_customer_signs_in_and_sees_only_their_cases,
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
    let digest = atrium_web::auth::token_digest(&emma.token);
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
        .activity(contact, Some("portal"), 50)
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
