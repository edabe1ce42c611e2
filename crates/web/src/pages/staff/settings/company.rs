//! Settings > Company: the details the portal and mails show (name, address, contact, time
//! zone, accent color, language, currency) and the logo.

use askama::Template;
use atrium_app::admin::company::{CompanyView, MAX_LOGO_BYTES};
use atrium_core::{Error, FieldError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::{Notice, admin_chrome, settings_path, text_or_null};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::{Admin, Agent};
use crate::pages::form::{Form, Posted};
use crate::pages::inputs::{Choice, Input};
use crate::pages::render::{self, Chrome, framed};

#[derive(Template)]
#[template(path = "staff/settings/company.html")]
pub struct CompanyPage {
    pub c: Chrome,
    pub notice: Notice,
    pub inputs: Vec<Input>,
    pub logo_url: Option<String>,
    pub logo_error: Option<String>,
}
framed!(CompanyPage);

pub async fn show(
    State(state): State<AppState>,
    Admin(agent): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let notice = Notice::from_query(agent.tr(), &pairs);
    company_page(&state, &agent, notice, None, &[]).await
}

async fn company_page(
    state: &AppState,
    agent: &Agent,
    notice: Notice,
    posted: Option<&Form>,
    errors: &[FieldError],
) -> Response {
    let company = match state.app.company_details(&agent.staff).await {
        Ok(company) => company,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let CompanyView {
        name,
        address,
        email,
        phone,
        time_zone,
        accent_color,
        language,
        currency,
        logo_url,
    } = company;
    let stored = [
        ("name", "text", name),
        ("address", "textarea", address),
        ("email", "email", email.unwrap_or_default()),
        ("phone", "tel", phone.unwrap_or_default()),
        ("time_zone", "text", time_zone),
        ("accent_color", "color", accent_color),
        ("language", "select", language),
        ("currency", "select", currency),
    ];
    let inputs = stored
        .into_iter()
        .map(|(field, kind, value)| {
            let value = posted.map_or(value, |f| f.text(field).to_owned());
            let choices = match field {
                "language" => atrium_core::company::LANGUAGES
                    .iter()
                    .map(|code| Choice {
                        selected: *code == value,
                        value: (*code).to_owned(),
                        label: tr.t(&format!("language-{code}")),
                    })
                    .collect(),
                "currency" => atrium_core::money::CURRENCIES
                    .iter()
                    .map(|(code, _)| Choice {
                        selected: *code == value,
                        value: (*code).to_owned(),
                        label: (*code).to_owned(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Input {
                name: field.to_owned(),
                label: tr.t(&format!("company-{}", field.replace('_', "-"))),
                kind,
                value,
                checked: false,
                required: field == "name",
                step: None,
                choices,
                error: errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone()),
            }
        })
        .collect();
    let status = (!errors.is_empty()).then_some(StatusCode::UNPROCESSABLE_ENTITY);
    let page = CompanyPage {
        c: admin_chrome(state, agent, tr.t("settings-company")),
        notice,
        inputs,
        logo_url,
        logo_error: errors
            .iter()
            .find(|e| e.field == "file")
            .map(|e| e.message.clone()),
    };
    render::page(&agent.desk, &page, status)
}

pub async fn save(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let document = json!({
        "name": form.text("name").trim(),
        "address": form.text("address").trim(),
        "email": text_or_null(&form, "email"),
        "phone": text_or_null(&form, "phone"),
        "time_zone": form.text("time_zone").trim(),
        "accent_color": form.text("accent_color").trim(),
        "language": form.text("language"),
        "currency": form.text("currency"),
    });
    match state.app.save_company(&agent.staff, document).await {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/company"))).into_response(),
        Err(Error::Validation(errors)) => {
            company_page(&state, &agent, Notice::None, Some(&form), &errors).await
        }
        Err(error) => agent.error(error),
    }
}

pub async fn upload_logo(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        mut form,
    }: Posted<Admin>,
) -> Response {
    let refused = |why: String| vec![FieldError::new("file", why)];
    let Some(upload) = form.file.take() else {
        let errors = refused(agent.tr().t("logo-choose"));
        return company_page(&state, &agent, Notice::None, None, &errors).await;
    };
    if upload.bytes.len() > MAX_LOGO_BYTES {
        let errors = refused(agent.tr().t("logo-too-large"));
        return company_page(&state, &agent, Notice::None, None, &errors).await;
    }
    match state.app.save_company_logo(&agent.staff, upload).await {
        Ok(()) => Redirect::to(&format!("{}?saved=1", settings_path("/company"))).into_response(),
        Err(Error::Validation(errors)) => {
            company_page(&state, &agent, Notice::None, None, &errors).await
        }
        Err(error) => agent.error(error),
    }
}
