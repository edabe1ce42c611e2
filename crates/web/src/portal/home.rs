//! `GET home`: the announcement, a greeting, charts aggregated in SQL under the customer's
//! read predicate (each slice in its picklist color), recent records, the account
//! representative and shortcuts — only the widgets the portal configures.

use atrium_core::portal::{FieldAccess, Greeting, Level, Shortcut, Widget};
use atrium_core::query::{Filter, ListQuery, Sort};
use atrium_core::{ModuleDef, Value};
use axum::Json;
use axum::extract::State;
use serde_json::{Map, json};

use crate::AppState;
use crate::api::wire::record_json;
use crate::error::{ApiResult, Problem};
use crate::portal::context::Customer;
use crate::portal::records::Scoped;

const RECENT: u64 = 5;
const GRAY: &str = "#868e96";

fn greeting(customer: &Customer, kind: Greeting, time_zone: &str) -> String {
    match kind {
        Greeting::Standard => "Welcome to the portal".to_owned(),
        Greeting::TimeBased => {
            let hour = jiff::Timestamp::now()
                .in_tz(time_zone)
                .map(|z| z.hour())
                .unwrap_or(12);
            let part = match hour {
                5..=11 => "Good morning",
                12..=17 => "Good afternoon",
                _ => "Good evening",
            };
            let name = customer
                .contact
                .get("first_name")
                .as_text()
                .or_else(|| customer.contact.get("last_name").as_text())
                .unwrap_or("");
            if name.is_empty() {
                part.to_owned()
            } else {
                format!("{part}, {name}")
            }
        }
    }
}

/// Slices in the picklist's order, each with its color; empty buckets are left out.
fn slices(
    module: &ModuleDef,
    field: &str,
    buckets: Vec<(Option<String>, serde_json::Value)>,
    unit: Option<&str>,
) -> serde_json::Value {
    let Some(def) = module.field(field) else {
        return json!([]);
    };
    let mut out = Vec::new();
    for value in &def.values {
        if let Some((_, figure)) = buckets
            .iter()
            .find(|(b, _)| b.as_deref() == Some(value.value.as_str()))
        {
            let mut slice = json!({"label": value.value, "value": figure, "color": value.color});
            if let Some(unit) = unit {
                slice["unit"] = json!(unit);
            }
            out.push(slice);
        }
    }
    for (bucket, figure) in &buckets {
        let known = bucket
            .as_deref()
            .is_some_and(|b| def.picklist_value(b).is_some());
        if !known {
            let mut slice = json!({"label": bucket.clone().unwrap_or_else(|| "None".into()), "value": figure, "color": GRAY});
            if let Some(unit) = unit {
                slice["unit"] = json!(unit);
            }
            out.push(slice);
        }
    }
    json!(out)
}

fn visible(scoped: &Scoped<'_>, fields: &[&str]) -> bool {
    fields
        .iter()
        .all(|f| scoped.access.field(f) != FieldAccess::Hidden)
}

async fn counts(
    state: &AppState,
    scoped: &Scoped<'_>,
    field: &str,
    filter: Filter,
) -> ApiResult<serde_json::Value> {
    let buckets = state.store.count_by(scoped.module, field, &filter).await?;
    Ok(slices(
        scoped.module,
        field,
        buckets.into_iter().map(|(b, n)| (b, json!(n))).collect(),
        None,
    ))
}

async fn recent(state: &AppState, scoped: &Scoped<'_>) -> ApiResult<serde_json::Value> {
    let query = ListQuery {
        filter: scoped.read.clone(),
        sort: Sort {
            field: "updated_at".into(),
            descending: true,
        },
        page: 1,
        per_page: RECENT,
    };
    let rows = state
        .store
        .first_rows(scoped.module, &scoped.view, &query)
        .await?;
    Ok(json!(
        rows.iter()
            .map(|r| record_json(&scoped.view, r))
            .collect::<Vec<_>>()
    ))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/home", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, description = "Announcement, greeting, charts, recent records, representatives and shortcuts"),
              (status = 401, body = Problem)))]
pub async fn home(
    State(state): State<AppState>,
    customer: Customer,
) -> ApiResult<Json<serde_json::Value>> {
    let layout = &customer.portal.home;
    let company = &customer.company;
    let scoped = |module: &str| Scoped::new(&state, &customer, module).ok();
    let cases = scoped("cases");
    let projects = scoped("projects");
    let mut charts = Map::new();
    let mut recents = Map::new();
    let mut representatives = Vec::new();
    for widget in &layout.widgets {
        match widget {
            Widget::OpenCasesByPriority => {
                if let Some(cases) = cases
                    .as_ref()
                    .filter(|c| visible(c, &["priority", "status"]))
                {
                    let open = Filter::And(vec![
                        cases.read.clone(),
                        Filter::Ne("status".into(), Value::Text("Resolved".into())),
                        Filter::Ne("status".into(), Value::Text("Closed".into())),
                    ]);
                    charts.insert(
                        "open_cases_by_priority".into(),
                        counts(&state, cases, "priority", open).await?,
                    );
                }
            }
            Widget::CaseResolutionTimeByPriority => {
                if let Some(cases) = cases
                    .as_ref()
                    .filter(|c| visible(c, &["priority", "resolved_at"]))
                {
                    let buckets = state
                        .store
                        .average_hours_by(
                            cases.module,
                            "priority",
                            "created_at",
                            "resolved_at",
                            &cases.read,
                        )
                        .await?
                        .into_iter()
                        .map(|(b, hours)| (b, json!((hours * 10.0).round() / 10.0)))
                        .collect();
                    charts.insert(
                        "case_resolution_time_by_priority".into(),
                        slices(cases.module, "priority", buckets, Some("hours")),
                    );
                }
            }
            Widget::ProjectsByStatus => {
                if let Some(projects) = projects.as_ref().filter(|p| visible(p, &["status"])) {
                    charts.insert(
                        "projects_by_status".into(),
                        counts(&state, projects, "status", projects.read.clone()).await?,
                    );
                }
            }
            Widget::RecentCases
            | Widget::RecentTickets
            | Widget::RecentFaqs
            | Widget::RecentDocuments => {
                let module = match widget {
                    Widget::RecentCases => "cases",
                    Widget::RecentTickets => "tickets",
                    Widget::RecentFaqs => "faqs",
                    _ => "documents",
                };
                let items = match scoped(module) {
                    Some(s) => recent(&state, &s).await?,
                    None => json!([]),
                };
                recents.insert(module.into(), items);
            }
            Widget::AccountRepresentatives => {
                if let Some(org) = customer.id.organization {
                    let organizations = state.store.module("organizations")?;
                    if let Ok(record) = state.store.get(organizations, org).await
                        && let Some(user) = record.get("assigned_to").as_ref_id()
                        && let Some(user) = state.store.staff_user(user).await?.filter(|u| u.active)
                    {
                        representatives.push(
                            json!({"name": user.name, "email": user.email, "phone": user.phone}),
                        );
                    }
                }
            }
            Widget::Shortcuts => {}
        }
    }
    let can = |module: &str, create: bool| {
        scoped(module).is_some_and(|s| {
            if create {
                s.access.grant.create
            } else {
                s.access.grant.read > Level::None
            }
        })
    };
    let shortcuts: Vec<Shortcut> = if layout.widgets.contains(&Widget::Shortcuts) {
        layout
            .shortcuts
            .iter()
            .copied()
            .filter(|s| match s {
                Shortcut::AddDocument => can("documents", true),
                Shortcut::CreateTicket => can("tickets", true),
                Shortcut::OpenTickets => can("tickets", false),
                Shortcut::CreateCase => can("cases", true),
                Shortcut::OpenCases => can("cases", false),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut out = json!({
        "announcement": layout.announcement,
        "announcement_html": atrium_core::markdown::to_safe_html(&layout.announcement),
        "greeting": greeting(&customer, layout.greeting, &company.time_zone),
        "charts": charts,
        "recent": recents,
    });
    if layout.widgets.contains(&Widget::AccountRepresentatives) {
        out["representatives"] = json!(representatives);
    }
    if layout.widgets.contains(&Widget::Shortcuts) {
        out["shortcuts"] = json!(shortcuts);
    }
    Ok(Json(out))
}
