//! The customer portal in a real browser: Debian's chromium, headless, driven through
//! chromedriver. A customer signs in, sees the home's charts, raises a case, comments on it,
//! uploads and downloads a document, exports a PDF, edits the profile, switches to German and
//! signs out; a customer of another organization sees none of it on any page. axe-core checks
//! every page type (no serious or critical violations).
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
