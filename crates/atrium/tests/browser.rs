//! The customer portal in a real browser: Debian's chromium, headless, driven through
//! chromedriver. A customer signs in, sees the home's charts, raises a case, comments on it,
//! uploads and downloads a document, exports a PDF, edits the profile, switches to German and
//! signs out; a customer of another organization sees none of it on any page. axe-core checks
//! every page type (no serious or critical violations). Staff use the back office: an agent
//! replies and writes an internal note, an admin configures the portal and gives a contact
//! access, and "view as customer" shows what the customer's own session shows.
//!
//! Without chromedriver the test says it was skipped, unless `TEST_REQUIRE_BROWSER=1` makes that
//! a failure. axe-core is read from `AXE_CORE_JS` (default: `axe.min.js` of an
//! `npm install axe-core` under `~/.cache/atrium/axe`). With `ATRIUM_SCREENSHOTS=DIR` the test
//! saves each page type at 390 and 1280 px, light and dark, into DIR.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use thirtyfour::prelude::*;

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

/// chromedriver and chromium, or None (after saying so) when they are not installed.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = on_path("chromedriver");
    let browser = on_path("chromium").or_else(|| on_path("chromium-browser"));
    match (driver, browser) {
        (Some(driver), Some(browser)) => Some((driver, browser)),
        _ if std::env::var("TEST_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!("chromium and chromium-driver are required (TEST_REQUIRE_BROWSER=1)")
        }
        _ => {
            eprintln!("skipped: chromium or chromedriver is not installed");
            None
        }
    }
}

async fn start_driver(program: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver { child, url }
}

async fn browser(driver: &Driver, chromium: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
    ] {
        caps.add_arg(arg).expect("argument");
    }
    caps.set_binary(&chromium.display().to_string())
        .expect("binary");
    WebDriver::new(&driver.url, caps)
        .await
        .expect("a browser session")
}

fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE_JS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| {
                PathBuf::from(home).join(".cache/atrium/axe/node_modules/axe-core/axe.min.js")
            })
        })?;
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("TEST_REQUIRE_BROWSER").as_deref() == Ok("1") => {
            panic!(
                "axe-core is required at {} (npm install axe-core)",
                path.display()
            )
        }
        Err(_) => {
            eprintln!(
                "axe-core not found at {}: accessibility checks skipped",
                path.display()
            );
            None
        }
    }
}

/// Runs axe-core on the page: the serious and critical violations, as `id: targets` lines.
async fn accessibility_problems(driver: &WebDriver, axe: &str) -> Vec<String> {
    driver.execute(axe, vec![]).await.expect("load axe-core");
    let result = driver
        .execute(
            "return axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)",
            vec![],
        )
        .await
        .expect("run axe-core");
    let violations: Value = result.json().clone();
    violations
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let targets: Vec<String> = v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|n| n["target"].to_string())
                .collect();
            format!(
                "{}: {}",
                v["id"].as_str().unwrap_or("?"),
                targets.join(", ")
            )
        })
        .collect()
}

/// Saves the current page at phone and desktop width, light and dark, when asked to.
async fn screenshots(driver: &WebDriver, name: &str) {
    let Some(dir) = std::env::var_os("ATRIUM_SCREENSHOTS").map(PathBuf::from) else {
        return;
    };
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    let tools = driver.cdp();
    for (width, height) in [(390, 844), (1280, 900)] {
        for scheme in ["light", "dark"] {
            tools
                .send_raw(
                    "Emulation.setEmulatedMedia",
                    json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
                )
                .await
                .expect("color scheme");
            tools
                .send_raw(
                    "Emulation.setDeviceMetricsOverride",
                    json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}),
                )
                .await
                .expect("size");
            driver
                .execute("window.scrollTo(0, 0)", vec![])
                .await
                .expect("scroll");
            let path = dir.join(format!("{name}-{width}-{scheme}.png"));
            driver.screenshot(&path).await.expect("screenshot");
        }
    }
    tools
        .send_raw("Emulation.clearDeviceMetricsOverride", json!({}))
        .await
        .expect("reset size");
    tools
        .send_raw("Emulation.setEmulatedMedia", json!({"features": []}))
        .await
        .expect("reset scheme");
}

/// Checks the page type with axe-core and takes its screenshots.
async fn look_at(driver: &WebDriver, axe: Option<&str>, name: &str) {
    if let Some(axe) = axe {
        let problems = accessibility_problems(driver, axe).await;
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    screenshots(driver, name).await;
}

async fn fill(driver: &WebDriver, css: &str, text: &str) {
    let input = driver.find(By::Css(css)).await.expect(css);
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

/// Submits the form and waits for the page that answers it.
async fn submit(driver: &WebDriver, form: &str) {
    let old = driver.find(By::Tag("html")).await.expect("a page");
    driver
        .find(By::Css(format!("{form} button[type=submit]")))
        .await
        .expect("a submit button")
        .click()
        .await
        .expect("click");
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for _ in 0..200 {
        let ready = driver
            .execute("return document.readyState", vec![])
            .await
            .ok()
            .and_then(|r| r.json().as_str().map(str::to_owned));
        if ready.as_deref() == Some("complete") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn body_text(driver: &WebDriver) -> String {
    driver
        .find(By::Tag("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_uses_the_portal_in_a_browser() {
    let Some((chromedriver, chromium)) = tools() else {
        return;
    };
    let app = TestApp::spawn(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let gina = app.customer("Gina", "Globe", Some(&globex)).await;
    for (title, priority) in [
        ("Printer on fire", "High"),
        ("Slow VPN", "Low"),
        ("Toner", "Low"),
    ] {
        app.create(
            "cases",
            json!({"title": title, "priority": priority, "organization": acme, "contact": emma.id}),
        )
        .await;
    }
    let secret = app
        .create(
            "cases",
            json!({"title": "Globex secret merger", "organization": globex, "contact": gina.id}),
        )
        .await;
    app.create(
        "faqs",
        json!({"question": "How do I reset the router?", "answer": "Press the **reset** button for ten seconds.", "status": "Published", "category": "Technical"}),
    )
    .await;
    let axe = axe_source();
    let axe = axe.as_deref();
    let driver_process = start_driver(&chromedriver).await;
    let driver = browser(&driver_process, &chromium).await;
    let base = app.base.clone();

    // Sign in: the home is behind it.
    driver.goto(format!("{base}/portal/")).await.expect("open");
    assert!(
        driver
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/login")
    );
    look_at(&driver, axe, "sign-in").await;
    fill(&driver, "#email", &emma.email).await;
    fill(&driver, "#password", common::CUSTOMER_PASSWORD).await;
    submit(&driver, "form").await;
    assert_eq!(driver.current_url().await.expect("url").path(), "/portal/");
    driver
        .find(By::Css("svg.donut"))
        .await
        .expect("the open cases chart");
    assert!(body_text(&driver).await.contains("Printer on fire"));
    look_at(&driver, axe, "home").await;

    // Raise a case, then comment on it.
    driver
        .goto(format!("{base}/portal/records/cases/new"))
        .await
        .expect("open");
    look_at(&driver, axe, "form").await;
    fill(&driver, "#f-title", "Scanner jams on every page").await;
    driver
        .find(By::Css("#f-priority option[value=Urgent]"))
        .await
        .expect("priority")
        .click()
        .await
        .expect("choose");
    fill(&driver, "#f-description", "Since Monday.").await;
    submit(&driver, "main form").await;
    let record_url = driver.current_url().await.expect("url");
    assert!(record_url.path().starts_with("/portal/records/cases/"));
    assert!(
        body_text(&driver)
            .await
            .contains("Scanner jams on every page")
    );
    fill(&driver, "#body", "It *still* jams.").await;
    submit(&driver, "#comments form").await;
    let text = body_text(&driver).await;
    assert!(text.contains("It still jams."), "{text}");
    look_at(&driver, axe, "record").await;

    driver
        .goto(format!("{base}/portal/records/cases"))
        .await
        .expect("open");
    let text = body_text(&driver).await;
    assert!(text.contains("Scanner jams on every page") && !text.contains("Globex"));
    look_at(&driver, axe, "list").await;

    // Upload a document, then download it.
    driver
        .goto(format!("{base}/portal/records/documents/new"))
        .await
        .expect("open");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("invoice-question.txt");
    std::fs::write(&file, "Why is line 3 twice?").expect("a file");
    fill(&driver, "#f-title", "Invoice question").await;
    driver
        .find(By::Css("#f-file"))
        .await
        .expect("file input")
        .send_keys(file.display().to_string())
        .await
        .expect("choose file");
    submit(&driver, "main form").await;
    let download = driver
        .find(By::LinkText("Download"))
        .await
        .expect("a download link")
        .attr("href")
        .await
        .expect("href")
        .expect("a target");
    let session = driver
        .get_named_cookie("atrium_portal")
        .await
        .expect("the session cookie")
        .value;
    let fetch = |path: String| {
        let session = session.clone();
        let base = base.clone();
        async move {
            let url = if path.starts_with("http") {
                path
            } else {
                format!("{base}{path}")
            };
            reqwest::Client::new()
                .get(url)
                .header("cookie", format!("atrium_portal={session}"))
                .send()
                .await
                .expect("answer")
        }
    };
    let file_answer = fetch(download).await;
    assert_eq!(file_answer.status(), 200);
    assert_eq!(
        file_answer.text().await.expect("body"),
        "Why is line 3 twice?"
    );
    let pdf = fetch(format!("{}/pdf", record_url.path())).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");

    // Another organization's case is not there, on any page.
    let secret_id = secret["id"].as_str().expect("id");
    driver
        .goto(format!("{}/portal/records/cases/{secret_id}", app.base))
        .await
        .expect("open");
    let text = body_text(&driver).await;
    assert!(
        text.contains("Not found") && !text.contains("merger"),
        "{text}"
    );
    look_at(&driver, axe, "not-found").await;

    // A quote: its lines and totals, accepted on its page.
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    if let Some(modules) = portal["modules"].as_array_mut() {
        modules.push(
            json!({"module": "quotes", "scope": "all", "create": false, "edit": false,
            "comments": true, "related": [],
            "fields": {"subject": "read_only", "stage": "read_only", "valid_until": "read_only",
                       "currency": "read_only", "items": "read_only", "subtotal": "read_only",
                       "tax_total": "read_only", "total": "read_only",
                       "terms_conditions": "read_only", "signed_by": "read_only"}}),
        );
    }
    let (status, _) = common::send(
        app.admin(reqwest::Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let quote = app
        .create(
            "quotes",
            json!({"subject": "Network refresh 2027", "stage": "Delivered", "organization": acme,
                   "valid_until": "2027-01-31", "terms_conditions": "Payment within **30 days**.",
                   "items": [
                       {"description": "Orion Firewall 900 — rack-mounted, with three years of updates",
                        "quantity": 2, "unit_price": 2190, "discount_percent": 10, "tax_percent": 19},
                       {"description": "On-site installation", "quantity": 6.5, "unit_price": 95, "tax_percent": 19},
                       {"description": "Travel (flat rate)", "quantity": 1, "unit_price": 120, "tax_percent": 0}]}),
        )
        .await;
    driver
        .goto(format!(
            "{}/portal/records/quotes/{}",
            app.base,
            quote["id"].as_str().unwrap_or_default()
        ))
        .await
        .expect("open");
    driver
        .find(By::Css("table.line-items"))
        .await
        .expect("the line items");
    look_at(&driver, axe, "quote").await;
    submit(&driver, "#decision form").await;
    let text = body_text(&driver).await;
    assert!(
        text.contains("Accepted") && text.contains("Quote accepted online by Emma Stone"),
        "{text}"
    );

    // The FAQ, searched.
    driver
        .goto(format!("{}/portal/faqs?q=router", app.base))
        .await
        .expect("open");
    driver
        .find(By::Css("mark"))
        .await
        .expect("a highlighted word");
    look_at(&driver, axe, "faq").await;

    // The profile: a phone number, then German.
    driver
        .goto(format!("{}/portal/profile", app.base))
        .await
        .expect("open");
    look_at(&driver, axe, "profile").await;
    if driver.find(By::Css("#contact-phone")).await.is_ok() {
        fill(&driver, "#contact-phone", "+49 30 1234567").await;
        submit(&driver, "form:has(#contact-phone)").await;
        assert!(body_text(&driver).await.contains("Saved."));
    }
    driver
        .find(By::Css("#language option[value=de]"))
        .await
        .expect("German")
        .click()
        .await
        .expect("choose German");
    submit(&driver, "form:has(#language)").await;
    assert!(body_text(&driver).await.contains("Gespeichert."));
    driver
        .goto(format!("{}/portal/", app.base))
        .await
        .expect("open");
    let html = driver
        .find(By::Tag("html"))
        .await
        .expect("html")
        .attr("lang")
        .await
        .expect("lang");
    assert_eq!(html.as_deref(), Some("de"));
    assert!(body_text(&driver).await.contains("Neueste Fälle"));
    look_at(&driver, axe, "home-de").await;

    // Sign out: the session is gone.
    driver
        .find(By::Css(".account summary"))
        .await
        .expect("account menu")
        .click()
        .await
        .expect("open menu");
    submit(&driver, ".account form").await;
    assert!(
        driver
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/login")
    );
    driver
        .goto(format!("{}/portal/records/cases", app.base))
        .await
        .expect("open");
    assert!(
        driver
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with("/login")
    );

    driver.quit().await.expect("quit");
}

/// Opens `path` of the app.
async fn open(driver: &WebDriver, base: &str, path: &str) {
    driver.goto(format!("{base}{path}")).await.expect("open");
}

async fn path_now(driver: &WebDriver) -> String {
    driver.current_url().await.expect("url").path().to_owned()
}

async fn sign_in_staff(driver: &WebDriver, base: &str, email: &str) {
    open(driver, base, "/staff/login").await;
    fill(driver, "#email", email).await;
    fill(driver, "#password", common::ADMIN_PASSWORD).await;
    submit(driver, "main form").await;
    assert_eq!(path_now(driver).await, "/staff/");
}

async fn sign_out_staff(driver: &WebDriver) {
    driver
        .find(By::Css(".account summary"))
        .await
        .expect("account menu")
        .click()
        .await
        .expect("open menu");
    submit(driver, ".account form").await;
}

async fn choose(driver: &WebDriver, select: &str, value: &str) {
    driver
        .find(By::Css(format!("{select} option[value=\"{value}\"]")))
        .await
        .unwrap_or_else(|_| panic!("{select} has {value}"))
        .click()
        .await
        .expect("choose");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_use_the_back_office_in_a_browser() {
    let Some((chromedriver, chromium)) = tools() else {
        return;
    };
    let app = TestApp::spawn(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let colleague = app
        .create(
            "contacts",
            json!({"first_name": "Carl", "last_name": "Colleague", "email": "carl@acme.example", "organization": acme}),
        )
        .await;
    let carl_id = colleague["id"].as_str().expect("id").to_owned();
    app.create(
        "cases",
        json!({"title": "Case of Carl Colleague", "organization": acme, "contact": carl_id, "priority": "Urgent"}),
    )
    .await;
    let (status, raised) = common::send(
        app.portal(&emma, reqwest::Method::POST, "/records/cases")
            .json(&json!({"title": "Invoice looks wrong", "priority": "High"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    let case_id = raised["id"].as_str().expect("id").to_owned();
    let axe = axe_source();
    let axe = axe.as_deref();
    let driver_process = start_driver(&chromedriver).await;
    let driver = browser(&driver_process, &chromium).await;
    let base = app.base.clone();

    // An agent: their work, a record, a reply and an internal note; no settings.
    open(&driver, &base, "/staff/").await;
    assert!(path_now(&driver).await.ends_with("/login"));
    look_at(&driver, axe, "staff-sign-in").await;
    sign_in_staff(&driver, &base, "agent@example.com").await;
    assert!(body_text(&driver).await.contains("Invoice looks wrong"));
    look_at(&driver, axe, "staff-home").await;
    open(&driver, &base, "/staff/settings/").await;
    assert!(
        body_text(&driver)
            .await
            .contains("You may not do this here.")
    );
    open(&driver, &base, "/staff/records/cases?priority=High").await;
    assert!(body_text(&driver).await.contains("Invoice looks wrong"));
    look_at(&driver, axe, "staff-list").await;
    open(&driver, &base, &format!("/staff/records/cases/{case_id}")).await;
    assert!(body_text(&driver).await.contains("Created by (customer)"));
    fill(&driver, "#body", "We are on it, **Emma**.").await;
    submit(&driver, "#comments form").await;
    driver
        .find(By::Css("input[name=internal][value=\"1\"]"))
        .await
        .expect("internal note choice")
        .click()
        .await
        .expect("choose internal");
    fill(&driver, "#body", "Customer owes us two invoices.").await;
    submit(&driver, "#comments form").await;
    let text = body_text(&driver).await;
    assert!(
        text.contains("We are on it, Emma.") && text.contains("owes us"),
        "{text}"
    );
    look_at(&driver, axe, "staff-record").await;
    open(
        &driver,
        &base,
        &format!("/staff/records/cases/{case_id}/edit"),
    )
    .await;
    look_at(&driver, axe, "staff-form").await;

    // A quote written in the form: a line, its total computed.
    open(&driver, &base, "/staff/records/quotes/new").await;
    look_at(&driver, axe, "staff-quote-form").await;
    fill(&driver, "#f-subject", "Laptops for the new team").await;
    fill(&driver, "#items-0-description", "Vega Laptop 14, 16 GB").await;
    fill(&driver, "#items-0-quantity", "12").await;
    fill(&driver, "#items-0-unit_price", "1099").await;
    fill(&driver, "#items-0-tax_percent", "19").await;
    submit(&driver, "form[action=\"/staff/records/quotes\"]").await;
    let text = body_text(&driver).await;
    assert!(text.contains("15,693.72"), "{text}");
    look_at(&driver, axe, "staff-quote").await;
    sign_out_staff(&driver).await;

    // An admin configures the portal: priority hidden, cases of the whole organization, the
    // FAQ first in the menu; then gives Carl portal access.
    sign_in_staff(&driver, &base, "admin@example.com").await;
    open(&driver, &base, "/staff/settings/").await;
    look_at(&driver, axe, "staff-settings").await;
    open(&driver, &base, "/staff/settings/portals/default?tab=layout").await;
    choose(&driver, "select[name=\"m.cases.field.priority\"]", "hidden").await;
    choose(&driver, "select[name=\"m.cases.scope\"]", "all").await;
    fill(&driver, "input[name=\"menu_order.faqs\"]", "0").await;
    submit(&driver, "main form").await;
    assert!(body_text(&driver).await.contains("Saved."));
    look_at(&driver, axe, "staff-portal-layout").await;
    open(
        &driver,
        &base,
        "/staff/settings/portals/default?tab=details",
    )
    .await;
    look_at(&driver, axe, "staff-portal-details").await;
    open(&driver, &base, "/staff/settings/portals").await;
    look_at(&driver, axe, "staff-portals").await;
    open(
        &driver,
        &base,
        "/staff/settings/portals/default?tab=profile",
    )
    .await;
    look_at(&driver, axe, "staff-portal-profile").await;
    open(&driver, &base, "/staff/settings/email-templates").await;
    look_at(&driver, axe, "staff-email-templates").await;
    open(&driver, &base, "/staff/settings/portal-roles").await;
    look_at(&driver, axe, "staff-portal-roles").await;
    open(
        &driver,
        &base,
        "/staff/settings/email-templates/portal_invitation",
    )
    .await;
    look_at(&driver, axe, "staff-email-template").await;
    // The preview follows what is typed, without saving.
    fill(
        &driver,
        "#subject",
        "Welcome aboard, {{ contact.first_name }}",
    )
    .await;
    let mut previewed = String::new();
    for _ in 0..100 {
        previewed = driver
            .find(By::Css("#live-preview"))
            .await
            .expect("the preview")
            .text()
            .await
            .expect("text");
        if previewed.contains("Welcome aboard,") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(previewed.contains("Welcome aboard,"), "{previewed}");
    open(&driver, &base, "/staff/settings/users").await;
    look_at(&driver, axe, "staff-users").await;
    open(&driver, &base, "/staff/settings/company").await;
    look_at(&driver, axe, "staff-company").await;

    open(
        &driver,
        &base,
        &format!("/staff/records/contacts/{carl_id}/edit"),
    )
    .await;
    driver
        .find(By::Css("input[name=portal_user]"))
        .await
        .expect("the portal user switch")
        .click()
        .await
        .expect("switch on");
    submit(&driver, "main form").await;
    assert!(
        body_text(&driver)
            .await
            .contains("The invitation is on its way.")
    );
    look_at(&driver, axe, "staff-contact").await;
    open(&driver, &base, "/staff/settings/email").await;
    let text = body_text(&driver).await;
    assert!(
        text.contains("carl@acme.example"),
        "the invitation is in the outbox: {text}"
    );
    look_at(&driver, axe, "staff-email").await;

    // View as customer shows what Emma's own session shows.
    open(
        &driver,
        &base,
        &format!(
            "/staff/records/contacts/{}/portal-preview?module=cases",
            emma.id
        ),
    )
    .await;
    let preview = body_text(&driver).await;
    look_at(&driver, axe, "staff-preview").await;
    sign_out_staff(&driver).await;

    open(&driver, &base, "/portal/login").await;
    fill(&driver, "#email", &emma.email).await;
    fill(&driver, "#password", common::CUSTOMER_PASSWORD).await;
    submit(&driver, "form").await;
    open(&driver, &base, "/portal/records/cases").await;
    let own = body_text(&driver).await;
    for title in ["Case of Carl Colleague", "Invoice looks wrong"] {
        assert!(own.contains(title) && preview.contains(title), "{title}");
    }
    assert!(!own.contains("Urgent"), "the hidden field stays hidden");
    let menu: Vec<String> = {
        let mut labels = Vec::new();
        for link in driver.find_all(By::Css(".top nav a")).await.expect("menu") {
            labels.push(link.text().await.expect("label"));
        }
        labels
    };
    assert_eq!(menu.get(1).map(String::as_str), Some("FAQ"), "{menu:?}");
    open(&driver, &base, &format!("/portal/records/cases/{case_id}")).await;
    let text = body_text(&driver).await;
    assert!(text.contains("We are on it, Emma."), "{text}");
    assert!(!text.contains("owes us"), "an internal note stays inside");

    driver.quit().await.expect("quit");
}
