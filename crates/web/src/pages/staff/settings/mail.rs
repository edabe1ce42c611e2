//! Settings > E-mail templates (with a live preview on sample merge fields and the merge
//! fields to use) and E-mail (delivery settings, a test mail, the outbox with its attempts,
//! last errors and re-send).

use askama::Template;
use atrium_app::admin::outbox::OutboxView;
use atrium_app::admin::templates::Preview;
use atrium_core::{Error, FieldError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Notice, admin_chrome, settings_path};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::{Admin, Agent};
use crate::pages::form::{Form, Posted};
use crate::pages::render::{self, Chrome, framed};

// ---------------------------------------------------------------------------------------
// Templates

pub struct TemplateLink {
    pub href: String,
    pub name: String,
    pub about: String,
}

#[derive(Template)]
#[template(path = "staff/settings/templates.html")]
pub struct TemplatesPage {
    pub c: Chrome,
    pub links: Vec<TemplateLink>,
}
framed!(TemplatesPage);

pub async fn templates(State(state): State<AppState>, Admin(agent): Admin) -> Response {
    let tr = agent.tr();
    let links = atrium_core::templates::NAMES
        .iter()
        .map(|name| TemplateLink {
            href: settings_path(&format!("/email-templates/{name}")),
            name: (*name).to_owned(),
            about: tr.t(&format!("template-{}", name.replace('_', "-"))),
        })
        .collect();
    let page = TemplatesPage {
        c: admin_chrome(&state, &agent, tr.t("settings-templates")),
        links,
    };
    render::page(&agent.desk, &page, None)
}

#[derive(Template)]
#[template(path = "staff/settings/template.html")]
pub struct TemplatePage {
    pub c: Chrome,
    pub name: String,
    pub action: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub merge_fields: Vec<String>,
    pub notice: Notice,
    pub errors: Vec<FieldError>,
    pub preview: Option<Preview>,
    /// The preview's HTML, sanitized for showing inside the page.
    pub preview_html: String,
}
framed!(TemplatePage);

impl TemplatePage {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field || e.field.starts_with(&format!("{field}:")))
            .map(|e| e.message.clone())
    }
}

#[derive(Deserialize)]
pub struct Name {
    name: String,
}

pub async fn template(
    State(state): State<AppState>,
    Admin(agent): Admin,
    Path(Name { name }): Path<Name>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let notice = Notice::from_query(agent.tr(), &pairs);
    template_page(&state, &agent, &name, None, notice, Vec::new()).await
}

async fn template_page(
    state: &AppState,
    agent: &Agent,
    name: &str,
    posted: Option<&Form>,
    notice: Notice,
    errors: Vec<FieldError>,
) -> Response {
    let saved = match state.app.email_template(&agent.staff, name).await {
        Ok(saved) => saved,
        Err(error) => return agent.error(error),
    };
    let text = |field: &str, stored: &str| {
        posted.map_or_else(|| stored.to_owned(), |f| f.text(field).to_owned())
    };
    let document = json!({
        "subject": text("subject", &saved.subject),
        "body_text": text("body_text", &saved.body_text),
        "body_html": text("body_html", &saved.body_html),
    });
    // The preview of what the form holds; a template that does not render says why instead.
    let mut errors = errors;
    let preview = match state
        .app
        .preview_email_template(&agent.staff, name, document.to_string().as_bytes())
        .await
    {
        Ok(preview) => Some(preview),
        Err(Error::Validation(found)) => {
            if errors.is_empty() {
                errors = found;
            }
            None
        }
        Err(error) => return agent.error(error),
    };
    let status = (!errors.is_empty()).then_some(StatusCode::UNPROCESSABLE_ENTITY);
    let page = TemplatePage {
        c: admin_chrome(state, agent, name.to_owned()),
        name: name.to_owned(),
        action: settings_path(&format!("/email-templates/{name}")),
        subject: text("subject", &saved.subject),
        body_text: text("body_text", &saved.body_text),
        body_html: text("body_html", &saved.body_html),
        merge_fields: saved.merge_fields,
        notice,
        errors,
        preview_html: preview
            .as_ref()
            .map(|p| atrium_core::markdown::to_safe_html(&p.html))
            .unwrap_or_default(),
        preview,
    };
    render::page(&agent.desk, &page, status)
}

pub async fn save_template(
    State(state): State<AppState>,
    Path(Name { name }): Path<Name>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    // "Preview" shows the typed template without saving it.
    if form.has("preview") {
        return template_page(&state, &agent, &name, Some(&form), Notice::None, Vec::new()).await;
    }
    let document = json!({
        "subject": form.text("subject"),
        "body_text": form.text("body_text"),
        "body_html": form.text("body_html"),
    });
    match state
        .app
        .save_email_template(&agent.staff, &name, document)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "{}?saved=1",
            settings_path(&format!("/email-templates/{name}"))
        ))
        .into_response(),
        Err(Error::Validation(errors)) => {
            template_page(&state, &agent, &name, Some(&form), Notice::None, errors).await
        }
        Err(error) => agent.error(error),
    }
}

// ---------------------------------------------------------------------------------------
// Delivery and outbox

pub struct OutboxRow {
    pub mail: OutboxView,
    pub retry_action: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/settings/email.html")]
pub struct EmailPage {
    pub c: Chrome,
    pub notice: Notice,
    pub allow_opted_out: bool,
    pub admin_email: String,
    pub rows: Vec<OutboxRow>,
    pub status: String,
    pub statuses: Vec<(&'static str, String)>,
}
framed!(EmailPage);

impl EmailPage {
    pub fn is_status(&self, status: &str) -> bool {
        self.status == status
    }
}

pub async fn delivery(
    State(state): State<AppState>,
    Admin(agent): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let notice = Notice::from_query(agent.tr(), &pairs);
    email_page(&state, &agent, notice, &pairs).await
}

async fn email_page(
    state: &AppState,
    agent: &Agent,
    notice: Notice,
    pairs: &[(String, String)],
) -> Response {
    let settings = match state.app.read_email_settings(&agent.staff).await {
        Ok(settings) => settings,
        Err(error) => return agent.error(error),
    };
    let status = pairs
        .iter()
        .find(|(k, v)| k == "status" && !v.is_empty())
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut params = vec![("limit".to_owned(), "100".to_owned())];
    if !status.is_empty() {
        params.push(("status".to_owned(), status.clone()));
    }
    let outbox = match state.app.outbox(&agent.staff, &params).await {
        Ok(outbox) => outbox,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let page = EmailPage {
        c: admin_chrome(state, agent, tr.t("settings-email")),
        notice,
        allow_opted_out: settings.allow_portal_email_to_opted_out,
        admin_email: agent.staff.user.email.clone(),
        rows: outbox
            .into_iter()
            .map(|mail| OutboxRow {
                retry_action: (mail.status != "sent")
                    .then(|| settings_path(&format!("/email/outbox/{}/retry", mail.id))),
                mail,
            })
            .collect(),
        status,
        statuses: ["queued", "sent", "failed"]
            .into_iter()
            .map(|s| (s, tr.t(&format!("outbox-{s}"))))
            .collect(),
    };
    render::page(&agent.desk, &page, None)
}

pub async fn save_delivery(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let document =
        json!({"allow_portal_email_to_opted_out": form.has("allow_portal_email_to_opted_out")});
    match state
        .app
        .change_email_settings(&agent.staff, document)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/email"))).into_response(),
        Err(Error::Validation(errors)) => {
            email_page(&state, &agent, Notice::Errors(errors), &[]).await
        }
        Err(error) => agent.error(error),
    }
}

pub async fn test_mail(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent), ..
    }: Posted<Admin>,
) -> Response {
    match state.app.send_test_mail(&agent.staff).await {
        Ok(()) => Redirect::to(&format!("{}?queued=1", settings_path("/email"))).into_response(),
        Err(error) => agent.error(error),
    }
}

#[derive(Deserialize)]
pub struct MailId {
    id: String,
}

pub async fn retry(
    State(state): State<AppState>,
    Path(MailId { id }): Path<MailId>,
    Posted {
        by: Admin(agent), ..
    }: Posted<Admin>,
) -> Response {
    match state.app.retry_mail(&agent.staff, &id).await {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/email"))).into_response(),
        Err(error) => agent.error(error),
    }
}
