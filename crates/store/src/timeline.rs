//! What happened on a record: its comments and its field history. Both are read in one shape
//! (the same columns, the authors' names joined in), so a page that shows both reads them with
//! one `UNION ALL` statement instead of two — or with none of its own, as one JSON column of the
//! statement that reads the record (`Timeline::column`).

use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Result};
use sea_query::{Expr, ExprTrait, Query, SelectStatement};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::comments::Comment;
use crate::db::Row;
use crate::records::UpdateEntry;
use crate::shapes::{Registered, Shape, only};
use crate::{Backend, Store};

/// A record's comments, oldest first, and its field history, newest first.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub comments: Vec<Comment>,
    pub updates: Vec<UpdateEntry>,
}

/// Which of the two a row of the shared shape is.
const COMMENT: &str = "comment";
const UPDATE: &str = "update";

impl Timeline {
    /// The timeline of rows of the shared shape, in any order.
    fn of(rows: impl Iterator<Item = Result<Shaped>>) -> Result<Timeline> {
        let mut timeline = Timeline::default();
        for row in rows {
            let row = row?;
            if row.kind == COMMENT {
                timeline.comments.push(row.into_comment());
            } else {
                timeline.updates.push(row.into_update());
            }
        }
        // A union has no order of its own: each part is put in its order here.
        timeline.comments.sort_by_key(|c| (c.created_at, c.id));
        timeline
            .updates
            .sort_by_key(|u| std::cmp::Reverse((u.at, u.id)));
        Ok(timeline)
    }

    /// The public timeline of record `record_id` as one JSON column of another statement (the
    /// record's own read, say), so that a page showing both costs one statement: the rows of
    /// [`Store::timeline`], each as an array in the order of the shared shape.
    pub(crate) fn column(backend: Backend, module: &ModuleDef, record_id: Uuid) -> Expr {
        let mut rows = comments_select(module, record_id, None, false);
        rows.union(sea_query::UnionType::All, updates_select(module, record_id));
        // SQLite's JSON has no blobs: its ids are given as hex (and `hex(NULL)` is '').
        let aggregate = match backend {
            Backend::Sqlite => {
                "json_group_array(json_array(kind, hex(id), a, b, c, internal, \
                 nullif(hex(by_user), ''), nullif(hex(by_contact), ''), at, user_label, \
                 contact_label, contact_deleted))"
            }
            Backend::Postgres => {
                "CAST(json_agg(json_build_array(kind, id, a, b, c, internal, by_user, \
                 by_contact, at, user_label, contact_label, contact_deleted)) AS TEXT)"
            }
        };
        let select = Query::select()
            .expr(Expr::cust(aggregate))
            .from_subquery(rows, "timeline")
            .take();
        Expr::SubQuery(None, Box::new(select.into()))
    }

    /// The timeline read from a [`Timeline::column`] (NULL when it has no row).
    pub(crate) fn from_column(json: Option<&str>) -> Result<Timeline> {
        let rows: Vec<JsonShaped> = match json {
            Some(json) => serde_json::from_str(json)
                .map_err(|e| atrium_core::Error::Internal(format!("timeline: {e}")))?,
            None => Vec::new(),
        };
        Timeline::of(rows.into_iter().map(JsonShaped::into_shaped))
    }
}

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
        let rows = self.db.fetch_all(&select).await?;
        Timeline::of(rows.iter().map(Shaped::read))
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
        let (statements, ()) = self.shaped(|params| CommentsOf {
            module: Registered(module),
            record_id: params.id(record_id),
            id: id.map(|id| params.id(id)),
            include_internal,
        })?;
        self.db
            .fetch_all_rendered(only(statements)?)
            .await?
            .iter()
            .map(|row| Ok(Shaped::read(row)?.into_comment()))
            .collect()
    }

    /// A record's field history, newest first.
    pub async fn updates(&self, module: &ModuleDef, id: Uuid) -> Result<Vec<UpdateEntry>> {
        let select = updates_select(module, id)
            .order_by(("record_updates", "changed_at"), sea_query::Order::Desc)
            .order_by(("record_updates", "id"), sea_query::Order::Desc)
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(|row| Ok(Shaped::read(row)?.into_update()))
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
        .take()
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
    .take()
}

/// One row of the shared shape.
struct Shaped {
    kind: String,
    id: Uuid,
    texts: [Option<String>; 3],
    internal: bool,
    by_user: Option<Uuid>,
    by_contact: Option<Uuid>,
    at: OffsetDateTime,
    user_label: Option<String>,
    contact_label: Option<String>,
    contact_deleted: bool,
}

impl Shaped {
    fn read(row: &Row) -> Result<Shaped> {
        Ok(Shaped {
            kind: row.get("kind")?,
            id: row.get("id")?,
            texts: [row.get("a")?, row.get("b")?, row.get("c")?],
            internal: row.get("internal")?,
            by_user: row.get("by_user")?,
            by_contact: row.get("by_contact")?,
            at: row.get("at")?,
            user_label: row.get("user_label")?,
            contact_label: row.get("contact_label")?,
            contact_deleted: row.get("contact_deleted")?,
        })
    }

    /// The staff author and the contact author, with their names.
    fn authors(&mut self) -> (Option<Reference>, Option<Reference>) {
        let user = self.by_user.map(|id| {
            let mut r = Reference::to(id);
            r.label = self.user_label.take();
            r
        });
        let contact = self.by_contact.map(|id| {
            let mut r = Reference::to(id);
            if let Some(label) = self.contact_label.take() {
                r.label = Some(label);
                r.deleted = self.contact_deleted;
            }
            r
        });
        (user, contact)
    }

    fn into_comment(mut self) -> Comment {
        let (author_user, author_contact) = self.authors();
        let [body, body_html, _] = self.texts;
        Comment {
            id: self.id,
            body: body.unwrap_or_default(),
            body_html: body_html.unwrap_or_default(),
            internal: self.internal,
            author_user,
            author_contact,
            created_at: self.at,
        }
    }

    fn into_update(mut self) -> UpdateEntry {
        // Values are stored as JSON; one that does not parse reads as empty rather than failing
        // the whole history.
        let parse = |s: Option<String>| {
            s.and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(serde_json::Value::Null)
        };
        let (by_user, by_contact) = self.authors();
        let [field, old, new] = self.texts;
        UpdateEntry {
            id: self.id,
            field: field.unwrap_or_default(),
            old: parse(old),
            new: parse(new),
            at: self.at,
            by_user,
            by_contact,
        }
    }
}

/// A row of [`Timeline::column`]: the shared shape as a JSON array, ids as text (hex on
/// SQLite), flags as booleans (PostgreSQL) or 0/1 (SQLite), the time as RFC 3339.
#[derive(Deserialize)]
struct JsonShaped(
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Flag,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Flag,
);

/// A flag as either database writes it: `true`/`false` or 1/0. (An untagged enum would try
/// a boolean first and build an error for every 0 and 1 it then read as a number.)
struct Flag(bool);

impl Flag {
    fn yes(self) -> bool {
        self.0
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Flag;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean or an integer")
            }
            fn visit_bool<E>(self, yes: bool) -> std::result::Result<Flag, E> {
                Ok(Flag(yes))
            }
            fn visit_i64<E>(self, n: i64) -> std::result::Result<Flag, E> {
                Ok(Flag(n != 0))
            }
            fn visit_u64<E>(self, n: u64) -> std::result::Result<Flag, E> {
                Ok(Flag(n != 0))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl JsonShaped {
    fn into_shaped(self) -> Result<Shaped> {
        let JsonShaped(kind, id, a, b, c, internal, by_user, by_contact, at, user, contact, gone) =
            self;
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            atrium_core::Error::Internal(format!("timeline {what}: {e}"))
        };
        let uuid = |text: &str| Uuid::parse_str(text).map_err(|e| bad("id", &e));
        Ok(Shaped {
            kind,
            id: uuid(&id)?,
            texts: [a, b, c],
            internal: internal.yes(),
            by_user: by_user.as_deref().map(uuid).transpose()?,
            by_contact: by_contact.as_deref().map(uuid).transpose()?,
            at: OffsetDateTime::parse(&at, &Rfc3339).map_err(|e| bad("time", &e))?,
            user_label: user,
            contact_label: contact,
            contact_deleted: gone.yes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Flag;

    #[test]
    fn a_flag_reads_as_either_database_writes_it() {
        let flags: Vec<Flag> = serde_json::from_str("[true, false, 1, 0]").expect("flags");
        let flags: Vec<bool> = flags.into_iter().map(Flag::yes).collect();
        assert_eq!(flags, [true, false, true, false]);
        assert!(serde_json::from_str::<Flag>("\"yes\"").is_err());
    }
}

/// A record's comments (see [`Store::comments`]).
#[derive(Debug)]
struct CommentsOf<'a> {
    module: Registered<'a>,
    record_id: Uuid,
    id: Option<Uuid>,
    include_internal: bool,
}

impl Shape for CommentsOf<'_> {
    type Notes = ();

    fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
        let select = comments_select(
            self.module.0,
            self.record_id,
            self.id,
            self.include_internal,
        )
        .order_by(("comments", "created_at"), sea_query::Order::Asc)
        .order_by(("comments", "id"), sea_query::Order::Asc)
        .take();
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store)
    }
}
