//! `/api/v1/admin/outbox`: the mails Atrium sent or is sending, and queuing one again.

use atrium_app::admin::outbox::OutboxView;
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};

use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;

#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OutboxParams {
    /// Only mails with this status.
    #[param(inline)]
    status: Option<OutboxStatusDoc>,
    /// At most this many mails (default 200).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum OutboxStatusDoc {
    Queued,
    Sent,
    Failed,
}

#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin",
    params(OutboxParams),
    responses((status = 200, body = Items<OutboxView>, description = "Newest first"),
              (status = 422, body = Problem, description = "An unknown `status` or a `limit` out of range")))]
pub async fn outbox(
    State(state): State<AppState>,
    Admin(admin): Admin,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Items<OutboxView>>> {
    let items = state.app.outbox(&admin, &params).await?;
    Ok(Json(Items { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = OutboxView, description = "Queued again with fresh attempts, due now"),
              (status = 409, body = Problem, description = "The mail was already sent")))]
pub async fn retry_mail(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<OutboxView>> {
    Ok(Json(state.app.retry_mail(&admin, &id).await?))
}
