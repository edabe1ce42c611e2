//! Schemas of JSON shapes that are built from the metadata (records and pages of records), for
//! the OpenAPI document; `atrium_app::views` serializes them.

use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

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

/// The paging, sort and search of a list. Besides these, `FIELD=VALUE` filters by equality on
/// the module's filterable fields (picklists, references, booleans); an unknown field, a field
/// that cannot be filtered or sorted on, or a bad value is a 422 naming it.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListParams {
    /// From 1; 400 if not a positive integer.
    #[param(minimum = 1, maximum = 1_000_000)]
    page: Option<u64>,
    /// From 1 to 200 (default 25); 400 otherwise.
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
    /// A sortable field of the module, or `number`, `created_at`, `updated_at`; a `-` prefix
    /// sorts descending. Default `-updated_at`.
    sort: Option<String>,
    /// Text to look for in the module's text fields, label and number.
    q: Option<String>,
}

/// What a record's `POST` and `PATCH` take.
pub const RECORD_BODY: &str = "The module's fields by name (see `GET /api/v1/modules`); a \
    reference is the bare id of the record it points to. Which keys and values are valid depends on \
    `{module}`, so a 422 names each field that is unknown, read-only, missing or invalid.";

/// Why a record's `POST` or `PATCH` may be refused with 422.
pub const RECORD_PROBLEMS: &str =
    "Fields that are unknown, read-only, missing or invalid for the module, each named in `errors`";

/// A pattern for text that is not blank: it has a character outside Unicode's `White_Space`,
/// which is what the server trims (`\s` differs between regex engines).
const NOT_BLANK: &str = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// A stored file: what a document's `file` field holds.
#[derive(ToSchema)]
#[schema(as = File)]
#[allow(dead_code)]
pub struct FileDoc {
    /// The file name as uploaded, cleaned.
    name: String,
    /// In bytes.
    size: i64,
    /// Sniffed from the bytes, not taken from the client.
    mime_type: String,
    /// Hex SHA-256 of the bytes.
    sha256: String,
}

/// Text that is not blank, of at most `max` characters.
pub fn not_blank(max: Option<usize>) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(NOT_BLANK))
        .max_length(max)
        .build()
}

/// A comment's markdown: not blank, at most 100,000 characters.
pub fn comment_body() -> Object {
    not_blank(Some(100_000))
}

/// A multipart upload of one file, the part `file`.
#[derive(ToSchema)]
#[schema(as = Upload)]
#[allow(dead_code)]
pub struct UploadDoc {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}
