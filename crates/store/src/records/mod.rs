//! Records of every module: create, read, list, change, soft delete, links, related lists and
//! field history. One implementation for every module, driven by the metadata, split by
//! concern: `filter` (the filter tree as SQL), `read`, `write` (inside a [`crate::Work`]),
//! `links` (many-to-many links and related lists) and `batch` (bulk loading).

mod batch;
mod filter;
mod links;
mod read;
mod text_index;
mod write;

pub(crate) use filter::picklist_order;
pub(crate) use read::label_columns;
pub use read::{Checked, ListProbe, Questions};
pub(crate) use text_index::sync as sync_text_index;
pub use write::Changed;

use filter::*;
use links::*;
use read::*;
use write::*;

use std::collections::BTreeMap;

use atrium_core::value::{FileInfo, Reference};
use atrium_core::{Error, FieldDef, FieldType, ModuleDef, Record, Result, Value};
use sea_query::{Expr, ExprTrait, Query, SelectStatement, SimpleExpr};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Store;
use crate::db::Row;
use crate::work::Work;

/// Who makes a change: a staff user, a customer (contact) through a portal, or Atrium itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(Uuid),
    Contact(Uuid),
    System,
}

impl Actor {
    fn user(self) -> Option<Uuid> {
        match self {
            Actor::Staff(id) => Some(id),
            _ => None,
        }
    }
    fn contact(self) -> Option<Uuid> {
        match self {
            Actor::Contact(id) => Some(id),
            _ => None,
        }
    }
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Record>,
    pub total: u64,
}

/// One field change in a record's history.
#[derive(Debug, Clone)]
pub struct UpdateEntry {
    pub id: Uuid,
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
    pub at: OffsetDateTime,
    pub by_user: Option<Reference>,
    pub by_contact: Option<Reference>,
}

const HEADER: [&str; 6] = [
    "id",
    "number",
    "version",
    "created_at",
    "updated_at",
    "label",
];

/// The value bound for `value` in a column of `field_type` (typed even when null, because
/// PostgreSQL checks parameter types).
pub(crate) fn bind(field_type: &FieldType, value: &Value) -> sea_query::Value {
    use sea_query::Value as V;
    match (field_type, value) {
        (FieldType::Reference { .. } | FieldType::User, Value::Ref(r)) => V::Uuid(Some(r.id)),
        (FieldType::Reference { .. } | FieldType::User, _) => V::Uuid(None),
        (
            FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent,
            Value::Integer(i) | Value::Decimal(i),
        ) => V::BigInt(Some(*i)),
        (FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent, _) => {
            V::BigInt(None)
        }
        (FieldType::Boolean, Value::Boolean(b)) => V::Bool(Some(*b)),
        (FieldType::Boolean, _) => V::Bool(None),
        (FieldType::Date, Value::Date(d)) => V::TimeDate(Some(*d)),
        (FieldType::Date, _) => V::TimeDate(None),
        (FieldType::Datetime, Value::DateTime(t)) => V::TimeDateTimeWithTimeZone(Some(*t)),
        (FieldType::Datetime, _) => V::TimeDateTimeWithTimeZone(None),
        (_, Value::Text(s)) => V::String(Some(s.clone())),
        (_, Value::List(items)) => V::String(serde_json::to_string(items).ok()),
        (_, Value::File(file)) => V::String(serde_json::to_string(file).ok()),
        (_, Value::Json(json)) => V::String(Some(json.to_string())),
        _ => V::String(None),
    }
}

fn decode(row: &Row, field: &FieldDef) -> Result<Value> {
    let name = field.name.as_str();
    let value = match &field.field_type {
        FieldType::Reference { .. } | FieldType::User => row
            .get::<Option<Uuid>>(name)?
            .map(|id| Value::Ref(Reference::to(id))),
        FieldType::Integer => row.get::<Option<i64>>(name)?.map(Value::Integer),
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => {
            row.get::<Option<i64>>(name)?.map(Value::Decimal)
        }
        FieldType::Boolean => row.get::<Option<bool>>(name)?.map(Value::Boolean),
        FieldType::Date => row.get::<Option<Date>>(name)?.map(Value::Date),
        FieldType::Datetime => row
            .get::<Option<OffsetDateTime>>(name)?
            .map(Value::DateTime),
        FieldType::Multipicklist => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .map(Value::List),
        FieldType::File => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str::<FileInfo>(&s).ok())
            .map(Value::File),
        FieldType::Grid { .. } => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .map(Value::Json),
        _ => row.get::<Option<String>>(name)?.map(Value::Text),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn decode_record(row: &Row, module: &ModuleDef) -> Result<Record> {
    let mut values = BTreeMap::new();
    for field in &module.fields {
        values.insert(field.name.clone(), decode(row, field)?);
    }
    Ok(Record {
        id: row.get("id")?,
        number: row.get("number")?,
        version: row.get("version")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        values,
    })
}

fn select_all(module: &ModuleDef) -> SelectStatement {
    let mut q = Query::select();
    q.from(module.name.clone())
        .columns(HEADER)
        .columns(module.fields.iter().map(|f| f.name.clone()));
    q
}

/// `module`'s columns qualified by its table and named as [`select_all`] names them, for a
/// statement that joins the module's row to another table's.
pub(crate) fn qualified_columns(select: &mut SelectStatement, module: &ModuleDef) {
    let names = HEADER
        .iter()
        .map(|c| (*c).to_owned())
        .chain(module.fields.iter().map(|f| f.name.clone()));
    for name in names {
        select.expr_as(Expr::col((module.name.clone(), name.clone())), name);
    }
}

/// The record of a row holding [`qualified_columns`] of a joined row that may be missing.
pub(crate) fn decode_joined(row: &Row, module: &ModuleDef) -> Result<Option<Record>> {
    match row.get::<Option<Uuid>>("id")? {
        Some(_) => decode_record(row, module).map(Some),
        None => Ok(None),
    }
}

/// A record joined into another statement with [`qualified_columns`] and the labels of its
/// references as [`label_columns`] reads them.
pub(crate) fn decode_joined_labeled(row: &Row, module: &ModuleDef) -> Result<Option<Record>> {
    let Some(mut record) = decode_joined(row, module)? else {
        return Ok(None);
    };
    read_label_columns(row, module, &mut record)?;
    Ok(Some(record))
}

fn not_deleted() -> SimpleExpr {
    Expr::col("deleted_at").is_null()
}

impl Store {
    pub fn module(&self, name: &str) -> Result<&ModuleDef> {
        self.registry().module(name).ok_or(Error::NotFound)
    }
}
