//! `me` and `me/organization`: the customer's own contact and organization, shown and changed
//! per the portal's profile layout; a new e-mail applies once confirmed.

use atrium_app::views::RecordView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use crate::AppState;
use crate::api::wire::RecordDoc;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::{Customer, PortalOf};

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem)))]
pub async fn me(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(state.app.customer_profile(&customer).await?))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)), request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn change_me(
    State(state): State<AppState>,
    Customer(customer): Customer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(
        state.app.change_customer_profile(&customer, &body).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EmailConfirmation {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/email/confirm", tag = "portal", params(("slug" = String, Path)),
    request_body = EmailConfirmation,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_email(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<EmailConfirmation>,
) -> ApiResult<StatusCode> {
    state.app.confirm_email(&portal, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn organization(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(state.app.customer_organization(&customer).await?))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)), request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_organization(
    State(state): State<AppState>,
    Customer(customer): Customer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(
        state
            .app
            .change_customer_organization(&customer, &body)
            .await?,
    ))
}
