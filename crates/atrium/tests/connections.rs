//! The store's connections, lent to one statement or transaction at a time and taken back
//! without a check when their work finished: what did not finish must never be lent again as
//! if it had (a transaction left open, a statement still running), on either database.

mod common;

use std::time::Duration;

use atrium_store::Db;
use common::{Backend, database_url};
use sea_query::{Expr, Query};

const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A database with one table of unique notes (and the folder it lives in, kept while it is
/// used), or None where PostgreSQL is not there.
async fn notes_db(backend: Backend) -> Option<(tempfile::TempDir, Db)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = database_url(backend, dir.path()).await?;
    let db = Db::connect(&url).await.expect("connects");
    db.execute_ddl("CREATE TABLE notes (id BIGINT PRIMARY KEY, note TEXT NOT NULL UNIQUE)".into())
        .await
        .expect("creates the table");
    Some((dir, db))
}

fn insert(id: i64, note: &str) -> sea_query::InsertStatement {
    Query::insert()
        .into_table("notes")
        .columns(["id", "note"])
        .values_panic([id.into(), note.into()])
        .take()
}

async fn count(db: &Db) -> i64 {
    let select = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .from("notes")
        .take();
    let row = db.fetch_optional(&select).await.expect("counts");
    row.expect("one row").get::<i64>("n").expect("a number")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_dropped_before_commit_are_rolled_back_before_their_connection_is_lent_again()
{
    for backend in BACKENDS {
        let Some((_dir, db)) = notes_db(backend).await else {
            continue;
        };
        // More dropped transactions than there are connections: each connection is lent again
        // after its transaction was abandoned with a row written.
        let lent = db.stats().max as i64;
        for id in 0..lent * 2 {
            let mut tx = db.begin().await.expect("begins");
            tx.execute(&insert(id, &format!("abandoned {id}")))
                .await
                .expect("inserts");
            drop(tx);
        }
        // Had one stayed open, SQLite's write lock would stop these commits (a timeout), and
        // on PostgreSQL its row would be committed with them.
        for id in 0..lent * 2 {
            let mut tx = tokio::time::timeout(Duration::from_secs(5), db.begin())
                .await
                .expect("the write lock is free")
                .expect("begins");
            tx.execute(&insert(1000 + id, &format!("kept {id}")))
                .await
                .expect("inserts");
            tx.commit().await.expect("commits");
        }
        assert_eq!(
            count(&db).await,
            lent * 2,
            "{backend:?}: only the committed rows"
        );
        db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_statement_leaves_its_connection_fit_and_connections_are_reused() {
    for backend in BACKENDS {
        let Some((_dir, db)) = notes_db(backend).await else {
            continue;
        };
        db.execute(&insert(1, "first")).await.expect("inserts");
        for id in 2..50 {
            let refused = db.execute(&insert(id, "first")).await;
            assert!(
                matches!(refused, Err(atrium_core::Error::Conflict(_))),
                "{backend:?}: a duplicate is a conflict: {refused:?}"
            );
            assert_eq!(count(&db).await, 1, "{backend:?}");
        }
        // One statement at a time needs one connection, whatever was refused on it.
        let stats = db.stats();
        assert!(stats.size <= 2, "{backend:?}: {stats:?}");
        db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_cut_short_does_not_hold_up_the_next() {
    for backend in BACKENDS {
        let Some((_dir, db)) = notes_db(backend).await else {
            continue;
        };
        db.execute(&insert(1, "only")).await.expect("inserts");
        // A statement that runs for seconds, given up after a moment (as when a client goes
        // away mid-request): its connection is still busy with it.
        let slow = match backend {
            Backend::Sqlite => Expr::cust(
                "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                 WHERE x < 300000000) SELECT COUNT(*) FROM c)",
            ),
            Backend::Postgres => Expr::cust("pg_sleep(10)"),
        };
        let select = Query::select().expr_as(slow, "slow").take();
        let given_up =
            tokio::time::timeout(Duration::from_millis(200), db.fetch_optional(&select)).await;
        assert!(
            given_up.is_err(),
            "{backend:?}: the slow statement was cut short"
        );
        // The next statements get another connection, not the busy one.
        for _ in 0..5 {
            let counted = tokio::time::timeout(Duration::from_secs(2), count(&db)).await;
            assert_eq!(counted.ok(), Some(1), "{backend:?}: answered at once");
        }
    }
}
