//! `/api/v1/admin/email-settings`, and staff re-sending a contact's portal invitation.

use atrium_app::mailing::EmailSettings;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::Value;

use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{Admin, Staff};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

#[utoipa::path(get, path = "/api/v1/admin/email-settings", tag = "admin",
    responses((status = 200, body = EmailSettings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<EmailSettings>> {
    Ok(Json(state.app.read_email_settings(&admin).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/email-settings", tag = "admin", request_body = EmailSettings,
    responses((status = 200, body = EmailSettings), (status = 422, body = Problem, description = "An unknown key or a value of the wrong type")))]
pub async fn put_settings(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<EmailSettings>> {
    Ok(Json(state.app.change_email_settings(&admin, body).await?))
}

/// Whether an invitation went out, and if not, why.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Invitation {
    invited: bool,
    /// Why not, when `invited` is false.
    #[schema(required = false)]
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/records/contacts/{id}/portal-invitation", tag = "records", params(("id" = String, Path)),
    responses((status = 200, body = Invitation),
              (status = 404, body = Problem, description = "No such contact"),
              (status = 422, body = Problem, description = "The contact is not a portal user")))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.resend_invitation(&id).await?))
}
