//! Delivering the outbox: workers claim due mails with a lease, then mark each sent (with its
//! activity entry) or failed. Mails are queued by [`crate::mail`] in the transaction of the
//! change that causes them; this module only moves them through `queued → sent | failed`.
//!
//! Exactly once with several instances: a claim sets `locked_by`/`locked_until` on rows that are
//! queued, due and not leased by anyone else. On PostgreSQL the candidate rows are locked with
//! `FOR UPDATE SKIP LOCKED`, so concurrent claims never pick the same row; on SQLite the single
//! writer serializes claims. A worker that dies mid-send leaves its lease behind, and the mail
//! becomes claimable again once the lease has expired.

use atrium_core::kinds::{ActivityKind, ActivitySource, OutboxStatus};
use atrium_core::record::now;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::Store;

/// The columns a worker needs to send a mail.
const MAIL_COLUMNS: [&str; 8] = [
    "id",
    "to_address",
    "subject",
    "body_text",
    "body_html",
    "template",
    "contact_id",
    "attempts",
];

/// The columns the admin list shows.
const ENTRY_COLUMNS: [&str; 9] = [
    "id",
    "to_address",
    "subject",
    "template",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "sent_at",
];

/// The longest `last_error` kept.
const MAX_ERROR_CHARS: usize = 2000;

/// A claimed mail, ready to send.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub template: String,
    pub contact: Option<Uuid>,
    /// Attempts before this one.
    pub attempts: i64,
}

/// A row of the admin's outbox list.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub template: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

/// How long to wait before the next attempt: `base · 2^(attempts − 1)`, at most `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::seconds(30),
            max: Duration::hours(1),
        }
    }
}

impl Backoff {
    /// The wait after the `attempts`-th failed attempt (1 for the first).
    pub fn after(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let wait = self.base.saturating_mul(2_i32.saturating_pow(exponent));
        if wait > self.max { self.max } else { wait }
    }
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Queued again, due at this time.
    Retry(OffsetDateTime),
    /// Out of attempts: `failed` until an admin retries it.
    Failed,
    /// The mail was no longer leased by this worker (its lease expired and another took it).
    LostLease,
}

fn mail_of(row: &crate::db::Row) -> Result<OutboxMail> {
    Ok(OutboxMail {
        id: row.get("id")?,
        to: row.get("to_address")?,
        subject: row.get("subject")?,
        text: row.get("body_text")?,
        html: row.get("body_html")?,
        template: row.get("template")?,
        contact: row.get("contact_id")?,
        attempts: row.get("attempts")?,
    })
}

fn entry_of(row: &crate::db::Row) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.get("id")?,
        to: row.get("to_address")?,
        subject: row.get("subject")?,
        template: row.get("template")?,
        status: OutboxStatus::parse(&row.get::<String>("status")?)?,
        attempts: row.get("attempts")?,
        last_error: row.get("last_error")?,
        created_at: row.get("created_at")?,
        sent_at: row.get("sent_at")?,
    })
}

fn truncated(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => format!("{}…", &error[..end]),
        None => error.to_owned(),
    }
}

impl Store {
    /// Leases up to `limit` due mails (the longest due first) to `worker` for `lease` and
    /// returns them in the order they were queued. A mail is due when it is queued, its `next_attempt_at` has come and nobody holds
    /// a live lease on it.
    pub async fn claim_due(
        &self,
        worker: &str,
        lease: Duration,
        limit: u64,
    ) -> Result<Vec<OutboxMail>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let at = now();
        // Two statements in one transaction: lock the candidates, then lease them. (One
        // `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` is not safe: when
        // PostgreSQL plans the subquery as the rescanned inner side of a join, each rescan
        // skips the rows the statement already updated and takes n more, up to all of them.)
        // SQLite has no row locks (sea-query leaves the clause out there); `BEGIN IMMEDIATE`
        // makes the whole transaction the only writer, which is just as exclusive.
        let candidates = Query::select()
            .column("id")
            .from("email_outbox")
            .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()))
            .and_where(Expr::col("next_attempt_at").lte(at))
            .and_where(
                Expr::col("locked_until")
                    .is_null()
                    .or(Expr::col("locked_until").lt(at)),
            )
            .order_by("next_attempt_at", Order::Asc)
            .order_by("id", Order::Asc)
            .limit(limit)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .take();
        let mut tx = self.db.begin().await?;
        let ids = tx
            .fetch_all(&candidates)
            .await?
            .iter()
            .map(|row| row.get::<Uuid>("id"))
            .collect::<Result<Vec<_>>>()?;
        if ids.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }
        let claim = Query::update()
            .table("email_outbox")
            .value("locked_by", worker)
            .value("locked_until", at + lease)
            .and_where(Expr::col("id").is_in(ids))
            .returning(Query::returning().columns(MAIL_COLUMNS))
            .take();
        let rows = tx.fetch_all(&claim).await?;
        tx.commit().await?;
        let mut mails = rows.iter().map(mail_of).collect::<Result<Vec<_>>>()?;
        mails.sort_by_key(|mail| mail.id);
        Ok(mails)
    }

    /// Marks a mail this worker leased as sent and, when it is about a contact, puts
    /// `email_sent` on the contact's timeline, in one transaction. False (and nothing changes)
    /// when the mail is no longer leased by `worker`.
    pub async fn mark_sent(&self, id: Uuid, worker: &str) -> Result<bool> {
        let at = now();
        let update = Query::update()
            .table("email_outbox")
            .value("status", OutboxStatus::Sent.as_str())
            .value("sent_at", at)
            .value("attempts", Expr::col("attempts").add(1))
            .value("locked_by", Option::<String>::None)
            .value("locked_until", Option::<OffsetDateTime>::None)
            // A delivered body may hold a single-use link: it is not kept once sent.
            .value("body_text", "")
            .value("body_html", "")
            .value("payload", Option::<String>::None)
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("locked_by").eq(worker))
            .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()))
            .returning(Query::returning().columns(["contact_id", "subject"]))
            .take();
        let mut tx = self.db.begin().await?;
        let Some(row) = tx.fetch_optional(&update).await? else {
            return Ok(false);
        };
        let contact: Option<Uuid> = row.get("contact_id")?;
        if let Some(contact) = contact {
            let subject: String = row.get("subject")?;
            let insert = crate::mail::activity_insert(
                contact,
                ActivityKind::EmailSent,
                ActivitySource::Email,
                &subject,
                None,
                at,
            );
            tx.execute(&insert).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Records a failed attempt at a mail this worker leased: one more attempt, the error, and
    /// either the next attempt after `backoff` or, once `max_attempts` are used up, `failed`.
    /// The lease is released either way.
    pub async fn mark_failed_attempt(
        &self,
        id: Uuid,
        worker: &str,
        error: &str,
        max_attempts: u32,
        backoff: &Backoff,
    ) -> Result<AttemptOutcome> {
        let at = now();
        let mut tx = self.db.begin().await?;
        let select = Query::select()
            .column("attempts")
            .from("email_outbox")
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("locked_by").eq(worker))
            .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()))
            .take();
        let Some(row) = tx.fetch_optional(&select).await? else {
            return Ok(AttemptOutcome::LostLease);
        };
        let attempts = row.get::<i64>("attempts")?.saturating_add(1);
        let outcome = if attempts >= i64::from(max_attempts) {
            AttemptOutcome::Failed
        } else {
            AttemptOutcome::Retry(at + backoff.after(attempts))
        };
        let mut update = Query::update();
        update
            .table("email_outbox")
            .value("attempts", attempts)
            .value("last_error", truncated(error))
            .value("locked_by", Option::<String>::None)
            .value("locked_until", Option::<OffsetDateTime>::None)
            .and_where(Expr::col("id").eq(id))
            .and_where(Expr::col("locked_by").eq(worker))
            .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()));
        match outcome {
            AttemptOutcome::Retry(next) => {
                update.value("next_attempt_at", next);
            }
            _ => {
                update.value("status", OutboxStatus::Failed.as_str());
            }
        }
        if tx.execute(&update).await? == 0 {
            return Ok(AttemptOutcome::LostLease);
        }
        tx.commit().await?;
        Ok(outcome)
    }

    /// The newest `limit` mails, optionally of one status, newest first.
    pub async fn outbox(
        &self,
        limit: u64,
        status: Option<OutboxStatus>,
    ) -> Result<Vec<OutboxEntry>> {
        let mut select = Query::select();
        select
            .columns(ENTRY_COLUMNS)
            .from("email_outbox")
            .order_by("created_at", Order::Desc)
            .order_by("id", Order::Desc)
            .limit(limit);
        if let Some(status) = status {
            select.and_where(Expr::col("status").eq(status.as_str()));
        }
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(entry_of)
            .collect()
    }

    /// One mail of the outbox.
    pub async fn outbox_entry(&self, id: Uuid) -> Result<Option<OutboxEntry>> {
        let select = Query::select()
            .columns(ENTRY_COLUMNS)
            .from("email_outbox")
            .and_where(Expr::col("id").eq(id))
            .take();
        self.db
            .fetch_optional(&select)
            .await?
            .as_ref()
            .map(entry_of)
            .transpose()
    }

    /// Queues a failed (or still queued) mail again with a fresh set of attempts, due now.
    /// `NotFound` for an unknown id, `Conflict` for a mail already sent. A lease someone holds
    /// on it is left alone, so a mail being sent right now is not sent twice.
    pub async fn retry_mail(&self, id: Uuid) -> Result<OutboxEntry> {
        let update = Query::update()
            .table("email_outbox")
            .value("status", OutboxStatus::Queued.as_str())
            .value("attempts", 0_i64)
            .value("next_attempt_at", now())
            .and_where(Expr::col("id").eq(id))
            .and_where(
                Expr::col("status")
                    .is_in([OutboxStatus::Queued.as_str(), OutboxStatus::Failed.as_str()]),
            )
            .take();
        let changed = self.db.execute(&update).await?;
        let entry = self.outbox_entry(id).await?.ok_or(Error::NotFound)?;
        if changed == 0 {
            return Err(Error::Conflict("the mail was already sent".into()));
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let backoff = Backoff::default();
        assert_eq!(backoff.after(1), Duration::seconds(30));
        assert_eq!(backoff.after(2), Duration::seconds(60));
        assert_eq!(backoff.after(3), Duration::seconds(120));
        assert_eq!(backoff.after(8), Duration::hours(1));
        assert_eq!(backoff.after(1000), Duration::hours(1));
        assert_eq!(backoff.after(0), Duration::seconds(30));
    }

    #[test]
    fn long_errors_are_cut() {
        let long = "x".repeat(MAX_ERROR_CHARS + 10);
        assert_eq!(truncated(&long).chars().count(), MAX_ERROR_CHARS + 1);
        assert_eq!(truncated("short"), "short");
    }
}
