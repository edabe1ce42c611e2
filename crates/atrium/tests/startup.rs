//! Several instances starting at once on one fresh PostgreSQL database: each brings the schema
//! up to date in turn (an advisory lock), so none fails on a table or column another has just
//! added, and all of them work afterwards.

mod common;

use common::{Backend, database_url};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_on_postgres_migrate_safely() {
    common::init_logs();
    for _round in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some(url) = database_url(Backend::Postgres, dir.path()).await else {
            return;
        };
        let storage = format!("file://{}/files", dir.path().display());
        let opening = (0..4).map(|_| {
            let (url, storage) = (url.clone(), storage.clone());
            tokio::spawn(async move {
                atrium_store::Store::open(&url, &storage, atrium_core::standard::registry()).await
            })
        });
        let stores: Vec<_> = futures::future::join_all(opening)
            .await
            .into_iter()
            .map(|joined| joined.expect("no panic").expect("each instance starts"))
            .collect();
        for store in &stores {
            let cases = store.module("cases").expect("cases");
            let query = atrium_core::query::parse_list_params(cases, &[]).expect("a query");
            store
                .list(cases, &query)
                .await
                .expect("the schema is complete");
        }
    }
}

/// A picklist's order index is named after its values: once they change, the index of the old
/// values is dropped at the next start instead of being kept up to date by every write.
async fn an_order_index_of_old_picklist_values_is_dropped_at_start(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = database_url(backend, dir.path()).await else {
        return;
    };
    let storage = format!("file://{}/files", dir.path().display());
    let open = || atrium_store::Store::open(&url, &storage, atrium_core::standard::registry());
    let old = "CREATE INDEX \"cases__priority__order_0123456789ab\" ON cases (id)";
    // A field whose name holds the word stays untouched.
    let lookalike = "CREATE INDEX \"cases__ship__order_no__set\" ON cases (id)";
    let store = open().await.expect("first start");
    for ddl in [old, lookalike] {
        store.db().execute_ddl(ddl.to_owned()).await.expect("made");
        assert!(
            store.db().execute_ddl(ddl.to_owned()).await.is_err(),
            "exists: {ddl}"
        );
    }
    store.db().close().await;

    let store = open().await.expect("second start");
    store
        .db()
        .execute_ddl(old.to_owned())
        .await
        .expect("the old values' index was dropped, so it can be made again");
    assert!(
        store.db().execute_ddl(lookalike.to_owned()).await.is_err(),
        "an index that only looks alike is kept"
    );
    let cases = store.module("cases").expect("cases");
    let query = atrium_core::query::parse_list_params(
        cases,
        &[("sort".to_owned(), "-priority".to_owned())],
    )
    .expect("a query");
    store.list(cases, &query).await.expect("sorted by priority");
}

#[tokio::test]
async fn an_order_index_of_old_picklist_values_is_dropped_at_start_sqlite() {
    an_order_index_of_old_picklist_values_is_dropped_at_start(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_order_index_of_old_picklist_values_is_dropped_at_start_postgres() {
    an_order_index_of_old_picklist_values_is_dropped_at_start(Backend::Postgres).await;
}

/// The reads planned once go to connections set to plan each statement for any values; every
/// other statement keeps PostgreSQL's choice of a plan for its values.
#[tokio::test]
async fn generic_plans_are_a_setting_of_their_own_connections_on_postgres() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = database_url(Backend::Postgres, dir.path()).await else {
        return;
    };
    let storage = format!("file://{}/files", dir.path().display());
    let store = atrium_store::Store::open(&url, &storage, atrium_core::standard::registry())
        .await
        .expect("starts");
    let mode = |db: atrium_store::Db| async move {
        let atrium_store::Db::Postgres(lender) = db else {
            panic!("a PostgreSQL pool");
        };
        sqlx::query_scalar::<_, String>("SELECT current_setting('plan_cache_mode')")
            .fetch_one(lender.pool())
            .await
            .expect("read")
    };
    assert_eq!(mode(store.db().clone()).await, "auto");
    let generic = store.with_generic_plans();
    assert_eq!(mode(generic.db().clone()).await, "force_generic_plan");
    // The same schema and data through either.
    let cases = generic.module("cases").expect("cases");
    let query = atrium_core::query::parse_list_params(cases, &[]).expect("a query");
    generic.list(cases, &query).await.expect("lists");
    store.close().await;
}
