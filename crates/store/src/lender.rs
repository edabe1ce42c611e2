//! Lending pooled connections to single statements without a round trip on their return.
//!
//! sqlx's pool checks every connection as it comes back (`ping`): on SQLite a hand-off to the
//! connection's thread and back, on PostgreSQL a round trip to the server — after every
//! statement that is not in a transaction, about a tenth of a portal read's CPU. The check is
//! there for connections whose work was cut short (a request dropped mid-statement) or failed
//! on the wire. A lease knows whether its work finished: a connection that finished its
//! statement, or whose statement the database refused, goes back onto a stack of its own,
//! unchecked; any other goes back through sqlx's pool, which checks it (and closes it if it is
//! broken) as before. A [`LentTx`] is a transaction on a lease: committed, its connection goes
//! back like any other; dropped before its commit, it is rolled back first.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Connection, Database, Executor, Pool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a caller waits for a connection before the pool counts as exhausted.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections sqlx's pool may open beyond the lender's own, for what takes a connection from
/// the pool directly (migrations, the schema lock) while the lender holds all of its own idle.
pub const SPARE_CONNECTIONS: u32 = 2;

/// A pool of `max` connections for single statements, on top of an sqlx pool of `max` +
/// [`SPARE_CONNECTIONS`].
#[derive(Debug)]
pub struct Lender<DB: Database> {
    shared: Arc<Shared<DB>>,
}

impl<DB: Database> Clone for Lender<DB> {
    fn clone(&self) -> Self {
        Lender {
            shared: Arc::clone(&self.shared),
        }
    }
}

#[derive(Debug)]
struct Shared<DB: Database> {
    pool: Pool<DB>,
    /// Finished connections, the most recently used last (lent first: its pages are warm).
    idle: Mutex<Vec<Idle<DB>>>,
    /// One per connection the lender may have out at once.
    permits: Arc<Semaphore>,
    max: u32,
    /// A connection idle at least this long is checked before it is lent (a server may have
    /// closed it meanwhile); `None`: never (SQLite's connections are in this process).
    check_after: Option<Duration>,
}

#[derive(Debug)]
struct Idle<DB: Database> {
    conn: PoolConnection<DB>,
    since: Instant,
}

impl<DB: Database> Lender<DB> {
    /// Lends at most `max` connections of `pool` (which must allow `max` +
    /// [`SPARE_CONNECTIONS`]).
    pub fn new(pool: Pool<DB>, max: u32, check_after: Option<Duration>) -> Self {
        Lender {
            shared: Arc::new(Shared {
                pool,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max as usize)),
                max,
                check_after,
            }),
        }
    }

    /// The sqlx pool beneath, for what needs a connection of its own for a while.
    pub fn pool(&self) -> &Pool<DB> {
        &self.shared.pool
    }

    /// The most connections lent at once.
    pub fn max(&self) -> u32 {
        self.shared.max
    }

    /// Connections open (lent, idle here or idle in the pool beneath) and idle.
    pub fn size_and_idle(&self) -> (u32, u32) {
        let here = self.shared.idle().len() as u32;
        let pool = &self.shared.pool;
        (pool.size(), here + pool.num_idle() as u32)
    }

    /// A connection for one statement (or a few in turn), waiting while all are lent.
    async fn lease(&self) -> Result<Lease<DB>, sqlx::Error> {
        let permit = tokio::time::timeout(
            ACQUIRE_TIMEOUT,
            Arc::clone(&self.shared.permits).acquire_owned(),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .map_err(|_| sqlx::Error::PoolClosed)?;
        let conn = self.idle_or_new().await?;
        Ok(Lease {
            conn: Some(conn),
            finished: true,
            close_unfinished: false,
            shared: Arc::clone(&self.shared),
            _permit: permit,
        })
    }

    /// Runs `work` on a lent connection.
    pub async fn with<T>(
        &self,
        work: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut lease = self.lease().await?;
        let result = work(lease.conn()).await;
        lease.finish(&result);
        result
    }

    async fn idle_or_new(&self) -> Result<PoolConnection<DB>, sqlx::Error> {
        loop {
            let Some(idle) = self.shared.idle().pop() else {
                return self.shared.pool.acquire().await;
            };
            let Some(check_after) = self.shared.check_after else {
                return Ok(idle.conn);
            };
            if idle.since.elapsed() < check_after {
                return Ok(idle.conn);
            }
            let mut conn = idle.conn;
            if conn.ping().await.is_ok() {
                return Ok(conn);
            }
            // Gone: sqlx's pool checks it again on its return and closes it.
            drop(conn);
        }
    }

    /// Closes the pool: its idle connections at once, lent ones as they come back.
    pub async fn close(&self) {
        // Closed first, so that no lease puts its connection back here after the stack was
        // emptied (a lease checks under the stack's lock): the pool's close waits for every
        // connection to come back to it.
        let closing = self.shared.pool.close();
        let idle = std::mem::take(&mut *self.shared.idle());
        drop(idle);
        closing.await;
    }
}

impl<DB: Database> Shared<DB> {
    fn idle(&self) -> MutexGuard<'_, Vec<Idle<DB>>> {
        // A panic while the stack was held leaves it whole (pushes and pops only).
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A lent connection. Call [`Lease::conn`] for each statement and [`Lease::finish`] with its
/// result: a lease dropped after a statement that did not finish (its future dropped, or an
/// error on the wire) returns its connection through sqlx's pool, which checks it.
#[derive(Debug)]
struct Lease<DB: Database> {
    conn: Option<PoolConnection<DB>>,
    finished: bool,
    /// Dropped after a statement that did not finish, the connection is closed rather than
    /// returned: it may hold a transaction open (see [`LentTx::begin`]).
    close_unfinished: bool,
    shared: Arc<Shared<DB>>,
    _permit: OwnedSemaphorePermit,
}

impl<DB: Database> Lease<DB> {
    /// The connection, for one statement; the lease counts as unfinished until
    /// [`Lease::finish`].
    fn conn(&mut self) -> &mut DB::Connection {
        self.finished = false;
        match self.conn.as_mut() {
            Some(conn) => conn,
            // Only `drop` takes it.
            None => unreachable!("a lease holds its connection until it is dropped"),
        }
    }

    /// Records how the last statement ended: a result from the database (rows, or the
    /// database's own refusal such as a constraint) leaves the connection fit for the next.
    fn finish<T>(&mut self, result: &Result<T, sqlx::Error>) {
        self.finished = matches!(result, Ok(_) | Err(sqlx::Error::Database(_)));
    }

    /// Closes the connection when the lease is dropped, whatever state it is in (the
    /// database rolls back what it had open).
    fn close_on_drop(&mut self) {
        self.finished = false;
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

impl<DB: Database> Drop for Lease<DB> {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if self.finished {
            let mut idle = self.shared.idle();
            if !self.shared.pool.is_closed() {
                idle.push(Idle {
                    conn,
                    since: Instant::now(),
                });
            }
        } else if self.close_unfinished {
            conn.close_on_drop();
        }
        // Otherwise (unless moved onto the stack) `conn` drops here: back through sqlx's pool,
        // checked, or closed.
    }
}

/// A transaction on a lent connection. Dropped before [`LentTx::commit`] (an error, a request
/// cut short), it is rolled back on a task of its own before the connection is lent again.
#[derive(Debug)]
pub struct LentTx<DB: Database>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    lease: Option<Lease<DB>>,
}

impl<DB: Database> LentTx<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    /// Begins a transaction with `begin` (`BEGIN`, or SQLite's `BEGIN IMMEDIATE`).
    ///
    /// A `BEGIN` whose future is dropped (a request cut short while SQLite's `BEGIN IMMEDIATE`
    /// waits for the write lock) still runs on the connection's thread and opens the
    /// transaction; sqlx's pool would take the connection back with it open, holding the
    /// write lock for good. The transaction's connection is therefore closed, never returned,
    /// when a statement of it did not finish (the database rolls back).
    pub async fn begin(lender: &Lender<DB>, begin: &'static str) -> Result<Self, sqlx::Error> {
        let mut lease = lender.lease().await?;
        lease.close_unfinished = true;
        let result = sqlx::raw_sql(begin).execute(lease.conn()).await;
        lease.finish(&result);
        result?;
        Ok(LentTx { lease: Some(lease) })
    }

    /// Runs `work` in the transaction.
    pub async fn with<T>(
        &mut self,
        work: impl AsyncFnOnce(&mut DB::Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let lease = self.lease();
        let result = work(lease.conn()).await;
        lease.finish(&result);
        result
    }

    fn lease(&mut self) -> &mut Lease<DB> {
        match self.lease.as_mut() {
            Some(lease) => lease,
            // Only `commit` and `drop` take it, and both consume the transaction.
            None => unreachable!("an open transaction holds its lease"),
        }
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.with(async |conn| sqlx::raw_sql("COMMIT").execute(conn).await)
            .await?;
        // Committed: the connection goes back as it is.
        self.lease.take();
        Ok(())
    }
}

impl<DB: Database> Drop for LentTx<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    fn drop(&mut self) {
        let Some(mut lease) = self.lease.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            lease.close_on_drop();
            return;
        };
        // The rollback waits behind whatever the connection is still running (a statement
        // whose future was dropped); a connection it fails on goes back checked.
        runtime.spawn(async move {
            let result = sqlx::raw_sql("ROLLBACK").execute(lease.conn()).await;
            lease.finish(&result);
        });
    }
}
