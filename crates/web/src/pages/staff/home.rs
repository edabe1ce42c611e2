//! The start page: the staff user's work in cases and tickets, each list with its count.

use askama::Template;
use atrium_app::staff::desk::Work;
use axum::extract::State;
use axum::response::Response;

use super::chrome;
use super::records::{Row, row_of};
use crate::AppState;
use crate::pages::desk::{Agent, staff_path};
use crate::pages::render::{self, Chrome, framed};

pub struct WorkSection {
    pub id: String,
    pub title: String,
    pub count: String,
    pub rows: Vec<Row>,
    pub all_href: Option<String>,
    pub empty: String,
}

#[derive(Template)]
#[template(path = "staff/home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub greeting: String,
    pub sections: Vec<WorkSection>,
}
framed!(HomePage);

pub async fn show(State(state): State<AppState>, agent: Agent) -> Response {
    let lists = match state.app.staff_work(&agent.staff).await {
        Ok(lists) => lists,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let time_zone = agent.desk.company.time_zone.clone();
    let sections = lists
        .iter()
        .map(|list| {
            let key = match list.work {
                Work::Assigned => "work-assigned",
                Work::Waiting => "work-waiting",
                Work::NewFromCustomers => "work-new",
            };
            let module_label = state
                .app
                .store
                .module(list.module)
                .map(|m| tr.module_label(&m.name, &m.label))
                .unwrap_or_default();
            let columns = ["title", "status", "priority", "updated_at"];
            WorkSection {
                id: format!("{}-{key}", list.module),
                title: tr.t1(key, "module", module_label),
                count: tr.n(
                    "count",
                    "total",
                    i64::try_from(list.page.total).unwrap_or(0),
                ),
                rows: list
                    .page
                    .items
                    .iter()
                    .map(|view| row_of(tr, &time_zone, list.module, view, &columns))
                    .collect(),
                all_href: list.list_params.as_ref().map(|params| {
                    let query = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(params)
                        .finish();
                    staff_path(&format!("/records/{}?{query}", list.module))
                }),
                empty: tr.t(&format!("{key}-empty")),
            }
        })
        .collect();
    let page = HomePage {
        c: chrome(
            &state,
            &agent.desk,
            Some(&agent.staff),
            tr.t("staff-nav-home"),
            "home",
        ),
        greeting: tr.t1("staff-greeting", "name", agent.staff.user.name.clone()),
        sections,
    };
    render::page(&agent.desk, &page, None)
}
