//! The staff back office in HTML, over HTTP as a browser would use it: signing in, the start
//! page's work lists, every module's list, record and forms (errors kept, a stale edit said),
//! delete with confirmation, replies and internal notes as the customer sees them, a contact's
//! portal access with its invitation and timeline, and "view as customer" from the same access
//! engine as the customer's own pages.

mod common;

use common::TestApp;
use common::pages::Browser;
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    staff_sign_in_and_see_their_work,
    every_module_has_a_list_a_record_page_and_forms,
    a_record_is_created_edited_and_deleted_through_forms,
    a_reply_reaches_the_customer_and_an_internal_note_does_not,
    a_contact_is_given_portal_access_and_viewed_as_the_customer,
    a_staff_form_without_its_token_changes_nothing,
    an_agent_cannot_open_settings,
    a_portal_is_configured_through_its_three_tabs,
    settings_pages_save_refuse_and_send,
    a_document_is_uploaded_replaced_downloaded_and_linked,
    a_deleted_customer_is_struck_through_where_they_wrote,
    a_contact_page_says_why_no_invitation_went_out,
);

async fn staff_sign_in_and_see_their_work(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let agent_id = app
        .store
        .staff_user_by_email("agent@example.com")
        .await
        .expect("read")
        .expect("the agent")
        .id
        .to_string();
    app.create(
        "cases",
        json!({"title": "Assigned printer", "organization": acme, "assigned_to": agent_id, "status": "Open"}),
    )
    .await;
    app.create(
        "cases",
        json!({"title": "Closed long ago", "organization": acme, "assigned_to": agent_id, "status": "Closed"}),
    )
    .await;
    app.create(
        "cases",
        json!({"title": "Waiting for logs", "organization": acme, "status": "Waiting on Customer"}),
    )
    .await;
    let raised = common::send(
        app.portal(&emma, reqwest::Method::POST, "/records/cases")
            .json(&json!({"title": "Raised in the portal"})),
    )
    .await;
    assert_eq!(raised.0, StatusCode::CREATED, "{}", raised.1);

    let mut browser = Browser::new(&app);
    let home = browser.get("/staff/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert!(home.location().starts_with("/staff/login?next="));

    let login = browser.get("/staff/login").await;
    let token = login.token();
    let wrong = browser
        .post(
            "/staff/login",
            &[
                ("csrf", &token),
                ("email", "agent@example.com"),
                ("password", "not it"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .body
            .contains("The e-mail address or password is not right.")
    );

    browser.staff_sign_in("agent@example.com").await;
    let home = browser.get("/staff/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let assigned = section(&home.body, "cases-work-assigned");
    assert!(assigned.contains("Assigned printer"), "{assigned}");
    assert!(assigned.contains("One record"), "the count: {assigned}");
    assert!(!assigned.contains("Closed long ago"), "done is not work");
    assert!(section(&home.body, "cases-work-waiting").contains("Waiting for logs"));
    assert!(section(&home.body, "cases-work-new").contains("Raised in the portal"));
    assert!(
        !home.body.contains("/staff/settings/"),
        "an agent has no settings in the menu"
    );

    let token = home.token();
    let out = browser.post("/staff/logout", &[("csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/staff/login?out=1");
    assert_eq!(browser.get("/staff/").await.status, StatusCode::SEE_OTHER);
}

/// The part of a page from the element with `id` to the end of its section.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {body}"));
    let end = body[start..]
        .find("</section>")
        .map_or(body.len(), |e| start + e);
    &body[start..end]
}

async fn every_module_has_a_list_a_record_page_and_forms(app: TestApp) {
    let mut browser = Browser::new(&app);
    browser.staff_sign_in("admin@example.com").await;
    let modules: Vec<String> = app
        .store
        .registry()
        .modules()
        .iter()
        .map(|m| m.name.clone())
        .collect();
    let acme = app.organization("Acme").await;
    for module in &modules {
        let list = browser.get(&format!("/staff/records/{module}")).await;
        assert_eq!(list.status, StatusCode::OK, "{module}: {}", list.body);
        let new = browser.get(&format!("/staff/records/{module}/new")).await;
        assert_eq!(new.status, StatusCode::OK, "{module}: {}", new.body);
        assert!(new.body.contains("name=\"csrf\""));
    }
    // A record of a module with references and picklists: its page groups the fields.
    let case = app
        .create(
            "cases",
            json!({"title": "Fields grouped", "organization": acme, "priority": "High", "description": "**Bold** words"}),
        )
        .await;
    let id = case["id"].as_str().expect("id");
    let page = browser.get(&format!("/staff/records/cases/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<strong>Bold</strong>"),
        "markdown rendered"
    );
    assert!(page.body.contains("Kept by Atrium"));
    assert!(
        page.body
            .contains(&format!("/staff/records/organizations/{acme}"))
    );
    // The list filters by picklist and reference, sorts, and keeps all of it in the URL.
    let filtered = browser
        .get(&format!(
            "/staff/records/cases?priority=High&organization={acme}&sort=-priority"
        ))
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains("Fields grouped"));
    assert!(filtered.body.contains("<option value=\"High\" selected>"));
    let none = browser.get("/staff/records/cases?priority=Low").await;
    assert!(!none.body.contains("Fields grouped"));
    assert!(
        none.body.contains("Nothing matches your search"),
        "{}",
        none.body
    );
    // An unknown module or record is a 404 page.
    assert_eq!(
        browser.get("/staff/records/nothing").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser
            .get("/staff/records/cases/00000000-0000-0000-0000-000000000000")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn a_record_is_created_edited_and_deleted_through_forms(app: TestApp) {
    let acme = app.organization("Acme").await;
    let mut browser = Browser::new(&app);
    browser.staff_sign_in("agent@example.com").await;
    let form = browser.get("/staff/records/cases/new").await;
    let token = form.token();

    // A refused create keeps what was typed and says what is wrong beside the field.
    let refused = browser
        .post(
            "/staff/records/cases",
            &[
                ("csrf", &token),
                ("title", ""),
                ("priority", "Urgent"),
                ("organization", &acme),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"title-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("<option value=\"Urgent\" selected>"));

    let created = browser
        .post(
            "/staff/records/cases",
            &[
                ("csrf", &token),
                ("title", "Created from the form"),
                ("priority", "Urgent"),
                ("organization", &acme),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location();
    assert!(path.starts_with("/staff/records/cases/"));
    let id = path.rsplit('/').next().expect("id").to_owned();
    let (_, stored) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(stored["priority"], "Urgent");
    assert_eq!(stored["organization"]["id"], acme.as_str());

    // An edit from an old version: said, and what was typed is kept.
    let edit = browser.get(&format!("{path}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let version = value_of(&edit.body, "version");
    app.patch(
        &format!("/api/v1/records/cases/{id}"),
        json!({"status": "Open"}),
    )
    .await;
    let stale = browser
        .post(
            &path,
            &[
                ("csrf", &token),
                ("version", &version),
                ("title", "My typed title"),
                ("priority", "Urgent"),
                ("organization", &acme),
                ("status", "New"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("Someone else saved this record"));
    assert!(stale.body.contains("value=\"My typed title\""));
    assert_ne!(
        value_of(&stale.body, "version"),
        version,
        "the form moves on"
    );
    let (_, now) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(now["title"], "Created from the form", "nothing saved");

    let saved = browser
        .post(
            &path,
            &[
                ("csrf", &token),
                ("version", &value_of(&stale.body, "version")),
                ("title", "My typed title"),
                ("priority", "Urgent"),
                ("organization", &acme),
                ("status", "Open"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let page = browser.get(&saved.location()).await;
    assert!(page.body.contains("My typed title") && page.body.contains("Saved."));
    assert!(
        page.body
            .contains("Title: Created from the form → My typed title"),
        "the history: {}",
        page.body
    );

    // Delete asks first, then the record is gone.
    let confirm = browser.get(&format!("{path}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("Delete"));
    let (status, _) = app.get(&format!("/api/v1/records/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK, "a GET deletes nothing");
    let deleted = browser
        .post(&format!("{path}/delete"), &[("csrf", &token)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location(), "/staff/records/cases?deleted=1");
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}

/// The value of the hidden input `name`.
fn value_of(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).expect("the input") + marker.len();
    let end = body[start..].find('"').expect("end") + start;
    body[start..end].to_owned()
}

async fn a_reply_reaches_the_customer_and_an_internal_note_does_not(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (status, raised) = common::send(
        app.portal(&emma, reqwest::Method::POST, "/records/cases")
            .json(&json!({"title": "Invoice looks wrong"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    let id = raised["id"].as_str().expect("id");
    let path = format!("/staff/records/cases/{id}");

    let mut staff = Browser::new(&app);
    staff.staff_sign_in("agent@example.com").await;
    let page = staff.get(&path).await;
    assert!(page.body.contains("Created by (customer)"), "{}", page.body);
    assert!(page.body.contains("Emma Stone"));
    let token = page.token();
    let reply = staff
        .post(
            &format!("{path}/comments"),
            &[
                ("csrf", &token),
                ("internal", "0"),
                ("body", "We are on it, **Emma**."),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let note = staff
        .post(
            &format!("{path}/comments"),
            &[
                ("csrf", &token),
                ("internal", "1"),
                ("body", "Customer owes us two invoices."),
            ],
        )
        .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    let empty = staff
        .post(
            &format!("{path}/comments"),
            &[("csrf", &token), ("internal", "1"), ("body", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("value=\"1\" checked"),
        "the kind is kept"
    );

    let page = staff.get(&path).await;
    assert!(page.body.contains("Internal note") && page.body.contains("owes us"));

    let mut customer = Browser::new(&app);
    customer.sign_in(&emma.email).await;
    let theirs = customer.get(&format!("/portal/records/cases/{id}")).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.body.contains("We are on it, <strong>Emma</strong>."));
    assert!(
        !theirs.body.contains("owes us"),
        "internal notes stay inside"
    );
}

async fn a_contact_is_given_portal_access_and_viewed_as_the_customer(app: TestApp) {
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    app.create(
        "cases",
        json!({"title": "Acme printer", "organization": acme, "contact": emma.id}),
    )
    .await;
    app.create(
        "cases",
        json!({"title": "Globex merger", "organization": globex}),
    )
    .await;
    let olga = app
        .create(
            "contacts",
            json!({"first_name": "Olga", "last_name": "Orlova", "email": "olga@acme.example", "organization": acme}),
        )
        .await;
    let olga_id = olga["id"].as_str().expect("id");
    let path = format!("/staff/records/contacts/{olga_id}");

    let mut staff = Browser::new(&app);
    staff.staff_sign_in("admin@example.com").await;
    let page = staff.get(&path).await;
    assert!(page.body.contains("This contact has no portal access."));
    let edit = staff.get(&format!("{path}/edit")).await;
    let token = edit.token();
    let version = value_of(&edit.body, "version");
    let saved = staff
        .post(
            &path,
            &[
                ("csrf", &token),
                ("version", &version),
                ("first_name", "Olga"),
                ("last_name", "Orlova"),
                ("email", "olga@acme.example"),
                ("organization", &acme),
                ("portal_user", "true"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location(), format!("{path}?invited=1"));
    let page = staff.get(&saved.location()).await;
    assert!(page.body.contains("The invitation is on its way."));
    assert!(page.body.contains("Invitation sent"), "{}", page.body);
    let (_, outbox) = app.get("/api/v1/admin/outbox").await;
    assert!(
        outbox["items"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|mail| mail["to"] == "olga@acme.example"),
        "{outbox}"
    );
    // The timeline filters by source.
    let email_only = staff.get(&format!("{path}?source=email")).await;
    assert_eq!(email_only.status, StatusCode::OK);
    let staff_only = staff.get(&format!("{path}?source=portal")).await;
    assert!(section(&staff_only.body, "activity-title").contains("Nothing yet."));

    // Re-sending works from the page.
    let resent = staff
        .post(&format!("{path}/invitation"), &[("csrf", &token)])
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert_eq!(resent.location(), format!("{path}?invited=1"));

    // View as customer: exactly what Emma's own session shows.
    let preview_path = format!("/staff/records/contacts/{}/portal-preview", emma.id);
    let preview = staff.get(&format!("{preview_path}?module=cases")).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Acme printer"));
    assert!(!preview.body.contains("Globex merger"));
    let mut customer = Browser::new(&app);
    customer.sign_in(&emma.email).await;
    let own = customer.get("/portal/records/cases").await;
    assert!(own.body.contains("Acme printer") && !own.body.contains("Globex merger"));
    for module in ["cases", "documents", "faqs"] {
        let shown_to_customer = own.body.contains(&format!("/portal/records/{module}\""))
            || module == "faqs" && own.body.contains("/portal/faqs\"");
        let in_preview = preview.body.contains(&format!("module={module}\""))
            || preview.body.contains(&format!("module={module}&"));
        assert_eq!(
            shown_to_customer, in_preview,
            "{module}: the preview's menu is the customer's"
        );
    }
}

async fn a_staff_form_without_its_token_changes_nothing(app: TestApp) {
    let acme = app.organization("Acme").await;
    let mut browser = Browser::new(&app);
    browser.staff_sign_in("agent@example.com").await;
    let refused = browser
        .post(
            "/staff/records/cases",
            &[("title", "Forged"), ("organization", &acme)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = browser
        .post(
            "/staff/records/cases",
            &[
                ("csrf", "guess"),
                ("title", "Forged"),
                ("organization", &acme),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let (_, list) = app.get("/api/v1/records/cases?q=Forged").await;
    assert_eq!(list["total"], 0);
}

async fn an_agent_cannot_open_settings(app: TestApp) {
    let mut browser = Browser::new(&app);
    browser.staff_sign_in("agent@example.com").await;
    for page in [
        "/staff/settings/",
        "/staff/settings/company",
        "/staff/settings/portals",
        "/staff/settings/portals/default",
        "/staff/settings/portal-roles",
        "/staff/settings/email-templates",
        "/staff/settings/email",
        "/staff/settings/users",
    ] {
        let answer = browser.get(page).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{page}");
    }
    let home = browser.get("/staff/").await;
    let token = home.token();
    let refused = browser
        .post("/staff/settings/email/test", &[("csrf", &token)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let (_, outbox) = app.get("/api/v1/admin/outbox").await;
    assert_eq!(outbox["items"].as_array().map(Vec::len), Some(0));
}

async fn a_portal_is_configured_through_its_three_tabs(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let colleague = app
        .create(
            "contacts",
            json!({"first_name": "Carl", "last_name": "Colleague", "organization": acme}),
        )
        .await;
    app.create(
        "cases",
        json!({"title": "Case of Carl Colleague", "organization": acme, "contact": colleague["id"], "priority": "Urgent"}),
    )
    .await;
    let mut admin = Browser::new(&app);
    admin.staff_sign_in("admin@example.com").await;
    let (_, before) = app.get("/api/v1/admin/portals/default").await;

    // Saving each tab unchanged changes nothing.
    for tab in ["details", "layout", "profile"] {
        let action = format!("/staff/settings/portals/default?tab={tab}");
        let page = admin.get(&action).await;
        assert_eq!(page.status, StatusCode::OK, "{tab}: {}", page.body);
        let fields = page.form_fields(&action);
        let saved = admin.post_fields(&action, &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{tab}: {}", saved.body);
        let (_, after) = app.get("/api/v1/admin/portals/default").await;
        assert_eq!(after, before, "saving {tab} unchanged changed the portal");
    }

    // Hide a field, switch cases to the whole organization, put the FAQ first in the menu.
    let action = "/staff/settings/portals/default?tab=layout";
    let page = admin.get(action).await;
    let mut fields = page.form_fields(action);
    for (name, value) in &mut fields {
        match name.as_str() {
            "m.cases.field.priority" => *value = "hidden".into(),
            "m.cases.scope" => *value = "all".into(),
            "menu_order.faqs" => *value = "0".into(),
            _ => {}
        }
    }
    let saved = admin.post_fields(action, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, after) = app.get("/api/v1/admin/portals/default").await;
    let modules = after["modules"].as_array().expect("modules");
    assert_eq!(modules[0]["module"], "faqs", "{after}");
    let cases = modules
        .iter()
        .find(|m| m["module"] == "cases")
        .expect("cases");
    assert_eq!(cases["scope"], "all");
    assert!(cases["fields"].get("priority").is_none(), "{cases}");

    // The customer sees it at once.
    let mut customer = Browser::new(&app);
    customer.sign_in(&emma.email).await;
    let list = customer.get("/portal/records/cases").await;
    assert!(
        list.body.contains("Case of Carl Colleague"),
        "scope all: {}",
        list.body
    );
    assert!(
        !list.body.contains("Urgent"),
        "the hidden field is not shown"
    );
    let menu_faq = list.body.find("/portal/faqs").expect("FAQ in the menu");
    let menu_cases = list
        .body
        .find("/portal/records/cases\"")
        .expect("cases in the menu");
    assert!(menu_faq < menu_cases, "the FAQ comes first");

    // A refused save says so beside the field, and keeps the portal as it was.
    let action = "/staff/settings/portals/default?tab=details";
    let page = admin.get(action).await;
    let mut fields = page.form_fields(action);
    for (name, value) in &mut fields {
        if name == "name" {
            value.clear();
        }
    }
    let refused = admin.post_fields(action, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"name-error\""),
        "{}",
        refused.body
    );
    let (_, unchanged) = app.get("/api/v1/admin/portals/default").await;
    assert_eq!(unchanged, after);
}

async fn settings_pages_save_refuse_and_send(app: TestApp) {
    let mut admin = Browser::new(&app);
    admin.staff_sign_in("admin@example.com").await;

    // Company: unchanged is unchanged; a bad color is refused beside its field.
    let (_, company) = app.get("/api/v1/admin/company").await;
    let page = admin.get("/staff/settings/company").await;
    assert_eq!(page.status, StatusCode::OK);
    let fields = page.form_fields("/staff/settings/company\"");
    let saved = admin.post_fields("/staff/settings/company", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.get("/api/v1/admin/company").await.1, company);
    let mut bad = fields.clone();
    for (name, value) in &mut bad {
        if name == "accent_color" {
            *value = "blue-ish".into();
        }
    }
    let refused = admin.post_fields("/staff/settings/company", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"accent_color-error\""),
        "{}",
        refused.body
    );

    // Staff users: a new agent, then deactivated; a missing name is refused.
    let page = admin.get("/staff/settings/users").await;
    let token = page.token();
    let refused = admin
        .post(
            "/staff/settings/users",
            &[
                ("csrf", &token),
                ("name", ""),
                ("email", "nina@example.com"),
                ("password", "a long enough passphrase"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("value=\"nina@example.com\""),
        "typed values are kept"
    );
    let created = admin
        .post(
            "/staff/settings/users",
            &[
                ("csrf", &token),
                ("name", "Nina New"),
                ("email", "nina@example.com"),
                ("password", "a long enough passphrase"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let nina = app
        .store
        .staff_user_by_email("nina@example.com")
        .await
        .expect("read")
        .expect("created");
    let off = admin
        .post(
            &format!("/staff/settings/users/{}", nina.id),
            &[("csrf", &token), ("role", "agent")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let nina = app
        .store
        .staff_user(nina.id)
        .await
        .expect("read")
        .expect("there");
    assert!(!nina.active, "deactivated");

    // E-mail: a test mail goes through the outbox, which the page lists.
    let sent = admin
        .post("/staff/settings/email/test", &[("csrf", &token)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let email = admin.get(&sent.location()).await;
    assert!(email.body.contains("Atrium test mail"), "{}", email.body);
    assert!(email.body.contains("admin@example.com"));

    // Templates: a preview of what is typed, without saving; a template that does not
    // render is refused.
    let preview = admin
        .post(
            "/staff/settings/email-templates/portal_invitation",
            &[
                ("csrf", &token),
                ("preview", "1"),
                ("subject", "Hello {{ contact.first_name }}!"),
                ("body_text", "Join: {{ link }}"),
                ("body_html", "<p>Join: {{ link }}</p>"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("<strong>Hello "), "{}", preview.body);
    let (_, stored) = app
        .get("/api/v1/admin/email-templates/portal_invitation")
        .await;
    assert_ne!(
        stored["subject"], "Hello {{ contact.first_name }}!",
        "a preview saves nothing"
    );
    let refused = admin
        .post(
            "/staff/settings/email-templates/portal_invitation",
            &[
                ("csrf", &token),
                ("subject", "Hello {{ contact.first_name "),
                ("body_text", "x"),
                ("body_html", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Portal roles: a new role, then a grant in its grid.
    let created = admin
        .post(
            "/staff/settings/portal-roles",
            &[("csrf", &token), ("name", "Billing")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let (_, roles) = app.get("/api/v1/admin/portal-roles").await;
    let role = roles["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == "Billing")
        .expect("the role")
        .clone();
    let id = role["id"].as_str().expect("id");
    let action = format!("/staff/settings/portal-roles/{id}");
    let page = admin.get("/staff/settings/portal-roles").await;
    let mut fields = page.form_fields(&action);
    fields.retain(|(k, _)| k != "p.documents.read");
    fields.push(("p.documents.read".into(), "account".into()));
    let saved = admin.post_fields(&action, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, role) = app.get(&format!("/api/v1/admin/portal-roles/{id}")).await;
    assert_eq!(
        role["permissions"]["documents"]["read"], "account",
        "{role}"
    );
}

async fn a_document_is_uploaded_replaced_downloaded_and_linked(app: TestApp) {
    let acme = app.organization("Acme").await;
    let case = app
        .create(
            "cases",
            json!({"title": "Needs the contract", "organization": acme}),
        )
        .await;
    let case_id = case["id"].as_str().expect("id").to_owned();
    let mut staff = Browser::new(&app);
    staff.staff_sign_in("agent@example.com").await;
    let form = staff.get("/staff/records/documents/new").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let token = form.token();
    let created = staff
        .post_file(
            "/staff/records/documents",
            &[("csrf", &token), ("title", "Contract")],
            ("contract.txt", b"first version"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location();
    let download = staff.get(&format!("{path}/file")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, "first version");

    // Replaced from the edit form.
    let edit = staff.get(&format!("{path}/edit")).await;
    let version = value_of(&edit.body, "version");
    let replaced = staff
        .post_file(
            &path,
            &[
                ("csrf", &token),
                ("version", &version),
                ("title", "Contract"),
            ],
            ("contract-v2.txt", b"second version"),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
    assert_eq!(
        staff.get(&format!("{path}/file")).await.body,
        "second version"
    );

    // Linked to the case from the document's page, then unlinked.
    let page = staff.get(&path).await;
    assert!(page.body.contains("id=\"link-cases\""), "{}", page.body);
    let linked = staff
        .post(
            &format!("{path}/links"),
            &[
                ("csrf", &token),
                ("other", "cases"),
                ("other_id", &case_id),
                ("linked", "1"),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER);
    let case_page = staff.get(&format!("/staff/records/cases/{case_id}")).await;
    assert!(section(&case_page.body, "related-documents-title").contains("Contract"));
    let unlinked = staff
        .post(
            &format!("{path}/links"),
            &[
                ("csrf", &token),
                ("other", "cases"),
                ("other_id", &case_id),
                ("linked", "0"),
            ],
        )
        .await;
    assert_eq!(unlinked.status, StatusCode::SEE_OTHER);
    let case_page = staff.get(&format!("/staff/records/cases/{case_id}")).await;
    let related = section(&case_page.body, "related-documents-title");
    assert!(related.contains("No records"), "{related}");
    assert!(related.contains("<option"), "it can be linked again");
}

async fn a_deleted_customer_is_struck_through_where_they_wrote(app: TestApp) {
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let (status, raised) = common::send(
        app.portal(&emma, reqwest::Method::POST, "/records/cases")
            .json(&json!({"title": "From a customer who left"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    let id = raised["id"].as_str().expect("id");
    let (status, _) = common::send(app.admin(
        reqwest::Method::DELETE,
        &format!("/api/v1/records/contacts/{}", emma.id),
    ))
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut staff = Browser::new(&app);
    staff.staff_sign_in("agent@example.com").await;
    let page = staff.get(&format!("/staff/records/cases/{id}")).await;
    assert!(page.body.contains("Created by (customer)"));
    assert!(page.body.contains("<del>Emma Stone</del>"), "{}", page.body);
}

async fn a_contact_page_says_why_no_invitation_went_out(app: TestApp) {
    let acme = app.organization("Acme").await;
    let quiet = app
        .create(
            "contacts",
            json!({"first_name": "Quinn", "last_name": "Quiet", "email": "quinn@acme.example", "organization": acme, "email_opt_out": true, "portal_user": true}),
        )
        .await;
    assert_eq!(quiet["portal"]["invited"], false, "{quiet}");
    let id = quiet["id"].as_str().expect("id");
    let mut staff = Browser::new(&app);
    staff.staff_sign_in("agent@example.com").await;
    let page = staff.get(&format!("/staff/records/contacts/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("No invitation was sent: the contact opted out of e-mail."),
        "{}",
        page.body
    );
}
