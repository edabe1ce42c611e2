//! `/api/v1/records/contacts/{id}/activity`: what a contact did in the portal and what was
//! mailed to them, for staff.

use atrium_app::admin::activity::ActivityView;
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};

use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ActivityParams {
    /// Only entries from this source.
    #[param(inline)]
    source: Option<SourceDoc>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum SourceDoc {
    Portal,
    Email,
    Staff,
}

#[utoipa::path(get, path = "/api/v1/records/contacts/{id}/activity", tag = "records",
    params(("id" = String, Path), ActivityParams),
    responses((status = 200, body = Items<ActivityView>, description = "Newest first, at most 200"),
              (status = 404, body = Problem, description = "No such contact"),
              (status = 422, body = Problem, description = "An unknown `source`")))]
pub async fn activity(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Items<ActivityView>>> {
    let items = state.app.contact_activity(&id, &params).await?;
    Ok(Json(Items { items }))
}
