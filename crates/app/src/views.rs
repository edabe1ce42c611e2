//! Typed views: what an action returns. The JSON API serializes them as they are and the pages
//! render from the same structs, so both always show the same thing. A record is shown through
//! a module *view* (for a customer, only the fields they may see), so a hidden field cannot
//! leak into either.

use std::sync::Arc;

use atrium_core::value::{Reference, format_datetime};
use atrium_core::{ModuleDef, Record};
use atrium_store::{Comment, UpdateEntry};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// A record as one reader sees it: `id`, `number`, `created_at`, `updated_at` and one key per
/// field of `view`; references as `{id, label}`.
#[derive(Debug, Clone)]
pub struct RecordView {
    pub view: Arc<ModuleDef>,
    pub record: Record,
    /// Keys added after the fields (`portal` after a contact write, `email_change`).
    pub extra: Vec<(&'static str, Value)>,
}

impl RecordView {
    pub fn new(view: Arc<ModuleDef>, record: Record) -> Self {
        Self {
            view,
            record,
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &'static str, value: Value) -> Self {
        self.extra.push((key, value));
        self
    }

    /// The `ETag` of the record's version.
    pub fn etag(&self) -> String {
        self.record.etag()
    }

    /// The record as a JSON value (what serializing it gives).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for RecordView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = &self.record;
        let mut map =
            serializer.serialize_map(Some(self.view.fields.len() + 4 + self.extra.len()))?;
        map.serialize_entry("id", &record.id)?;
        map.serialize_entry("number", &record.number)?;
        map.serialize_entry("created_at", &format_datetime(record.created_at))?;
        map.serialize_entry("updated_at", &format_datetime(record.updated_at))?;
        for field in &self.view.fields {
            map.serialize_entry(&field.name, &record.get(&field.name).to_json(field))?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl Page<RecordView> {
    /// A store page shown through `view`.
    pub fn of(view: &Arc<ModuleDef>, page: atrium_store::Page, number: u64, per_page: u64) -> Self {
        Page {
            items: page
                .items
                .into_iter()
                .map(|r| RecordView::new(view.clone(), r))
                .collect(),
            total: page.total,
            page: number,
            per_page,
        }
    }
}

/// Items without paging.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Items<T: ToSchema> {
    pub items: Vec<T>,
}

fn reference_json(r: &Reference, with_deleted: bool) -> Value {
    let mut out = json!({"id": r.id, "label": r.label});
    if with_deleted {
        out["deleted"] = json!(r.deleted);
    }
    out
}

/// A comment.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CommentJson)]
pub struct CommentView {
    pub id: String,
    /// Markdown as written.
    pub body: String,
    /// The markdown rendered and sanitized.
    pub body_html: String,
    pub internal: bool,
    /// `{id, label}` of the staff author, if any.
    #[schema(value_type = Option<Object>)]
    pub author: Option<Value>,
    /// `{id, label, deleted}` of the contact who wrote it through a portal, if any.
    #[schema(value_type = Option<Object>)]
    pub author_ext: Option<Value>,
    pub created_at: String,
}

impl From<&Comment> for CommentView {
    fn from(c: &Comment) -> Self {
        Self {
            id: c.id.to_string(),
            body: c.body.clone(),
            body_html: c.body_html.clone(),
            internal: c.internal,
            author: c.author_user.as_ref().map(|r| reference_json(r, false)),
            author_ext: c.author_contact.as_ref().map(|r| reference_json(r, true)),
            created_at: format_datetime(c.created_at),
        }
    }
}

/// One field change.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UpdateJson)]
pub struct UpdateView {
    pub id: String,
    pub field: String,
    #[schema(value_type = Object)]
    pub old: Value,
    #[schema(value_type = Object)]
    pub new: Value,
    pub at: String,
    #[schema(value_type = Option<Object>)]
    pub by: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub by_ext: Option<Value>,
}

impl From<&UpdateEntry> for UpdateView {
    fn from(u: &UpdateEntry) -> Self {
        Self {
            id: u.id.to_string(),
            field: u.field.clone(),
            old: u.old.clone(),
            new: u.new.clone(),
            at: format_datetime(u.at),
            by: u.by_user.as_ref().map(|r| reference_json(r, false)),
            by_ext: u.by_contact.as_ref().map(|r| reference_json(r, true)),
        }
    }
}
