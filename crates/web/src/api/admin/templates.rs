//! `/api/v1/admin/email-templates/{name}`: reading, saving and previewing the templates of
//! the mails Atrium sends.

use atrium_app::admin::templates::{Preview, TemplateView};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::Value;

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

#[utoipa::path(get, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = TemplateView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_template(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.app.email_template(&admin, &name).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = String, Path)), request_body = Object,
    responses((status = 200, body = TemplateView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_template(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        state.app.save_email_template(&admin, &name, body).await?,
    ))
}

// The body is taken as bytes, not as JSON: it may be empty (to preview the saved template),
// and then needs no `Content-Type`. (A doc comment here would become the operation's
// description in the OpenAPI document.)
#[utoipa::path(post, path = "/api/v1/admin/email-templates/{name}/preview", tag = "admin", params(("name" = String, Path)),
    request_body(content = Object, description = "A template to preview; empty or `{}` previews the saved one"),
    responses((status = 200, body = Preview), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Preview>> {
    Ok(Json(
        state
            .app
            .preview_email_template(&admin, &name, &body)
            .await?,
    ))
}
