//! E-mail templates: an admin's version replaces the default one; a preview renders a
//! template (sent or saved) with sample merge fields before anyone receives it.

use atrium_core::templates::{self, Template};
use atrium_core::{Error, Result};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::validation;
use crate::App;
use crate::mailing;
use crate::staff::Staff;

// A template as an admin edits it. No doc comment: it would change the schema's
// description in the OpenAPI document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TemplateJson)]
pub struct TemplateView {
    pub name: String,
    pub subject: String,
    pub body_html: String,
    pub body_text: String,
    /// The merge fields templates may use.
    pub merge_fields: Vec<String>,
}

impl TemplateView {
    fn new(name: &str, template: Template) -> Self {
        Self {
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
}

// A template rendered with sample merge fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// 404 unless `name` is one of the templates Atrium sends.
fn known(name: &str) -> Result<()> {
    if templates::is_name(name) {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Parses a template document: a JSON object with `subject`, `body_html`, `body_text` (the
/// `name` and `merge_fields` a read returned may be sent back and are ignored).
fn parse_template(document: Value) -> Result<Template> {
    let Value::Object(mut object) = document else {
        return Err(Error::BadRequest("the body must be a JSON object".into()));
    };
    object.remove("name");
    object.remove("merge_fields");
    serde_json::from_value::<Template>(Value::Object(object))
        .map_err(|e| Error::field("template", e.to_string()))
}

impl App {
    /// The template `name` as it is in force.
    pub async fn email_template(&self, admin: &Staff, name: &str) -> Result<TemplateView> {
        admin.require_admin()?;
        known(name)?;
        let template = mailing::template(self, name).await?;
        Ok(TemplateView::new(name, template))
    }

    /// Saves the admin's version of template `name`, once it is known to render.
    pub async fn save_email_template(
        &self,
        admin: &Staff,
        name: &str,
        document: Value,
    ) -> Result<TemplateView> {
        admin.require_admin()?;
        known(name)?;
        let template = parse_template(document)?;
        validation(templates::check(&template, self.store.registry()))?;
        self.store
            .save_email_template(
                name,
                &template.subject,
                &template.body_html,
                &template.body_text,
            )
            .await?;
        Ok(TemplateView::new(name, template))
    }

    /// Renders template `name` with sample merge fields. `sent` is the request body as sent: a
    /// template document to try out, or nothing (or `{}`) to preview the saved template.
    pub async fn preview_email_template(
        &self,
        admin: &Staff,
        name: &str,
        sent: &[u8],
    ) -> Result<Preview> {
        admin.require_admin()?;
        known(name)?;
        let sent: Value = if sent.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(sent)
                .map_err(|e| Error::BadRequest(format!("malformed JSON: {e}")))?
        };
        let template = match sent {
            value if value.as_object().is_some_and(|o| !o.is_empty()) => parse_template(value)?,
            _ => mailing::template(self, name).await?,
        };
        validation(templates::check(&template, self.store.registry()))?;
        let rendered = templates::render(&template, &templates::sample_context())
            .map_err(|e| Error::field("template", e))?;
        Ok(Preview {
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
        })
    }
}
