//! `q` on the staff lists: full-text search over a module's text fields and its number,
//! every word as a prefix, best match first unless another sort is asked for; kept up to
//! date by every create, change and delete, on both databases.

mod common;

use common::TestApp;
use serde_json::{Value, json};

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["title"].as_str().map(str::to_owned))
        .collect()
}

async fn search(app: &TestApp, query: &str) -> Value {
    let (status, page) = app.get(&format!("/api/v1/records/cases?{query}")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{query}: {page}");
    page
}

async fn words_find_records_best_match_first(app: TestApp) {
    // Oldest first: without ranking, the default order (latest change first) would put the
    // weakest match on top.
    let strong = app
        .create(
            "cases",
            json!({"title": "Printer jams on tray 2", "description": "The printer in the office jams daily; the printer log shows tray errors."}),
        )
        .await;
    app.create(
        "cases",
        json!({"title": "VPN drops at night", "description": "Unrelated to the printer, the tunnel drops."}),
    )
    .await;
    app.create(
        "cases",
        json!({"title": "Projector flickers", "description": "Meeting room B."}),
    )
    .await;

    let page = search(&app, "q=printer").await;
    assert_eq!(page["total"], 2);
    assert_eq!(
        titles(&page),
        ["Printer jams on tray 2", "VPN drops at night"],
        "the case that is about printers comes first"
    );

    let prefix = search(&app, "q=PRINT").await;
    assert_eq!(
        prefix["total"], 2,
        "a word's beginning finds it, in any case"
    );

    let both = search(&app, "q=printer%20tray").await;
    assert_eq!(
        titles(&both),
        ["Printer jams on tray 2"],
        "every word counts"
    );

    let nothing = search(&app, "q=printer%20scanner").await;
    assert_eq!(nothing["total"], 0);

    let number = strong["number"].as_str().unwrap_or_default();
    let by_number = search(&app, &format!("q={number}")).await;
    assert_eq!(titles(&by_number), ["Printer jams on tray 2"]);

    let sorted = search(&app, "q=printer&sort=-title").await;
    assert_eq!(
        titles(&sorted),
        ["VPN drops at night", "Printer jams on tray 2"],
        "an explicit sort wins over relevance"
    );

    let syntax = search(&app, "q=%22printer%20OR%20*%3A%20NEAR(").await;
    assert_eq!(
        syntax["total"], 0,
        "search syntax in user text is just words"
    );
}

async fn changes_and_deletes_reach_the_index(app: TestApp) {
    let case = app
        .create(
            "cases",
            json!({"title": "Scanner offline", "description": "Since Monday."}),
        )
        .await;
    let id = case["id"].as_str().unwrap_or_default();
    assert_eq!(search(&app, "q=scanner").await["total"], 1);

    let (status, _) = app
        .patch(
            &format!("/api/v1/records/cases/{id}"),
            json!({"title": "Plotter offline"}),
        )
        .await;
    assert!(status.is_success());
    assert_eq!(search(&app, "q=scanner").await["total"], 0, "old words go");
    assert_eq!(
        search(&app, "q=plotter").await["total"],
        1,
        "new words come"
    );
    assert_eq!(
        search(&app, "q=monday%20plotter").await["total"],
        1,
        "unchanged fields stay found"
    );

    let deleted = app
        .admin(
            reqwest::Method::DELETE,
            &format!("/api/v1/records/cases/{id}"),
        )
        .send()
        .await
        .expect("DELETE");
    assert!(deleted.status().is_success());
    assert_eq!(search(&app, "q=plotter").await["total"], 0);
}

async fn other_modules_search_their_own_text_fields(app: TestApp) {
    app.create(
        "contacts",
        json!({"first_name": "Anna", "last_name": "Berg", "email": "anna.berg@example.com"}),
    )
    .await;
    app.create(
        "contacts",
        json!({"first_name": "Bruno", "last_name": "Annaud", "email": "bruno@example.com"}),
    )
    .await;
    let (_, by_name) = app.get("/api/v1/records/contacts?q=berg").await;
    assert_eq!(by_name["total"], 1);
    let (_, by_prefix) = app.get("/api/v1/records/contacts?q=ann").await;
    assert_eq!(by_prefix["total"], 2, "Anna and Annaud");
    let (_, by_mail) = app.get("/api/v1/records/contacts?q=bruno%40example").await;
    assert_eq!(by_mail["total"], 1);
}

async fn a_number_typed_with_its_prefix_finds_its_record(app: TestApp) {
    let mut numbers = Vec::new();
    for title in ["Scanner offline", "Toner empty", "Paper jam"] {
        let case = app.create("cases", json!({ "title": title })).await;
        numbers.push(case["number"].as_str().unwrap_or_default().to_owned());
    }
    let number = &numbers[1];
    assert!(number.starts_with("CS-"), "{number}");
    let page = search(&app, &format!("q={number}")).await;
    assert_eq!(page["total"], 1, "{number}: {page}");
    assert_eq!(titles(&page), ["Toner empty"]);
    let lower = search(&app, &format!("q={}", number.to_lowercase())).await;
    assert_eq!(lower["total"], 1);
    let with_word = search(&app, &format!("q={number}%20toner")).await;
    assert_eq!(with_word["total"], 1);
    let other_word = search(&app, &format!("q={number}%20scanner")).await;
    assert_eq!(other_word["total"], 0, "every word still counts");
}

on_both_databases!(
    a_number_typed_with_its_prefix_finds_its_record,
    words_find_records_best_match_first,
    changes_and_deletes_reach_the_index,
    other_modules_search_their_own_text_fields,
);
