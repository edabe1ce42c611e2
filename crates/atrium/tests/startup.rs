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
