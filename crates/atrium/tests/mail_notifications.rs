//! Who hears of what: notifications to customers (batched, only what they may see, only when
//! they want them), notices to staff, and the once-only daily support-ending mail.

mod common;

use common::{TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The mails of one template sent to `to`.
async fn mails_of(app: &TestApp, to: &str, template: &str) -> Vec<(String, String, String)> {
    app.store
        .mails_to(to)
        .await
        .expect("mails")
        .into_iter()
        .filter(|m| m.0 == template)
        .collect()
}

on_both_databases!(
    staff_replies_and_status_changes_reach_customers_batched,
    customers_hear_nothing_they_may_not_see_or_do_not_want,
    staff_hear_of_customer_activity,
    support_ending_mails_go_once_per_contact_and_end_date,
);

fn state(app: &TestApp) -> atrium_app::App {
    atrium_app::App::new(
        app.store.clone(),
        atrium_app::Settings {
            base_url: "http://127.0.0.1".into(),
            max_upload_bytes: 1024,
            trusted_proxies: Vec::new(),
        },
    )
}

async fn staff_replies_and_status_changes_reach_customers_batched(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let case = app
        .create(
            "cases",
            json!({"title": "Printer on fire", "contact": emma.id}),
        )
        .await;
    let id = case["id"].as_str().unwrap_or_default();
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "On our way"}),
    )
    .await;
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "Grumpy customer", "internal": true}),
    )
    .await;
    app.patch(
        &format!("/api/v1/records/cases/{id}"),
        json!({"status": "Open"}),
    )
    .await;
    app.post(
        &format!("/api/v1/records/cases/{id}/comments"),
        json!({"body": "Fixed it"}),
    )
    .await;
    let mails = mails_of(&app, &emma.email, "record_updated").await;
    assert_eq!(
        mails.len(),
        1,
        "replies within minutes are one mail: {mails:?}"
    );
    let (template, subject, text) = &mails[0];
    assert_eq!(template, "record_updated");
    assert!(
        subject.contains(case["number"].as_str().unwrap_or_default()),
        "{subject}"
    );
    assert!(text.contains("Status: New → Open"), "{text}");
    assert!(text.contains("Fixed it"), "{text}");
    assert!(
        !text.contains("Grumpy"),
        "internal notes never go out: {text}"
    );
    assert!(
        text.contains(&format!("/portal/records/cases/{id}")),
        "{text}"
    );

    // A colleague who follows the record hears of it too.
    let carl = app.customer("Carl", "Colleague", Some(&acme)).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["default_scope"] = json!("all");
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    let (status, _) =
        send(app.portal(&carl, Method::PUT, &format!("/records/cases/{id}/follow"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    app.patch(
        &format!("/api/v1/records/cases/{id}"),
        json!({"status": "Resolved"}),
    )
    .await;
    assert_eq!(mails_of(&app, &carl.email, "record_updated").await.len(), 1);
}

async fn customers_hear_nothing_they_may_not_see_or_do_not_want(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let internal = app
        .create(
            "cases",
            json!({"title": "Internal", "contact": emma.id, "internal": true}),
        )
        .await;
    app.post(
        &format!(
            "/api/v1/records/cases/{}/comments",
            internal["id"].as_str().unwrap_or_default()
        ),
        json!({"body": "x"}),
    )
    .await;
    assert!(
        mails_of(&app, &emma.email, "record_updated")
            .await
            .is_empty(),
        "an internal case is invisible to her"
    );

    app.patch(
        &format!("/api/v1/records/contacts/{}", emma.id),
        json!({"notify_on_updates": false}),
    )
    .await;
    let case = app
        .create("cases", json!({"title": "Visible", "contact": emma.id}))
        .await;
    app.post(
        &format!(
            "/api/v1/records/cases/{}/comments",
            case["id"].as_str().unwrap_or_default()
        ),
        json!({"body": "y"}),
    )
    .await;
    assert!(
        mails_of(&app, &emma.email, "record_updated")
            .await
            .is_empty(),
        "she turned notifications off"
    );

    let plain = app.contact("Paul", "Plain", None, false).await;
    let theirs = app
        .create(
            "cases",
            json!({"title": "Not a portal user", "contact": plain}),
        )
        .await;
    app.post(
        &format!(
            "/api/v1/records/cases/{}/comments",
            theirs["id"].as_str().unwrap_or_default()
        ),
        json!({"body": "z"}),
    )
    .await;
    assert!(
        app.store
            .mails_to("paul.plain@example.com")
            .await
            .expect("mails")
            .is_empty()
    );
}

async fn staff_hear_of_customer_activity(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["default_assignee"] = json!(app.admin_id);
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    let (status, case) = send(
        app.portal(&emma, Method::POST, "/records/cases")
            .json(&json!({"title": "Help me"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let mails = app
        .store
        .mails_to("admin@example.com")
        .await
        .expect("mails");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "staff_customer_activity");
    assert!(
        mails[0].2.contains("Emma Stone") && mails[0].2.contains("created"),
        "{}",
        mails[0].2
    );
    send(
        app.portal(
            &emma,
            Method::POST,
            &format!(
                "/records/cases/{}/comments",
                case["id"].as_str().unwrap_or_default()
            ),
        )
        .json(&json!({"body": "Any news?"})),
    )
    .await;
    let mails = app
        .store
        .mails_to("admin@example.com")
        .await
        .expect("mails");
    assert_eq!(mails.len(), 2);
    assert!(mails[1].2.contains("Any news?"));
}

async fn support_ending_mails_go_once_per_contact_and_end_date(app: TestApp) {
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let soon = app.contact("Sally", "Soon", None, true).await;
    app.patch(
        &format!("/api/v1/records/contacts/{soon}"),
        json!({"support_end_date": day(today + time::Duration::days(3))}),
    )
    .await;
    let later = app.contact("Larry", "Later", None, true).await;
    app.patch(
        &format!("/api/v1/records/contacts/{later}"),
        json!({"support_end_date": day(today + time::Duration::days(30))}),
    )
    .await;
    let state = state(&app);
    assert_eq!(
        atrium_app::jobs::support_ending(&state).await.expect("job"),
        1
    );
    assert_eq!(
        atrium_app::jobs::support_ending(&state).await.expect("job"),
        0,
        "once per contact and end date"
    );
    let mails = app
        .store
        .mails_to("sally.soon@example.com")
        .await
        .expect("mails");
    let endings: Vec<_> = mails.iter().filter(|m| m.0 == "support_ending").collect();
    assert_eq!(endings.len(), 1);
    assert!(endings[0].1.contains(&day(today + time::Duration::days(3))));
    assert!(
        app.store
            .mails_to("larry.later@example.com")
            .await
            .expect("mails")
            .iter()
            .all(|m| m.0 != "support_ending")
    );
    // A new end date is news again.
    app.patch(
        &format!("/api/v1/records/contacts/{soon}"),
        json!({"support_end_date": day(today + time::Duration::days(5))}),
    )
    .await;
    assert_eq!(
        atrium_app::jobs::support_ending(&state).await.expect("job"),
        1
    );
    atrium_app::jobs::run_scheduled(&state)
        .await
        .expect("scheduled jobs");
}
