//! Invitations, password resets, templates and e-mail settings: what is queued, when, and
//! that the links in the mails work exactly once.

mod common;

use atrium_core::kinds::ActivitySource;
use common::{TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    setting_portal_user_invites_with_a_single_use_link,
    invitations_are_refused_with_a_reason,
    resending_an_invitation_retires_the_earlier_link,
    forgot_password_is_anonymous_limited_and_single_use,
    templates_are_checked_and_previewed,
    email_settings_round_trip,
    a_new_email_applies_only_once_confirmed,
);

const STRONG: &str = "tangerine submarine orchestra";

/// The token in the last mail to `to` (from the link's `token=` parameter).
async fn token_in_last_mail(app: &TestApp, to: &str) -> String {
    let mails = app.store.mails_to(to).await.expect("mails");
    let (_, _, text) = mails.last().expect("a mail");
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

async fn accept(app: &TestApp, token: &str, password: &str) -> (StatusCode, Value) {
    send(
        app.client
            .post(app.url("/api/v1/portal/default/invitation/accept"))
            .json(&json!({"token": token, "password": password})),
    )
    .await
}

async fn setting_portal_user_invites_with_a_single_use_link(app: TestApp) {
    let contact = app
        .create("contacts", json!({"first_name": "Emma", "last_name": "Stone", "email": "emma@example.com", "portal_user": true}))
        .await;
    assert_eq!(contact["portal"], json!({"invited": true}));
    let mails = app.store.mails_to("emma@example.com").await.expect("mails");
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "portal_invitation");
    assert!(mails[0].1.contains("Customer Portal"), "{}", mails[0].1);
    assert!(mails[0].2.contains("Welcome, Emma"), "{}", mails[0].2);
    let token = token_in_last_mail(&app, "emma@example.com").await;

    let (status, problem) = accept(&app, &token, "password1234").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a weak password is refused: {problem}"
    );
    assert_eq!(error_fields(&problem), ["password"]);
    let (status, _) = accept(&app, &token, STRONG).await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "the weak attempt did not burn the link"
    );
    let (status, problem) = accept(&app, &token, STRONG).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    assert_eq!(error_fields(&problem), ["token"]);
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/login"))
            .json(&json!({"email": "emma@example.com", "password": STRONG})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Sending portal_user again does not invite again.
    let id = contact["id"].as_str().unwrap_or_default();
    let (_, again) = app
        .patch(
            &format!("/api/v1/records/contacts/{id}"),
            json!({"portal_user": true, "title": "CTO"}),
        )
        .await;
    assert!(again.get("portal").is_none(), "{again}");
    assert_eq!(
        app.store
            .mails_to("emma@example.com")
            .await
            .expect("mails")
            .len(),
        1
    );
    let activity = app
        .store
        .activity(
            uuid::Uuid::parse_str(id).expect("uuid"),
            Some(ActivitySource::Email),
            10,
        )
        .await
        .expect("activity");
    assert_eq!(
        activity.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(),
        ["invitation_sent"]
    );
}

async fn invitations_are_refused_with_a_reason(app: TestApp) {
    let invite = |body: Value| async { app.create("contacts", body).await["portal"].clone() };
    assert_eq!(
        invite(json!({"last_name": "A", "portal_user": true})).await,
        json!({"invited": false, "reason": "no_email"})
    );
    assert_eq!(
        invite(json!({"last_name": "B", "email": "b@example.com", "portal_user": true, "support_end_date": "2020-01-01"})).await,
        json!({"invited": false, "reason": "support_ended"})
    );
    assert_eq!(
        invite(json!({"last_name": "C", "email": "c@example.com", "portal_user": true, "email_opt_out": true})).await,
        json!({"invited": false, "reason": "opted_out"})
    );
    let (status, _) = send(
        app.admin(Method::PUT, "/api/v1/admin/email-settings")
            .json(&json!({"allow_portal_email_to_opted_out": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        invite(json!({"last_name": "D", "email": "d@example.com", "portal_user": true, "email_opt_out": true})).await,
        json!({"invited": true})
    );
    let mut partners = app.get("/api/v1/admin/portals/default").await.1;
    partners["slug"] = json!("partners");
    partners["default"] = json!(false);
    partners["active"] = json!(false);
    let (status, body) = app.post("/api/v1/admin/portals", partners).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        invite(json!({"last_name": "E", "email": "e@example.com", "portal_user": true, "portals": ["partners"]})).await,
        json!({"invited": false, "reason": "portal_inactive"})
    );
    for address in ["b@example.com", "c@example.com", "e@example.com"] {
        assert!(
            app.store.mails_to(address).await.expect("mails").is_empty(),
            "no mail to {address}"
        );
    }
}

async fn resending_an_invitation_retires_the_earlier_link(app: TestApp) {
    let contact = app
        .create(
            "contacts",
            json!({"last_name": "Stone", "email": "emma@example.com", "portal_user": true}),
        )
        .await;
    let first = token_in_last_mail(&app, "emma@example.com").await;
    let id = contact["id"].as_str().unwrap_or_default();
    let (status, answer) = send(app.agent(
        Method::POST,
        &format!("/api/v1/records/contacts/{id}/portal-invitation"),
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer, json!({"invited": true}));
    let second = token_in_last_mail(&app, "emma@example.com").await;
    assert_ne!(first, second);
    let (status, _) = accept(&app, &first, STRONG).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the earlier link stopped working"
    );
    let (status, _) = accept(&app, &second, STRONG).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let plain = app
        .create(
            "contacts",
            json!({"last_name": "Plain", "email": "plain@example.com"}),
        )
        .await;
    let (status, problem) = send(app.admin(
        Method::POST,
        &format!(
            "/api/v1/records/contacts/{}/portal-invitation",
            plain["id"].as_str().unwrap_or_default()
        ),
    ))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["portal_user"]);
}

async fn forgot_password_is_anonymous_limited_and_single_use(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let forgot = |email: &str| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/password/forgot"))
                .json(&json!({"email": email})),
        )
    };
    let before = app.store.mails_to(&emma.email).await.expect("mails").len();
    let (status, unknown) = forgot("nobody@example.com").await;
    let (status_known, known) = forgot(&emma.email).await;
    assert_eq!(
        (status, status_known),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    assert_eq!(
        unknown, known,
        "the answer does not tell whether the e-mail exists"
    );
    assert!(
        app.store
            .mails_to("nobody@example.com")
            .await
            .expect("mails")
            .is_empty()
    );
    common::wait_for_mails(&app, &emma.email, before + 1).await;
    let token = token_in_last_mail(&app, &emma.email).await;
    for _ in 0..4 {
        forgot(&emma.email).await;
    }
    common::wait_for_mails(&app, &emma.email, before + 3).await;
    // Whatever more the requests were going to send has been sent by now.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let resets = app
        .store
        .mails_to(&emma.email)
        .await
        .expect("mails")
        .iter()
        .filter(|m| m.0 == "portal_password_reset")
        .count();
    assert_eq!(resets, 3, "at most three reset mails an hour");

    let reset = |token: &str, password: &str| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/password/reset"))
                .json(&json!({"token": token, "password": password})),
        )
    };
    let (status, _) = reset(&token, STRONG).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = reset(&token, STRONG).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    let (status, _) = send(app.portal(&emma, Method::GET, "/records/cases")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a reset ends the contact's sessions"
    );
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/login"))
            .json(&json!({"email": emma.email, "password": STRONG})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = reset("made-up-token", STRONG).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let kinds: Vec<&str> = app
        .store
        .activity(uuid::Uuid::parse_str(&emma.id).expect("uuid"), None, 50)
        .await
        .expect("activity")
        .into_iter()
        .map(|a| a.kind.as_str())
        .collect();
    assert!(
        kinds.contains(&"password_reset") && kinds.contains(&"password_reset_requested"),
        "{kinds:?}"
    );
}

async fn templates_are_checked_and_previewed(app: TestApp) {
    let path = "/api/v1/admin/email-templates/portal_invitation";
    let (status, template) = app.get(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        template["body_html"]
            .as_str()
            .unwrap_or_default()
            .contains("{{ link }}")
    );
    let mut broken = template.clone();
    broken["body_text"] = json!("Hello\n{% if contact.first_name %}\nno end");
    let (status, problem) = send(app.admin(Method::PUT, path).json(&broken)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["body_text"]);
    let mut unknown = template.clone();
    unknown["subject"] = json!("Hi {{ contact.shoe_size }}");
    let (status, problem) = send(app.admin(Method::PUT, path).json(&unknown)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("line 1"),
        "{problem}"
    );
    let mut custom = template.clone();
    custom["subject"] = json!("Come in, {{ contact.first_name }}!");
    let (status, _) = send(app.admin(Method::PUT, path).json(&custom)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, preview) = send(app.admin(Method::POST, &format!("{path}/preview"))).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["subject"], "Come in, Emma!");
    assert!(
        preview["html"]
            .as_str()
            .unwrap_or_default()
            .contains("sample-token")
    );
    app.create("contacts", json!({"first_name": "Zoe", "last_name": "Q", "email": "zoe@example.com", "portal_user": true})).await;
    assert_eq!(
        app.store.mails_to("zoe@example.com").await.expect("mails")[0].1,
        "Come in, Zoe!"
    );
    let (status, _) = send(app.agent(Method::GET, path)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/admin/email-templates/nonsense").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn email_settings_round_trip(app: TestApp) {
    let (status, settings) = app.get("/api/v1/admin/email-settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings, json!({"allow_portal_email_to_opted_out": false}));
    let (status, problem) = send(
        app.admin(Method::PUT, "/api/v1/admin/email-settings")
            .json(&json!({"allow_portal_email_to_opted_out": "yes"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = send(
        app.admin(Method::PUT, "/api/v1/admin/email-settings")
            .json(&json!({"allow_portal_email_to_opted_out": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, settings) = app.get("/api/v1/admin/email-settings").await;
    assert_eq!(settings["allow_portal_email_to_opted_out"], true);
}

async fn a_new_email_applies_only_once_confirmed(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (status, problem) = send(
        app.portal(&emma, Method::PATCH, "/me")
            .json(&json!({"email": "new@example.com"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the default layout keeps the e-mail read-only: {problem}"
    );
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["profile"]["contact"]["email"] = json!("read_write");
    send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;

    let (status, me) = send(
        app.portal(&emma, Method::PATCH, "/me")
            .json(&json!({"email": "New@Example.com", "phone": "+1 555 0101"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        me["email"],
        json!(emma.email),
        "nothing changes before the confirmation"
    );
    assert_eq!(me["phone"], "+1 555 0101", "other fields change at once");
    assert_eq!(me["email_change"], json!({"pending": "new@example.com"}));
    let text = app
        .store
        .mails_to("new@example.com")
        .await
        .expect("mails")
        .pop()
        .expect("a mail")
        .2;
    let start = text.find("token=").expect("token") + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let confirm = |token: String| {
        send(
            app.client
                .post(app.url("/api/v1/portal/default/email/confirm"))
                .json(&json!({"token": token})),
        )
    };
    let (status, _) = confirm(token.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = confirm(token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    let (_, me) = send(app.portal(&emma, Method::GET, "/me")).await;
    assert_eq!(me["email"], "new@example.com");
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/portal/default/login"))
            .json(&json!({"email": "new@example.com", "password": common::CUSTOMER_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let other = app.customer("Olga", "Other", None).await;
    let (status, _) = send(
        app.portal(&other, Method::PATCH, "/me")
            .json(&json!({"email": "new@example.com"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "another portal user's address"
    );
}
