//! Mail and the side effects that travel with a change: outbox rows, single-use tokens and
//! activity entries, written in the same transaction as the change that causes them, so a
//! change never happens without its mail and no mail goes out for a change that did not.

use atrium_core::kinds::{ActivityKind, ActivitySource, OutboxStatus, TokenKind};
use atrium_core::record::now;
use atrium_core::{Error, Result};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::Tx;
use crate::{Store, Work};

/// A mail to queue.
#[derive(Debug, Clone, Default)]
pub struct NewMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The template it was rendered from.
    pub template: String,
    /// The contact it is about (for the activity timeline).
    pub contact: Option<Uuid>,
    /// Queued mails with the same key are merged (notifications about one record).
    pub batch_key: Option<String>,
    /// What it was rendered from, to render the batch again.
    pub payload: Option<serde_json::Value>,
    /// Not to be sent before this time (the batching window).
    pub not_before: Option<OffsetDateTime>,
}

/// A single-use token mailed to a customer; only its digest is stored.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub digest: String,
    pub kind: TokenKind,
    pub contact: Uuid,
    pub portal: Option<String>,
    pub payload: Option<String>,
    pub ttl: Duration,
}

/// An activity entry to write with the change.
#[derive(Debug, Clone)]
pub struct NewActivity {
    pub contact: Uuid,
    pub kind: ActivityKind,
    pub source: ActivitySource,
    pub detail: String,
    pub record: Option<(String, Uuid)>,
}

/// Everything written together with a change.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    pub mails: Vec<NewMail>,
    pub tokens: Vec<NewToken>,
    /// Earlier tokens of (contact, kind) that stop working.
    pub revoke_tokens: Vec<(Uuid, TokenKind)>,
    pub activity: Vec<NewActivity>,
}

impl Effects {
    pub fn is_empty(&self) -> bool {
        self.mails.is_empty()
            && self.tokens.is_empty()
            && self.revoke_tokens.is_empty()
            && self.activity.is_empty()
    }
}

/// A token found by its digest.
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub kind: TokenKind,
    pub contact: Uuid,
    pub portal: Option<String>,
    pub payload: Option<String>,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub(crate) async fn write_effects(tx: &mut Tx, effects: &Effects) -> Result<()> {
    let at = now();
    for (contact, kind) in &effects.revoke_tokens {
        let revoke = Query::update()
            .table("portal_tokens")
            .value("used_at", at)
            .and_where(Expr::col("contact_id").eq(*contact))
            .and_where(Expr::col("kind").eq(kind.as_str()))
            .and_where(Expr::col("used_at").is_null())
            .take();
        tx.execute(&revoke).await?;
    }
    for token in &effects.tokens {
        let insert = Query::insert()
            .into_table("portal_tokens")
            .columns([
                "token_hash",
                "kind",
                "contact_id",
                "portal",
                "payload",
                "created_at",
                "expires_at",
            ])
            .values_panic([
                token.digest.clone().into(),
                token.kind.as_str().into(),
                token.contact.into(),
                token.portal.clone().into(),
                token.payload.clone().into(),
                at.into(),
                (at + token.ttl).into(),
            ])
            .take();
        tx.execute(&insert).await?;
    }
    for mail in &effects.mails {
        // A batched mail still waiting in the queue is replaced by the merged one.
        if let Some(key) = &mail.batch_key {
            let merge = Query::update()
                .table("email_outbox")
                .value("subject", mail.subject.clone())
                .value("body_text", mail.text.clone())
                .value("body_html", mail.html.clone())
                .value("payload", mail.payload.as_ref().map(|p| p.to_string()))
                .and_where(Expr::col("batch_key").eq(key.as_str()))
                .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()))
                .and_where(Expr::col("attempts").eq(0_i64))
                .and_where(Expr::col("locked_by").is_null())
                .take();
            if tx.execute(&merge).await? > 0 {
                continue;
            }
        }
        insert_mail(tx, mail, at).await?;
    }
    for entry in &effects.activity {
        let record = entry.record.as_ref().map(|(m, id)| (m.as_str(), *id));
        tx.execute(&activity_insert(
            entry.contact,
            entry.kind,
            entry.source,
            &entry.detail,
            record,
            at,
        ))
        .await?;
    }
    Ok(())
}

/// The row of one entry on a contact's activity timeline.
pub(crate) fn activity_insert(
    contact: Uuid,
    kind: ActivityKind,
    source: ActivitySource,
    detail: &str,
    record: Option<(&str, Uuid)>,
    at: OffsetDateTime,
) -> sea_query::InsertStatement {
    Query::insert()
        .into_table("activity")
        .columns([
            "id",
            "contact_id",
            "kind",
            "source",
            "at",
            "detail",
            "record_module",
            "record_id",
        ])
        .values_panic([
            Uuid::now_v7().into(),
            contact.into(),
            kind.as_str().into(),
            source.as_str().into(),
            at.into(),
            detail.into(),
            record.map(|(m, _)| m.to_owned()).into(),
            record.map(|(_, id)| id).into(),
        ])
        .take()
}

async fn insert_mail(tx: &mut Tx, mail: &NewMail, at: OffsetDateTime) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let insert = Query::insert()
        .into_table("email_outbox")
        .columns([
            "id",
            "to_address",
            "subject",
            "body_text",
            "body_html",
            "template",
            "contact_id",
            "status",
            "attempts",
            "next_attempt_at",
            "batch_key",
            "payload",
            "created_at",
        ])
        .values_panic([
            id.into(),
            mail.to.clone().into(),
            mail.subject.clone().into(),
            mail.text.clone().into(),
            mail.html.clone().into(),
            mail.template.clone().into(),
            mail.contact.into(),
            OutboxStatus::Queued.as_str().into(),
            0_i64.into(),
            mail.not_before.unwrap_or(at).into(),
            mail.batch_key.clone().into(),
            mail.payload.as_ref().map(|p| p.to_string()).into(),
            at.into(),
        ])
        .take();
    tx.execute(&insert).await?;
    Ok(id)
}

fn token_select(digest: &str) -> sea_query::SelectStatement {
    Query::select()
        .columns([
            "kind",
            "contact_id",
            "portal",
            "payload",
            "expires_at",
            "used_at",
        ])
        .from("portal_tokens")
        .and_where(Expr::col("token_hash").eq(digest))
        .take()
}

fn decode_token(row: &crate::db::Row) -> Result<TokenRow> {
    Ok(TokenRow {
        kind: TokenKind::parse(&row.get::<String>("kind")?)?,
        contact: row.get("contact_id")?,
        portal: row.get("portal")?,
        payload: row.get("payload")?,
        expires_at: row.get("expires_at")?,
        used_at: row.get("used_at")?,
    })
}

impl Store {
    /// Writes side effects on their own (no record change with them).
    pub async fn apply_effects(&self, effects: &Effects) -> Result<()> {
        if effects.is_empty() {
            return Ok(());
        }
        let mut work = self.work().await?;
        work.effects(effects).await?;
        work.commit().await
    }

    /// The token with this digest, whatever its state.
    pub async fn token(&self, digest: &str) -> Result<Option<TokenRow>> {
        match self.db.fetch_optional(&token_select(digest)).await? {
            Some(row) => decode_token(&row).map(Some),
            None => Ok(None),
        }
    }

    /// Marks a live token of `kind` used and returns it, in a transaction of its own.
    pub async fn use_token(&self, digest: &str, kind: TokenKind) -> Result<Option<TokenRow>> {
        let mut work = self.work().await?;
        let token = work.use_token(digest, kind).await?;
        work.commit().await?;
        Ok(token)
    }

    /// Mails from `template` queued or sent to `to` since `since` (rate limits).
    pub async fn count_recent_mails(
        &self,
        to: &str,
        template: &str,
        since: OffsetDateTime,
    ) -> Result<u64> {
        let select = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from("email_outbox")
            .and_where(sea_query::Func::lower(Expr::col("to_address")).eq(to.trim().to_lowercase()))
            .and_where(Expr::col("template").eq(template))
            .and_where(Expr::col("created_at").gte(since))
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => Ok(Ord::max(row.get::<i64>("n")?, 0) as u64),
            None => Ok(0),
        }
    }

    /// The payload of the batched mail with this key that still waits in the queue, if any.
    pub async fn queued_batch(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let select = Query::select()
            .column("payload")
            .from("email_outbox")
            .and_where(Expr::col("batch_key").eq(key))
            .and_where(Expr::col("status").eq(OutboxStatus::Queued.as_str()))
            .and_where(Expr::col("attempts").eq(0_i64))
            .and_where(Expr::col("locked_by").is_null())
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => Ok(row
                .get::<Option<String>>("payload")?
                .and_then(|p| serde_json::from_str(&p).ok())),
            None => Ok(None),
        }
    }

    /// The mails queued or sent to `to`, oldest first: (template, subject, text body).
    pub async fn mails_to(&self, to: &str) -> Result<Vec<(String, String, String)>> {
        let select = Query::select()
            .columns(["template", "subject", "body_text"])
            .from("email_outbox")
            .and_where(sea_query::Func::lower(Expr::col("to_address")).eq(to.trim().to_lowercase()))
            .order_by("created_at", sea_query::Order::Asc)
            .order_by("id", sea_query::Order::Asc)
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(|r| Ok((r.get("template")?, r.get("subject")?, r.get("body_text")?)))
            .collect()
    }

    /// A stored setting (JSON), if set.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>> {
        let select = Query::select()
            .column("value")
            .from("settings")
            .and_where(Expr::col("key").eq(key))
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => {
                let value: String = row.get("value")?;
                serde_json::from_str(&value)
                    .map(Some)
                    .map_err(Error::internal)
            }
            None => Ok(None),
        }
    }

    pub async fn save_setting(&self, key: &str, value: &serde_json::Value) -> Result<()> {
        let insert = Query::insert()
            .into_table("settings")
            .columns(["key", "value"])
            .values_panic([key.into(), value.to_string().into()])
            .on_conflict(OnConflict::column("key").update_column("value").to_owned())
            .take();
        self.db.execute(&insert).await?;
        Ok(())
    }

    /// A stored template (subject, html, text), if the admin saved one.
    pub async fn email_template(&self, name: &str) -> Result<Option<(String, String, String)>> {
        let select = Query::select()
            .columns(["subject", "body_html", "body_text"])
            .from("email_templates")
            .and_where(Expr::col("name").eq(name))
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => Ok(Some((
                row.get("subject")?,
                row.get("body_html")?,
                row.get("body_text")?,
            ))),
            None => Ok(None),
        }
    }

    pub async fn save_email_template(
        &self,
        name: &str,
        subject: &str,
        html: &str,
        text: &str,
    ) -> Result<()> {
        let insert = Query::insert()
            .into_table("email_templates")
            .columns(["name", "subject", "body_html", "body_text", "updated_at"])
            .values_panic([
                name.into(),
                subject.into(),
                html.into(),
                text.into(),
                now().into(),
            ])
            .on_conflict(
                OnConflict::column("name")
                    .update_columns(["subject", "body_html", "body_text", "updated_at"])
                    .to_owned(),
            )
            .take();
        self.db.execute(&insert).await?;
        Ok(())
    }

    /// Writes `effects` only if `job` never ran for `key`, marking it in the same transaction:
    /// whatever runs the job (several instances, a restart), the effects happen once.
    pub async fn apply_effects_once(
        &self,
        job: &str,
        key: &str,
        effects: &Effects,
    ) -> Result<bool> {
        let mut tx = self.db.begin().await?;
        let mark = Query::insert()
            .into_table("job_runs")
            .columns(["job", "run_key", "ran_at"])
            .values_panic([job.into(), key.into(), now().into()])
            .on_conflict(
                OnConflict::columns(["job", "run_key"])
                    .do_nothing()
                    .to_owned(),
            )
            .take();
        if tx.execute(&mark).await? == 0 {
            return Ok(false);
        }
        write_effects(&mut tx, effects).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes sessions, tokens and sign-in failures nobody can use any more.
    pub async fn purge_expired(&self) -> Result<u64> {
        let at = now();
        let day_ago = at - Duration::days(1);
        let mut removed = 0;
        removed += self
            .db
            .execute(
                &Query::delete()
                    .from_table("sessions")
                    .cond_where(
                        sea_query::Cond::any()
                            .add(Expr::col("expires_at").lt(at))
                            .add(Expr::col("last_seen_at").lt(day_ago)),
                    )
                    .take(),
            )
            .await?;
        removed += self
            .db
            .execute(
                &Query::delete()
                    .from_table("portal_tokens")
                    .cond_where(
                        sea_query::Cond::any()
                            .add(Expr::col("expires_at").lt(day_ago))
                            .add(Expr::col("used_at").lt(day_ago)),
                    )
                    .take(),
            )
            .await?;
        removed += self
            .db
            .execute(
                &Query::delete()
                    .from_table("sign_in_checks")
                    .and_where(Expr::col("window_start").lt(day_ago))
                    .take(),
            )
            .await?;
        removed += self
            .db
            .execute(
                &Query::delete()
                    .from_table("login_attempts")
                    .and_where(Expr::col("at").lt(day_ago))
                    .take(),
            )
            .await?;
        Ok(removed)
    }

    /// Records that `job` ran for `key`; false when it already had (once-only jobs).
    pub async fn mark_job_run(&self, job: &str, key: &str) -> Result<bool> {
        let insert = Query::insert()
            .into_table("job_runs")
            .columns(["job", "run_key", "ran_at"])
            .values_panic([job.into(), key.into(), now().into()])
            .on_conflict(
                OnConflict::columns(["job", "run_key"])
                    .do_nothing()
                    .to_owned(),
            )
            .take();
        Ok(self.db.execute(&insert).await? == 1)
    }
}

impl Work<'_> {
    /// Writes mails, tokens and activity entries with the rest of the transaction.
    pub async fn effects(&mut self, effects: &Effects) -> Result<()> {
        write_effects(&mut self.tx, effects).await
    }

    /// Marks a live token of `kind` used and returns it; None when it is unknown, used,
    /// expired or of another kind. Only one transaction can win; if this one rolls back, the
    /// token stays usable.
    pub async fn use_token(&mut self, digest: &str, kind: TokenKind) -> Result<Option<TokenRow>> {
        let at = now();
        let update = Query::update()
            .table("portal_tokens")
            .value("used_at", at)
            .and_where(Expr::col("token_hash").eq(digest))
            .and_where(Expr::col("kind").eq(kind.as_str()))
            .and_where(Expr::col("used_at").is_null())
            .and_where(Expr::col("expires_at").gt(at))
            .take();
        if self.tx.execute(&update).await? == 0 {
            return Ok(None);
        }
        let select = token_select(digest);
        match self.tx.fetch_optional(&select).await? {
            Some(row) => decode_token(&row).map(Some),
            None => Ok(None),
        }
    }

    /// Ends every live token of these kinds that `contact` holds.
    pub async fn revoke_tokens(&mut self, contact: Uuid, kinds: &[TokenKind]) -> Result<()> {
        if kinds.is_empty() {
            return Ok(());
        }
        let revoke = Query::update()
            .table("portal_tokens")
            .value("used_at", now())
            .and_where(Expr::col("contact_id").eq(contact))
            .and_where(Expr::col("used_at").is_null())
            .and_where(Expr::col("kind").is_in(kinds.iter().map(|k| k.as_str())))
            .take();
        self.tx.execute(&revoke).await?;
        Ok(())
    }
}
