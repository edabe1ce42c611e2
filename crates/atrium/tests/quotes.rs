//! Quotes and invoices: line items priced exactly by Atrium, grid validation, a customer's
//! accept or reject, invoices made from quotes, and who may see them.

mod common;

use common::{Customer, TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    totals_are_computed_exactly_and_never_taken_from_a_client,
    bad_lines_are_named_by_row_and_column,
    a_customer_accepts_or_rejects_a_delivered_quote_once,
    another_organizations_quote_does_not_exist_anywhere,
    an_invoice_is_made_from_a_quote,
);

fn id(record: &Value) -> &str {
    record["id"].as_str().unwrap_or_default()
}

/// Puts quotes and invoices in the default portal's menu, their fields readable.
async fn portal_with_quotes(app: &TestApp) {
    let (_, mut portal) = app.get("/api/v1/admin/portals/default").await;
    let readable = |names: &[&str]| -> Value {
        names
            .iter()
            .map(|n| ((*n).to_owned(), json!("read_only")))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let modules = portal["modules"].as_array_mut().expect("modules");
    modules.push(json!({"module": "quotes", "scope": "all", "create": false, "edit": false,
        "comments": true, "related": [],
        "fields": readable(&["subject", "stage", "valid_until", "currency", "items", "subtotal",
                             "tax_total", "total", "terms_conditions", "signed_by", "decided_at"])}));
    modules.push(
        json!({"module": "invoices", "scope": "all", "create": false, "edit": false,
        "comments": false, "related": [],
        "fields": readable(&["subject", "status", "invoice_date", "due_date", "currency", "items",
                             "subtotal", "tax_total", "total"])}),
    );
    let (status, body) = send(
        app.admin(Method::PUT, "/api/v1/admin/portals/default")
            .json(&portal),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn totals_are_computed_exactly_and_never_taken_from_a_client(app: TestApp) {
    let product = app
        .create(
            "products",
            json!({"name": "Gold support", "unit_price": 1200}),
        )
        .await;
    // The API's own example, with totals a client made up.
    let quote = app
        .create(
            "quotes",
            json!({"subject": "Support plan 2027", "stage": "Delivered",
                   "total": 1, "subtotal": 1, "tax_total": 1,
                   "items": [{"product": id(&product), "service": null,
                              "description": "Gold support, 12 months", "quantity": 2,
                              "unit_price": 1200.00, "discount_percent": 10, "tax_percent": 19,
                              "net": 5, "tax": 5}]}),
        )
        .await;
    assert_eq!(
        quote["number"].as_str().map(|n| n.starts_with("QU-")),
        Some(true)
    );
    assert_eq!(
        quote["currency"], "EUR",
        "the company's currency by default"
    );
    let line = &quote["items"][0];
    assert_eq!(
        (line["net"].as_f64(), line["tax"].as_f64()),
        (Some(2160.0), Some(410.4))
    );
    assert_eq!(line["product"]["label"], "Gold support");
    assert_eq!(quote["subtotal"].as_f64(), Some(2160.0));
    assert_eq!(quote["discount_total"].as_f64(), Some(240.0));
    assert_eq!(quote["tax_total"].as_f64(), Some(410.4));
    assert_eq!(quote["total"].as_f64(), Some(2570.4));

    // Several tax rates, a zero-quantity line, a credit line, halves rounded per line.
    let path = format!("/api/v1/records/quotes/{}", id(&quote));
    let (status, changed) = app
        .patch(
            &path,
            json!({"items": [
                {"description": "Consulting", "quantity": 1.5, "unit_price": 99.99, "tax_percent": 19},
                {"description": "Manual", "quantity": 3, "unit_price": 0.35, "discount_percent": 50, "tax_percent": 7},
                {"description": "Not needed", "quantity": 0, "unit_price": 500, "tax_percent": 19},
                {"description": "Goodwill", "quantity": 1, "unit_price": -10, "tax_percent": 19}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let nets: Vec<Option<f64>> = changed["items"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["net"].as_f64())
        .collect();
    // 1.5 × 99.99 = 149.985 → 149.99; 3 × 0.35 × 50 % = 0.525 → 0.53.
    assert_eq!(nets, [Some(149.99), Some(0.53), Some(0.0), Some(-10.0)]);
    // Taxes: 28.4981 → 28.50; 0.0371 → 0.04; 0; -1.90.
    assert_eq!(changed["tax_total"].as_f64(), Some(26.64));
    assert_eq!(changed["subtotal"].as_f64(), Some(140.52));
    assert_eq!(changed["total"].as_f64(), Some(167.16));

    // A whole-unit currency rounds to whole units, lines kept.
    let (_, yen) = app.patch(&path, json!({"currency": "JPY"})).await;
    assert_eq!(yen["items"][0]["net"].as_f64(), Some(150.0));
    assert_eq!(yen["items"][1]["net"].as_f64(), Some(1.0));
    assert_eq!(
        yen["total"].as_f64(),
        Some(150.0 + 1.0 - 10.0 + 29.0 + 0.0 - 2.0)
    );

    let (status, problem) = app.patch(&path, json!({"currency": "XBT"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), ["currency"]);
}

async fn bad_lines_are_named_by_row_and_column(app: TestApp) {
    let (status, problem) = app
        .post(
            "/api/v1/records/quotes",
            json!({"subject": "Broken", "items": [
                {"description": "fine", "quantity": 1, "unit_price": 10},
                {"description": "words", "quantity": "two", "unit_price": 10},
                {"description": "too precise", "quantity": 1, "unit_price": 10.001, "discount_percent": 101},
                {"quantity": 1, "unit_price": 1},
                {"product": "0190f0a0-0000-7000-8000-000000000001", "quantity": 1, "unit_price": 1, "colour": "red"}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        error_fields(&problem),
        [
            "items[1].quantity",
            "items[2].unit_price",
            "items[2].discount_percent",
            "items[3].description",
            "items[4].colour",
        ]
    );
    // A product that does not exist is found by the store, with its place.
    let (status, problem) = app
        .post(
            "/api/v1/records/quotes",
            json!({"subject": "Ghost", "items": [
                {"description": "fine", "quantity": 1, "unit_price": 10},
                {"product": "0190f0a0-0000-7000-8000-000000000001", "quantity": 1, "unit_price": 1}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), ["items[1].product"]);
    let (_, list) = app.get("/api/v1/records/quotes").await;
    assert_eq!(list["total"], 0, "nothing was kept: {list}");
}

async fn decide(
    app: &TestApp,
    customer: &Customer,
    quote: &Value,
    verb: &str,
) -> (StatusCode, Value) {
    send(
        app.portal(
            customer,
            Method::POST,
            &format!("/records/quotes/{}/{verb}", id(quote)),
        )
        .json(&json!({"signer_name": "Emma Stone", "comment": "Looks good, go ahead."})),
    )
    .await
}

async fn a_customer_accepts_or_rejects_a_delivered_quote_once(app: TestApp) {
    portal_with_quotes(&app).await;
    let acme = app.organization("Acme").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let lines =
        json!([{"description": "Setup", "quantity": 1, "unit_price": 500, "tax_percent": 19}]);
    let draft = app
        .create(
            "quotes",
            json!({"subject": "Draft", "organization": acme, "items": lines}),
        )
        .await;
    let agent = app
        .store
        .staff_user_by_email("agent@example.com")
        .await
        .expect("read")
        .expect("the agent")
        .id
        .to_string();
    let delivered = app
        .create("quotes", json!({"subject": "Delivered", "stage": "Delivered", "organization": acme, "items": lines, "assigned_to": agent}))
        .await;
    let reviewed = app
        .create(
            "quotes",
            json!({"subject": "Reviewed", "stage": "Reviewed", "contact": emma.id, "items": lines}),
        )
        .await;

    let (_, list) = send(app.portal(&emma, Method::GET, "/records/quotes")).await;
    let subjects: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|q| q["subject"].as_str())
        .collect();
    assert_eq!(subjects.len(), 2, "a Created quote is not sent yet: {list}");
    assert!(!subjects.contains(&"Draft"));
    let (status, _) = decide(&app, &emma, &draft, "accept").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a draft cannot be accepted");

    let (status, body) = send(
        app.portal(
            &emma,
            Method::POST,
            &format!("/records/quotes/{}/accept", id(&delivered)),
        )
        .json(&json!({"signer_name": "  "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["signer_name"]);

    let (status, accepted) = decide(&app, &emma, &delivered, "accept").await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["stage"], "Accepted");
    assert_eq!(accepted["signed_by"], "Emma Stone");
    assert_eq!(accepted["items"][0]["net"].as_f64(), Some(500.0));
    let (status, again) = decide(&app, &emma, &delivered, "reject").await;
    assert_eq!(status, StatusCode::CONFLICT, "only once: {again}");

    let (status, rejected) = decide(&app, &emma, &reviewed, "reject").await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["stage"], "Rejected");

    // The decision shows as a comment, on the timeline, and to staff.
    let (_, comments) = app
        .get(&format!(
            "/api/v1/records/quotes/{}/comments",
            id(&delivered)
        ))
        .await;
    let bodies = comments["items"].to_string();
    assert!(
        bodies.contains("Quote accepted online by Emma Stone") && bodies.contains("go ahead"),
        "{comments}"
    );
    let mails = common::wait_for_mails(&app, "agent@example.com", 1).await;
    assert!(
        mails
            .iter()
            .any(|(_, _, text)| text.contains("Quote accepted online by Emma Stone")),
        "the assigned agent hears of it: {mails:?}"
    );
    let (_, timeline) = app
        .get(&format!("/api/v1/records/contacts/{}/activity", emma.id))
        .await;
    let kinds = timeline.to_string();
    assert!(
        kinds.contains("quote_accepted") && kinds.contains("quote_rejected"),
        "{timeline}"
    );
}

async fn another_organizations_quote_does_not_exist_anywhere(app: TestApp) {
    portal_with_quotes(&app).await;
    let acme = app.organization("Acme").await;
    let globex = app.organization("Globex").await;
    let emma = app.customer("Emma", "Stone", Some(&acme)).await;
    let lines =
        json!([{"description": "Secret price", "quantity": 1, "unit_price": 77, "tax_percent": 0}]);
    let theirs = app
        .create("quotes", json!({"subject": "Globex deal", "stage": "Delivered", "organization": globex, "items": lines}))
        .await;
    let invoice = app
        .create("invoices", json!({"subject": "Globex bill", "status": "Sent", "organization": globex, "items": lines}))
        .await;
    for path in [
        format!("/records/quotes/{}", id(&theirs)),
        format!("/records/quotes/{}/pdf", id(&theirs)),
        format!("/records/quotes/{}/comments", id(&theirs)),
        format!("/records/invoices/{}", id(&invoice)),
        format!("/records/invoices/{}/pdf", id(&invoice)),
    ] {
        let (status, _) = send(app.portal(&emma, Method::GET, &path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = decide(&app, &emma, &theirs, "accept").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = send(app.portal(&emma, Method::GET, "/records/invoices")).await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, stored) = app
        .get(&format!("/api/v1/records/quotes/{}", id(&theirs)))
        .await;
    assert_eq!(stored["stage"], "Delivered", "untouched");
}

async fn an_invoice_is_made_from_a_quote(app: TestApp) {
    let acme = app.organization("Acme").await;
    let service = app
        .create(
            "services",
            json!({"name": "On-site day", "unit_price": 800}),
        )
        .await;
    let quote = app
        .create(
            "quotes",
            json!({"subject": "Rollout", "stage": "Accepted", "organization": acme, "currency": "USD",
                   "terms_conditions": "Payable within **30 days**.",
                   "items": [{"service": id(&service), "quantity": 2.5, "unit_price": 800, "tax_percent": 10}]}),
        )
        .await;
    let (status, invoice) = app
        .post(
            &format!("/api/v1/records/quotes/{}/invoice", id(&quote)),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{invoice}");
    assert_eq!(
        invoice["number"].as_str().map(|n| n.starts_with("INV-")),
        Some(true)
    );
    assert_eq!(invoice["status"], "Created");
    assert_eq!(invoice["quote"]["id"], quote["id"]);
    assert_eq!(invoice["organization"]["id"], json!(acme));
    assert_eq!(invoice["currency"], "USD");
    assert_eq!(invoice["items"][0]["service"]["label"], "On-site day");
    assert_eq!(invoice["total"].as_f64(), Some(2200.0));
    assert_eq!(invoice["terms_conditions"], quote["terms_conditions"]);
    assert!(invoice["invoice_date"].is_string() && invoice["due_date"].is_string());

    let rejected = app
        .create("quotes", json!({"subject": "No", "stage": "Rejected"}))
        .await;
    let (status, _) = app
        .post(
            &format!("/api/v1/records/quotes/{}/invoice", id(&rejected)),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}
