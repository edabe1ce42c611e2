//! Comments on any record: markdown body, rendered and sanitized once on write, with an
//! `internal` flag that keeps staff notes from customers.

use atrium_core::markdown::to_safe_html;
use atrium_core::record::now;
use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Result};
use sea_query::{Expr, ExprTrait, Order, Query};
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

    /// One comment of a record, internal or not.
    pub async fn comment(&self, module: &ModuleDef, record_id: Uuid, id: Uuid) -> Result<Comment> {
        let mut comments = self
            .comments_where(module, record_id, Some(id), true)
            .await?;
        comments.pop().ok_or(atrium_core::Error::NotFound)
    }

    /// A record's comments, oldest first; internal ones only when asked for.
    pub async fn comments(
        &self,
        module: &ModuleDef,
        record_id: Uuid,
        include_internal: bool,
    ) -> Result<Vec<Comment>> {
        self.comments_where(module, record_id, None, include_internal)
            .await
    }

    async fn comments_where(
        &self,
        module: &ModuleDef,
        record_id: Uuid,
        id: Option<Uuid>,
        include_internal: bool,
    ) -> Result<Vec<Comment>> {
        let mut select = Query::select();
        select
            .columns(COLUMNS)
            .from("comments")
            .and_where(Expr::col("module").eq(module.name.as_str()))
            .and_where(Expr::col("record_id").eq(record_id))
            .order_by("created_at", Order::Asc)
            .order_by("id", Order::Asc);
        if let Some(id) = id {
            select.and_where(Expr::col("id").eq(id));
        }
        if !include_internal {
            select.and_where(Expr::col("internal").eq(false));
        }
        let rows = self.db.fetch_all(&select).await?;
        let mut comments = Vec::with_capacity(rows.len());
        for row in &rows {
            comments.push(Comment {
                id: row.get("id")?,
                body: row.get("body")?,
                body_html: row.get("body_html")?,
                internal: row.get("internal")?,
                author_user: row.get::<Option<Uuid>>("author_user")?.map(Reference::to),
                author_contact: row
                    .get::<Option<Uuid>>("author_contact")?
                    .map(Reference::to),
                created_at: row.get("created_at")?,
            });
        }
        let users: Vec<Uuid> = comments
            .iter()
            .filter_map(|c| c.author_user.as_ref().map(|r| r.id))
            .collect();
        let contacts: Vec<Uuid> = comments
            .iter()
            .filter_map(|c| c.author_contact.as_ref().map(|r| r.id))
            .collect();
        let user_names = self.user_labels(&users).await?;
        let contact_names = self.record_labels("contacts", &contacts).await?;
        for comment in &mut comments {
            if let Some(r) = comment.author_user.as_mut() {
                r.label = user_names.get(&r.id).cloned();
            }
            if let Some(r) = comment.author_contact.as_mut()
                && let Some((label, deleted)) = contact_names.get(&r.id)
            {
                r.label = Some(label.clone());
                r.deleted = *deleted;
            }
        }
        Ok(comments)
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
            .to_owned();
        self.tx.execute(&insert).await?;
        Ok(id)
    }
}
