//! `/api/v1/admin/email-templates/{name}`: reading, saving and previewing the templates of
//! the mails Atrium sends.

use atrium_app::admin::templates::{Preview, TemplateView};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::Value;

use utoipa::openapi::schema::{AnyOfBuilder, SchemaType};
use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

/// A template as a `PUT` takes it; the `name` and `merge_fields` that a `GET` answers may be sent
/// back and are ignored.
#[derive(ToSchema)]
#[schema(as = TemplateInput)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// A minijinja template of the subject line; not blank.
    #[schema(schema_with = subject)]
    subject: String,
    body_html: String,
    body_text: String,
    #[schema(value_type = Value, required = false)]
    name: Value,
    #[schema(value_type = Value, required = false)]
    merge_fields: Value,
}

#[utoipa::path(get, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = inline(TemplateName), Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = Problem, description = "Not a template Atrium sends")))]
pub async fn get_template(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.app.email_template(&admin, &name).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = inline(TemplateName), Path)), request_body = TemplateInput,
    responses((status = 200, body = TemplateView), (status = 404, body = Problem, description = "Not a template Atrium sends"),
              (status = 422, body = Problem, description = "A template that does not parse or render, or a missing or unknown key")))]
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

fn subject() -> utoipa::openapi::Object {
    crate::api::wire::not_blank(None)
}

/// What a preview takes: a template, or anything but a non-empty object for the saved one.
struct PreviewBody;

impl utoipa::PartialSchema for PreviewBody {
    fn schema() -> RefOr<Schema> {
        let saved = ObjectBuilder::new()
            .schema_type(Type::Object)
            .max_properties(Some(0));
        let not_an_object = ObjectBuilder::new().schema_type(SchemaType::from_iter([
            Type::Array,
            Type::String,
            Type::Number,
            Type::Boolean,
        ]));
        AnyOfBuilder::new()
            .item(TemplateInput::schema())
            .item(saved)
            .item(not_an_object)
            .into()
    }
}

impl ToSchema for PreviewBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((TemplateInput::name().into(), TemplateInput::schema()));
    }
}

/// The templates of the mails Atrium sends.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum TemplateName {
    PortalInvitation,
    PortalPasswordReset,
    SupportEnding,
    RecordUpdated,
    StaffCustomerActivity,
}

// The body is taken as bytes, not as JSON: it may be empty (to preview the saved template),
// and then needs no `Content-Type`. (A doc comment here would become the operation's
// description in the OpenAPI document.)
#[utoipa::path(post, path = "/api/v1/admin/email-templates/{name}/preview", tag = "admin", params(("name" = inline(TemplateName), Path)),
    request_body(content = Option<PreviewBody>, description = "A template to preview; no body, `{}` or any JSON that is not an object previews the saved one"),
    responses((status = 200, body = Preview), (status = 404, body = Problem, description = "Not a template Atrium sends"),
              (status = 422, body = Problem, description = "A template that does not parse or render, or a missing or unknown key")))]
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
