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
        // The authors' names come with the comments, through joins, not a query per table.
        let mut select = Query::select();
        select
            .columns(COLUMNS.map(|c| ("comments", c)))
            .expr_as(Expr::col(("staff_users", "name")), "user_label")
            .expr_as(Expr::col(("contacts", "label")), "contact_label")
            .expr_as(
                Expr::col(("contacts", "deleted_at")).is_not_null(),
                "contact_deleted",
            )
            .from("comments")
            .left_join(
                "staff_users",
                Expr::col(("staff_users", "id")).equals(("comments", "author_user")),
            )
            .left_join(
                "contacts",
                Expr::col(("contacts", "id")).equals(("comments", "author_contact")),
            )
            .and_where(Expr::col(("comments", "module")).eq(module.name.as_str()))
            .and_where(Expr::col(("comments", "record_id")).eq(record_id))
            .order_by(("comments", "created_at"), Order::Asc)
            .order_by(("comments", "id"), Order::Asc);
        if let Some(id) = id {
            select.and_where(Expr::col(("comments", "id")).eq(id));
        }
        if !include_internal {
            select.and_where(Expr::col(("comments", "internal")).eq(false));
        }
        let rows = self.db.fetch_all(&select).await?;
        let mut comments = Vec::with_capacity(rows.len());
        for row in &rows {
            let author_user = row
                .get::<Option<Uuid>>("author_user")?
                .map(|id| -> Result<Reference> {
                    let mut r = Reference::to(id);
                    r.label = row.get("user_label")?;
                    Ok(r)
                })
                .transpose()?;
            let author_contact = row
                .get::<Option<Uuid>>("author_contact")?
                .map(|id| -> Result<Reference> {
                    let mut r = Reference::to(id);
                    if let Some(label) = row.get::<Option<String>>("contact_label")? {
                        r.label = Some(label);
                        r.deleted = row.get("contact_deleted")?;
                    }
                    Ok(r)
                })
                .transpose()?;
            comments.push(Comment {
                id: row.get("id")?,
                body: row.get("body")?,
                body_html: row.get("body_html")?,
                internal: row.get("internal")?,
                author_user,
                author_contact,
                created_at: row.get("created_at")?,
            });
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
