//! The address each portal user signs in with (`portal_logins`): a contact's e-mail, trimmed
//! and lowercased in full Unicode (`JÖRG@…` is `jörg@…`), unique among portal users. It is
//! kept in step with the contact in the transaction of every write to a contact, so sign-in
//! finds exactly one contact or none, and a second portal user with the same address is a
//! conflict however the writes race.

use atrium_core::{Record, Result, Value};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use uuid::Uuid;

use crate::db::Tx;
use crate::{Store, Work};

/// An address as portal sign-in compares it.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The address `contact` signs in with: its e-mail while it is a portal user and not deleted.
fn login_of(contact: &Record) -> Option<String> {
    let portal_user = contact.get("portal_user") == &Value::Boolean(true);
    let email = contact.get("email").as_text().map(normalize_email);
    email.filter(|e| portal_user && !e.is_empty())
}

/// Makes `portal_logins` say what `contact` (as stored now; None once deleted) signs in with.
pub(crate) async fn sync(tx: &mut Tx, id: Uuid, contact: Option<&Record>) -> Result<()> {
    let delete = Query::delete()
        .from_table("portal_logins")
        .and_where(Expr::col("contact_id").eq(id))
        .take();
    tx.execute(&delete).await?;
    if let Some(email) = contact.and_then(login_of) {
        let insert = Query::insert()
            .into_table("portal_logins")
            .columns(["email", "contact_id"])
            .values_panic([email.into(), id.into()])
            .take();
        tx.execute(&insert).await?;
    }
    Ok(())
}

impl Store {
    /// The contact that signs in with `email`, if any.
    pub async fn portal_login(&self, email: &str) -> Result<Option<Uuid>> {
        let select = Query::select()
            .column("contact_id")
            .from("portal_logins")
            .and_where(Expr::col("email").eq(normalize_email(email)))
            .take();
        match self.db.fetch_optional(&select).await? {
            Some(row) => Ok(Some(row.get("contact_id")?)),
            None => Ok(None),
        }
    }

    /// Fills `portal_logins` from the contacts (at start-up: contacts written before it
    /// existed, or by bulk loading). Where two portal users share an address, the first keeps
    /// it and the other is logged.
    pub async fn sync_portal_logins(&self) -> Result<()> {
        if self.registry().module("contacts").is_none() {
            return Ok(());
        }
        let select = Query::select()
            .columns(["id", "email"])
            .from("contacts")
            // The very terms of the partial index `contacts__portal_user__true`, so that the
            // planner may read it (a bound `portal_user = ?` would not prove the match).
            .and_where(Expr::col("deleted_at").is_null())
            .and_where(Expr::col("portal_user"))
            .and_where(
                Expr::col("id").not_in_subquery(
                    Query::select()
                        .column("contact_id")
                        .from("portal_logins")
                        .take(),
                ),
            )
            .take();
        let rows = self.db.fetch_all(&select).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut work = self.work().await?;
        for row in rows {
            let id: Uuid = row.get("id")?;
            let Some(email) = row
                .get::<Option<String>>("email")?
                .map(|e| normalize_email(&e))
            else {
                continue;
            };
            if email.is_empty() {
                continue;
            }
            let insert = Query::insert()
                .into_table("portal_logins")
                .columns(["email", "contact_id"])
                .values_panic([email.clone().into(), id.into()])
                .on_conflict(OnConflict::column("email").do_nothing().to_owned())
                .take();
            if work.tx.execute(&insert).await? == 0 {
                tracing::warn!(contact = %id, "another portal user already signs in with this contact's e-mail");
            }
        }
        work.commit().await
    }
}

impl Work<'_> {
    /// Keeps `portal_logins` in step after a write to contact `id`.
    pub(crate) async fn sync_login(&mut self, id: Uuid) -> Result<()> {
        let contacts = self.store.module("contacts")?;
        let contact = match self.get(contacts, id).await {
            Ok(contact) => Some(contact),
            Err(atrium_core::Error::NotFound) => None,
            Err(other) => return Err(other),
        };
        sync(&mut self.tx, id, contact.as_ref()).await
    }
}
