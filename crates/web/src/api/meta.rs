//! `GET /api/v1/modules`: the module and field metadata.

use atrium_core::ModuleDef;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Staff;

#[derive(Serialize, ToSchema)]
pub struct ModuleList {
    /// Modules in menu order, each with `name`, `label`, `singular_label`, `number_prefix`,
    /// `label_fields`, `links` and `fields` (`name`, `label`, `type`, `required`, `system`,
    /// `sortable`, `filterable`, picklist `values` with `color`, reference `module`, `default`).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ModuleDef>,
}

#[utoipa::path(get, path = "/api/v1/modules", tag = "metadata",
    responses((status = 200, body = ModuleList)))]
pub async fn modules(State(state): State<AppState>, _staff: Staff) -> Json<ModuleList> {
    Json(ModuleList {
        items: state.app.store.registry().modules().to_vec(),
    })
}
