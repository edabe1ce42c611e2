//! Customers: the portal password of a contact, customer sessions (bound to one portal),
//! sign-in failures counted in the database (so throttling holds across instances), the
//! contact's activity timeline, and followers of records.

use std::sync::Arc;

use atrium_core::kinds::{ActivityKind, ActivitySource};
use atrium_core::record::now;
use atrium_core::{Record, Result};
use sea_query::{Expr, ExprTrait, Func, OnConflict, Order, Query, SelectStatement};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::settings::Settings;
use crate::shapes::{Registered, Shape, only};
use crate::{Store, Work};

/// A live customer session.
#[derive(Debug, Clone)]
pub struct CustomerSession {
    pub contact: Uuid,
    pub portal: String,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A customer session's columns, named `session_*` so that a joined record's columns keep
/// their own names.
fn session_columns(select: &mut sea_query::SelectStatement) {
    select
        .expr_as(Expr::col(("sessions", "user_id")), "session_contact")
        .expr_as(Expr::col(("sessions", "portal")), "session_portal")
        .expr_as(
            Expr::col(("sessions", "last_seen_at")),
            "session_last_seen_at",
        )
        .expr_as(Expr::col(("sessions", "expires_at")), "session_expires_at");
}

/// The session of a row holding [`session_columns`].
fn session_of(row: &crate::db::Row) -> Result<CustomerSession> {
    Ok(CustomerSession {
        contact: row.get("session_contact")?,
        portal: row
            .get::<Option<String>>("session_portal")?
            .unwrap_or_default(),
        last_seen_at: row.get("session_last_seen_at")?,
        expires_at: row.get("session_expires_at")?,
    })
}

/// One entry of a contact's timeline.
#[derive(Debug, Clone)]
pub struct ActivityEntry {
    pub kind: ActivityKind,
    pub source: ActivitySource,
    pub at: OffsetDateTime,
    pub detail: String,
    /// (module, id, label)
    pub record: Option<(String, Uuid, Option<String>)>,
}

impl Store {
    /// The not deleted portal user with this e-mail (compared without case).
    pub async fn portal_contact_by_email(&self, email: &str) -> Result<Option<Record>> {
        let contacts = self.module("contacts")?;
        match self.portal_login(email).await? {
            Some(id) => match self.get(contacts, id).await {
                Ok(contact) => Ok(Some(contact)),
                Err(atrium_core::Error::NotFound) => Ok(None),
                Err(other) => Err(other),
            },
            None => Ok(None),
        }
    }

    /// Another portal user already signing in with `email`, if any.
    pub async fn other_portal_user_with_email(
        &self,
        email: &str,
        except: Option<Uuid>,
    ) -> Result<bool> {
        Ok(self
            .portal_login(email)
            .await?
            .is_some_and(|id| Some(id) != except))
    }

    pub async fn portal_password_hash(&self, contact: Uuid) -> Result<Option<String>> {
        let select = Query::select()
            .column("password_hash")
            .from("portal_accounts")
            .and_where(Expr::col("contact_id").eq(contact))
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => row.get("password_hash"),
            None => Ok(None),
        }
    }

    /// Sets a contact's portal password and ends all of the contact's sessions but `keep`.
    /// Sets a contact's portal password and ends all of the contact's sessions but `keep`.
    pub async fn set_portal_password(
        &self,
        contact: Uuid,
        hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let mut work = self.work().await?;
        work.set_portal_password(contact, hash, keep).await?;
        work.commit().await
    }

    pub async fn create_customer_session(
        &self,
        token_hash: &str,
        contact: Uuid,
        portal: &str,
    ) -> Result<()> {
        let mut work = self.work().await?;
        work.create_customer_session(token_hash, contact, portal)
            .await?;
        work.commit().await
    }

    /// The customer session of `portal` behind a token digest, if it exists and has not
    /// expired by `idle` or its lifetime; an expired one is removed. Use is recorded at most
    /// once a minute.
    pub async fn customer_session(
        &self,
        token_hash: &str,
        portal: &str,
        idle: Duration,
    ) -> Result<Option<CustomerSession>> {
        let mut select = Query::select();
        session_columns(&mut select);
        select
            .from("sessions")
            .and_where(Expr::col(("sessions", "token_hash")).eq(token_hash))
            .and_where(Expr::col(("sessions", "kind")).eq("customer"));
        let Some(row) = self.db.fetch_optional(&select).await? else {
            return Ok(None);
        };
        self.keep_customer_session(token_hash, session_of(&row)?, portal, idle)
            .await
    }

    /// The settings (see [`Store::settings`]), the customer session of `token_hash` and the
    /// session's contact (`contacts` is its module), read in one statement: what every portal
    /// request needs before anything else. The session is not yet checked against a portal
    /// (see [`Store::keep_customer_session`]); the contact is `None` when it is gone.
    pub async fn settings_and_customer_session(
        &self,
        token_hash: &str,
        contacts: &atrium_core::ModuleDef,
    ) -> Result<(Arc<Settings>, Option<(CustomerSession, Option<Record>)>)> {
        let (statements, ()) = self.shaped(|params| SessionAndContact {
            token_hash: params.text(token_hash),
            contacts: Registered(contacts),
        })?;
        let row = self
            .db
            .fetch_optional_rendered(only(statements)?)
            .await?
            .ok_or_else(|| atrium_core::Error::Internal("no settings version".into()))?;
        let settings = self.settings_at(row.get("settings_version")?).await?;
        let session = match row.get::<Option<Uuid>>("session_contact")? {
            Some(_) => Some((
                session_of(&row)?,
                crate::records::decode_joined_labeled(&row, contacts)?,
            )),
            None => None,
        };
        Ok((settings, session))
    }

    /// `session` (of `token_hash`) if it is one of `portal` and still alive; ends it when it
    /// has expired and records its use at most once a minute.
    pub async fn keep_customer_session(
        &self,
        token_hash: &str,
        session: CustomerSession,
        portal: &str,
        idle: Duration,
    ) -> Result<Option<CustomerSession>> {
        // A session of another portal is no session here, and this request does not touch it.
        if session.portal != portal {
            return Ok(None);
        }
        let at = now();
        if at >= session.expires_at || at - session.last_seen_at >= idle {
            self.end_session(token_hash).await?;
            return Ok(None);
        }
        if at - session.last_seen_at >= Duration::minutes(1) {
            let touch = Query::update()
                .table("sessions")
                .value("last_seen_at", at)
                .and_where(Expr::col("token_hash").eq(token_hash))
                .take();
            self.db.execute(&touch).await?;
        }
        Ok(Some(session))
    }

    /// Ends every session of a contact.
    /// Ends every session of a contact.
    pub async fn end_customer_sessions(&self, contact: Uuid) -> Result<()> {
        let mut work = self.work().await?;
        work.end_customer_sessions(contact).await?;
        work.commit().await
    }

    /// For tests of idle expiry: pretend the session was last used `ago`.
    pub async fn age_session(&self, token_hash: &str, ago: Duration) -> Result<()> {
        let update = Query::update()
            .table("sessions")
            .value("last_seen_at", now() - ago)
            .and_where(Expr::col("token_hash").eq(token_hash))
            .take();
        self.db.execute(&update).await?;
        Ok(())
    }

    pub async fn record_login_failure(&self, email: &str, address: &str) -> Result<()> {
        let mut work = self.work().await?;
        work.record_login_failure(email, address).await?;
        work.commit().await
    }

    /// Reserves one password check for `key` within a window of `window`: atomically counts it
    /// (a new window starts when the last one is over) and answers whether it is within `max`
    /// checks, else when the window ends. Reserving before checking, in one statement, holds
    /// the limit however many requests race.
    pub async fn reserve_check(
        &self,
        key: &str,
        window: Duration,
        max: u64,
    ) -> Result<Result<(), OffsetDateTime>> {
        let at = now();
        let expired = Expr::col(("sign_in_checks", "window_start")).lt(at - window);
        let upsert = Query::insert()
            .into_table("sign_in_checks")
            .columns(["key", "window_start", "checks"])
            .values_panic([key.into(), at.into(), 1_i64.into()])
            .on_conflict(
                OnConflict::column("key")
                    .value(
                        "checks",
                        sea_query::CaseStatement::new()
                            .case(expired.clone(), 1_i64)
                            .finally(Expr::col(("sign_in_checks", "checks")).add(1_i64)),
                    )
                    .value(
                        "window_start",
                        sea_query::CaseStatement::new()
                            .case(expired, at)
                            .finally(Expr::col(("sign_in_checks", "window_start"))),
                    )
                    .to_owned(),
            )
            .returning(Query::returning().columns(["checks", "window_start"]))
            .take();
        let row =
            self.db.fetch_optional(&upsert).await?.ok_or_else(|| {
                atrium_core::Error::Internal("no row from the reservation".into())
            })?;
        let checks: i64 = row.get("checks")?;
        let start: OffsetDateTime = row.get("window_start")?;
        if u64::try_from(checks).unwrap_or(u64::MAX) <= max {
            Ok(Ok(()))
        } else {
            Ok(Err(start + window))
        }
    }

    /// Forgets the checks reserved for `key` (after a correct password).
    pub async fn clear_checks(&self, key: &str) -> Result<()> {
        let delete = Query::delete()
            .from_table("sign_in_checks")
            .and_where(Expr::col("key").eq(key))
            .take();
        self.db.execute(&delete).await?;
        Ok(())
    }

    /// Failed sign-ins from `address` since `since`, with the oldest of them.
    pub async fn address_failures(
        &self,
        address: &str,
        since: OffsetDateTime,
    ) -> Result<(u64, Option<OffsetDateTime>)> {
        let select = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .expr_as(Func::min(Expr::col("at")), "oldest")
            .from("login_attempts")
            .and_where(Expr::col("address").eq(address))
            .and_where(Expr::col("at").gte(since))
            .take();
        let Some(row) = self.db.fetch_optional(&select).await? else {
            return Ok((0, None));
        };
        let n: i64 = row.get("n")?;
        let oldest = if n > 0 {
            row.get::<Option<OffsetDateTime>>("oldest")?
        } else {
            None
        };
        Ok((Ord::max(n, 0) as u64, oldest))
    }

    /// A successful sign-in forgets the e-mail's earlier failures.
    /// A successful sign-in forgets the e-mail's earlier failures.
    pub async fn clear_login_failures(&self, email: &str) -> Result<()> {
        let mut work = self.work().await?;
        work.clear_login_failures(email).await?;
        work.commit().await
    }

    pub async fn add_activity(
        &self,
        contact: Uuid,
        kind: ActivityKind,
        source: ActivitySource,
        detail: &str,
        record: Option<(&str, Uuid)>,
    ) -> Result<()> {
        let mut work = self.work().await?;
        work.add_activity(contact, kind, source, detail, record)
            .await?;
        work.commit().await
    }

    /// A contact's timeline, newest first, optionally of one source only.
    pub async fn activity(
        &self,
        contact: Uuid,
        source: Option<ActivitySource>,
        limit: u64,
    ) -> Result<Vec<ActivityEntry>> {
        let mut select = Query::select();
        select
            .columns([
                "kind",
                "source",
                "at",
                "detail",
                "record_module",
                "record_id",
            ])
            .from("activity")
            .and_where(Expr::col("contact_id").eq(contact))
            .order_by("at", Order::Desc)
            .order_by("id", Order::Desc)
            .limit(limit);
        if let Some(source) = source {
            select.and_where(Expr::col("source").eq(source.as_str()));
        }
        let rows = self.db.fetch_all(&select).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let record = match (
                row.get::<Option<String>>("record_module")?,
                row.get::<Option<Uuid>>("record_id")?,
            ) {
                (Some(module), Some(id)) => Some((module, id, None)),
                _ => None,
            };
            entries.push(ActivityEntry {
                kind: ActivityKind::parse(&row.get::<String>("kind")?)?,
                source: ActivitySource::parse(&row.get::<String>("source")?)?,
                at: row.get("at")?,
                detail: row.get("detail")?,
                record,
            });
        }
        for entry in &mut entries {
            if let Some((module, id, label)) = entry.record.as_mut()
                && self.registry().module(module).is_some()
            {
                *label = self
                    .record_labels(module, &[*id])
                    .await?
                    .remove(id)
                    .map(|(l, _)| l);
            }
        }
        Ok(entries)
    }

    pub async fn follow(&self, module: &str, record: Uuid, contact: Uuid) -> Result<()> {
        let mut work = self.work().await?;
        work.follow(module, record, contact).await?;
        work.commit().await
    }

    pub async fn unfollow(&self, module: &str, record: Uuid, contact: Uuid) -> Result<()> {
        let mut work = self.work().await?;
        work.unfollow(module, record, contact).await?;
        work.commit().await
    }

    pub async fn followers(&self, module: &str, record: Uuid) -> Result<Vec<Uuid>> {
        let select = Query::select()
            .column("contact_id")
            .from("follows")
            .and_where(Expr::col("module").eq(module))
            .and_where(Expr::col("record_id").eq(record))
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(|r| r.get("contact_id"))
            .collect()
    }
}

impl Work<'_> {
    /// Sets a contact's portal password and ends all of the contact's sessions but `keep`.
    pub async fn set_portal_password(
        &mut self,
        contact: Uuid,
        hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let at = now();
        let upsert = Query::insert()
            .into_table("portal_accounts")
            .columns(["contact_id", "password_hash", "password_changed_at"])
            .values_panic([contact.into(), hash.into(), at.into()])
            .on_conflict(
                OnConflict::column("contact_id")
                    .update_columns(["password_hash", "password_changed_at"])
                    .to_owned(),
            )
            .take();
        self.tx.execute(&upsert).await?;
        let mut end = Query::delete();
        end.from_table("sessions")
            .and_where(Expr::col("kind").eq("customer"))
            .and_where(Expr::col("user_id").eq(contact));
        if let Some(keep) = keep {
            end.and_where(Expr::col("token_hash").ne(keep));
        }
        self.tx.execute(&end).await?;
        Ok(())
    }

    pub async fn create_customer_session(
        &mut self,
        token_hash: &str,
        contact: Uuid,
        portal: &str,
    ) -> Result<()> {
        let insert = crate::users::session_insert(
            token_hash,
            crate::SessionKind::Customer,
            contact,
            Some(portal),
        );
        self.tx.execute(&insert).await?;
        Ok(())
    }

    /// Ends every session of a contact.
    pub async fn end_customer_sessions(&mut self, contact: Uuid) -> Result<()> {
        self.end_sessions(crate::SessionKind::Customer, contact)
            .await
    }

    pub async fn record_login_failure(&mut self, email: &str, address: &str) -> Result<()> {
        let insert = Query::insert()
            .into_table("login_attempts")
            .columns(["id", "email", "address", "at"])
            .values_panic([
                Uuid::now_v7().into(),
                email.trim().to_lowercase().into(),
                address.into(),
                now().into(),
            ])
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }

    /// A successful sign-in forgets the e-mail's earlier failures.
    pub async fn clear_login_failures(&mut self, email: &str) -> Result<()> {
        let delete = Query::delete()
            .from_table("login_attempts")
            .and_where(Expr::col("email").eq(email.trim().to_lowercase()))
            .take();
        self.tx.execute(&delete).await?;
        Ok(())
    }

    pub async fn add_activity(
        &mut self,
        contact: Uuid,
        kind: ActivityKind,
        source: ActivitySource,
        detail: &str,
        record: Option<(&str, Uuid)>,
    ) -> Result<()> {
        let insert = crate::mail::activity_insert(contact, kind, source, detail, record, now());
        self.tx.execute(&insert).await?;
        Ok(())
    }

    pub async fn follow(&mut self, module: &str, record: Uuid, contact: Uuid) -> Result<()> {
        let insert = Query::insert()
            .into_table("follows")
            .columns(["module", "record_id", "contact_id", "created_at"])
            .values_panic([module.into(), record.into(), contact.into(), now().into()])
            .on_conflict(
                OnConflict::columns(["module", "record_id", "contact_id"])
                    .do_nothing()
                    .to_owned(),
            )
            .take();
        self.tx.execute(&insert).await?;
        Ok(())
    }

    pub async fn unfollow(&mut self, module: &str, record: Uuid, contact: Uuid) -> Result<()> {
        let delete = Query::delete()
            .from_table("follows")
            .and_where(Expr::col("module").eq(module))
            .and_where(Expr::col("record_id").eq(record))
            .and_where(Expr::col("contact_id").eq(contact))
            .take();
        self.tx.execute(&delete).await?;
        Ok(())
    }
}

/// The settings' version, a customer's session and its contact (see
/// [`Store::settings_and_customer_session`]).
#[derive(Debug)]
struct SessionAndContact<'a> {
    token_hash: String,
    contacts: Registered<'a>,
}

impl Shape for SessionAndContact<'_> {
    type Notes = ();

    fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
        // The version row is always there: the session and its contact hang off it, so a
        // missing session still reads the version.
        let mut select = Query::select();
        select
            .expr_as(
                Expr::col(("settings_version", "version")),
                "settings_version",
            )
            .from("settings_version")
            .left_join(
                "sessions",
                Expr::col(("sessions", "token_hash"))
                    .eq(self.token_hash.as_str())
                    .and(Expr::col(("sessions", "kind")).eq("customer")),
            )
            .and_where(Expr::col(("settings_version", "id")).eq(1));
        session_columns(&mut select);
        crate::records::qualified_columns(&mut select, self.contacts.0);
        // The labels of the contact's references (its organization) come with it: the
        // customer's profile then needs no statement of its own.
        crate::records::label_columns(&mut select, self.contacts.0, self.contacts.0);
        select.left_join(
            self.contacts.0.name.clone(),
            Expr::col((self.contacts.0.name.clone(), "id"))
                .equals(("sessions", "user_id"))
                .and(Expr::col((self.contacts.0.name.clone(), "deleted_at")).is_null()),
        );
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.contacts.is_registered(store)
    }
}
