//! `/api/v1/records/contacts/{id}/activity`: what a contact did in the portal and what was
//! mailed to them, for staff.

use atrium_app::admin::activity::ActivityView;
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;

#[utoipa::path(get, path = "/api/v1/records/contacts/{id}/activity", tag = "records",
    params(("id" = String, Path),
           ("source" = Option<String>, Query, description = "Only entries from `portal`, `email` or `staff`")),
    responses((status = 200, body = Items<ActivityView>, description = "Newest first, at most 200"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn activity(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Items<ActivityView>>> {
    let items = state.app.contact_activity(&id, &params).await?;
    Ok(Json(Items { items }))
}
