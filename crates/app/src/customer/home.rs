//! The customer's home: the announcement, a greeting, charts aggregated in SQL under the
//! customer's read predicate (each slice in its picklist color), recent records, the account
//! representative and shortcuts — only the widgets the portal configures.

use atrium_core::portal::{FieldAccess, Greeting, Level, Shortcut, Widget};
use atrium_core::query::{Filter, ListQuery, Sort};
use atrium_core::rules::done_statuses;
use atrium_core::{ModuleDef, Result, Value};
use indexmap::IndexMap;
use serde::Serialize;

use super::{Customer, Scoped};
use crate::App;
use crate::views::RecordView;

const RECENT: u64 = 5;
const GRAY: &str = "#868e96";

/// One slice of a chart.
#[derive(Debug, Clone, Serialize)]
pub struct Slice {
    pub label: String,
    pub value: Figure,
    pub color: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
}

/// A chart's figure: a count, or an average in the slice's unit.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Count(i64),
    Average(f64),
}

/// A staff member who looks after the customer's organization.
#[derive(Debug, Clone, Serialize)]
pub struct Representative {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// The home page, as configured for the portal and seen by one customer.
#[derive(Debug, Clone, Serialize)]
pub struct HomeView {
    pub announcement: String,
    /// The announcement's markdown, rendered and sanitized.
    pub announcement_html: String,
    pub greeting: String,
    #[serde(skip)]
    pub salutation: Salutation,
    /// Chart name → slices, in the order the widgets are configured.
    pub charts: IndexMap<&'static str, Vec<Slice>>,
    /// Module → its latest records the customer may read.
    pub recent: IndexMap<&'static str, Vec<RecordView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub representatives: Option<Vec<Representative>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortcuts: Option<Vec<Shortcut>>,
}

/// How the home greets: the portal's fixed welcome, or the part of the day in the company's
/// time zone with the customer's first name. The pages say it in the customer's language; the
/// API sends [`HomeView::greeting`] in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Salutation {
    Standard,
    Morning(String),
    Afternoon(String),
    Evening(String),
}

impl Salutation {
    fn new(customer: &Customer, kind: Greeting, time_zone: &str) -> Self {
        match kind {
            Greeting::Standard => Salutation::Standard,
            Greeting::TimeBased => {
                let hour = jiff::Timestamp::now()
                    .in_tz(time_zone)
                    .map(|z| z.hour())
                    .unwrap_or(12);
                let name = customer
                    .contact
                    .get("first_name")
                    .as_text()
                    .or_else(|| customer.contact.get("last_name").as_text())
                    .unwrap_or("")
                    .to_owned();
                match hour {
                    5..=11 => Salutation::Morning(name),
                    12..=17 => Salutation::Afternoon(name),
                    _ => Salutation::Evening(name),
                }
            }
        }
    }

    /// The greeting in English.
    pub fn english(&self) -> String {
        let (part, name) = match self {
            Salutation::Standard => return "Welcome to the portal".to_owned(),
            Salutation::Morning(name) => ("Good morning", name),
            Salutation::Afternoon(name) => ("Good afternoon", name),
            Salutation::Evening(name) => ("Good evening", name),
        };
        if name.is_empty() {
            part.to_owned()
        } else {
            format!("{part}, {name}")
        }
    }
}

/// Slices in the picklist's order, each with its color; empty buckets are left out.
fn slices(
    module: &ModuleDef,
    field: &str,
    buckets: Vec<(Option<String>, Figure)>,
    unit: Option<&'static str>,
) -> Vec<Slice> {
    let Some(def) = module.field(field) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for value in &def.values {
        if let Some((_, figure)) = buckets
            .iter()
            .find(|(b, _)| b.as_deref() == Some(value.value.as_str()))
        {
            out.push(Slice {
                label: value.value.clone(),
                value: *figure,
                color: value.color.clone(),
                unit,
            });
        }
    }
    for (bucket, figure) in &buckets {
        let known = bucket
            .as_deref()
            .is_some_and(|b| def.picklist_value(b).is_some());
        if !known {
            out.push(Slice {
                label: bucket.clone().unwrap_or_else(|| "None".into()),
                value: *figure,
                color: GRAY.to_owned(),
                unit,
            });
        }
    }
    out
}

/// The module a widget shows, if it shows one.
fn widget_module(widget: Widget) -> Option<&'static str> {
    match widget {
        Widget::OpenCasesByPriority
        | Widget::CaseResolutionTimeByPriority
        | Widget::RecentCases => Some("cases"),
        Widget::ProjectsByStatus => Some("projects"),
        Widget::RecentTickets => Some("tickets"),
        Widget::RecentFaqs => Some("faqs"),
        Widget::RecentDocuments => Some("documents"),
        Widget::AccountRepresentatives | Widget::Shortcuts => None,
    }
}

/// The module a shortcut leads to.
fn shortcut_module(shortcut: Shortcut) -> &'static str {
    match shortcut {
        Shortcut::AddDocument => "documents",
        Shortcut::CreateTicket | Shortcut::OpenTickets => "tickets",
        Shortcut::CreateCase | Shortcut::OpenCases => "cases",
    }
}

fn visible(scoped: &Scoped<'_>, fields: &[&str]) -> bool {
    fields
        .iter()
        .all(|f| scoped.access.field(f) != FieldAccess::Hidden)
}

/// One widget's share of the home.
enum Part {
    Chart(&'static str, Vec<Slice>),
    Recent(&'static str, Vec<RecordView>),
    Representative(Option<Representative>),
    Nothing,
}

impl App {
    async fn counts(&self, scoped: &Scoped<'_>, field: &str, filter: Filter) -> Result<Vec<Slice>> {
        let buckets = self.store.count_by(scoped.module, field, &filter).await?;
        Ok(slices(
            scoped.module,
            field,
            buckets
                .into_iter()
                .map(|(b, n)| (b, Figure::Count(n)))
                .collect(),
            None,
        ))
    }

    async fn recent(&self, scoped: &Scoped<'_>) -> Result<Vec<RecordView>> {
        let query = ListQuery {
            filter: scoped.read.clone(),
            sort: Sort {
                field: "updated_at".into(),
                descending: true,
            },
            page: 1,
            per_page: RECENT,
        };
        let rows = self
            .store
            .first_rows(scoped.module, &scoped.view, &query)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RecordView::new(scoped.view.clone(), r))
            .collect())
    }

    /// The customer's home page.
    pub async fn customer_home(&self, customer: &Customer) -> Result<HomeView> {
        let layout = &customer.portal.home;
        let company = &customer.company;
        let shortcuts_shown = layout.widgets.contains(&Widget::Shortcuts);
        // Each module the widgets and shortcuts show, as the customer sees it: worked out once.
        let mut modules: Vec<&'static str> = layout
            .widgets
            .iter()
            .filter_map(|w| widget_module(*w))
            .collect();
        if shortcuts_shown {
            modules.extend(layout.shortcuts.iter().map(|s| shortcut_module(*s)));
        }
        modules.sort_unstable();
        modules.dedup();
        let scopes: Vec<(&str, Option<Scoped<'_>>)> = modules
            .into_iter()
            .map(|module| (module, self.scoped(customer, module).ok()))
            .collect();
        let scoped = |module: &str| {
            scopes
                .iter()
                .find(|(m, _)| *m == module)
                .and_then(|(_, s)| s.as_ref())
        };
        // The widgets' figures are read at once, each on its own connection; the page waits
        // for the slowest instead of their sum. Their statements are the customer's access
        // rules with the customer's ids bound: planned once for any ids, not for each request.
        let reads = App {
            store: self.store.with_generic_plans(),
            ..self.clone()
        };
        let parts = futures::future::try_join_all(layout.widgets.iter().map(|widget| {
            let scope = widget_module(*widget).and_then(scoped);
            reads.home_part(customer, *widget, scope)
        }))
        .await?;
        let mut charts = IndexMap::new();
        let mut recents = IndexMap::new();
        let mut representatives = Vec::new();
        for part in parts {
            match part {
                Part::Chart(name, slices) => {
                    charts.insert(name, slices);
                }
                Part::Recent(module, items) => {
                    recents.insert(module, items);
                }
                Part::Representative(user) => representatives.extend(user),
                Part::Nothing => {}
            }
        }
        let shortcuts = shortcuts_shown.then(|| {
            layout
                .shortcuts
                .iter()
                .copied()
                .filter(|s| {
                    scoped(shortcut_module(*s)).is_some_and(|scope| match s {
                        Shortcut::AddDocument | Shortcut::CreateTicket | Shortcut::CreateCase => {
                            scope.access.grant.create
                        }
                        Shortcut::OpenTickets | Shortcut::OpenCases => {
                            scope.access.grant.read > Level::None
                        }
                    })
                })
                .collect()
        });
        let salutation = Salutation::new(customer, layout.greeting, &company.time_zone);
        Ok(HomeView {
            announcement: layout.announcement.clone(),
            announcement_html: atrium_core::markdown::to_safe_html(&layout.announcement),
            greeting: salutation.english(),
            salutation,
            charts,
            recent: recents,
            representatives: layout
                .widgets
                .contains(&Widget::AccountRepresentatives)
                .then_some(representatives),
            shortcuts,
        })
    }

    /// What one widget of the home shows.
    async fn home_part(
        &self,
        customer: &Customer,
        widget: Widget,
        scope: Option<&Scoped<'_>>,
    ) -> Result<Part> {
        Ok(match widget {
            Widget::OpenCasesByPriority => {
                match scope.filter(|c| visible(c, &["priority", "status"])) {
                    Some(cases) => {
                        let mut open = vec![cases.read.clone()];
                        open.extend(done_statuses("cases").iter().map(|done| {
                            Filter::Ne("status".into(), Value::Text((*done).to_owned()))
                        }));
                        let open = Filter::And(open);
                        Part::Chart(
                            "open_cases_by_priority",
                            self.counts(cases, "priority", open).await?,
                        )
                    }
                    None => Part::Nothing,
                }
            }
            Widget::CaseResolutionTimeByPriority => {
                match scope.filter(|c| visible(c, &["priority", "resolved_at"])) {
                    Some(cases) => {
                        let buckets = self
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
                            .map(|(b, hours)| (b, Figure::Average((hours * 10.0).round() / 10.0)))
                            .collect();
                        Part::Chart(
                            "case_resolution_time_by_priority",
                            slices(cases.module, "priority", buckets, Some("hours")),
                        )
                    }
                    None => Part::Nothing,
                }
            }
            Widget::ProjectsByStatus => match scope.filter(|p| visible(p, &["status"])) {
                Some(projects) => Part::Chart(
                    "projects_by_status",
                    self.counts(projects, "status", projects.read.clone())
                        .await?,
                ),
                None => Part::Nothing,
            },
            Widget::RecentCases
            | Widget::RecentTickets
            | Widget::RecentFaqs
            | Widget::RecentDocuments => {
                let Some(module) = widget_module(widget) else {
                    return Ok(Part::Nothing);
                };
                let items = match scope {
                    Some(s) => self.recent(s).await?,
                    None => Vec::new(),
                };
                Part::Recent(module, items)
            }
            Widget::AccountRepresentatives => {
                Part::Representative(self.representative(customer).await?)
            }
            Widget::Shortcuts => Part::Nothing,
        })
    }

    /// The active staff user assigned to the customer's organization, if any.
    async fn representative(&self, customer: &Customer) -> Result<Option<Representative>> {
        let Some(org) = customer.id.organization else {
            return Ok(None);
        };
        let organizations = self.store.module("organizations")?;
        Ok(self
            .store
            .assignee(organizations, org)
            .await?
            .filter(|u| u.active)
            .map(|u| Representative {
                name: u.name,
                email: u.email,
                phone: u.phone,
            }))
    }
}
