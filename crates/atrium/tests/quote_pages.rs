//! Quotes and invoices in the pages: staff write lines in the form and make an invoice from a
//! quote; a customer reads the lines and totals, accepts a quote, sees an overdue invoice; the
//! printed documents carry the lines, the total and any script.

mod common;

use common::TestApp;
use common::pages::Browser;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    staff_write_lines_in_the_form_and_make_an_invoice,
    a_customer_reads_and_accepts_a_quote_in_the_portal,
);

fn id(record: &Value) -> String {
    record["id"].as_str().unwrap_or_default().to_owned()
}

/// The text of a PDF, or None (said) where `pdftotext` is missing and not required.
fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, bytes).expect("write");
    match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(output) => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
        Err(_) if std::env::var_os("TEST_REQUIRE_BROWSER").is_none() => {
            eprintln!("skipped: pdftotext is not installed");
            None
        }
        Err(error) => panic!("pdftotext: {error}"),
    }
}

async fn staff_write_lines_in_the_form_and_make_an_invoice(app: TestApp) {
    let acme = app.organization("Acme").await;
    let product = app
        .create(
            "products",
            json!({"name": "Gold support", "unit_price": 1200}),
        )
        .await;
    let mut browser = Browser::new(&app);
    browser.staff_sign_in("agent@example.com").await;
    let form = browser.get("/staff/records/quotes/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("name=\"items.0.product\""),
        "{}",
        form.body
    );
    assert!(form.body.contains(">Gold support</option>"));
    let token = form.token();
    let product_id = id(&product);
    let mut fields = vec![
        ("csrf", token.as_str()),
        ("subject", "Support 2027"),
        ("stage", "Delivered"),
        ("organization", acme.as_str()),
        ("items.rows", "3"),
        // A product without a price takes its own.
        ("items.0.product", product_id.as_str()),
        ("items.0.quantity", "2"),
        ("items.0.discount_percent", "10"),
        ("items.0.tax_percent", "19"),
        // Row 1 is left blank; row 2 has a bad quantity.
        ("items.2.description", "Setup on site"),
        ("items.2.quantity", "two"),
        ("items.2.unit_price", "500"),
        ("items.2.tax_percent", "19"),
    ];
    let refused = browser.post("/staff/records/quotes", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    // The blank row is gone; the bad cell is the second line's, shown beside it, typed text kept.
    assert!(
        refused.body.contains("id=\"items-1-quantity-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(">Setup on site</textarea>"));
    fields.retain(|(name, _)| *name != "items.2.quantity");
    fields.push(("items.2.quantity", "1"));
    let created = browser.post("/staff/records/quotes", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let path = created.location();
    let quote_id = path.rsplit('/').next().expect("id").to_owned();
    let (_, stored) = app.get(&format!("/api/v1/records/quotes/{quote_id}")).await;
    assert_eq!(
        stored["items"].as_array().map(Vec::len),
        Some(2),
        "{stored}"
    );
    // 2 × 1200 less 10 % = 2160 + 500 = 2660; tax 19 % = 505.40.
    assert_eq!(stored["total"].as_f64(), Some(3165.4), "{stored}");

    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Gold support",
        "Setup on site",
        "2,160.00",
        "Tax 19 %",
        "Total EUR",
        "3,165.40",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    // Editing keeps the lines; one more line is added in the blank rows.
    let edit = browser.get(&format!("{path}/edit")).await;
    let mut edited = edit.form_fields(&path);
    edited.retain(|(name, _)| !name.starts_with("items.2."));
    edited.extend(
        [
            ("items.2.description", "Travel"),
            ("items.2.quantity", "1"),
            ("items.2.unit_price", "99.5"),
            ("items.2.tax_percent", "0"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let saved = browser.post_fields(&path, &edited).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, stored) = app.get(&format!("/api/v1/records/quotes/{quote_id}")).await;
    assert_eq!(
        stored["items"].as_array().map(Vec::len),
        Some(3),
        "{stored}"
    );
    assert_eq!(stored["total"].as_f64(), Some(3264.9));

    // The staff's PDF is the quote as a document.
    let bytes = browser
        .client
        .get(format!("{}{path}/pdf", browser.base))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    assert!(bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdf_text(&bytes) {
        for printed in [
            "Support 2027",
            "Gold support",
            "Setup on site",
            "Travel",
            "3,264.90",
        ] {
            assert!(text.contains(printed), "{printed} in {text}");
        }
    }

    // An invoice from the quote, opened at once.
    let page = browser.get(&path).await;
    let made = browser
        .post(&format!("{path}/invoice"), &[("csrf", &page.token())])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let invoice_path = made.location();
    assert!(
        invoice_path.starts_with("/staff/records/invoices/"),
        "{invoice_path}"
    );
    let invoice = browser
        .get(invoice_path.split('?').next().unwrap_or_default())
        .await;
    assert!(invoice.body.contains("3,264.90"), "{}", invoice.body);
}

async fn a_customer_reads_and_accepts_a_quote_in_the_portal(app: TestApp) {
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    if let Some(modules) = portal["modules"].as_array_mut() {
        let shown = [
            "subject",
            "currency",
            "items",
            "subtotal",
            "tax_total",
            "total",
            "terms_conditions",
        ];
        for (module, own) in [
            ("quotes", ["stage", "signed_by"]),
            ("invoices", ["status", "due_date"]),
        ] {
            let fields: serde_json::Map<String, Value> = shown
                .iter()
                .chain(own.iter())
                .map(|f| ((*f).to_owned(), json!("read_only")))
                .collect();
            modules.push(
                json!({"module": module, "scope": "all", "create": false, "edit": false,
                "comments": true, "related": [], "fields": fields}),
            );
        }
    }
    let (status, body) = common::send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let quote = app
        .create(
            "quotes",
            json!({"subject": "Rollout for Jürgen Ødegård, Αθήνα, Москва", "stage": "Delivered",
                   "organization": acme, "currency": "EUR",
                   "terms_conditions": "Payable within **30 days**.",
                   "items": [{"description": "Workshop in Москва", "quantity": 3, "unit_price": 450, "tax_percent": 19},
                             {"description": "Travel", "quantity": 1, "unit_price": 120, "tax_percent": 7}]}),
        )
        .await;
    let theirs = app
        .create(
            "quotes",
            json!({"subject": "Globex deal", "stage": "Delivered", "organization": globex}),
        )
        .await;
    app.create(
        "invoices",
        json!({"subject": "Old bill", "status": "Sent", "due_date": "2020-01-31", "organization": acme,
               "items": [{"description": "Hosting", "quantity": 1, "unit_price": 10}]}),
    )
    .await;

    let mut browser = Browser::new(&app);
    browser.sign_in(&emma.email).await;
    let path = format!("/portal/records/quotes/{}", id(&quote));
    let page = browser.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Workshop in Москва",
        "1,350.00",
        "Tax 19 %",
        "Tax 7 %",
        "Total EUR",
        "1,734.90",
        "value=\"Emma Stone\"",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }
    for path in [
        format!("/portal/records/quotes/{}", id(&theirs)),
        format!("/portal/records/quotes/{}/pdf", id(&theirs)),
    ] {
        assert_eq!(
            browser.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // The printed quote: its lines, its total and every script, exactly.
    let bytes = browser
        .client
        .get(format!("{}{path}/pdf", browser.base))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    if let Some(text) = pdf_text(&bytes) {
        for printed in [
            "Jürgen Ødegård, Αθήνα, Москва",
            "Workshop in Москва",
            "Travel",
            "1,734.90",
            "Payable within 30 days.",
        ] {
            assert!(text.contains(printed), "{printed} in {text}");
        }
        assert!(!text.contains("**"), "markdown is rendered: {text}");
    }

    // In German, from the API: the business document and a case's record document alike.
    let case = app
        .create("cases", json!({"title": "Drucker", "contact": emma.id}))
        .await;
    app.post(
        &format!("/api/v1/records/cases/{}/comments", id(&case)),
        json!({"body": "Wir sind dran."}),
    )
    .await;
    for (path, words) in [
        (
            format!("/records/quotes/{}/pdf", id(&quote)),
            ["Angebot", "Gesamt EUR", "Seite 1 von 1"],
        ),
        (
            format!("/records/cases/{}/pdf", id(&case)),
            ["Kommentare (1)", "Erstellt", "Seite 1 von 1"],
        ),
    ] {
        let bytes = app
            .portal(&emma, Method::GET, &path)
            .header("accept-language", "de")
            .send()
            .await
            .expect("pdf")
            .bytes()
            .await
            .expect("bytes");
        if let Some(text) = pdf_text(&bytes) {
            for word in words {
                assert!(text.contains(word), "{word} in {text}");
            }
        }
    }

    // A decision without a name is refused beside the field; then accepted, once.
    let token = page.token();
    let refused = browser
        .post(
            &format!("{path}/accept"),
            &[("csrf", &token), ("signer_name", " "), ("comment", "Go")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"signer-error\""),
        "{}",
        refused.body
    );
    let accepted = browser
        .post(
            &format!("{path}/accept"),
            &[
                ("csrf", &token),
                ("signer_name", "Emma Stone"),
                ("comment", "Go ahead"),
            ],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let after = browser.get(&path).await;
    assert!(after.body.contains("Accepted") && !after.body.contains("id=\"decision\""));
    assert!(
        after.body.contains("Quote accepted online by Emma Stone"),
        "{}",
        after.body
    );
    let again = browser
        .post(
            &format!("{path}/reject"),
            &[("csrf", &token), ("signer_name", "Emma Stone")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // An invoice past its due date and still owed says so.
    let list = browser.get("/portal/records/invoices").await;
    assert!(list.body.contains("Sent · Overdue"), "{}", list.body);
}
