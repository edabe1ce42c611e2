//! Schemas of JSON shapes that are built from the metadata (records and pages of records), for
//! the OpenAPI document; `atrium_app::views` serializes them.

use serde::Serialize;
use serde_json::Value;
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
