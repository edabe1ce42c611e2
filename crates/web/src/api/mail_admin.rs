//! E-mail administration: the templates (with a preview), the e-mail settings, and staff
//! re-sending a contact's invitation.

use atrium_core::templates::{self, Template};
use atrium_core::{Error, RecordId, Value as FieldValue};
use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::contacts::InvitePlanner;
use crate::auth::{Admin, Staff};
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::mailing::{self, EmailSettings};

#[derive(Serialize, ToSchema)]
pub struct TemplateJson {
    pub name: String,
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
    /// The merge fields templates may use.
    pub merge_fields: Vec<String>,
}

fn known(name: &str) -> ApiResult<()> {
    if templates::is_name(name) {
        Ok(())
    } else {
        Err(Error::NotFound.into())
    }
}

fn template_json(name: &str, template: Template) -> TemplateJson {
    TemplateJson {
        name: name.to_owned(),
        subject: template.subject,
        body_html: template.body_html,
        body_text: template.body_text,
        merge_fields: templates::MERGE_FIELDS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    }
}

/// Parses a template body: a JSON object with `subject`, `body_html`, `body_text` (a `name` or
/// `merge_fields` that GET returned are ignored).
fn parse_template(body: Value) -> ApiResult<Template> {
    let Value::Object(mut object) = body else {
        return Err(Error::BadRequest("the body must be a JSON object".into()).into());
    };
    object.remove("name");
    object.remove("merge_fields");
    serde_json::from_value::<Template>(Value::Object(object))
        .map_err(|e| Error::field("template", e.to_string()).into())
}

#[utoipa::path(get, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = String, Path)),
    responses((status = 200, body = TemplateJson), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_template(
    State(state): State<AppState>,
    _admin: Admin,
    Path(name): Path<String>,
) -> ApiResult<Json<TemplateJson>> {
    known(&name)?;
    Ok(Json(template_json(
        &name,
        mailing::template(&state, &name).await?,
    )))
}

#[utoipa::path(put, path = "/api/v1/admin/email-templates/{name}", tag = "admin", params(("name" = String, Path)), request_body = Object,
    responses((status = 200, body = TemplateJson), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_template(
    State(state): State<AppState>,
    _admin: Admin,
    Path(name): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<TemplateJson>> {
    known(&name)?;
    let template = parse_template(body)?;
    let errors = templates::check(&template, state.store.registry());
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    state
        .store
        .save_email_template(
            &name,
            &template.subject,
            &template.body_html,
            &template.body_text,
        )
        .await?;
    Ok(Json(template_json(&name, template)))
}

#[derive(Serialize, ToSchema)]
pub struct Preview {
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/admin/email-templates/{name}/preview", tag = "admin", params(("name" = String, Path)),
    request_body(content = Object, description = "A template to preview; empty or `{}` previews the saved one"),
    responses((status = 200, body = Preview), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    _admin: Admin,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Preview>> {
    known(&name)?;
    let sent: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| Error::BadRequest(format!("malformed JSON: {e}")))?
    };
    let template = match sent {
        value if value.as_object().is_some_and(|o| !o.is_empty()) => parse_template(value)?,
        _ => mailing::template(&state, &name).await?,
    };
    let errors = templates::check(&template, state.store.registry());
    if !errors.is_empty() {
        return Err(Error::Validation(errors).into());
    }
    let rendered = templates::render(&template, &templates::sample_context())
        .map_err(|e| Error::field("template", e))?;
    Ok(Json(Preview {
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
    }))
}

#[utoipa::path(get, path = "/api/v1/admin/email-settings", tag = "admin",
    responses((status = 200, body = EmailSettings), (status = 403, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    _admin: Admin,
) -> ApiResult<Json<EmailSettings>> {
    Ok(Json(mailing::email_settings(&state).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/email-settings", tag = "admin", request_body = EmailSettings,
    responses((status = 200, body = EmailSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_settings(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<EmailSettings>> {
    let settings: EmailSettings = serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        Error::field(
            if path == "." {
                "settings".to_owned()
            } else {
                path
            },
            e.inner().to_string(),
        )
    })?;
    mailing::save_email_settings(&state, &settings).await?;
    Ok(Json(settings))
}

#[utoipa::path(post, path = "/api/v1/records/contacts/{id}/portal-invitation", tag = "records", params(("id" = String, Path)),
    responses((status = 200, description = "`{invited: true}` or `{invited: false, reason}`"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let contacts = state.store.module("contacts")?;
    let contact = state.store.get(contacts, RecordId::parse(&id)?.0).await?;
    if contact.get("portal_user") != &FieldValue::Boolean(true) {
        return Err(Error::field(
            "portal_user",
            "the contact has no portal access: set portal_user first",
        )
        .into());
    }
    let planner = InvitePlanner::load(&state, Some(&contact), &Vec::new(), true).await?;
    let invitation = planner
        .plan(contact.id, Some(&contact), &Vec::new())?
        .ok_or(Error::NotFound)?;
    state.store.apply_effects(&invitation.effects).await?;
    Ok(Json(json!(invitation.json())))
}
