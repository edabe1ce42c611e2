//! Every action is one transaction: when any part of it fails — a mail template that breaks
//! while rendering, a write the database refuses — nothing of it is left behind (no record,
//! comment, activity entry, token or mail), and trying again after the cause is gone does the
//! action exactly once. A link is only used up together with what it was used for.

mod common;

use common::{Backend, TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    a_case_whose_staff_notice_fails_leaves_nothing,
    a_comment_whose_staff_notice_fails_leaves_nothing,
    an_email_change_whose_write_fails_leaves_nothing,
    a_reset_whose_write_fails_keeps_its_link,
);

const STRONG: &str = "tangerine submarine orchestra";

/// A template that checks out but fails while rendering: it includes a template that does not
/// exist. Written to the store directly, as the API refuses it.
async fn break_template(app: &TestApp, name: &str) {
    app.store
        .save_email_template(
            name,
            "Broken",
            "<p>{% include \"missing.html\" %}</p>",
            "{% include \"missing.txt\" %}",
        )
        .await
        .expect("save the broken template");
}

async fn fix_template(app: &TestApp, name: &str) {
    let template = atrium_core::templates::default_template(name).expect("a default template");
    app.store
        .save_email_template(
            name,
            &template.subject,
            &template.body_html,
            &template.body_text,
        )
        .await
        .expect("save the template");
}

/// Makes the database refuse every change to `table` (a trigger), until `allow` drops it.
async fn refuse_writes(app: &TestApp, backend: Backend, table: &str) {
    let statements = match backend {
        Backend::Sqlite => vec![
            format!("CREATE TRIGGER refuse_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"),
            format!("CREATE TRIGGER refuse_insert BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'refused'); END"),
        ],
        Backend::Postgres => vec![
            "CREATE FUNCTION refuse_write() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql".to_owned(),
            format!("CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_write()"),
        ],
    };
    for sql in statements {
        app.store
            .db()
            .execute_ddl(sql)
            .await
            .expect("create the trigger");
    }
}

async fn allow_writes(app: &TestApp, backend: Backend, table: &str) {
    let statements = match backend {
        Backend::Sqlite => vec![
            "DROP TRIGGER refuse_update".to_owned(),
            "DROP TRIGGER refuse_insert".to_owned(),
        ],
        Backend::Postgres => vec![
            format!("DROP TRIGGER refuse_write ON {table}"),
            "DROP FUNCTION refuse_write()".to_owned(),
        ],
    };
    for sql in statements {
        app.store
            .db()
            .execute_ddl(sql)
            .await
            .expect("drop the trigger");
    }
}

/// The default portal assigns customers' cases to the admin, who hears of them.
async fn assign_to_admin(app: &TestApp) {
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["default_assignee"] = json!(app.admin_id);
    let (status, body) = send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn activity_kinds(app: &TestApp, contact: &str) -> Vec<&'static str> {
    app.store
        .activity(uuid::Uuid::parse_str(contact).expect("uuid"), None, 100)
        .await
        .expect("activity")
        .iter()
        .map(|a| a.kind.as_str())
        .collect()
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.store
        .mails_to(to)
        .await
        .expect("mails")
        .into_iter()
        .map(|(template, _, _)| template)
        .collect()
}

async fn count(app: &TestApp, path: &str) -> u64 {
    let (status, page) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["total"].as_u64().expect("total")
}

async fn a_case_whose_staff_notice_fails_leaves_nothing(app: TestApp) {
    assign_to_admin(&app).await;
    let emma = app.customer("Emma", "Stone", None).await;
    break_template(&app, "staff_customer_activity").await;
    let activity_before = activity_kinds(&app, &emma.id).await;

    let new_case = || {
        send(
            app.portal(&emma, Method::POST, "/records/cases")
                .json(&json!({"title": "The printer is on fire"})),
        )
    };
    let (status, problem) = new_case().await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{problem}");
    assert_eq!(
        count(&app, "/api/v1/records/cases").await,
        0,
        "no case is left"
    );
    assert_eq!(
        activity_kinds(&app, &emma.id).await,
        activity_before,
        "no activity"
    );
    assert!(
        mails_to(&app, "admin@example.com").await.is_empty(),
        "no mail"
    );
    let (_, follows) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(follows["total"], 0);

    fix_template(&app, "staff_customer_activity").await;
    let (status, case) = new_case().await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    assert_eq!(
        count(&app, "/api/v1/records/cases").await,
        1,
        "exactly one case"
    );
    assert_eq!(
        mails_to(&app, "admin@example.com").await,
        ["staff_customer_activity"]
    );
    assert_eq!(
        activity_kinds(&app, &emma.id).await[0],
        "portal_record_created"
    );
}

async fn a_comment_whose_staff_notice_fails_leaves_nothing(app: TestApp) {
    assign_to_admin(&app).await;
    let emma = app.customer("Emma", "Stone", None).await;
    let (status, case) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "Waiting for you"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .patch(
            &format!("/api/v1/records/cases/{id}"),
            json!({"status": "Waiting on Customer"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mails_before = mails_to(&app, "admin@example.com").await;
    let activity_before = activity_kinds(&app, &emma.id).await;
    break_template(&app, "staff_customer_activity").await;

    let comment = || {
        send(
            app.portal(
                &emma,
                Method::POST,
                &format!("/records/cases/{id}/comments"),
            )
            .json(&json!({"body": "Here is the answer"})),
        )
    };
    let (status, problem) = comment().await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{problem}");
    let (_, comments) = app
        .get(&format!("/api/v1/records/cases/{id}/comments"))
        .await;
    assert_eq!(comments["items"], json!([]), "no comment is left");
    let (_, case) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(
        case["status"], "Waiting on Customer",
        "the case was not reopened"
    );
    assert_eq!(activity_kinds(&app, &emma.id).await, activity_before);
    assert_eq!(mails_to(&app, "admin@example.com").await, mails_before);

    fix_template(&app, "staff_customer_activity").await;
    let (status, added) = comment().await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (_, comments) = app
        .get(&format!("/api/v1/records/cases/{id}/comments"))
        .await;
    assert_eq!(
        comments["items"].as_array().map(Vec::len),
        Some(1),
        "exactly one comment"
    );
    let (_, case) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(case["status"], "Open", "a reply reopens the case");
    assert_eq!(
        mails_to(&app, "admin@example.com").await.len(),
        mails_before.len() + 1
    );
    assert_eq!(activity_kinds(&app, &emma.id).await[0], "portal_comment");
}

async fn an_email_change_whose_write_fails_leaves_nothing(app: TestApp) {
    let backend = app.backend;
    let emma = app.customer("Emma", "Stone", None).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["profile"]["contact"]["email"] = json!("read_write");
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    let activity_before = activity_kinds(&app, &emma.id).await;
    let change = || {
        send(
            app.portal(&emma, Method::PATCH, "/me")
                .json(&json!({"email": "new@example.com", "phone": "+1 555 0101"})),
        )
    };

    refuse_writes(&app, backend, "contacts").await;
    let (status, problem) = change().await;
    allow_writes(&app, backend, "contacts").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{problem}");
    assert!(
        mails_to(&app, "new@example.com").await.is_empty(),
        "no confirmation mail"
    );
    assert_eq!(
        activity_kinds(&app, &emma.id).await,
        activity_before,
        "no activity"
    );
    let (_, me) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(me["phone"], Value::Null, "nothing changed");

    let (status, me) = change().await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["phone"], "+1 555 0101");
    assert_eq!(
        mails_to(&app, "new@example.com").await,
        ["email_change_confirmation"],
        "exactly one confirmation"
    );
}

async fn a_reset_whose_write_fails_keeps_its_link(app: TestApp) {
    let backend = app.backend;
    let emma = app.customer("Emma", "Stone", None).await;
    let token = common::reset_token(&app, &emma.email).await;
    let reset = || {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/password/reset"))
                .json(&json!({"token": token, "password": STRONG})),
        )
    };

    refuse_writes(&app, backend, "portal_accounts").await;
    let (status, problem) = reset().await;
    allow_writes(&app, backend, "portal_accounts").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{problem}");
    assert!(
        !activity_kinds(&app, &emma.id)
            .await
            .contains(&"password_reset"),
        "no activity"
    );
    let (status, _) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(status, StatusCode::OK, "the session was not ended");

    let (status, problem) = reset().await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "the link still works: {problem}"
    );
    let (status, _) = reset().await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "and only once");
}
