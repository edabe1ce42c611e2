//! Staff sign-in, sign-out, sessions and the admin's staff user management through HTTP, on both databases.

mod common;

use common::{ADMIN_PASSWORD, TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    login_with_the_right_password_returns_a_token_that_works_as_bearer_and_cookie,
    wrong_password_and_unknown_email_are_the_same_401,
    staff_routes_refuse_missing_and_garbage_tokens,
    logout_ends_the_session,
    agents_are_forbidden_on_every_admin_route_and_admins_are_not,
    admins_create_staff_users_and_duplicates_conflict,
    invalid_new_users_are_422_naming_every_bad_field,
    admins_change_role_and_active_and_a_role_applies_at_once,
    deactivating_a_user_ends_their_sessions_and_refuses_sign_in,
    a_new_password_ends_the_sessions_and_only_the_new_one_signs_in,
    admins_cannot_deactivate_or_demote_themselves,
    unknown_staff_users_are_404,
);

const MODULES: &str = "/api/v1/modules";
const USERS: &str = "/api/v1/admin/users";
const NEW_PASSWORD: &str = "a brand new passphrase";

fn id_of(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

/// Signs in through the API and returns the whole answer.
async fn login(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    send(
        app.client
            .post(app.url("/api/v1/staff/login"))
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

/// The status of `GET /api/v1/modules` with this Bearer token.
async fn modules_status_with(app: &TestApp, token: &str) -> StatusCode {
    app.client
        .get(app.url(MODULES))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
}

/// Creates a staff user through the admin API and returns it.
async fn create_user(app: &TestApp, email: &str, role: &str) -> Value {
    let (status, user) = app
        .post(
            USERS,
            json!({"email": email, "name": "Sam Staff", "password": ADMIN_PASSWORD, "role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

async fn login_with_the_right_password_returns_a_token_that_works_as_bearer_and_cookie(
    app: TestApp,
) {
    let response = app
        .client
        .post(app.url("/api/v1/staff/login"))
        .json(&json!({"email": "admin@example.com", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a Set-Cookie header")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    let token = body["token"].as_str().expect("a token").to_owned();
    assert!(token.len() >= 32, "a long random token: {token}");
    assert_eq!(body["user"]["id"], app.admin_id.as_str());
    assert_eq!(body["user"]["name"], "Ada Admin");
    assert_eq!(body["user"]["email"], "admin@example.com");
    assert_eq!(body["user"]["role"], "admin");
    assert!(
        body["user"].get("password_hash").is_none(),
        "no hash leaks: {body}"
    );

    assert!(
        cookie.starts_with(&format!("atrium_staff={token};")),
        "{cookie}"
    );
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Lax"), "{cookie}");
    assert!(
        !attributes.contains(&"Secure"),
        "not Secure over plain HTTP: {cookie}"
    );

    assert_eq!(modules_status_with(&app, &token).await, StatusCode::OK);
    let (status, modules) = send(
        app.client
            .get(app.url(MODULES))
            .header("cookie", format!("theme=dark; atrium_staff={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(modules["items"].as_array().is_some_and(|m| !m.is_empty()));

    let (status, again) = login(&app, "  ADMIN@Example.com ", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "e-mails match case-insensitively");
    assert_ne!(
        again["token"], body["token"],
        "every sign-in gets a new token"
    );
}

async fn wrong_password_and_unknown_email_are_the_same_401(app: TestApp) {
    let (wrong_status, wrong) = login(&app, "admin@example.com", "not the password at all").await;
    let (unknown_status, unknown) = login(&app, "nobody@example.com", ADMIN_PASSWORD).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong["code"], "unauthorized");
    assert_eq!(wrong["status"], 401);
    assert_eq!(
        wrong, unknown,
        "the answer does not reveal which e-mails exist"
    );

    let response = app
        .client
        .post(app.url("/api/v1/staff/login"))
        .json(&json!({"email": "admin@example.com", "password": "wrong password here"}))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no cookie for a failed sign-in"
    );
}

async fn staff_routes_refuse_missing_and_garbage_tokens(app: TestApp) {
    let (status, problem) = send(app.client.get(app.url(MODULES))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["code"], "unauthorized");
    for token in ["garbage", "", "a.b.c", &"x".repeat(43)] {
        let (status, problem) = send(app.client.get(app.url(MODULES)).bearer_auth(token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "token {token:?}");
        assert_eq!(problem["code"], "unauthorized", "token {token:?}");
    }
    let (status, _) = send(
        app.client
            .get(app.url("/api/v1/records/cases"))
            .header("cookie", "atrium_staff=garbage"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        app.client
            .get(app.url("/api/v1/records/cases"))
            .header("authorization", format!("Basic {}", app.admin_token)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "only the Bearer scheme carries a token"
    );
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/records/cases"))
            .json(&json!({"title": "Sneaky"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, cases) = app.get("/api/v1/records/cases").await;
    assert_eq!(cases["total"], 0, "nothing was created without a session");
}

async fn logout_ends_the_session(app: TestApp) {
    let (status, body) = login(&app, "admin@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().expect("token").to_owned();
    assert_eq!(modules_status_with(&app, &token).await, StatusCode::OK);

    let response = app
        .client
        .post(app.url("/api/v1/staff/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cleared.starts_with("atrium_staff=;") && cleared.contains("Max-Age=0"),
        "the cookie is cleared: {cleared}"
    );

    assert_eq!(
        modules_status_with(&app, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = send(
        app.client
            .get(app.url(MODULES))
            .header("cookie", format!("atrium_staff={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/staff/logout"))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a second logout is 401");
    assert_eq!(
        modules_status_with(&app, &app.admin_token).await,
        StatusCode::OK,
        "other sessions of the same user stay"
    );
}

async fn agents_are_forbidden_on_every_admin_route_and_admins_are_not(app: TestApp) {
    let user_path = format!("{USERS}/{}", app.admin_id);
    let new_user = json!({"email": "new@example.com", "name": "New", "password": ADMIN_PASSWORD, "role": "agent"});
    let requests = [
        (Method::GET, USERS.to_owned(), None),
        (Method::POST, USERS.to_owned(), Some(new_user.clone())),
        (Method::GET, user_path.clone(), None),
        (
            Method::PATCH,
            user_path.clone(),
            Some(json!({"name": "Hacked"})),
        ),
    ];
    for (method, path, body) in &requests {
        let mut request = app.agent(method.clone(), path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let (status, problem) = send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(problem["code"], "forbidden", "{method} {path}");
    }
    let (status, admin) = app.get(&user_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        admin["name"], "Ada Admin",
        "the agent's PATCH changed nothing"
    );
    let (_, users) = app.get(USERS).await;
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(2),
        "the agent's POST created nobody: {users}"
    );

    let (status, created) = app.post(USERS, new_user).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, renamed) = app.patch(&user_path, json!({"name": "Ada Lovelace"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["name"], "Ada Lovelace");
    let (status, users) = app.get(USERS).await;
    assert_eq!(status, StatusCode::OK);
    let emails: Vec<&str> = users["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert_eq!(emails.len(), 3, "{users}");
    for email in ["admin@example.com", "agent@example.com", "new@example.com"] {
        assert!(emails.contains(&email), "{email} in {emails:?}");
    }
}

async fn admins_create_staff_users_and_duplicates_conflict(app: TestApp) {
    let (status, user) = app
        .post(
            USERS,
            json!({"email": "Sam@Example.com", "name": "  Sam Staff ", "password": ADMIN_PASSWORD, "role": "agent", "phone": "+1 555 0100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "sam@example.com");
    assert_eq!(user["name"], "Sam Staff");
    assert_eq!(user["role"], "agent");
    assert_eq!(user["active"], true);
    assert_eq!(user["phone"], "+1 555 0100");
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());

    let (status, read) = app.get(&format!("{USERS}/{}", id_of(&user))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, user);

    let (status, body) = login(&app, "sam@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the new user can sign in");
    assert_eq!(body["user"]["role"], "agent");

    for email in ["sam@example.com", "SAM@example.com", "admin@example.com"] {
        let (status, problem) = app
            .post(
                USERS,
                json!({"email": email, "name": "Twin", "password": ADMIN_PASSWORD, "role": "agent"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{email}: {problem}");
        assert_eq!(problem["code"], "conflict");
    }
    let (_, users) = app.get(USERS).await;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(3));
}

async fn invalid_new_users_are_422_naming_every_bad_field(app: TestApp) {
    let (status, problem) = app
        .post(
            USERS,
            json!({"email": "not-an-email", "name": "   ", "password": "too short", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "validation_failed");
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["email", "name", "password"]);

    let (status, problem) = app
        .post(
            USERS,
            json!({"email": "ok@example.com", "password": ADMIN_PASSWORD, "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["name"]);

    let (status, problem) = app.post(USERS, json!({"role": "agent"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["email", "name", "password"]);

    let (status, problem) = app
        .post(
            USERS,
            json!({"email": "ok@example.com", "name": "Ok", "password": "x".repeat(129), "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["password"]);

    let (status, problem) = app
        .post(
            USERS,
            json!({"email": "ok@example.com", "name": "Ok", "password": ADMIN_PASSWORD, "role": "root"}),
        )
        .await;
    assert!(
        status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown role is refused: {status} {problem}"
    );

    let (_, users) = app.get(USERS).await;
    assert_eq!(
        users["items"].as_array().map(Vec::len),
        Some(2),
        "nobody was created: {users}"
    );
}

async fn admins_change_role_and_active_and_a_role_applies_at_once(app: TestApp) {
    let (_, agent) = login(&app, "agent@example.com", ADMIN_PASSWORD).await;
    let agent_id = id_of(&agent["user"]).to_owned();
    let path = format!("{USERS}/{agent_id}");

    let (status, promoted) = app.patch(&path, json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    assert_eq!(promoted["role"], "admin");
    assert_eq!(promoted["name"], "Alex Agent", "fields not sent stay");
    let (status, _) = send(app.agent(Method::GET, USERS)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the promotion applies to the next request"
    );

    let (status, demoted) = app.patch(&path, json!({"role": "agent"})).await;
    assert_eq!(status, StatusCode::OK, "{demoted}");
    assert_eq!(demoted["role"], "agent");
    let (status, _) = send(app.agent(Method::GET, USERS)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, inactive) = app.patch(&path, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK, "{inactive}");
    assert_eq!(inactive["active"], false);
    let (status, active) = app.patch(&path, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK, "{active}");
    assert_eq!(active["active"], true);
    let (_, read) = app.get(&path).await;
    assert_eq!(read["active"], true);
    assert_eq!(read["role"], "agent");

    let (status, problem) = app.patch(&path, json!({"name": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["name"]);
    let (status, problem) = app.patch(&path, json!({"password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["password"]);
}

async fn deactivating_a_user_ends_their_sessions_and_refuses_sign_in(app: TestApp) {
    let user = create_user(&app, "leaver@example.com", "agent").await;
    let (status, body) = login(&app, "leaver@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().expect("token").to_owned();
    assert_eq!(modules_status_with(&app, &token).await, StatusCode::OK);

    let path = format!("{USERS}/{}", id_of(&user));
    let (status, changed) = app.patch(&path, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        modules_status_with(&app, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, refused) = login(&app, "leaver@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, wrong) = login(&app, "leaver@example.com", "wrong password here").await;
    assert_eq!(
        refused, wrong,
        "an inactive user looks like bad credentials"
    );

    let (status, _) = app.patch(&path, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        modules_status_with(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "reactivating does not revive the old session"
    );
    let (status, _) = login(&app, "leaver@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_new_password_ends_the_sessions_and_only_the_new_one_signs_in(app: TestApp) {
    let user = create_user(&app, "forgetful@example.com", "agent").await;
    let (_, first) = login(&app, "forgetful@example.com", ADMIN_PASSWORD).await;
    let (_, second) = login(&app, "forgetful@example.com", ADMIN_PASSWORD).await;
    let tokens: Vec<String> = [first, second]
        .iter()
        .map(|b| b["token"].as_str().expect("token").to_owned())
        .collect();
    for token in &tokens {
        assert_eq!(modules_status_with(&app, token).await, StatusCode::OK);
    }

    let (status, changed) = app
        .patch(
            &format!("{USERS}/{}", id_of(&user)),
            json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    for token in &tokens {
        assert_eq!(
            modules_status_with(&app, token).await,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, _) = login(&app, "forgetful@example.com", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, body) = login(&app, "forgetful@example.com", NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let token = body["token"].as_str().expect("token");
    assert_eq!(modules_status_with(&app, token).await, StatusCode::OK);
    assert_eq!(
        modules_status_with(&app, &app.admin_token).await,
        StatusCode::OK,
        "other users' sessions stay"
    );
}

async fn admins_cannot_deactivate_or_demote_themselves(app: TestApp) {
    let path = format!("{USERS}/{}", app.admin_id);
    let (status, problem) = app.patch(&path, json!({"active": false})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["active"]);
    let (status, problem) = app.patch(&path, json!({"role": "agent"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (_, me) = app.get(&path).await;
    assert_eq!(me["active"], true);
    assert_eq!(me["role"], "admin");
    assert_eq!(
        modules_status_with(&app, &app.admin_token).await,
        StatusCode::OK
    );
}

async fn unknown_staff_users_are_404(app: TestApp) {
    for id in ["not-a-uuid", "01890000-0000-7000-8000-000000000000"] {
        let path = format!("{USERS}/{id}");
        let (status, problem) = app.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(problem["code"], "not_found");
        let (status, _) = app.patch(&path, json!({"name": "Ghost"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "PATCH {path}");
    }
}

/// Cookie-authenticated requests that change state must pass the CSRF check (same-origin
/// `Origin` / `Sec-Fetch-Site`); Bearer requests are exempt.
async fn cookie_requests_that_change_state_must_come_from_the_same_origin(app: TestApp) {
    let (_, body) = login(&app, "admin@example.com", ADMIN_PASSWORD).await;
    let cookie = format!("atrium_staff={}", body["token"].as_str().expect("token"));
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/records/cases"))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site")
            .json(&json!({"title": "Forged"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a cross-site cookie POST");
    let (_, cases) = app.get("/api/v1/records/cases").await;
    assert_eq!(cases["total"], 0, "nothing was created");

    let (status, _) = send(
        app.client
            .get(app.url(MODULES))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example")
            .header("sec-fetch-site", "cross-site"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "reads need no CSRF check");
    let (status, _) = send(
        app.client
            .post(app.url("/api/v1/records/cases"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"title": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "a same-origin cookie POST");
    let (status, _) = send(
        app.admin(Method::POST, "/api/v1/records/cases")
            .header("origin", "https://evil.example")
            .json(&json!({"title": "Scripted"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "Bearer requests are exempt");
}

mod cookie_requests_that_change_state_must_come_from_the_same_origin {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = TestApp::spawn(common::Backend::Sqlite)
            .await
            .expect("sqlite app");
        super::cookie_requests_that_change_state_must_come_from_the_same_origin(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = TestApp::spawn(common::Backend::Postgres).await {
            super::cookie_requests_that_change_state_must_come_from_the_same_origin(app).await;
        }
    }
}
