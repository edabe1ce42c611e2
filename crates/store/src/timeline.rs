//! What happened on a record: its comments and its field history. Both are read in one shape
//! (the same columns, the authors' names joined in), so a page that shows both reads them with
//! one `UNION ALL` statement instead of two.

use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Result};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use uuid::Uuid;

use crate::Store;
use crate::comments::Comment;
use crate::db::Row;
use crate::records::UpdateEntry;

/// A record's comments, oldest first, and its field history, newest first.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub comments: Vec<Comment>,
    pub updates: Vec<UpdateEntry>,
}

/// Which of the two a row of the shared shape is.
const COMMENT: &str = "comment";
const UPDATE: &str = "update";

impl Store {
    /// Comments (internal ones only when asked for) and field history of a record, in one
    /// statement.
    pub async fn timeline(
        &self,
        module: &ModuleDef,
        record_id: Uuid,
        include_internal: bool,
    ) -> Result<Timeline> {
        let mut select = comments_select(module, record_id, None, include_internal);
        select.union(sea_query::UnionType::All, updates_select(module, record_id));
        let mut timeline = Timeline::default();
        for row in &self.db.fetch_all(&select).await? {
            if row.get::<String>("kind")? == COMMENT {
                timeline.comments.push(comment_of(row)?);
            } else {
                timeline.updates.push(update_of(row)?);
            }
        }
        // A union has no order of its own: each part is put in its order here.
        timeline.comments.sort_by_key(|c| (c.created_at, c.id));
        timeline
            .updates
            .sort_by_key(|u| std::cmp::Reverse((u.at, u.id)));
        Ok(timeline)
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

    /// One comment of a record, internal or not.
    pub async fn comment(&self, module: &ModuleDef, record_id: Uuid, id: Uuid) -> Result<Comment> {
        let mut comments = self
            .comments_where(module, record_id, Some(id), true)
            .await?;
        comments.pop().ok_or(atrium_core::Error::NotFound)
    }

    async fn comments_where(
        &self,
        module: &ModuleDef,
        record_id: Uuid,
        id: Option<Uuid>,
        include_internal: bool,
    ) -> Result<Vec<Comment>> {
        let select = comments_select(module, record_id, id, include_internal)
            .order_by(("comments", "created_at"), sea_query::Order::Asc)
            .order_by(("comments", "id"), sea_query::Order::Asc)
            .to_owned();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(comment_of)
            .collect()
    }

    /// A record's field history, newest first.
    pub async fn updates(&self, module: &ModuleDef, id: Uuid) -> Result<Vec<UpdateEntry>> {
        let select = updates_select(module, id)
            .order_by(("record_updates", "changed_at"), sea_query::Order::Desc)
            .order_by(("record_updates", "id"), sea_query::Order::Desc)
            .to_owned();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(update_of)
            .collect()
    }
}

/// The shared shape: `kind`, `id`, three texts (`a`, `b`, `c`), `internal`, who (`by_user`,
/// `by_contact`, with `user_label`, `contact_label`, `contact_deleted`) and when (`at`).
/// `table` is joined to the authors through its columns `user` and `contact`.
fn shaped(
    kind: &'static str,
    table: &'static str,
    texts: [Expr; 3],
    internal: Expr,
    (user, contact, at): (&'static str, &'static str, &'static str),
) -> SelectStatement {
    let [a, b, c] = texts;
    Query::select()
        .expr_as(Expr::val(kind), "kind")
        .expr_as(Expr::col((table, "id")), "id")
        .expr_as(a, "a")
        .expr_as(b, "b")
        .expr_as(c, "c")
        .expr_as(internal, "internal")
        .expr_as(Expr::col((table, user)), "by_user")
        .expr_as(Expr::col((table, contact)), "by_contact")
        .expr_as(Expr::col((table, at)), "at")
        .expr_as(Expr::col(("staff_users", "name")), "user_label")
        .expr_as(Expr::col(("contacts", "label")), "contact_label")
        .expr_as(
            Expr::col(("contacts", "deleted_at")).is_not_null(),
            "contact_deleted",
        )
        .from(table)
        .left_join(
            "staff_users",
            Expr::col(("staff_users", "id")).equals((table, user)),
        )
        .left_join(
            "contacts",
            Expr::col(("contacts", "id")).equals((table, contact)),
        )
        .to_owned()
}

fn comments_select(
    module: &ModuleDef,
    record_id: Uuid,
    id: Option<Uuid>,
    include_internal: bool,
) -> SelectStatement {
    const C: &str = "comments";
    let mut select = shaped(
        COMMENT,
        C,
        [
            Expr::col((C, "body")),
            Expr::col((C, "body_html")),
            Expr::value(Option::<String>::None),
        ],
        Expr::col((C, "internal")),
        ("author_user", "author_contact", "created_at"),
    );
    select
        .and_where(Expr::col((C, "module")).eq(module.name.as_str()))
        .and_where(Expr::col((C, "record_id")).eq(record_id));
    if let Some(id) = id {
        select.and_where(Expr::col((C, "id")).eq(id));
    }
    if !include_internal {
        select.and_where(Expr::col((C, "internal")).eq(false));
    }
    select
}

fn updates_select(module: &ModuleDef, record_id: Uuid) -> SelectStatement {
    const U: &str = "record_updates";
    shaped(
        UPDATE,
        U,
        [
            Expr::col((U, "field")),
            Expr::col((U, "old_value")),
            Expr::col((U, "new_value")),
        ],
        Expr::val(false),
        ("changed_by_user", "changed_by_contact", "changed_at"),
    )
    .and_where(Expr::col((U, "module")).eq(module.name.as_str()))
    .and_where(Expr::col((U, "record_id")).eq(record_id))
    .to_owned()
}

/// The staff author and the contact author of a row, with their names.
fn authors_of(row: &Row) -> Result<(Option<Reference>, Option<Reference>)> {
    let user = row
        .get::<Option<Uuid>>("by_user")?
        .map(|id| -> Result<Reference> {
            let mut r = Reference::to(id);
            r.label = row.get("user_label")?;
            Ok(r)
        })
        .transpose()?;
    let contact = row
        .get::<Option<Uuid>>("by_contact")?
        .map(|id| -> Result<Reference> {
            let mut r = Reference::to(id);
            if let Some(label) = row.get::<Option<String>>("contact_label")? {
                r.label = Some(label);
                r.deleted = row.get("contact_deleted")?;
            }
            Ok(r)
        })
        .transpose()?;
    Ok((user, contact))
}

fn comment_of(row: &Row) -> Result<Comment> {
    let (author_user, author_contact) = authors_of(row)?;
    Ok(Comment {
        id: row.get("id")?,
        body: row.get("a")?,
        body_html: row.get("b")?,
        internal: row.get("internal")?,
        author_user,
        author_contact,
        created_at: row.get("at")?,
    })
}

fn update_of(row: &Row) -> Result<UpdateEntry> {
    // Values are stored as JSON; one that does not parse reads as empty rather than failing
    // the whole history.
    let parse = |s: Option<String>| {
        s.and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    let (by_user, by_contact) = authors_of(row)?;
    Ok(UpdateEntry {
        id: row.get("id")?,
        field: row.get("a")?,
        old: parse(row.get("b")?),
        new: parse(row.get("c")?),
        at: row.get("at")?,
        by_user,
        by_contact,
    })
}
