//! Getting in without a password: accepting an invitation, asking for a reset link,
//! resetting. `forgot` answers the same whether or not the e-mail belongs to anyone.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::PortalOf;

#[derive(Deserialize, ToSchema)]
pub struct TokenAndPassword {
    pub token: String,
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/invitation/accept", tag = "portal", params(("slug" = String, Path)),
    request_body = TokenAndPassword,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<TokenAndPassword>,
) -> ApiResult<StatusCode> {
    state
        .app
        .accept_invitation(&portal, &body.token, body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/reset", tag = "portal", params(("slug" = String, Path)),
    request_body = TokenAndPassword,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<TokenAndPassword>,
) -> ApiResult<StatusCode> {
    state
        .app
        .reset_password(&portal, &body.token, body.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct Forgot {
    pub email: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/password/forgot", tag = "portal", params(("slug" = String, Path)),
    request_body = Forgot, responses((status = 202), (status = 404, body = Problem)))]
pub async fn forgot_password(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<Forgot>,
) -> ApiResult<StatusCode> {
    state.app.forgot_password(&portal, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}
