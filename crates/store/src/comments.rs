//! Comments on any record: markdown body, rendered and sanitized once on write, with an
//! `internal` flag that keeps staff notes from customers.

use atrium_core::markdown::to_safe_html;
use atrium_core::record::now;
use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Result};
use sea_query::Query;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::records::Actor;
use crate::{Store, Work};

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: Uuid,
    pub body: String,
    pub body_html: String,
    pub internal: bool,
    pub author_user: Option<Reference>,
    pub author_contact: Option<Reference>,
    pub created_at: OffsetDateTime,
}

const COLUMNS: [&str; 7] = [
    "id",
    "body",
    "body_html",
    "internal",
    "author_user",
    "author_contact",
    "created_at",
];

impl Store {
    /// Adds a comment to a record the caller has already found, in a transaction of its own.
    pub async fn add_comment(
        &self,
        module: &ModuleDef,
        record_id: Uuid,
        body: &str,
        internal: bool,
        author: Actor,
    ) -> Result<Comment> {
        let mut work = self.work().await?;
        let id = work
            .add_comment(module, record_id, body, internal, author)
            .await?;
        work.commit().await?;
        self.comment(module, record_id, id).await
    }
}

impl Work<'_> {
    /// Adds a comment (its markdown rendered and sanitized once, here); returns its id.
    pub async fn add_comment(
        &mut self,
        module: &ModuleDef,
        record_id: Uuid,
        body: &str,
        internal: bool,
        author: Actor,
    ) -> Result<Uuid> {
        let (user, contact) = match author {
            Actor::Staff(id) => (Some(id), None),
            Actor::Contact(id) => (None, Some(id)),
            Actor::System => (None, None),
        };
        let id = Uuid::now_v7();
        let insert = Query::insert()
            .into_table("comments")
            .columns(["module", "record_id"].into_iter().chain(COLUMNS))
            .values_panic([
                module.name.clone().into(),
                record_id.into(),
                id.into(),
                body.into(),
                to_safe_html(body).into(),
                internal.into(),
                user.into(),
                contact.into(),
                now().into(),
            ])
            .take();
        self.tx.execute(&insert).await?;
        Ok(id)
    }
}
