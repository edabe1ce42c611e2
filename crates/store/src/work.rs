//! [`Work`]: one transaction that an action writes everything through — the record, its
//! number, history, links, comments, follows, sessions, tokens, activity and mail — so that
//! all of it commits together or none of it does. Dropping a `Work` without `commit` rolls
//! it back.

use atrium_core::Result;

use crate::Store;
use crate::db::Tx;

pub struct Work<'s> {
    pub(crate) store: &'s Store,
    pub(crate) tx: Tx,
}

impl Store {
    /// Opens a transaction for one action (on SQLite it takes the write lock at once).
    pub async fn work(&self) -> Result<Work<'_>> {
        Ok(Work {
            store: self,
            tx: self.db.begin().await?,
        })
    }
}

impl Work<'_> {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await
    }

    pub fn store(&self) -> &Store {
        self.store
    }
}
