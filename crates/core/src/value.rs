//! Typed field values: what validation produces, the store writes and reads, and the web layer
//! turns into JSON.

use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::metadata::{DECIMAL_SCALE, FieldDef, FieldType};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Integer(i64),
    /// Decimal-like values in hundredths (see [`DECIMAL_SCALE`]).
    Decimal(i64),
    Boolean(bool),
    Date(Date),
    DateTime(OffsetDateTime),
    Ref(Reference),
    List(Vec<String>),
    File(FileInfo),
    Json(serde_json::Value),
}

/// A reference to a record or a staff user; the label is filled in when read back.
#[derive(Debug, Clone)]
pub struct Reference {
    pub id: Uuid,
    pub label: Option<String>,
    /// The referenced record was deleted (shown struck through).
    pub deleted: bool,
}

impl Reference {
    pub fn to(id: Uuid) -> Self {
        Self {
            id,
            label: None,
            deleted: false,
        }
    }
}

impl PartialEq for Reference {
    /// Two references are equal when they point at the same record, whatever labels they carry.
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// The descriptor of a stored file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub size: i64,
    pub mime_type: String,
    pub sha256: String,
    /// Where the bytes live in the object store; never sent to clients.
    #[serde(default)]
    pub key: String,
}

pub const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn format_date(date: Date) -> String {
    date.format(DATE_FORMAT).unwrap_or_default()
}

pub fn format_datetime(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// `12345` hundredths → `123.45` as a JSON number.
pub fn decimal_to_json(hundredths: i64) -> serde_json::Value {
    let scale = 10_i64.pow(DECIMAL_SCALE);
    let text = format!(
        "{}{}.{:02}",
        if hundredths < 0 { "-" } else { "" },
        (hundredths / scale).abs(),
        (hundredths % scale).abs()
    );
    text.parse::<serde_json::Number>()
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_ref_id(&self) -> Option<Uuid> {
        match self {
            Value::Ref(r) => Some(r.id),
            _ => None,
        }
    }

    /// The JSON the API shows for this value of `field`.
    pub fn to_json(&self, field: &FieldDef) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Text(s) => json!(s),
            Value::Integer(i) => json!(i),
            Value::Decimal(d) => decimal_to_json(*d),
            Value::Boolean(b) => json!(b),
            Value::Date(d) => json!(format_date(*d)),
            Value::DateTime(t) => json!(format_datetime(*t)),
            Value::Ref(r) => {
                let mut out = json!({"id": r.id, "label": r.label});
                // Portal authors may have been deleted since; staff see them struck through.
                if field.system && matches!(field.field_type, FieldType::Reference { .. }) {
                    out["deleted"] = json!(r.deleted);
                }
                out
            }
            Value::List(items) => json!(items),
            Value::File(file) => json!({
                "name": file.name,
                "size": file.size,
                "mime_type": file.mime_type,
                "sha256": file.sha256,
            }),
            Value::Json(v) => v.clone(),
        }
    }

    /// A plain rendering for history entries and labels.
    pub fn to_plain_json(&self) -> serde_json::Value {
        match self {
            Value::Ref(r) => json!(r.id),
            Value::File(file) => json!(file.name),
            Value::Decimal(d) => decimal_to_json(*d),
            Value::Date(d) => json!(format_date(*d)),
            Value::DateTime(t) => json!(format_datetime(*t)),
            Value::Null => serde_json::Value::Null,
            Value::Text(s) => json!(s),
            Value::Integer(i) => json!(i),
            Value::Boolean(b) => json!(b),
            Value::List(items) => json!(items),
            Value::Json(v) => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_render_exactly() {
        assert_eq!(decimal_to_json(12345).to_string(), "123.45");
        assert_eq!(decimal_to_json(-5).to_string(), "-0.05");
        assert_eq!(decimal_to_json(100).to_string(), "1.0");
    }
}
