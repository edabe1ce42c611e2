//! A record as the domain sees it: header columns plus typed values keyed by field name.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::metadata::ModuleDef;
use crate::value::Value;

/// Record ids are opaque strings to clients; a malformed one is simply a record that is not
/// there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordId(pub Uuid);

impl RecordId {
    pub fn parse(s: &str) -> Result<Self> {
        Uuid::parse_str(s)
            .map(RecordId)
            .map_err(|_| Error::NotFound)
    }

    pub fn new() -> Self {
        RecordId(Uuid::now_v7())
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for RecordId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, Clone)]
pub struct Record {
    pub id: Uuid,
    pub number: String,
    /// Bumped by every change; the ETag.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub values: BTreeMap<String, Value>,
}

impl Record {
    pub fn get(&self, field: &str) -> &Value {
        self.values.get(field).unwrap_or(&Value::Null)
    }

    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }
}

/// Now, truncated to microseconds so that both databases store exactly what we hold.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_microsecond(now.microsecond()).unwrap_or(now)
}

/// The record's display label: its label fields' values joined by a space.
pub fn label_of<'a>(module: &ModuleDef, get: impl Fn(&str) -> Option<&'a Value>) -> String {
    module
        .label_fields
        .iter()
        .filter_map(|f| get(f).and_then(Value::as_text))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
