//! The customer's home: announcement, greeting, the configured charts (SVG drawn on the
//! server), recent records, representatives and shortcuts — `atrium-app`'s `HomeView`, said in
//! the visitor's language.

use askama::Template;
use atrium_app::customer::home::{HomeView, Salutation};
use atrium_core::portal::Shortcut;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::pages::chart::Chart;
use crate::pages::display::moment;
use crate::pages::i18n::Tr;
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::{Site, Visitor};

/// A line of a recent-records block.
pub struct Line {
    pub href: String,
    pub number: String,
    pub label: String,
    pub when: String,
}

pub struct Recent {
    pub title: String,
    pub href: String,
    pub lines: Vec<Line>,
}

pub struct Link {
    pub href: String,
    pub label: String,
}

pub struct Person {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub greeting: String,
    pub announcement_html: String,
    pub charts: Vec<Chart>,
    pub recent: Vec<Recent>,
    pub representatives: Vec<Person>,
    pub shortcuts: Vec<Link>,
}
framed!(HomePage);

fn greeting(tr: &Tr, salutation: &Salutation) -> String {
    let (key, name) = match salutation {
        Salutation::Standard => return tr.t("greeting-standard"),
        Salutation::Morning(name) => ("greeting-morning", name),
        Salutation::Afternoon(name) => ("greeting-afternoon", name),
        Salutation::Evening(name) => ("greeting-evening", name),
    };
    if name.is_empty() {
        tr.t(&format!("{key}-anonymous"))
    } else {
        tr.t1(key, "name", name)
    }
}

fn shortcut(site: &Site, shortcut: Shortcut) -> Link {
    let (key, path) = match shortcut {
        Shortcut::AddDocument => ("shortcut-add-document", "/records/documents/new"),
        Shortcut::CreateTicket => ("shortcut-create-ticket", "/records/tickets/new"),
        Shortcut::CreateCase => ("shortcut-create-case", "/records/cases/new"),
        Shortcut::OpenTickets => ("shortcut-open-tickets", "/records/tickets"),
        Shortcut::OpenCases => ("shortcut-open-cases", "/records/cases"),
    };
    Link {
        href: site.path(path),
        label: site.tr.t(key),
    }
}

fn page(site: &Site, chrome: Chrome, home: HomeView, time_zone: &str) -> HomePage {
    let tr = &site.tr;
    let charts = home
        .charts
        .iter()
        .map(|(name, slices)| Chart::new(tr, name, slices))
        .collect();
    let recent = home
        .recent
        .iter()
        .map(|(module, records)| Recent {
            title: tr.t(&format!("recent-{module}")),
            href: site.path(&format!("/records/{module}")),
            lines: records
                .iter()
                .map(|view| {
                    let record = &view.record;
                    Line {
                        href: site.path(&format!("/records/{module}/{}", record.id)),
                        number: record.number.clone(),
                        label: atrium_core::record::label_of(&view.view, |f| Some(record.get(f))),
                        when: moment(tr, record.updated_at, time_zone),
                    }
                })
                .collect(),
        })
        .collect();
    HomePage {
        c: chrome,
        greeting: greeting(tr, &home.salutation),
        announcement_html: home.announcement_html,
        charts,
        recent,
        representatives: home
            .representatives
            .unwrap_or_default()
            .into_iter()
            .map(|r| Person {
                name: r.name,
                email: r.email,
                phone: r.phone,
            })
            .collect(),
        shortcuts: home
            .shortcuts
            .unwrap_or_default()
            .into_iter()
            .map(|s| shortcut(site, s))
            .collect(),
    }
}

pub async fn show(State(state): State<AppState>, visitor: Visitor) -> Response {
    let Visitor { site, customer } = visitor;
    let home = match state.app.customer_home(&customer).await {
        Ok(home) => home,
        Err(error) => return site.error(error),
    };
    let chrome = Chrome::signed_in(&site, &state.app, &customer, site.tr.t("nav-home"), "home");
    let page = page(&site, chrome, home, &customer.company.time_zone);
    render::page(&site, &page, None)
}
