//! The outbox worker: claim due mails with a lease → send → mark sent or failed, again and
//! again. Any number of workers (in any number of instances) may run on one database; the
//! store's claim makes sure each mail is held by one worker at a time.

use std::time::Duration;

use atrium_store::{AttemptOutcome, Backoff, OutboxMail, Store};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::transport::Mailer;

/// How a worker goes about it.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this worker in `locked_by`; unique per worker.
    pub worker_id: String,
    /// Pause between two looks at the outbox when it has nothing due.
    pub poll_interval: Duration,
    /// How long a claimed mail stays reserved for this worker. It must outlast sending one
    /// batch; when a worker dies, its mails are sent by another after this time.
    pub lease: Duration,
    /// Attempts before a mail is marked `failed`.
    pub max_attempts: u32,
    /// Mails claimed (and sent concurrently) at once.
    pub batch: u64,
    /// Wait before the next attempt after a failure.
    pub backoff: Backoff,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            worker_id: new_worker_id(),
            poll_interval: Duration::from_secs(3),
            lease: Duration::from_secs(300),
            max_attempts: 10,
            batch: 8,
            backoff: Backoff::default(),
        }
    }
}

/// `{pid}-{random}`: unique across processes and hosts.
pub fn new_worker_id() -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", std::process::id(), &random[..12])
}

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub sent: u64,
    /// Failed attempts that will be retried.
    pub retrying: u64,
    /// Mails that ran out of attempts (or failed for good).
    pub failed: u64,
    /// Mails whose lease had passed to another worker before they could be marked.
    pub lost: u64,
}

impl RunStats {
    fn add(&mut self, other: RunStats) {
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.lost += other.lost;
    }

    pub fn is_empty(&self) -> bool {
        *self == RunStats::default()
    }
}

fn lease(config: &WorkerConfig) -> time::Duration {
    time::Duration::try_from(config.lease).unwrap_or(time::Duration::minutes(5))
}

/// Sends what is due now, batch after batch, and returns when nothing is left, or when a whole
/// batch failed (the server is likely down: the backoff decides when to try again).
pub async fn run_once(
    store: &Store,
    mailer: &Mailer,
    config: &WorkerConfig,
) -> atrium_core::Result<RunStats> {
    let mut total = RunStats::default();
    let batch = config.batch.max(1);
    loop {
        let mails = store
            .claim_due(&config.worker_id, lease(config), batch)
            .await?;
        if mails.is_empty() {
            break;
        }
        let claimed = mails.len() as u64;
        let results = futures::future::join_all(
            mails
                .iter()
                .map(|mail| deliver(store, mailer, config, mail)),
        )
        .await;
        let mut round = RunStats::default();
        for result in results {
            round.add(result);
        }
        total.add(round);
        // Fewer than a batch: everything due was taken. Nothing sent: don't hammer a server
        // that is down; the backoff brings the mails back.
        if claimed < batch || round.sent == 0 {
            break;
        }
    }
    Ok(total)
}

/// Sends one claimed mail and records the outcome.
async fn deliver(
    store: &Store,
    mailer: &Mailer,
    config: &WorkerConfig,
    mail: &OutboxMail,
) -> RunStats {
    let mut stats = RunStats::default();
    match mailer.send(mail).await {
        Ok(()) => match store.mark_sent(mail.id, &config.worker_id).await {
            Ok(true) => {
                tracing::debug!(id = %mail.id, template = %mail.template, "mail sent");
                stats.sent = 1;
            }
            Ok(false) => {
                tracing::warn!(id = %mail.id, "mail sent, but its lease had passed to another worker");
                stats.lost = 1;
            }
            Err(err) => {
                // The lease runs out and the mail is sent again: at least once, never lost.
                tracing::error!(id = %mail.id, error = %err, "mail sent, but marking it sent failed");
                stats.lost = 1;
            }
        },
        Err(err) => {
            // A permanent refusal (5xx, bad address) is not retried.
            let max_attempts = if err.permanent {
                1
            } else {
                config.max_attempts
            };
            match store
                .mark_failed_attempt(
                    mail.id,
                    &config.worker_id,
                    &err.message,
                    max_attempts,
                    &config.backoff,
                )
                .await
            {
                Ok(AttemptOutcome::Retry(next)) => {
                    tracing::warn!(id = %mail.id, error = %err, attempts = mail.attempts + 1, %next, "mail not sent; will retry");
                    stats.retrying = 1;
                }
                Ok(AttemptOutcome::Failed) => {
                    tracing::error!(id = %mail.id, error = %err, attempts = mail.attempts + 1, "mail failed for good");
                    stats.failed = 1;
                }
                Ok(AttemptOutcome::LostLease) => stats.lost = 1,
                Err(store_err) => {
                    tracing::error!(id = %mail.id, error = %store_err, "recording a failed attempt failed");
                    stats.lost = 1;
                }
            }
        }
    }
    stats
}

/// A running worker; [`WorkerHandle::stop`] ends it after the batch at hand. Dropping the
/// handle stops it too.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to stop and waits until it has (mails in flight are finished and
    /// marked first).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(err) = self.task.await {
            tracing::error!(error = %err, "the mail worker ended abnormally");
        }
    }
}

/// Starts a worker task that delivers due mails until stopped.
pub fn spawn_worker(store: Store, mailer: Mailer, config: WorkerConfig) -> WorkerHandle {
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        tracing::info!(worker = %config.worker_id, transport = %mailer.describe(), "mail worker started");
        loop {
            match run_once(&store, &mailer, &config).await {
                Ok(stats) if !stats.is_empty() => tracing::info!(
                    sent = stats.sent,
                    retrying = stats.retrying,
                    failed = stats.failed,
                    lost = stats.lost,
                    "mail worker run"
                ),
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "mail worker: cannot read the outbox"),
            }
            tokio::select! {
                changed = stopped.changed() => {
                    if changed.is_err() || *stopped.borrow() {
                        break;
                    }
                }
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }
        mailer.shutdown().await;
        tracing::info!(worker = %config.worker_id, "mail worker stopped");
    });
    WorkerHandle { stop, task }
}
