//! A list's total is exact whoever wrote last: a large total is kept between requests and
//! counted again as soon as a transaction on any instance (here: a second store on the same
//! database) creates, changes or deletes a record of its module.

mod common;

use atrium_core::Value;
use atrium_store::Actor;
use common::TestApp;
use sea_query::{Expr, ExprTrait, Query};
use time::OffsetDateTime;
use uuid::Uuid;

on_both_databases!(a_kept_total_follows_every_write_of_every_instance);

/// The total of the active products' list, as the staff API answers it.
async fn active_total(app: &TestApp) -> u64 {
    let (status, page) = app
        .get("/api/v1/records/products?active=true&per_page=5")
        .await;
    assert!(status.is_success(), "{status}: {page}");
    page["total"].as_u64().expect("a total")
}

async fn a_kept_total_follows_every_write_of_every_instance(app: TestApp) {
    let storage = tempfile::tempdir().expect("tempdir");
    let other = app.other_instance(storage.path()).await;
    let products = other
        .registry()
        .module("products")
        .expect("the products module")
        .clone();
    let product = |name: String, active: bool| {
        vec![
            ("name".to_owned(), Value::Text(name)),
            ("active".to_owned(), Value::Boolean(active)),
        ]
    };

    // Enough active products for their total to be kept.
    let rows: Vec<_> = (0..1200)
        .map(|i| {
            (
                Uuid::now_v7(),
                product(format!("Part {i}"), true),
                OffsetDateTime::now_utc(),
            )
        })
        .collect();
    let first = rows[0].0;
    app.store
        .insert_batch(&products, rows, Actor::System)
        .await
        .expect("loads");
    // The first count finds the total large, the second keeps it.
    assert_eq!(active_total(&app).await, 1200);
    assert_eq!(active_total(&app).await, 1200);

    // A row changed behind Atrium's back moves no version: the kept total answers, which
    // shows that the total is kept and not counted on every request.
    let behind = Query::update()
        .table("products")
        .value("active", false)
        .and_where(Expr::col("id").eq(first))
        .take();
    assert_eq!(app.store.db().execute(&behind).await.expect("updates"), 1);
    assert_eq!(active_total(&app).await, 1200, "the kept total");

    // Every write through the other instance is seen by the next request here.
    let mut created = Vec::new();
    for i in 0..2 {
        let record = other
            .create(&products, product(format!("New {i}"), true), Actor::System)
            .await
            .expect("creates");
        created.push(record.id);
    }
    assert_eq!(
        active_total(&app).await,
        1201,
        "counted again after creates"
    );
    assert_eq!(active_total(&app).await, 1201, "and kept again");

    other
        .update(
            &products,
            created[0],
            vec![("active".to_owned(), Value::Boolean(false))],
            Actor::System,
            None,
        )
        .await
        .expect("updates");
    assert_eq!(
        active_total(&app).await,
        1200,
        "counted again after an update"
    );

    other
        .delete(&products, created[1], Actor::System)
        .await
        .expect("deletes");
    assert_eq!(
        active_total(&app).await,
        1199,
        "counted again after a delete"
    );

    // A small total is counted every time, and right.
    let (_, inactive) = app
        .get("/api/v1/records/products?active=false&per_page=5")
        .await;
    assert_eq!(inactive["total"], 2);
}
