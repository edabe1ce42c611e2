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

/// Why setting a password from a link may be refused.
const TOKEN_OR_PASSWORD: &str = "The link's token is unknown, used or expired (a token is \
    only known to the mail it was sent in), or the password is too short, too long or too easy \
    to guess; `errors` names `token` or `password`";

#[derive(Deserialize, ToSchema)]
pub struct TokenAndPassword {
    /// The `token` of the link in the mail.
    pub token: String,
    /// 12 to 128 characters, and not easy to guess.
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/invitation/accept", tag = "portal", params(("slug" = String, Path)),
    request_body = TokenAndPassword,
    responses((status = 204), (status = 422, body = Problem, description = TOKEN_OR_PASSWORD),
              (status = 503, body = Problem, description = "Too many password changes at once", headers(("Retry-After" = u64)))))]
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
    responses((status = 204), (status = 422, body = Problem, description = TOKEN_OR_PASSWORD),
              (status = 503, body = Problem, description = "Too many password changes at once", headers(("Retry-After" = u64)))))]
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
    request_body = Forgot,
    responses((status = 202, description = "Accepted, whether or not the e-mail belongs to a portal user")))]
pub async fn forgot_password(
    State(state): State<AppState>,
    PortalOf(portal): PortalOf,
    JsonBody(body): JsonBody<Forgot>,
) -> ApiResult<StatusCode> {
    state.app.forgot_password(&portal, &body.email);
    Ok(StatusCode::ACCEPTED)
}
