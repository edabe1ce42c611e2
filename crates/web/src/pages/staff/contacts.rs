//! What a contact's page adds: their portal access (the switch and support dates are fields of
//! the form), the invitation's state with a re-send button, the activity timeline with its
//! filters, and "view as customer" — the portal's menu, lists and records exactly as the access
//! engine shows them to this contact, read-only.

use askama::Template;
use atrium_app::customer::Customer;
use atrium_app::views::RecordView;
use atrium_core::{Error, FieldType, Value};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::chrome;
use super::records::record_path;
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::Agent;
use crate::pages::display::{Shown, show};
use crate::pages::form::Posted;
use crate::pages::i18n::Tr;
use crate::pages::render::{self, Chrome, framed};

/// The timeline's filters: (query value, catalog key).
const SOURCES: [(&str, &str); 4] = [
    ("", "activity-all"),
    ("portal", "activity-portal"),
    ("email", "activity-email"),
    ("staff", "activity-staff"),
];

pub struct SourceLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

pub struct ActivityRow {
    pub when: String,
    pub text: String,
    pub source: String,
    pub record: Option<(String, String)>,
}

/// The contact page's portal card.
pub struct PortalCard {
    pub portal_user: bool,
    /// The invitation's state, in words.
    pub invitation: String,
    pub can_resend: bool,
    pub resend_action: String,
    pub preview_href: String,
    pub sources: Vec<SourceLink>,
    pub activity: Vec<ActivityRow>,
}

/// The portal card of contact `view`; `pairs` may choose the timeline's source.
pub async fn portal_card(
    state: &AppState,
    agent: &Agent,
    view: &RecordView,
    pairs: &[(String, String)],
) -> Result<PortalCard, Error> {
    let tr = agent.tr();
    let id = view.record.id.to_string();
    let source = pairs
        .iter()
        .find(|(k, _)| k == "source")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let wanted: Vec<(String, String)> = if source.is_empty() {
        Vec::new()
    } else {
        vec![("source".to_owned(), source.to_owned())]
    };
    let entries = state.app.contact_activity(&id, &wanted).await?;
    // The invitation's state comes from the whole timeline, whatever the filter shows.
    let all = if wanted.is_empty() {
        entries.clone()
    } else {
        state.app.contact_activity(&id, &[]).await?
    };
    let portal_user = view.record.get("portal_user") == &Value::Boolean(true);
    let latest = |kind: &str| all.iter().find(|e| e.kind == kind).map(|e| e.at.clone());
    let invitation = if !portal_user {
        tr.t("invitation-none")
    } else if let Some(at) = latest("invitation_accepted") {
        tr.t1("invitation-accepted", "when", tr.datetime(&at))
    } else if let Some(at) = latest("invitation_sent") {
        tr.t1("invitation-sent", "when", tr.datetime(&at))
    } else {
        // Not sent: say why, if mail may not go to them now.
        match state.app.invitation_refusal(&id).await? {
            Some(reason) => tr.t(&format!("invitation-refused-{reason}")),
            None => tr.t("invitation-not-sent"),
        }
    };
    let base = record_path("contacts", &id);
    Ok(PortalCard {
        portal_user,
        invitation,
        can_resend: portal_user,
        resend_action: format!("{base}/invitation"),
        preview_href: format!("{base}/portal-preview"),
        sources: SOURCES
            .iter()
            .map(|(value, key)| SourceLink {
                href: if value.is_empty() {
                    format!("{base}#activity")
                } else {
                    format!("{base}?source={value}#activity")
                },
                label: tr.t(key),
                current: *value == source,
            })
            .collect(),
        activity: entries
            .iter()
            .map(|entry| ActivityRow {
                when: tr.datetime(&entry.at),
                text: activity_text(tr, &entry.kind, &entry.detail),
                source: tr.t(&format!("activity-{}", entry.source)),
                record: entry.record.as_ref().and_then(|r| {
                    let module = r["module"].as_str()?;
                    let rid = r["id"].as_str()?;
                    let label = r["label"].as_str().unwrap_or(rid);
                    Some((record_path(module, rid), label.to_owned()))
                }),
            })
            .collect(),
    })
}

/// An activity entry in words: the kind's sentence, and the detail Atrium wrote.
fn activity_text(tr: &Tr, kind: &str, detail: &str) -> String {
    let sentence = tr.t(&format!("activity-kind-{kind}"));
    if detail.is_empty() {
        sentence
    } else {
        format!("{sentence}: {detail}")
    }
}

#[derive(Deserialize)]
pub struct ContactId {
    id: String,
}

pub async fn resend_invitation(
    State(state): State<AppState>,
    Path(ContactId { id }): Path<ContactId>,
    Posted { by: agent, .. }: Posted<Agent>,
) -> Response {
    match state.app.resend_invitation(&id).await {
        Ok(outcome) => {
            let query = if outcome["invited"] == serde_json::Value::Bool(true) {
                "invited=1".to_owned()
            } else {
                format!(
                    "invitation={}",
                    outcome["reason"].as_str().unwrap_or("unknown")
                )
            };
            Redirect::to(&format!("{}?{query}", record_path("contacts", &id))).into_response()
        }
        Err(error) => agent.error(error),
    }
}

// ---------------------------------------------------------------------------------------
// View as customer

pub struct PreviewField {
    pub label: String,
    pub value: Shown,
    /// `read_only` or `read_write`, in words.
    pub access: String,
}

pub struct PreviewRow {
    pub href: String,
    pub number: String,
    pub label: String,
}

pub struct PreviewTab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "staff/preview.html")]
pub struct PreviewPage {
    pub c: Chrome,
    pub heading: String,
    pub contact_href: String,
    pub portal: String,
    pub portals: Vec<PreviewTab>,
    pub refusal: Option<String>,
    pub menu: Vec<PreviewTab>,
    pub module_label: String,
    pub count: String,
    pub rows: Vec<PreviewRow>,
    pub record_title: String,
    pub fields: Vec<PreviewField>,
    pub actions: Vec<String>,
}
framed!(PreviewPage);

fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

pub async fn preview(
    State(state): State<AppState>,
    agent: Agent,
    Path(ContactId { id }): Path<ContactId>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let preview = match state
        .app
        .portal_preview(&agent.staff, &id, pair(&pairs, "portal"))
        .await
    {
        Ok(preview) => preview,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let customer = &preview.customer;
    let base = format!("{}/portal-preview", record_path("contacts", &id));
    let slug = customer.portal.slug.clone();
    let href = |module: &str, record: Option<&str>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("portal", &slug);
        query.append_pair("module", module);
        if let Some(record) = record {
            query.append_pair("id", record);
        }
        format!("{base}?{}", query.finish())
    };
    let entries = state.app.customer_menu(customer).items;
    let chosen = pair(&pairs, "module")
        .filter(|m| entries.iter().any(|e| e.module == *m))
        .or_else(|| entries.first().map(|e| e.module.as_str()))
        .map(str::to_owned);
    let menu = entries
        .iter()
        .map(|entry| PreviewTab {
            href: href(&entry.module, None),
            label: tr.module_label(&entry.module, &entry.label),
            current: chosen.as_deref() == Some(entry.module.as_str()),
        })
        .collect();
    let mut page = PreviewPage {
        c: chrome(
            &state,
            &agent.desk,
            Some(&agent.staff),
            tr.t("preview-title"),
            "contacts",
        ),
        heading: tr.t1("preview-heading", "name", contact_name(customer)),
        contact_href: record_path("contacts", &id),
        portal: customer.portal.name.clone(),
        portals: preview
            .portals
            .iter()
            .map(|p| PreviewTab {
                href: format!("{base}?portal={p}"),
                label: p.clone(),
                current: *p == slug,
            })
            .collect(),
        refusal: preview
            .refusal
            .as_ref()
            .map(|r| tr.t(&format!("preview-refused-{}", refusal_key(r)))),
        menu,
        module_label: String::new(),
        count: String::new(),
        rows: Vec::new(),
        record_title: String::new(),
        fields: Vec::new(),
        actions: Vec::new(),
    };
    if let Some(module) = chosen {
        let entry = entries.iter().find(|e| e.module == module);
        page.module_label = entry
            .map(|e| tr.module_label(&e.module, &e.label))
            .unwrap_or_default();
        let params = [("per_page".to_owned(), "25".to_owned())];
        match state.app.customer_list(customer, &module, &params).await {
            Ok(list) => {
                page.count = tr.n("count", "total", i64::try_from(list.total).unwrap_or(0));
                page.rows = list
                    .items
                    .iter()
                    .map(|item| PreviewRow {
                        href: href(&module, Some(&item.record.id.to_string())),
                        number: item.record.number.clone(),
                        label: atrium_core::record::label_of(&item.view, |f| {
                            Some(item.record.get(f))
                        }),
                    })
                    .collect();
            }
            Err(error) => return agent.error(error),
        }
        if let Some(record) = pair(&pairs, "id") {
            match state
                .app
                .customer_record_page(customer, &module, record)
                .await
            {
                Ok(record_page) => {
                    fill_record(&mut page, tr, customer, &record_page, entry);
                }
                Err(error) => return agent.error(error),
            }
        }
    }
    render::page(&agent.desk, &page, None)
}

fn fill_record(
    page: &mut PreviewPage,
    tr: &Tr,
    customer: &Customer,
    record_page: &atrium_app::customer::page::RecordPage,
    entry: Option<&atrium_app::customer::menu::MenuEntry>,
) {
    let view = &record_page.record;
    page.record_title = format!(
        "{} {}",
        view.record.number,
        atrium_core::record::label_of(&view.view, |f| Some(view.record.get(f)))
    );
    let no_link = |_: &str, _: &str| None;
    page.fields = view
        .view
        .fields
        .iter()
        .map(|def| {
            let access = entry
                .and_then(|e| e.fields.iter().find(|f| f.name == def.name))
                .map(|f| f.access);
            let writable = access == Some(atrium_core::portal::FieldAccess::ReadWrite)
                && !def.system
                && !matches!(def.field_type, FieldType::File);
            PreviewField {
                label: tr.field_label(&def.name, &def.label),
                value: show(
                    tr,
                    def,
                    view.record.get(&def.name),
                    &customer.company.time_zone,
                    &no_link,
                ),
                access: tr.t(if writable {
                    "access-read-write"
                } else {
                    "access-read-only"
                }),
            }
        })
        .collect();
    let allowed = record_page.allowed;
    page.actions = [
        (allowed.edit, "edit"),
        (allowed.delete, "delete"),
        (allowed.comment, "add-comment"),
    ]
    .into_iter()
    .filter(|(yes, _)| *yes)
    .map(|(_, key)| tr.t(key))
    .collect();
}

fn contact_name(customer: &Customer) -> String {
    crate::pages::render::display_name(customer)
}

fn refusal_key(refusal: &atrium_core::customer::Refusal) -> &'static str {
    use atrium_core::customer::Refusal;
    match refusal {
        Refusal::PortalInactive => "inactive",
        Refusal::AccessRemoved => "no-access",
        Refusal::NotThisPortal => "not-this-portal",
        Refusal::NotYet(_) => "not-yet",
        Refusal::Ended(_) => "ended",
    }
}
