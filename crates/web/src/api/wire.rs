//! The JSON shapes of the API that are not plain structs: records (their fields come from the
//! metadata), pages, comments and history entries.

use atrium_core::value::{Reference, format_datetime};
use atrium_core::{ModuleDef, Record};
use atrium_store::{Comment, Page, UpdateEntry};
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// A record: `id`, `number`, `created_at`, `updated_at` and one key per field of its module
/// (see `GET /api/v1/modules`); references are `{id, label}`.
#[derive(Serialize, ToSchema)]
#[schema(as = Record)]
pub struct RecordDoc {
    pub id: String,
    pub number: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct RecordPage {
    #[schema(value_type = Vec<RecordDoc>)]
    pub items: Vec<Value>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub fn record_json(module: &ModuleDef, record: &Record) -> Value {
    let mut object = Map::with_capacity(module.fields.len() + 4);
    object.insert("id".into(), json!(record.id));
    object.insert("number".into(), json!(record.number));
    object.insert(
        "created_at".into(),
        json!(format_datetime(record.created_at)),
    );
    object.insert(
        "updated_at".into(),
        json!(format_datetime(record.updated_at)),
    );
    for field in &module.fields {
        object.insert(field.name.clone(), record.get(&field.name).to_json(field));
    }
    Value::Object(object)
}

pub fn page_json(module: &ModuleDef, page: &Page, number: u64, per_page: u64) -> RecordPage {
    RecordPage {
        items: page.items.iter().map(|r| record_json(module, r)).collect(),
        total: page.total,
        page: number,
        per_page,
    }
}

fn reference_json(r: &Reference, with_deleted: bool) -> Value {
    let mut out = json!({"id": r.id, "label": r.label});
    if with_deleted {
        out["deleted"] = json!(r.deleted);
    }
    out
}

/// A comment.
#[derive(Serialize, ToSchema)]
pub struct CommentJson {
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

impl From<&Comment> for CommentJson {
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
#[derive(Serialize, ToSchema)]
pub struct UpdateJson {
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

impl From<&UpdateEntry> for UpdateJson {
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

#[derive(Serialize, ToSchema)]
pub struct Items<T: ToSchema> {
    pub items: Vec<T>,
}
