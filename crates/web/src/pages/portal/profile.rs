//! The profile: the customer's contact and organization fields per the portal's profile layout
//! (a new e-mail address applies once confirmed from the mail sent to it), and the password
//! change.

use askama::Template;
use atrium_app::customer::Customer;
use atrium_app::customer::profile::ProfilePart;
use atrium_core::{Error, FieldError};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::form::{Form, Posted};
use crate::pages::inputs::{Draft, Input, Looks, Spec, body_of, customer_options, inputs};
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::{Site, Visitor};

pub struct Part {
    pub name: &'static str,
    pub title: String,
    pub inputs: Vec<Input>,
    pub editable: bool,
}

#[derive(Template)]
#[template(path = "portal/profile.html")]
pub struct ProfilePage {
    pub c: Chrome,
    pub parts: Vec<Part>,
    pub notice: Option<String>,
    pub password_errors: Vec<FieldError>,
    pub has_errors: bool,
    pub notify_on_updates: bool,
    /// The languages to choose from: (code, name, chosen).
    pub languages: Vec<(String, String, bool)>,
}
framed!(ProfilePage);

impl ProfilePage {
    pub fn password_error(&self, field: &str) -> Option<String> {
        self.password_errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

fn specs(part: &ProfilePart) -> Vec<Spec<'_>> {
    part.record
        .view
        .fields
        .iter()
        .map(|def| Spec {
            def,
            access: part
                .access
                .get(&def.name)
                .copied()
                .unwrap_or(atrium_core::portal::FieldAccess::ReadOnly),
        })
        .collect()
}

/// What a failed form posts back: which part, what was sent, and the errors.
struct Failed<'a> {
    part: &'static str,
    form: &'a Form,
    errors: Vec<FieldError>,
}

async fn page(
    state: &AppState,
    site: &Site,
    customer: &Customer,
    notice: Option<String>,
    failed: Option<Failed<'_>>,
) -> Response {
    let tr = &site.tr;
    let profile = match state.app.customer_profile_page(customer).await {
        Ok(profile) => profile,
        Err(error) => return site.error(error),
    };
    let mut parts = Vec::new();
    let sections = [
        ("contact", tr.t("profile-contact"), Some(&profile.contact)),
        (
            "organization",
            tr.t("profile-organization"),
            profile.organization.as_ref(),
        ),
    ];
    for (name, title, part) in sections {
        let Some(part) = part else { continue };
        let specs = specs(part);
        let (posted, errors) = match &failed {
            Some(failed) if failed.part == name => (Some(failed.form), failed.errors.as_slice()),
            _ => (None, &[][..]),
        };
        let draft = Draft {
            current: Some(&part.record.record),
            posted,
            errors,
        };
        let looks = Looks {
            tr: &site.tr,
            time_zone: &customer.company.time_zone,
            link: &|_, _| None,
        };
        let options = customer_options(state, customer, &specs).await;
        let inputs = inputs(&looks, &specs, &draft, &options);
        parts.push(Part {
            name,
            title,
            editable: inputs.iter().any(|i| i.kind != "readonly"),
            inputs,
        });
    }
    let password_errors = match &failed {
        Some(failed) if failed.part == "password" => failed.errors.clone(),
        _ => Vec::new(),
    };
    let has_errors = failed.is_some();
    let contact = &customer.contact;
    let chosen = contact.get("language").as_text().unwrap_or("");
    let mut languages = vec![(String::new(), tr.t("language-automatic"), chosen.is_empty())];
    languages.extend(atrium_core::company::LANGUAGES.iter().map(|code| {
        (
            (*code).to_owned(),
            tr.t(&format!("language-{code}")),
            *code == chosen,
        )
    }));
    let page = ProfilePage {
        notify_on_updates: !matches!(
            contact.get("notify_on_updates"),
            atrium_core::Value::Boolean(false)
        ),
        languages,
        c: Chrome::signed_in(site, &state.app, customer, tr.t("profile-title"), "profile"),
        parts,
        notice,
        password_errors,
        has_errors,
    };
    let status = has_errors.then_some(StatusCode::UNPROCESSABLE_ENTITY);
    render::page(site, &page, status)
}

pub async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let Visitor { site, customer } = visitor;
    let tr = &site.tr;
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let notice = if let Some(email) = value("pending") {
        Some(tr.t1("email-change-pending", "email", email))
    } else if value("password").is_some() {
        Some(tr.t("password-changed"))
    } else if value("saved").is_some() {
        Some(tr.t("saved"))
    } else {
        None
    };
    page(&state, &site, &customer, notice, None).await
}

pub async fn save(
    State(state): State<AppState>,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let profile = match state.app.customer_profile_page(&customer).await {
        Ok(profile) => profile,
        Err(error) => return site.error(error),
    };
    let (part, outcome) = if form.text("part") == "organization" {
        let Some(organization) = &profile.organization else {
            return site.error(Error::NotFound);
        };
        let body = body_of(
            &specs(organization),
            &form,
            Some(&organization.record.record),
        );
        let outcome = state
            .app
            .change_customer_organization(&customer, &body)
            .await
            .map(|_| None);
        ("organization", outcome)
    } else {
        let contact = &profile.contact;
        let body = body_of(&specs(contact), &form, Some(&contact.record.record));
        let outcome = state
            .app
            .change_customer_profile(&customer, &body)
            .await
            .map(|view| {
                view.extra
                    .iter()
                    .find(|(k, _)| *k == "email_change")
                    .and_then(|(_, v)| v["pending"].as_str().map(str::to_owned))
            });
        ("contact", outcome)
    };
    let path = site.path("/profile");
    match outcome {
        Ok(Some(pending)) => Redirect::to(&format!(
            "{path}?pending={}",
            percent_encoding::utf8_percent_encode(&pending, percent_encoding::NON_ALPHANUMERIC)
        ))
        .into_response(),
        Ok(None) => Redirect::to(&format!("{path}?saved=1")).into_response(),
        Err(Error::Validation(errors)) => {
            let failed = Failed {
                part,
                form: &form,
                errors,
            };
            page(&state, &site, &customer, None, Some(failed)).await
        }
        Err(error) => site.error(error),
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let outcome = state
        .app
        .customer_change_password(
            &customer,
            form.text("current_password").to_owned(),
            form.text("password").to_owned(),
        )
        .await;
    match outcome {
        Ok(()) => Redirect::to(&site.path("/profile?password=1")).into_response(),
        Err(Error::Validation(errors)) => {
            // The app names the new password `new_password`, the form `password`.
            let errors = errors
                .into_iter()
                .map(|e| {
                    if e.field == "new_password" {
                        FieldError::new("password", e.message)
                    } else {
                        e
                    }
                })
                .collect();
            let failed = Failed {
                part: "password",
                form: &form,
                errors,
            };
            page(&state, &site, &customer, None, Some(failed)).await
        }
        Err(Error::TooManyAttempts { retry_after }) => {
            let message = site
                .tr
                .n("refused-throttled", "minutes", (retry_after + 59) / 60);
            let failed = Failed {
                part: "password",
                form: &form,
                errors: vec![FieldError::new("current_password", message)],
            };
            page(&state, &site, &customer, None, Some(failed)).await
        }
        Err(error) => site.error(error),
    }
}

pub async fn save_preferences(
    State(state): State<AppState>,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let language = form.text("language");
    match state
        .app
        .change_customer_preferences(&customer, form.has("notify_on_updates"), Some(language))
        .await
    {
        Ok(()) => Redirect::to(&site.path("/profile?saved=1")).into_response(),
        Err(error) => site.error(error),
    }
}
