//! Every module's pages for staff, from the metadata alone: the list (search, filters by
//! picklist, reference and assignee, sortable columns, pages, count — all in the URL), the
//! record (fields grouped, who created or changed it in the portal, related lists with links,
//! comments as replies or internal notes, history), the create and edit forms (a stale edit
//! says so and keeps what was typed), and delete with a confirmation.

use askama::Template;
use atrium_app::views::RecordView;
use atrium_core::{Error, FieldDef, FieldType, ModuleDef};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::chrome;
use super::grid::{Catalog, GridEditor, editor, posted_rows};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::{Agent, staff_path};
use crate::pages::display::{Shown, moment, plain, show};
use crate::pages::form::{Form, Posted, field_errors};
use crate::pages::i18n::{Arg, Tr};
use crate::pages::inputs::{Choice, Draft, Input, Looks, Spec, body_of, inputs, staff_options};
use crate::pages::lines::{LineTable, line_table, print_words, shown_in_table};
use crate::pages::list_query::{query_string, with};
use crate::pages::render::{self, Chrome, framed};
use atrium_core::customer::today_in;
use atrium_core::grid::priced_grid;
use atrium_core::portal::FieldAccess;
use atrium_core::rules::is_overdue;

/// The module and record a page's path names.
#[derive(Deserialize)]
pub struct Target {
    module: String,
    #[serde(default)]
    id: String,
}

/// The columns a list shows at most, besides the number.
const LIST_COLUMNS: usize = 6;
/// Rows of a related list on the record page.
const RELATED_ROWS: u64 = 10;

pub fn record_path(module: &str, id: &str) -> String {
    staff_path(&format!("/records/{module}/{id}"))
}

fn list_path(module: &str) -> String {
    staff_path(&format!("/records/{module}"))
}

/// Every record is a staff page.
fn to_record(module: &str, id: &str) -> Option<String> {
    Some(record_path(module, id))
}

/// Whether a field reads well in a table cell.
fn listable(field: &FieldDef) -> bool {
    !field.system
        && !matches!(
            field.field_type,
            FieldType::Textarea
                | FieldType::Markdown
                | FieldType::File
                | FieldType::Grid { .. }
                | FieldType::Multipicklist
        )
}

/// A field's value, or a header column (`updated_at`, `created_at`).
fn cell(tr: &Tr, time_zone: &str, view: &RecordView, column: &str) -> Shown {
    match column {
        "updated_at" | "created_at" => {
            let at = if column == "updated_at" {
                view.record.updated_at
            } else {
                view.record.created_at
            };
            Shown {
                text: moment(tr, at, time_zone),
                ..Shown::default()
            }
        }
        name => match view.view.field(name) {
            Some(def) => show(tr, def, view.record.get(name), time_zone, &to_record),
            None => Shown::default(),
        },
    }
}

pub struct Row {
    pub href: String,
    pub number: String,
    pub cells: Vec<Shown>,
}

/// A list row of `view` with `columns`.
pub fn row_of(tr: &Tr, time_zone: &str, module: &str, view: &RecordView, columns: &[&str]) -> Row {
    Row {
        href: record_path(module, &view.record.id.to_string()),
        number: view.record.number.clone(),
        cells: columns
            .iter()
            .map(|c| cell(tr, time_zone, view, c))
            .collect(),
    }
}

fn module_of<'a>(state: &'a AppState, name: &str) -> Result<&'a ModuleDef, Error> {
    state.app.store.module(name)
}

// ---------------------------------------------------------------------------------------
// List

pub struct Column {
    pub label: String,
    pub sort_href: Option<String>,
    pub sorted: Option<&'static str>,
}

/// A filter of the list's toolbar: a select over the field's values.
pub struct ListFilter {
    pub name: String,
    pub label: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "staff/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub module: String,
    pub heading: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub count: String,
    pub q: String,
    pub filters: Vec<ListFilter>,
    pub filtered: bool,
    pub page_of: String,
    pub pages: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub new_label: String,
    pub notice: Option<String>,
}
framed!(ListPage);

fn value_of(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The toolbar's filters: every filterable picklist, yes/no and reference field, and the
/// assignee ("me").
async fn list_filters(
    state: &AppState,
    agent: &Agent,
    module: &ModuleDef,
    pairs: &[(String, String)],
) -> Vec<ListFilter> {
    let tr = agent.tr();
    let any = |label: String| Choice {
        value: String::new(),
        label,
        selected: false,
    };
    let mut filters = Vec::new();
    let references: Vec<Spec<'_>> = module
        .fields
        .iter()
        .filter(|f| f.filterable && !f.system && f.references().is_some())
        .map(|def| Spec {
            def,
            access: FieldAccess::ReadWrite,
        })
        .collect();
    let options = staff_options(state, &references).await;
    for field in module.fields.iter().filter(|f| f.filterable && !f.system) {
        let current = value_of(pairs, &field.name);
        let mut choices = vec![any(tr.t("filter-any"))];
        match &field.field_type {
            FieldType::Picklist => choices.extend(field.values.iter().map(|v| Choice {
                selected: v.value == current,
                label: v.value.clone(),
                value: v.value.clone(),
            })),
            FieldType::Boolean => choices.extend(["true", "false"].into_iter().map(|v| Choice {
                selected: v == current,
                label: tr.t(if v == "true" { "yes" } else { "no" }),
                value: v.to_owned(),
            })),
            FieldType::User => {
                let me = agent.staff.user.id.to_string();
                choices.push(Choice {
                    selected: current == me,
                    label: tr.t("filter-me"),
                    value: me,
                });
            }
            FieldType::Reference { module: other } => {
                let listed = options.get(other).map_or(&[][..], Vec::as_slice);
                choices.extend(listed.iter().map(|(id, label)| Choice {
                    selected: *id == current,
                    label: label.clone(),
                    value: id.clone(),
                }));
                if !current.is_empty() && !listed.iter().any(|(id, _)| *id == current) {
                    choices.push(Choice {
                        selected: true,
                        label: current.clone(),
                        value: current.clone(),
                    });
                }
            }
            _ => continue,
        }
        filters.push(ListFilter {
            name: field.name.clone(),
            label: tr.field_label(&field.name, &field.label),
            choices,
        });
    }
    filters
}

pub async fn list(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, .. }): Path<Target>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let def = match module_of(&state, &module) {
        Ok(def) => def,
        Err(error) => return agent.error(error),
    };
    // Page notices travel in the query string; the list parameters are the rest.
    let notice = pairs
        .iter()
        .any(|(k, _)| k == "deleted")
        .then(|| agent.tr().t("deleted"));
    let params: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "deleted" && !v.is_empty())
        .cloned()
        .collect();
    let page = match state.app.staff_list(&module, &params).await {
        Ok(page) => page,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let time_zone = agent.desk.company.time_zone.clone();
    let heading = tr.module_label(&module, &def.label);
    let base = list_path(&module);
    let current_sort = value_of(&params, "sort");
    let mut names: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| listable(f))
        .take(LIST_COLUMNS)
        .map(|f| f.name.as_str())
        .collect();
    names.push("updated_at");
    let columns = names
        .iter()
        .map(|name| {
            let (label, sortable) = match def.field(name) {
                Some(field) => (tr.field_label(&field.name, &field.label), field.sortable),
                None => (tr.t("updated-at"), true),
            };
            let sorted = if current_sort == *name {
                Some("ascending")
            } else if current_sort.strip_prefix('-') == Some(name) {
                Some("descending")
            } else {
                None
            };
            let toggled = if sorted == Some("ascending") {
                format!("-{name}")
            } else {
                (*name).to_owned()
            };
            Column {
                label,
                sort_href: sortable
                    .then(|| format!("{base}{}", query_string(&with(&params, "sort", &toggled)))),
                sorted,
            }
        })
        .collect();
    let rows = page
        .items
        .iter()
        .map(|view| row_of(tr, &time_zone, &module, view, &names))
        .collect();
    let per_page = page.per_page.max(1);
    let pages = page.total.div_ceil(per_page).max(1);
    let link = |n: u64| {
        format!(
            "{base}{}",
            query_string(&with(&params, "page", &n.to_string()))
        )
    };
    let filtered = params
        .iter()
        .any(|(k, _)| !matches!(k.as_str(), "sort" | "page" | "per_page"));
    let filters = list_filters(&state, &agent, def, &params).await;
    let list_page = ListPage {
        c: chrome(
            &state,
            &agent.desk,
            Some(&agent.staff),
            heading.clone(),
            &module,
        ),
        heading,
        columns,
        rows,
        count: tr.n(
            "count",
            "total",
            i64::try_from(page.total).unwrap_or(i64::MAX),
        ),
        q: value_of(&params, "q"),
        filters,
        filtered,
        page_of: tr.with(
            "page-of",
            &[
                ("page", Arg::Number(i64::try_from(page.page).unwrap_or(0))),
                ("pages", Arg::Number(i64::try_from(pages).unwrap_or(0))),
            ],
        ),
        pages,
        previous: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < pages).then(|| link(page.page + 1)),
        new_label: tr.t1(
            "new-record",
            "module",
            tr.module_one(&module, &def.singular_label),
        ),
        notice,
        module,
    };
    render::page(&agent.desk, &list_page, None)
}

// ---------------------------------------------------------------------------------------
// Record

pub struct FieldRow {
    pub label: String,
    pub value: Shown,
    pub download: Option<String>,
}

pub struct FieldGroup {
    pub title: String,
    pub fields: Vec<FieldRow>,
}

pub struct CommentRow {
    pub author: String,
    /// `staff`, `internal` or `customer`.
    pub side: &'static str,
    pub tag: String,
    pub when: String,
    pub body_html: String,
}

pub struct UpdateRow {
    pub text: String,
    pub when: String,
}

pub struct RelatedLine {
    pub href: String,
    pub number: String,
    pub label: String,
    pub id: String,
}

pub struct RelatedList {
    pub module: String,
    pub title: String,
    pub count: String,
    pub lines: Vec<RelatedLine>,
    pub all_href: String,
    /// Linked many-to-many: lines can be unlinked, records added.
    pub linkable: bool,
    pub choices: Vec<Choice>,
}

/// Who created or last changed a record through the portal.
pub struct PortalAuthor {
    pub label: String,
    pub value: Shown,
}

#[derive(Template)]
#[template(path = "staff/record.html")]
pub struct RecordPage {
    pub c: Chrome,
    pub module: String,
    pub heading: String,
    pub number: String,
    pub base: String,
    pub groups: Vec<FieldGroup>,
    /// What Atrium keeps (system fields, times), shown beside the rest.
    pub kept: Option<FieldGroup>,
    pub portal_authors: Vec<PortalAuthor>,
    pub comments: Vec<CommentRow>,
    pub updates: Vec<UpdateRow>,
    pub related: Vec<RelatedList>,
    pub comment_error: Option<String>,
    pub comment_body: String,
    pub comment_internal: bool,
    pub notice: Option<String>,
    pub contact: Option<super::contacts::PortalCard>,
    pub lines: Option<LineTable>,
    /// An invoice past its due date and still owed.
    pub overdue: bool,
    /// A quote an invoice can be made from.
    pub can_invoice: bool,
}
framed!(RecordPage);

/// The fields of a record in groups: its details and its longer texts; and apart, what Atrium
/// keeps.
fn groups(
    tr: &Tr,
    time_zone: &str,
    module: &str,
    view: &RecordView,
) -> (Vec<FieldGroup>, FieldGroup) {
    let mut details = Vec::new();
    let mut texts = Vec::new();
    let mut system = Vec::new();
    let priced = priced_grid(&view.view).is_some();
    for def in &view.view.fields {
        if matches!(def.name.as_str(), "created_by_ext" | "modified_by_ext")
            || (priced && shown_in_table(&view.view, &def.name))
        {
            continue;
        }
        let value = show(tr, def, view.record.get(&def.name), time_zone, &to_record);
        let download = (matches!(def.field_type, FieldType::File) && !value.empty)
            .then(|| format!("{}/file", record_path(module, &view.record.id.to_string())));
        let row = FieldRow {
            label: tr.field_label(&def.name, &def.label),
            value,
            download,
        };
        if def.system {
            system.push(row);
        } else if matches!(def.field_type, FieldType::Markdown | FieldType::Textarea) {
            texts.push(row);
        } else {
            details.push(row);
        }
    }
    for (label, at) in [
        (tr.t("created-at"), view.record.created_at),
        (tr.t("updated-at"), view.record.updated_at),
    ] {
        system.push(FieldRow {
            label,
            value: Shown {
                text: moment(tr, at, time_zone),
                ..Shown::default()
            },
            download: None,
        });
    }
    let groups = [(tr.t("details"), details), (tr.t("group-texts"), texts)]
        .into_iter()
        .filter(|(_, fields)| !fields.is_empty())
        .map(|(title, fields)| FieldGroup { title, fields })
        .collect();
    let kept = FieldGroup {
        title: tr.t("group-system"),
        fields: system,
    };
    (groups, kept)
}

/// What the page says after a redirect (`?saved=1`, `?linked=1`, …).
fn notice_of(tr: &Tr, pairs: &[(String, String)]) -> Option<String> {
    pairs.iter().find_map(|(key, value)| match key.as_str() {
        "saved" => Some(tr.t("saved")),
        "invited" => Some(tr.t("invitation-sent-now")),
        "invitation" => Some(tr.t(&format!("invitation-refused-{value}"))),
        "linked" => Some(tr.t("link-saved")),
        "unlinked" => Some(tr.t("link-removed")),
        _ => None,
    })
}

/// A comment form sent back (its text, its kind and the error).
struct Returned {
    body: String,
    internal: bool,
    error: String,
}

async fn record_page(
    state: &AppState,
    agent: &Agent,
    module: &str,
    id: &str,
    pairs: &[(String, String)],
    returned: Option<Returned>,
) -> Response {
    let view = match state.app.staff_read(module, id).await {
        Ok(view) => view,
        Err(error) => return agent.error(error),
    };
    let (comments, updates) = match state.app.staff_timeline(&view).await {
        Ok(both) => both,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let time_zone = agent.desk.company.time_zone.clone();
    let base = record_path(module, id);
    let portal_authors = ["created_by_ext", "modified_by_ext"]
        .into_iter()
        .filter_map(|name| {
            let def = view.view.field(name)?;
            let value = view.record.get(name);
            (!value.is_null()).then(|| PortalAuthor {
                label: tr.t(if name == "created_by_ext" {
                    "created-by-customer"
                } else {
                    "modified-by-customer"
                }),
                value: show(tr, def, value, &time_zone, &to_record),
            })
        })
        .collect();
    let comments = comments
        .iter()
        .map(|comment| {
            let name = |who: &Option<serde_json::Value>| {
                who.as_ref()
                    .and_then(|a| a["label"].as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let (author, side, tag) = if comment.author.is_some() {
                let side = if comment.internal {
                    "internal"
                } else {
                    "staff"
                };
                let tag = tr.t(if comment.internal {
                    "internal-note"
                } else {
                    "reply-to-customer"
                });
                (name(&comment.author), side, tag)
            } else {
                (name(&comment.author_ext), "customer", tr.t("from-customer"))
            };
            CommentRow {
                author,
                side,
                tag,
                when: tr.datetime(&comment.created_at),
                body_html: comment.body_html.clone(),
            }
        })
        .collect();
    let updates = updates
        .iter()
        .map(|u| {
            let field = view
                .view
                .field(&u.field)
                .map(|f| tr.field_label(&f.name, &f.label))
                .unwrap_or_else(|| u.field.clone());
            UpdateRow {
                text: tr.with(
                    "changed-from-to",
                    &[
                        ("field", Arg::Text(field)),
                        ("old", Arg::Text(plain(&u.old))),
                        ("new", Arg::Text(plain(&u.new))),
                    ],
                ),
                when: tr.datetime(&u.at),
            }
        })
        .collect();
    let related = match related_lists(state, tr, module, id, &view).await {
        Ok(related) => related,
        Err(error) => return agent.error(error),
    };
    let contact = if module == "contacts" {
        match super::contacts::portal_card(state, agent, &view, pairs).await {
            Ok(card) => Some(card),
            Err(error) => return agent.error(error),
        }
    } else {
        None
    };
    let heading = atrium_core::record::label_of(&view.view, |f| Some(view.record.get(f)));
    let heading = if heading.is_empty() {
        view.record.number.clone()
    } else {
        heading
    };
    let status = returned.as_ref().map(|_| StatusCode::UNPROCESSABLE_ENTITY);
    let (comment_body, comment_internal, comment_error) = match returned {
        Some(r) => (r.body, r.internal, Some(r.error)),
        None => (String::new(), false, None),
    };
    let (groups, kept) = groups(tr, &time_zone, module, &view);
    let lines = line_table(tr, &view.view, &view.record);
    let overdue = module == "invoices" && is_overdue(&view.record, today_in(&time_zone));
    let can_invoice = module == "quotes" && view.record.get("stage").as_text() != Some("Rejected");
    let page = RecordPage {
        c: chrome(
            state,
            &agent.desk,
            Some(&agent.staff),
            heading.clone(),
            module,
        ),
        module: module.to_owned(),
        heading,
        number: view.record.number.clone(),
        base,
        groups,
        kept: Some(kept),
        portal_authors,
        comments,
        updates,
        related,
        comment_error,
        comment_body,
        comment_internal,
        notice: notice_of(tr, pairs),
        contact,
        lines,
        overdue,
        can_invoice,
    };
    render::page(&agent.desk, &page, status)
}

async fn related_lists(
    state: &AppState,
    tr: &Tr,
    module: &str,
    id: &str,
    view: &RecordView,
) -> Result<Vec<RelatedList>, Error> {
    let def = &view.view;
    let params = [
        ("per_page".to_owned(), RELATED_ROWS.to_string()),
        ("sort".to_owned(), "-updated_at".to_owned()),
    ];
    let mut lists = Vec::new();
    for other in state.app.staff_related_modules(module)? {
        let page = state
            .app
            .staff_related(module, id, &other.name, &params)
            .await?;
        let linkable = def.can_link(&other.name);
        let choices = if linkable {
            let spec = [Spec {
                def: &FieldDef::new(
                    "link",
                    "",
                    FieldType::Reference {
                        module: other.name.clone(),
                    },
                ),
                access: FieldAccess::ReadWrite,
            }];
            let options = staff_options(state, &spec).await;
            options
                .get(&other.name)
                .map(|listed| {
                    listed
                        .iter()
                        .filter(|(oid, _)| {
                            !page.items.iter().any(|i| i.record.id.to_string() == *oid)
                        })
                        .map(|(oid, label)| Choice {
                            value: oid.clone(),
                            label: label.clone(),
                            selected: false,
                        })
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        // The related list of the list page: the reference filter, where there is one.
        let by_field = other
            .fields
            .iter()
            .find(|f| !f.system && f.filterable && f.references() == Some(module));
        let all_href = match by_field {
            Some(field) => format!("{}?{}={id}", list_path(&other.name), field.name),
            None => String::new(),
        };
        lists.push(RelatedList {
            module: other.name.clone(),
            title: tr.module_label(&other.name, &other.label),
            count: tr.n("count", "total", i64::try_from(page.total).unwrap_or(0)),
            lines: page
                .items
                .iter()
                .map(|item| RelatedLine {
                    href: record_path(&other.name, &item.record.id.to_string()),
                    number: item.record.number.clone(),
                    label: atrium_core::record::label_of(&item.view, |f| Some(item.record.get(f))),
                    id: item.record.id.to_string(),
                })
                .collect(),
            all_href,
            linkable,
            choices,
        });
    }
    Ok(lists)
}

pub async fn read(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, id }): Path<Target>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    record_page(&state, &agent, &module, &id, &pairs, None).await
}

/// Whether a posted `internal` says "internal note": a checked box or the radio's `1`.
fn is_internal(form: &Form) -> bool {
    form.has("internal") && !matches!(form.text("internal"), "" | "0" | "false")
}

pub async fn comment(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: agent, form }: Posted<Agent>,
) -> Response {
    let body = form.text("body").to_owned();
    let internal = is_internal(&form);
    match state
        .app
        .staff_comment(&agent.staff, &module, &id, &body, internal)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}#comments", record_path(&module, &id))).into_response(),
        Err(Error::Validation(errors)) => {
            let error = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let returned = Returned {
                body,
                internal,
                error,
            };
            record_page(&state, &agent, &module, &id, &[], Some(returned)).await
        }
        Err(error) => agent.error(error),
    }
}

pub async fn link_records(
    state: &AppState,
    module: &str,
    id: &str,
    form: &Form,
) -> Result<&'static str, Error> {
    let other = form.text("other");
    let other_id = form.text("other_id");
    if other_id.is_empty() {
        return Err(Error::field("other_id", "choose a record"));
    }
    let linked = form.text("linked") != "0";
    state
        .app
        .staff_link((module, id), (other, other_id), linked)
        .await?;
    Ok(if linked { "linked" } else { "unlinked" })
}

pub async fn link(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: agent, form }: Posted<Agent>,
) -> Response {
    match link_records(&state, &module, &id, &form).await {
        Ok(done) => Redirect::to(&format!(
            "{}?{done}=1#related-{}",
            record_path(&module, &id),
            form.text("other")
        ))
        .into_response(),
        Err(error) => agent.error(error),
    }
}

#[derive(Template)]
#[template(path = "staff/delete.html")]
pub struct DeletePage {
    pub c: Chrome,
    pub heading: String,
    pub question: String,
    pub action: String,
    pub cancel: String,
}
framed!(DeletePage);

pub async fn confirm_delete(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let view = match state.app.staff_read(&module, &id).await {
        Ok(view) => view,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let label = atrium_core::record::label_of(&view.view, |f| Some(view.record.get(f)));
    let heading = tr.t1("delete-title", "record", view.record.number.clone());
    let page = DeletePage {
        c: chrome(
            &state,
            &agent.desk,
            Some(&agent.staff),
            heading.clone(),
            &module,
        ),
        heading,
        question: tr.t1(
            "delete-question",
            "record",
            format!("{} {label}", view.record.number),
        ),
        action: format!("{}/delete", record_path(&module, &id)),
        cancel: record_path(&module, &id),
    };
    render::page(&agent.desk, &page, None)
}

pub async fn delete(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: agent, .. }: Posted<Agent>,
) -> Response {
    match state.app.staff_delete(&agent.staff, &module, &id).await {
        Ok(()) => Redirect::to(&format!("{}?deleted=1", list_path(&module))).into_response(),
        Err(error) => agent.error(error),
    }
}

pub async fn download(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    if module != "documents" {
        return agent.error(Error::NotFound);
    }
    let file = match state.app.document_file(&id).await {
        Ok(file) => file,
        Err(error) => return agent.error(error),
    };
    match crate::respond::file(&state, &file).await {
        Ok(response) => response,
        Err(error) => agent.error(error.0),
    }
}

// ---------------------------------------------------------------------------------------
// Forms

#[derive(Template)]
#[template(path = "staff/form.html")]
pub struct FormPage {
    pub c: Chrome,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub submit: String,
    pub inputs: Vec<Input>,
    pub version: Option<i64>,
    pub multipart: bool,
    pub has_errors: bool,
    pub stale: bool,
    /// The line items of a quote or an invoice.
    pub grid: Option<GridEditor>,
}
framed!(FormPage);

/// The fields of a module's forms: all that staff write (Atrium keeps the system fields).
fn specs(module: &ModuleDef) -> Vec<Spec<'_>> {
    module
        .fields
        .iter()
        .filter(|def| !def.system)
        .map(|def| Spec {
            def,
            access: FieldAccess::ReadWrite,
        })
        .collect()
}

/// A form as shown: for a new record or `current`, with what was `posted` and its errors.
struct Shape<'a> {
    current: Option<&'a RecordView>,
    posted: Option<&'a Form>,
    errors: &'a [atrium_core::FieldError],
    /// Another user saved the record while this form was open.
    stale: bool,
}

async fn form_page(
    state: &AppState,
    agent: &Agent,
    module: &ModuleDef,
    shape: Shape<'_>,
    status: Option<StatusCode>,
) -> Response {
    let tr = agent.tr();
    let name = &module.name;
    let draft = Draft {
        current: shape.current.map(|view| &view.record),
        posted: shape.posted,
        errors: shape.errors,
    };
    let specs = specs(module);
    let options = staff_options(state, &specs).await;
    let looks = Looks {
        tr,
        time_zone: &agent.desk.company.time_zone,
        link: &to_record,
    };
    let inputs = inputs(&looks, &specs, &draft, &options);
    let grid = match priced_grid(module) {
        Some(_) => editor(
            tr,
            module,
            shape.current.map(|view| &view.record),
            shape.posted,
            shape.errors,
            &Catalog::load(state).await,
        ),
        None => None,
    };
    let (heading, action, cancel, submit) = match shape.current {
        Some(view) => {
            let id = view.record.id.to_string();
            (
                format!("{} · {}", tr.t("edit"), view.record.number),
                record_path(name, &id),
                record_path(name, &id),
                tr.t("save"),
            )
        }
        None => (
            tr.t1(
                "new-record",
                "module",
                tr.module_one(name, &module.singular_label),
            ),
            list_path(name),
            list_path(name),
            tr.t("create"),
        ),
    };
    let multipart = inputs.iter().any(|i| i.kind == "file");
    let page = FormPage {
        c: chrome(
            state,
            &agent.desk,
            Some(&agent.staff),
            heading.clone(),
            name,
        ),
        heading,
        action,
        cancel,
        submit,
        has_errors: !shape.errors.is_empty() || shape.stale,
        inputs,
        version: shape.current.map(|v| v.record.version),
        multipart,
        stale: shape.stale,
        grid,
    };
    render::page(&agent.desk, &page, status)
}

/// Puts a priced module's posted lines into the body; a form without the editor (sent by an
/// older page) leaves the lines as they are.
async fn with_lines(
    state: &AppState,
    module: &ModuleDef,
    form: &Form,
    body: &mut serde_json::Value,
) {
    let Some(grid) = priced_grid(module) else {
        return;
    };
    if !form.has(&format!("{}.rows", grid.name)) {
        return;
    }
    let rows = posted_rows(form, &grid.name, &Catalog::load(state).await);
    if let Some(object) = body.as_object_mut() {
        object.insert(grid.name.clone(), rows);
    }
}

pub async fn new(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, .. }): Path<Target>,
) -> Response {
    let def = match module_of(&state, &module) {
        Ok(def) => def,
        Err(error) => return agent.error(error),
    };
    let shape = Shape {
        current: None,
        posted: None,
        errors: &[],
        stale: false,
    };
    form_page(&state, &agent, def, shape, None).await
}

/// Where a saved contact's page goes: it says whether the invitation went out, and why not.
fn after_save(view: &RecordView, module: &str, first: &str) -> String {
    let id = view.record.id.to_string();
    let invitation = view
        .extra
        .iter()
        .find(|(key, _)| *key == "portal")
        .map(|(_, value)| value);
    let query = match invitation {
        Some(value) if value["invited"] == serde_json::Value::Bool(true) => "invited=1".to_owned(),
        Some(value) => format!(
            "invitation={}",
            value["reason"].as_str().unwrap_or("unknown")
        ),
        None => first.to_owned(),
    };
    if query.is_empty() {
        record_path(module, &id)
    } else {
        format!("{}?{query}", record_path(module, &id))
    }
}

pub async fn create(
    State(state): State<AppState>,
    Path(Target { module, .. }): Path<Target>,
    Posted {
        by: agent,
        mut form,
    }: Posted<Agent>,
) -> Response {
    let def = match module_of(&state, &module) {
        Ok(def) => def,
        Err(error) => return agent.error(error),
    };
    let mut body = body_of(&specs(def), &form, None);
    with_lines(&state, def, &form, &mut body).await;
    let upload = form.file.take();
    match state
        .app
        .staff_create_with_file(&agent.staff, &module, &body, upload)
        .await
    {
        Ok(view) => Redirect::to(&after_save(&view, &module, "")).into_response(),
        Err(error) => match field_errors(error) {
            Ok(errors) => {
                let shape = Shape {
                    current: None,
                    posted: Some(&form),
                    errors: &errors,
                    stale: false,
                };
                let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                form_page(&state, &agent, def, shape, status).await
            }
            Err(error) => agent.error(error),
        },
    }
}

pub async fn edit(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let def = match module_of(&state, &module) {
        Ok(def) => def,
        Err(error) => return agent.error(error),
    };
    let current = match state.app.staff_read(&module, &id).await {
        Ok(view) => view,
        Err(error) => return agent.error(error),
    };
    let shape = Shape {
        current: Some(&current),
        posted: None,
        errors: &[],
        stale: false,
    };
    form_page(&state, &agent, def, shape, None).await
}

pub async fn save(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted {
        by: agent,
        mut form,
    }: Posted<Agent>,
) -> Response {
    let def = match module_of(&state, &module) {
        Ok(def) => def,
        Err(error) => return agent.error(error),
    };
    let current = match state.app.staff_read(&module, &id).await {
        Ok(current) => current,
        Err(error) => return agent.error(error),
    };
    let version = form.text("version").parse::<i64>().ok();
    let specs = specs(def);
    // Compared with the version the form was made from, so that only what the user changed is
    // sent; a stale form is refused below either way.
    let mut body = body_of(&specs, &form, Some(&current.record));
    with_lines(&state, def, &form, &mut body).await;
    let upload = form.file.take();
    let unchanged = body.as_object().is_some_and(|o| o.is_empty());
    let mut outcome = if unchanged && version.is_none_or(|v| v == current.record.version) {
        Ok(current.clone())
    } else {
        state
            .app
            .staff_change(&agent.staff, &module, &id, &body, version)
            .await
    };
    if let (Ok(_), Some(upload)) = (&outcome, upload) {
        outcome = state
            .app
            .upload_document_file(&agent.staff, &id, upload)
            .await
            .map(|_| current.clone());
    }
    match outcome {
        Ok(view) => Redirect::to(&after_save(&view, &module, "saved=1")).into_response(),
        Err(Error::PreconditionFailed | Error::Conflict(_)) => {
            // Someone saved first: show the form again on the record as it is now, with what
            // this user typed, so that they can look and save again.
            let fresh = match state.app.staff_read(&module, &id).await {
                Ok(fresh) => fresh,
                Err(error) => return agent.error(error),
            };
            let shape = Shape {
                current: Some(&fresh),
                posted: Some(&form),
                errors: &[],
                stale: true,
            };
            form_page(&state, &agent, def, shape, Some(StatusCode::CONFLICT)).await
        }
        Err(error) => match field_errors(error) {
            Ok(errors) => {
                let shape = Shape {
                    current: Some(&current),
                    posted: Some(&form),
                    errors: &errors,
                    stale: false,
                };
                let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                form_page(&state, &agent, def, shape, status).await
            }
            Err(error) => agent.error(error),
        },
    }
}

/// Makes an invoice from a quote and opens it.
pub async fn invoice_from_quote(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { by: agent, .. }: Posted<Agent>,
) -> Response {
    match state.app.staff_invoice_from_quote(&agent.staff, &id).await {
        Ok(invoice) => Redirect::to(&format!(
            "{}?saved=1",
            record_path("invoices", &invoice.record.id.to_string())
        ))
        .into_response(),
        Err(error) => agent.error(error),
    }
}

/// A record as a PDF: a quote or an invoice laid out as the document it is, any other record
/// with all its fields, comments (internal notes too: this is the staff's copy) and history.
pub async fn pdf(
    State(state): State<AppState>,
    agent: Agent,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let words = print_words(agent.tr());
    match state.app.staff_pdf(&module, &id, &words).await {
        Ok(file) => crate::respond::pdf(file),
        Err(error) => agent.error(error),
    }
}
