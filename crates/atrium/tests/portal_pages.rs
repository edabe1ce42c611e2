//! The customer portal in HTML, over HTTP as a browser would use it (cookies, forms with their
//! token, redirects): signing in and out, home with charts, lists and records, forms with
//! errors kept, comments, the profile, the FAQ, languages — and that a customer of another
//! organization sees none of it and a form without its token changes nothing.

mod common;

use atrium_core::portal::{Grant, Level, PortalRole};
use common::pages::Browser;
use common::{TestApp, send};
use reqwest::header::CONTENT_SECURITY_POLICY;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_databases!(
    signing_in_leads_home_and_signing_out_ends_the_session,
    a_refused_sign_in_says_why_without_revealing_the_address,
    lists_and_records_show_only_what_is_the_customers,
    a_case_is_raised_commented_and_edited_through_forms,
    the_record_page_shows_replies_and_the_visible_history_in_order,
    the_record_page_lists_the_linked_documents_the_customer_may_see,
    a_record_page_offers_each_action_at_its_own_level_and_shows_the_follow,
    a_form_without_its_token_changes_nothing,
    the_profile_and_the_faq_work_and_german_is_spoken,
    a_portal_is_served_at_the_root_of_its_own_host,
    a_forgotten_password_is_reset_through_the_pages_in_the_customers_language,
);

async fn signing_in_leads_home_and_signing_out_ends_the_session(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    app.create(
        "cases",
        json!({"title": "Printer on fire", "priority": "High", "organization": acme, "contact": emma.id}),
    )
    .await;
    let mut browser = Browser::new(&app);

    let home = browser.get("/portal/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "home needs a session");
    assert!(home.location().starts_with("/portal/login?next="));

    let login = browser.get("/portal/login").await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login
        .headers
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(login.headers["x-content-type-options"], "nosniff");
    assert!(login.body.contains("<html lang=\"en\">"));
    assert!(login.body.contains("name=\"password\""));

    browser.sign_in(&emma.email).await;
    let home = browser.get("/portal/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Welcome to the portal"));
    assert!(
        home.body.contains("<svg class=\"donut\""),
        "a chart is drawn"
    );
    assert!(home.body.contains("High: 1"), "the chart says its figures");
    assert!(home.body.contains("Printer on fire"), "recent cases");

    let token = home.token();
    let out = browser.post("/portal/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/portal/login?out=1");
    let home = browser.get("/portal/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "signed out");
    let (status, _) = common::send(app.portal(&emma, reqwest::Method::GET, "/home")).await;
    assert_eq!(status, StatusCode::OK, "only the page's own session ended");
}

async fn a_refused_sign_in_says_why_without_revealing_the_address(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let mut browser = Browser::new(&app);
    let mut attempt = async |email: &str, password: &str| {
        let token = browser.get("/portal/login").await.token();
        browser
            .post(
                "/portal/login",
                &[("csrf", &token), ("email", email), ("password", password)],
            )
            .await
    };
    let wrong = attempt(&emma.email, "not the password at all").await;
    let unknown = attempt("nobody@example.com", "not the password at all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = "The e-mail address or password is not right.";
    assert!(wrong.body.contains(message) && unknown.body.contains(message));
    assert!(
        wrong.body.contains(&emma.email),
        "the address typed is kept"
    );

    app.patch(
        &format!("/api/v1/records/contacts/{}", emma.id),
        json!({"support_end_date": "2020-01-31"}),
    )
    .await;
    let ended = attempt(&emma.email, common::CUSTOMER_PASSWORD).await;
    assert_eq!(ended.status, StatusCode::FORBIDDEN);
    assert!(
        ended.body.contains("Your support has ended."),
        "{}",
        ended.body
    );
}

async fn lists_and_records_show_only_what_is_the_customers(app: TestApp) {
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let gina = app.customer("Gina", "Globe", Some(&globex)).await;
    let mine = app
        .create(
            "cases",
            json!({"title": "Acme VPN is down", "organization": acme, "contact": emma.id}),
        )
        .await;
    let theirs = app
        .create(
            "cases",
            json!({"title": "Globex secret merger", "organization": globex, "contact": gina.id}),
        )
        .await;
    for n in 0..30 {
        app.create(
            "cases",
            json!({"title": format!("Acme routine {n:02}"), "organization": acme, "contact": emma.id}),
        )
        .await;
    }
    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;

    let list = browser.get("/portal/records/cases").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("31 records"), "the count");
    assert!(list.body.contains("Page 1 of 2"), "25 to a page");
    assert!(
        !list.body.contains("Globex"),
        "another organization's case is not listed"
    );
    let search = browser.get("/portal/records/cases?q=VPN").await;
    assert!(
        search.body.contains("Acme VPN is down") && search.body.contains("1 record")
            || search.body.contains("One record")
    );
    let sorted = browser
        .get("/portal/records/cases?sort=-title&q=routine")
        .await;
    let first = sorted.body.find("Acme routine 29").expect("listed");
    let later = sorted.body.find("Acme routine 28").expect("listed");
    assert!(first < later, "sorted by title, descending");
    assert!(sorted.body.contains("aria-sort=\"descending\""));
    let bad = browser.get("/portal/records/cases?sort=shoe_size").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("This cannot be shown") && bad.body.contains("sort"),
        "{}",
        bad.body
    );
    let none = browser.get("/portal/records/cases?q=zzzzqqq").await;
    assert!(none.body.contains("Nothing matches your search"));

    let id = mine["id"].as_str().expect("id");
    let record = browser.get(&format!("/portal/records/cases/{id}")).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("Acme VPN is down"));
    let other = theirs["id"].as_str().expect("id");
    for path in [
        format!("/portal/records/cases/{other}"),
        format!("/portal/records/cases/{other}/edit"),
        format!("/portal/records/cases/{other}/pdf"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains("merger"), "{path}");
    }
    let token = record.token();
    let comment = browser
        .post(
            &format!("/portal/records/cases/{other}/comments"),
            &[("csrf", &token), ("body", "let me in")],
        )
        .await;
    assert_eq!(comment.status, StatusCode::NOT_FOUND);
    let (_, comments) = app
        .get(&format!("/api/v1/records/cases/{other}/comments"))
        .await;
    assert_eq!(comments["items"], json!([]), "nothing was written");
    let pdf = browser
        .get(&format!("/portal/records/cases/{id}/pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
}

async fn a_case_is_raised_commented_and_edited_through_forms(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;

    let form = browser.get("/portal/records/cases/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("<select id=\"f-priority\""),
        "a picklist is a select"
    );
    assert!(
        !form.body.contains("name=\"organization\""),
        "fields that decide access are no input"
    );
    let token = form.token();
    let invalid = browser
        .post(
            "/portal/records/cases",
            &[
                ("csrf", &token),
                ("title", ""),
                ("description", "It beeps."),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid.body.contains("id=\"title-error\""),
        "the error is beside the field"
    );
    assert!(invalid.body.contains("It beeps."), "what was typed is kept");

    let created = browser
        .post(
            "/portal/records/cases",
            &[
                ("csrf", &token),
                ("title", "Scanner beeps <loudly>"),
                ("priority", "Urgent"),
                ("description", "It beeps."),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location();
    let record = browser.get(&path).await;
    assert!(
        record.body.contains("Scanner beeps &#60;loudly&#62;"),
        "escaped: {}",
        record.body
    );
    assert!(record.body.contains("Unfollow"), "the creator follows it");
    assert!(record.body.contains("/edit\""), "own cases may be edited");
    assert!(
        !record.body.contains("/delete\""),
        "but not deleted, in the default portal"
    );
    assert!(record.body.contains("name=\"body\""), "and commented on");

    let comment = browser
        .post(
            &format!("{path}/comments"),
            &[("csrf", &token), ("body", "**Still** beeping")],
        )
        .await;
    assert_eq!(comment.status, StatusCode::SEE_OTHER);
    let record = browser.get(&path).await;
    assert!(record.body.contains("<strong>Still</strong> beeping"));

    let edit = browser.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    let version_marker = "name=\"version\" value=\"";
    let start = edit.body.find(version_marker).expect("version") + version_marker.len();
    let version: String = edit.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let saved = browser
        .post(
            &path,
            &[
                ("csrf", &token),
                ("version", &version),
                ("title", "Scanner beeps"),
                ("priority", "Urgent"),
                ("description", "It beeps."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let record = browser.get(&saved.location()).await;
    assert!(record.body.contains("Saved."));
    assert!(
        record
            .body
            .contains("Title: Scanner beeps &#60;loudly&#62; → Scanner beeps"),
        "history: {}",
        record.body
    );
    let stale = browser
        .post(
            &path,
            &[("csrf", &token), ("version", &version), ("title", "Again")],
        )
        .await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "an edit of an old version is refused"
    );
}

async fn the_record_page_shows_replies_and_the_visible_history_in_order(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let case = app
        .create(
            "cases",
            json!({"title": "Badge reader", "contact": emma.id, "priority": "Low"}),
        )
        .await;
    let id = case["id"].as_str().expect("id");
    let record = format!("/api/v1/records/cases/{id}");
    let comments = format!("{record}/comments");
    let reply = |body: &'static str, internal: bool| {
        let comments = comments.clone();
        let app = &app;
        async move {
            let (status, answer) = app
                .post(&comments, json!({"body": body, "internal": internal}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
        }
    };
    let change = |fields: serde_json::Value| {
        let record = record.clone();
        let app = &app;
        async move {
            let (status, answer) = app.patch(&record, fields).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
    };
    reply("First reply", false).await;
    reply("Grumpy customer", true).await;
    change(json!({"priority": "High"})).await;
    change(json!({"priority": "Urgent"})).await;
    // A field the portal does not show: its history is not shown either.
    change(json!({"channel": "Phone"})).await;
    reply("Second reply", false).await;
    let (status, answer) = send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/cases/{id}/comments"),
        )
        .json(&json!({"body": "Thanks, Emma here"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;
    let page = browser.get(&format!("/portal/records/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let first = body.find("First reply").expect("the first reply");
    let second = body.find("Second reply").expect("the second reply");
    let own = body
        .find("Thanks, Emma here")
        .expect("the customer's reply");
    assert!(first < second && second < own, "replies oldest first");
    // Who wrote each: the staff member by name, the customer's own reply as theirs.
    assert_eq!(body.matches("· Support team").count(), 2, "{body}");
    assert!(body.contains(">You<"), "{body}");
    assert!(!body.contains("Grumpy"), "an internal note is never shown");
    let older = body.find("Priority: Low → High").expect("{body}");
    let newer = body.find("Priority: High → Urgent").expect("{body}");
    assert!(
        older < newer,
        "history in the order it happened, as the replies"
    );
    assert!(!body.contains("Channel:"), "no history of a hidden field");
}

async fn the_record_page_lists_the_linked_documents_the_customer_may_see(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let case_of = |title: &'static str| {
        let app = &app;
        let emma = emma.id.clone();
        async move {
            let case = app
                .create("cases", json!({"title": title, "contact": emma}))
                .await;
            case["id"].as_str().expect("id").to_owned()
        }
    };
    let with_documents = case_of("Scanner jams").await;
    let without = case_of("Screen flickers").await;
    let document = |title: &'static str, status: &'static str| {
        let app = &app;
        async move {
            let doc = app
                .create("documents", json!({"title": title, "status": status}))
                .await;
            doc["id"].as_str().expect("id").to_owned()
        }
    };
    let linked = document("Scanner log", "Active").await;
    let inactive = document("Old scanner log", "Inactive").await;
    document("Unlinked manual", "Active").await;
    for doc in [&linked, &inactive] {
        let path = format!("/api/v1/records/cases/{with_documents}/links/documents/{doc}");
        let (status, answer) = send(app.admin(Method::PUT, &path)).await;
        assert!(status.is_success(), "{answer}");
    }

    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;
    let page = browser
        .get(&format!("/portal/records/cases/{with_documents}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Scanner log"), "{}", page.body);
    assert!(
        !page.body.contains("Old scanner log"),
        "an inactive document is never shown"
    );
    assert!(
        !page.body.contains("Unlinked manual"),
        "only linked documents"
    );
    // A case without linked documents shows the list empty, not another case's documents.
    let page = browser
        .get(&format!("/portal/records/cases/{without}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Related"), "{}", page.body);
    assert!(!page.body.contains("Scanner log"), "{}", page.body);
}

async fn a_record_page_offers_each_action_at_its_own_level_and_shows_the_follow(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let carl = app.contact("Carl", "Colleague", Some(&acme), false).await;
    // The default portal lets Emma edit and comment on her own cases (`contact`); a role lets her
    // read and delete all of her organization's (`account`): two levels on one page.
    let role = app
        .store
        .save_portal_role(
            None,
            &PortalRole {
                id: None,
                name: "Organization cleaner".into(),
                permissions: [(
                    "cases".to_owned(),
                    Grant {
                        read: Level::Account,
                        delete: Level::Account,
                        ..Grant::NOTHING
                    },
                )]
                .into_iter()
                .collect(),
            },
        )
        .await
        .expect("save the role")
        .id
        .expect("a saved role has an id");
    let (status, body) = app
        .patch(
            &format!("/api/v1/records/contacts/{}", emma.id),
            json!({"portal_roles": [role.to_string()]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hers = app
        .create(
            "cases",
            json!({"title": "Emma needs a VPN", "organization": acme, "contact": emma.id}),
        )
        .await;
    let colleagues = app
        .create(
            "cases",
            json!({"title": "Carl needs a printer", "organization": acme, "contact": carl}),
        )
        .await;
    let hers = format!("/portal/records/cases/{}", hers["id"].as_str().expect("id"));
    let colleagues = format!(
        "/portal/records/cases/{}",
        colleagues["id"].as_str().expect("id")
    );
    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;

    let page = browser.get(&colleagues).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Carl needs a printer"));
    assert!(!page.body.contains("/edit\""), "not hers to edit");
    assert!(
        page.body.contains("/delete\""),
        "but her organization's to delete"
    );
    assert!(
        !page.body.contains("name=\"body\""),
        "and not hers to comment on"
    );
    assert!(page.body.contains("aria-pressed=\"false\""), "not followed");
    let followed = browser
        .post(
            &format!("{colleagues}/follow"),
            &[("csrf", &page.token()), ("follow", "1")],
        )
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.body);
    let page = browser.get(&colleagues).await;
    assert!(page.body.contains("aria-pressed=\"true\""), "followed now");
    assert!(page.body.contains("Unfollow"));

    let page = browser.get(&hers).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("/edit\""), "hers to edit");
    assert!(page.body.contains("/delete\""), "and to delete");
    assert!(page.body.contains("name=\"body\""), "and to comment on");
    assert!(
        page.body.contains("aria-pressed=\"false\""),
        "following one record is not following another"
    );
}

async fn a_form_without_its_token_changes_nothing(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;
    for token in ["", "forged"] {
        let answer = browser
            .post(
                "/portal/records/cases",
                &[("csrf", token), ("title", "Forged case")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
    // Even with the right token, a form posted from another site is refused.
    let token = browser.get("/portal/records/cases/new").await.token();
    let cross_site = browser
        .client
        .post(format!("{}/portal/records/cases", app.base))
        .header("cookie", browser.cookie_header())
        .header("sec-fetch-site", "cross-site")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&title=Cross-site"))
        .send()
        .await
        .expect("answer");
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
    assert!(
        cross_site.headers()["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html")),
        "a page, not JSON"
    );
    let (_, cases) = app.get("/api/v1/records/cases").await;
    assert_eq!(cases["total"], 0, "nothing was created");
    let answer = browser.post("/portal/logout", &[("csrf", "forged")]).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/portal/").await.status,
        StatusCode::OK,
        "still signed in"
    );

    // Behind sign-in a form carries the session's own token: a page makes no pre-session
    // token (nor sets a cookie for one) for a visitor who has none, and its form passes.
    browser.cookies.remove("atrium_form");
    let form = browser.get("/portal/records/cases/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("atrium_form="))),
        "{:?}",
        form.headers
    );
    let created = browser
        .post(
            "/portal/records/cases",
            &[
                ("csrf", &form.token()),
                ("title", "Raised without a form cookie"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);

    // Another visitor's sign-in form token does not pass either.
    let mut other = Browser::new(&app);
    let foreign = other.get("/portal/login").await.token();
    let mut fresh = Browser::new(&app);
    let answer = fresh
        .post(
            "/portal/login",
            &[
                ("csrf", &foreign),
                ("email", &emma.email),
                ("password", common::CUSTOMER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

async fn the_profile_and_the_faq_work_and_german_is_spoken(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    app.create(
        "faqs",
        json!({"question": "How do I reset the router?", "answer": "Press the **reset** button.", "status": "Published", "category": "Technical"}),
    )
    .await;
    let mut browser = Browser::new(&app);
    browser.language = "de-DE,de;q=0.9,en;q=0.5";
    let login = browser.get("/portal/login").await;
    assert!(login.body.contains("<html lang=\"de\">"));
    assert!(login.body.contains("Passwort vergessen?"));
    browser.sign_in(&emma.email).await;

    let faqs = browser.get("/portal/faqs?q=router").await;
    assert_eq!(faqs.status, StatusCode::OK, "{}", faqs.body);
    assert!(faqs.body.contains("Häufige Fragen"));
    assert!(faqs.body.contains("<mark>router</mark>"), "{}", faqs.body);
    assert!(
        faqs.body.contains("<strong>reset</strong>"),
        "the answer's markdown"
    );

    let profile = browser.get("/portal/profile").await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert!(profile.body.contains("Ihr Profil"));
    let token = profile.token();
    let wrong = browser
        .post(
            "/portal/profile/password",
            &[
                ("csrf", &token),
                ("current_password", "nope nope nope"),
                ("password", "a brand new long passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("id=\"current_password-error\""));

    // The contact's own language wins over the browser's.
    app.patch(
        &format!("/api/v1/records/contacts/{}", emma.id),
        json!({"language": "en"}),
    )
    .await;
    let home = browser.get("/portal/").await;
    assert!(home.body.contains("<html lang=\"en\">"), "{}", home.body);
}

async fn a_portal_is_served_at_the_root_of_its_own_host(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    portal["custom_host"] = json!("support.acme.test");
    let (status, saved) = common::send(
        app.admin(reqwest::Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let mut browser = Browser::new(&app);
    browser.host = Some("support.acme.test");
    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(
        login.body.contains("action=\"/login\""),
        "links have no prefix"
    );
    let token = login.token();
    let signed_in = browser
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("email", &emma.email),
                ("password", common::CUSTOMER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), "/");
    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("href=\"/records/cases\""));
    // The API is still the API on that host.
    let (status, _) = common::send(
        app.client
            .get(app.url("/api/v1/modules"))
            .header("host", "support.acme.test")
            .bearer_auth(&app.admin_token),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_forgotten_password_is_reset_through_the_pages_in_the_customers_language(app: TestApp) {
    let emma = app.customer("Emma", "Stone", None).await;
    app.patch(
        &format!("/api/v1/records/contacts/{}", emma.id),
        json!({"language": "de"}),
    )
    .await;
    let before = app.store.mails_to(&emma.email).await.expect("mails").len();
    let mut browser = Browser::new(&app);
    let forgot = browser.get("/portal/password/forgot").await;
    assert_eq!(forgot.status, StatusCode::OK);
    let token = forgot.token();
    let asked = browser
        .post(
            "/portal/password/forgot",
            &[("csrf", &token), ("email", &emma.email)],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let unknown = browser
        .post(
            "/portal/password/forgot",
            &[("csrf", &token), ("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(
        unknown.location(),
        asked.location(),
        "the same answer for anyone"
    );

    let mails = common::wait_for_mails(&app, &emma.email, before + 1).await;
    let (template, subject, text) = mails.last().expect("the reset mail");
    assert_eq!(template, "portal_password_reset");
    assert!(subject.starts_with("Passwort für"), "in German: {subject}");
    let start = text.find("token=").expect("a link") + "token=".len();
    let link: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();

    let page = browser
        .get(&format!("/portal/password/reset?token={link}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("At least 12 characters"),
        "the policy before submitting"
    );
    let token = page.token();
    let weak = browser
        .post(
            "/portal/password/reset",
            &[("csrf", &token), ("token", &link), ("password", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new_password = "a fresh and lengthy passphrase";
    let set = browser
        .post(
            "/portal/password/reset",
            &[
                ("csrf", &token),
                ("token", &link),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    assert_eq!(set.location(), "/portal/login?set=1");
    let again = browser
        .post(
            "/portal/password/reset",
            &[
                ("csrf", &token),
                ("token", &link),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a link works once"
    );
    assert!(again.body.contains("no longer valid"));
    let login = browser.get("/portal/login").await;
    let token = login.token();
    let signed_in = browser
        .post(
            "/portal/login",
            &[
                ("csrf", &token),
                ("email", &emma.email),
                ("password", new_password),
            ],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );

    // The German variant can be read (and changed) like any template; English is the fallback.
    let (status, german) = app
        .get("/api/v1/admin/email-templates/portal_invitation.de")
        .await;
    assert_eq!(status, StatusCode::OK, "{german}");
    assert!(
        german["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Ihr Zugang"))
    );
}
