//! `me` and `me/organization`: the customer's own contact and organization, shown and changed
//! per the portal's profile layout; a new e-mail applies once confirmed.

use atrium_app::views::RecordView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use crate::AppState;
use crate::api::wire::{RECORD_PROBLEMS, RecordDoc};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::{Customer, PortalOf};

/// What a profile `PATCH` takes.
const PROFILE_BODY: &str = "The read-write fields of the portal's profile layout, by name; \
    the others are refused with 422 naming them";

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc, description = "The contact's fields of the profile layout")))]
pub async fn me(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(state.app.customer_profile(&customer).await?))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me", tag = "portal", params(("slug" = String, Path)),
    request_body(content = Object, description = PROFILE_BODY),
    responses((status = 200, body = RecordDoc, description = "The contact; a new e-mail is answered in `email_change` and applies once confirmed"),
              (status = 409, body = Problem, description = "The new e-mail belongs to another portal user"),
              (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
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
    responses((status = 204),
              (status = 409, body = Problem, description = "The new e-mail now belongs to another portal user"),
              (status = 422, body = Problem, description = "The token is unknown, used or expired")))]
pub async fn confirm_email(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<EmailConfirmation>,
) -> ApiResult<StatusCode> {
    state.app.confirm_email(&portal, &body.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = RecordDoc, description = "The organization's fields of the profile layout")))]
pub async fn organization(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<RecordView>> {
    Ok(Json(state.app.customer_organization(&customer).await?))
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/me/organization", tag = "portal", params(("slug" = String, Path)),
    request_body(content = Object, description = PROFILE_BODY),
    responses((status = 200, body = RecordDoc), (status = 422, body = Problem, description = RECORD_PROBLEMS)))]
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
