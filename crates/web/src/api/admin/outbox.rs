//! `/api/v1/admin/outbox`: the mails Atrium sent or is sending, and queuing one again.

use atrium_app::admin::outbox::OutboxView;
use atrium_app::views::Items;
use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;

#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin",
    params(("status" = Option<String>, Query, description = "Only mails that are `queued`, `sent` or `failed`"),
           ("limit" = Option<u64>, Query, description = "At most this many mails (default 200, at most 1000)")),
    responses((status = 200, body = Items<OutboxView>, description = "Newest first"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
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
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The mail was already sent")))]
pub async fn retry_mail(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<OutboxView>> {
    Ok(Json(state.app.retry_mail(&admin, &id).await?))
}
