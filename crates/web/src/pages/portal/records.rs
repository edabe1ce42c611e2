//! A page per menu module: the list (search, status filter, sortable columns, pages, count),
//! the record (fields, related lists, comments, history, follow, PDF, file), and the create and
//! edit forms (inputs only for `read_write` fields, errors beside each field, values kept).

use askama::Template;
use atrium_app::customer::Customer;
use atrium_app::customer::menu::{MenuEntry, MenuField};
use atrium_app::customer::quotes::QuoteDecision;
use atrium_app::views::RecordView;
use atrium_core::rules::{DECIDABLE_QUOTE_STAGES, is_overdue};
use atrium_core::{Error, FieldType};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::display::{Shown, plain, show};
use crate::pages::form::{Form, Posted, field_errors};
use crate::pages::i18n::Arg;
use crate::pages::inputs::{Draft, Input, Looks, Spec, body_of, customer_options, inputs};
use crate::pages::lines::{LineTable, line_table, print_words, shown_in_table};
use crate::pages::list_query::{query_string, with};
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::{Site, Visitor};

/// The module and record a page's path names (under whichever portal prefix).
#[derive(Deserialize)]
pub struct Target {
    module: String,
    #[serde(default)]
    id: String,
}

/// The columns a list shows at most, besides the number.
const LIST_COLUMNS: usize = 5;

/// A module of the customer's menu, or 404.
fn entry(state: &AppState, customer: &Customer, module: &str) -> Result<MenuEntry, Error> {
    state
        .app
        .customer_menu_entry(customer, module)
        .ok_or(Error::NotFound)
}

fn label(site: &Site, field: &MenuField) -> String {
    site.tr.field_label(&field.name, &field.label)
}

/// Whether a field reads well in a table cell.
fn listable(field: &MenuField) -> bool {
    !matches!(
        field.field_type.as_str(),
        "textarea" | "markdown" | "file" | "grid" | "multipicklist"
    )
}

fn record_path(site: &Site, module: &str, id: &str) -> String {
    site.path(&format!("/records/{module}/{id}"))
}

/// A link maker for references: only to modules of the customer's menu.
fn linker<'a>(site: &'a Site, menu: &'a [String]) -> impl Fn(&str, &str) -> Option<String> + 'a {
    move |module: &str, id: &str| {
        menu.iter()
            .any(|m| m == module)
            .then(|| record_path(site, module, id))
    }
}

fn shown(
    site: &Site,
    customer: &Customer,
    view: &RecordView,
    field: &str,
    menu: &[String],
) -> Shown {
    let Some(def) = view.view.field(field) else {
        return Shown::default();
    };
    let link = linker(site, menu);
    show(
        &site.tr,
        def,
        view.record.get(field),
        &customer.company.time_zone,
        &link,
    )
}

/// An owed invoice's status past its due date: "Sent · Overdue", in the danger color.
fn overdue_status(tr: &crate::pages::i18n::Tr, status: Shown) -> Shown {
    Shown {
        text: format!("{} · {}", status.text, tr.t("overdue")),
        color: Some(OVERDUE_COLOR.into()),
        empty: false,
        ..status
    }
}

/// The color of an overdue invoice's status (the picklists' red).
const OVERDUE_COLOR: &str = "#e03131";

fn menu_modules(site: &Site) -> Vec<String> {
    site.menu.iter().map(|e| e.module.clone()).collect()
}

// ---------------------------------------------------------------------------------------
// List

pub struct Column {
    pub name: String,
    pub label: String,
    /// The link that sorts by this column (toggling the direction), if sortable.
    pub sort_href: Option<String>,
    /// `ascending`/`descending` when the list is sorted by it.
    pub sorted: Option<&'static str>,
}

pub struct Row {
    pub href: String,
    pub number: String,
    pub cells: Vec<Shown>,
}

pub struct StatusOption {
    pub value: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "portal/list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub module: String,
    pub heading: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub count: String,
    pub q: String,
    pub statuses: Vec<StatusOption>,
    pub status_label: String,
    pub filtered: bool,
    pub page_of: String,
    pub pages: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub new_href: Option<String>,
    pub new_label: String,
}
framed!(ListPage);

pub async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, .. }): Path<Target>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let Visitor { site, customer } = visitor;
    let entry = match entry(&state, &customer, &module) {
        Ok(entry) => entry,
        Err(error) => return site.error(error),
    };
    let page = match state.app.customer_list(&customer, &module, &pairs).await {
        Ok(page) => page,
        Err(error) => return site.error(error),
    };
    let tr = &site.tr;
    let heading = tr.module_label(&module, &entry.label);
    let base = site.path(&format!("/records/{module}"));
    let current_sort = pairs
        .iter()
        .find(|(k, _)| k == "sort")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let fields: Vec<&MenuField> = entry
        .fields
        .iter()
        .filter(|f| listable(f))
        .take(LIST_COLUMNS)
        .collect();
    let module_def = state.app.store.module(&module).ok();
    let columns = fields
        .iter()
        .map(|field| {
            let sortable = module_def
                .and_then(|m| m.field(&field.name))
                .is_some_and(|f| f.sortable);
            let sorted = if current_sort == field.name {
                Some("ascending")
            } else if current_sort.strip_prefix('-') == Some(field.name.as_str()) {
                Some("descending")
            } else {
                None
            };
            let toggled = if sorted == Some("ascending") {
                format!("-{}", field.name)
            } else {
                field.name.clone()
            };
            Column {
                name: field.name.clone(),
                label: label(&site, field),
                sort_href: sortable
                    .then(|| format!("{base}{}", query_string(&with(&pairs, "sort", &toggled)))),
                sorted,
            }
        })
        .collect::<Vec<_>>();
    let menu = menu_modules(&site);
    let today = atrium_core::customer::today_in(&customer.company.time_zone);
    let rows = page
        .items
        .iter()
        .map(|view| {
            let overdue = module == "invoices" && is_overdue(&view.record, today);
            Row {
                href: record_path(&site, &module, &view.record.id.to_string()),
                number: view.record.number.clone(),
                cells: columns
                    .iter()
                    .map(|c| {
                        let value = shown(&site, &customer, view, &c.name, &menu);
                        if overdue && c.name == "status" {
                            overdue_status(tr, value)
                        } else {
                            value
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let value_of = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let status = value_of("status");
    let statuses = entry
        .fields
        .iter()
        .find(|f| f.name == "status" && f.field_type == "picklist")
        .map(|f| {
            f.values
                .iter()
                .map(|v| StatusOption {
                    value: v.value.clone(),
                    selected: v.value == status,
                })
                .collect()
        })
        .unwrap_or_default();
    let per_page = page.per_page.max(1);
    let pages = page.total.div_ceil(per_page).max(1);
    let link = |n: u64| {
        format!(
            "{base}{}",
            query_string(&with(&pairs, "page", &n.to_string()))
        )
    };
    let q = value_of("q");
    let filtered = pairs
        .iter()
        .any(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "sort" | "page" | "per_page"));
    let new_label = tr.t1(
        "new-record",
        "module",
        tr.module_one(&module, &entry.singular_label),
    );
    let list_page = ListPage {
        c: Chrome::signed_in(&site, &state.app, &customer, heading.clone(), &module),
        heading,
        columns,
        rows,
        count: tr.n(
            "count",
            "total",
            i64::try_from(page.total).unwrap_or(i64::MAX),
        ),
        q,
        statuses,
        status_label: tr.t("filter-status"),
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
        new_href: entry
            .actions
            .create
            .then(|| site.path(&format!("/records/{module}/new"))),
        new_label,
        module,
    };
    render::page(&site, &list_page, None)
}

// ---------------------------------------------------------------------------------------
// Record

pub struct FieldRow {
    pub label: String,
    pub value: Shown,
    pub download: Option<String>,
}

pub struct CommentRow {
    pub author: String,
    pub side: &'static str,
    pub when: String,
    pub body_html: String,
}

pub struct UpdateRow {
    pub text: String,
    pub when: String,
}

pub struct RelatedList {
    pub title: String,
    pub lines: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "portal/record.html")]
pub struct RecordPageView {
    pub c: Chrome,
    pub heading: String,
    pub number: String,
    pub base: String,
    pub fields: Vec<FieldRow>,
    pub comments: Vec<CommentRow>,
    pub updates: Vec<UpdateRow>,
    pub related: Vec<RelatedList>,
    pub following: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_comment: bool,
    pub comment_error: Option<String>,
    pub comment_body: String,
    pub saved: bool,
    pub lines: Option<LineTable>,
    /// An invoice past its due date and still owed.
    pub overdue: bool,
    /// A quote the customer may accept or reject now.
    pub decision: Option<DecisionForm>,
}
framed!(RecordPageView);

/// The accept/reject form of a quote waiting on the customer, with what was typed.
pub struct DecisionForm {
    pub signer: String,
    pub comment: String,
    pub error: Option<String>,
}

/// What a refused post leaves for the record page to show again.
enum Retry {
    Nothing,
    Comment { body: String, error: String },
    Decision(DecisionForm),
}

async fn record_page(
    state: &AppState,
    site: &Site,
    customer: &Customer,
    module: &str,
    id: &str,
    retry: Retry,
    saved: bool,
) -> Response {
    let page = match state.app.customer_record_page(customer, module, id).await {
        Ok(page) => page,
        Err(error) => return site.error(error),
    };
    let tr = &site.tr;
    let menu = menu_modules(site);
    let view = &page.record;
    let base = record_path(site, module, id);
    let lines = line_table(tr, &view.view, &view.record);
    let fields = view
        .view
        .fields
        .iter()
        .filter(|def| lines.is_none() || !shown_in_table(&view.view, &def.name))
        .map(|def| {
            let value = shown(site, customer, view, &def.name, &menu);
            let download = (matches!(def.field_type, FieldType::File) && !value.empty)
                .then(|| site.path(&format!("/records/{module}/{id}/file")));
            FieldRow {
                label: tr.field_label(&def.name, &def.label),
                value,
                download,
            }
        })
        .collect();
    let comments = page
        .comments
        .iter()
        .map(|comment| {
            let mine = comment
                .author_ext
                .as_ref()
                .and_then(|a| a["id"].as_str())
                .is_some_and(|a| a == customer.id.contact.to_string());
            let (author, side) = if comment.author.is_some() {
                let name = comment
                    .author
                    .as_ref()
                    .and_then(|a| a["label"].as_str())
                    .unwrap_or_default();
                (format!("{name} · {}", tr.t("from-staff")), "staff")
            } else if mine {
                (tr.t("from-you"), "mine")
            } else {
                let name = comment
                    .author_ext
                    .as_ref()
                    .and_then(|a| a["label"].as_str())
                    .map(str::to_owned)
                    .unwrap_or_else(|| tr.t("from-customer"));
                (name, "customer")
            };
            CommentRow {
                author,
                side,
                when: tr.datetime(&comment.created_at),
                body_html: comment.body_html.clone(),
            }
        })
        .collect();
    let updates = page
        .updates
        .iter()
        .rev()
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
    let related = page
        .related
        .iter()
        .map(|r| RelatedList {
            title: tr.t1("related", "module", tr.module_label(&r.module, &r.module)),
            lines: r
                .items
                .iter()
                .map(|item| {
                    let label =
                        atrium_core::record::label_of(&item.view, |f| Some(item.record.get(f)));
                    let href = if menu.contains(&r.module) {
                        record_path(site, &r.module, &item.record.id.to_string())
                    } else {
                        String::new()
                    };
                    (href, item.record.number.clone(), label)
                })
                .collect(),
        })
        .collect();
    let heading = atrium_core::record::label_of(&view.view, |f| Some(view.record.get(f)));
    let heading = if heading.is_empty() {
        view.record.number.clone()
    } else {
        heading
    };
    let stage = view.record.get("stage").as_text().unwrap_or_default();
    let decidable = module == "quotes" && DECIDABLE_QUOTE_STAGES.contains(&stage);
    let refused = !matches!(retry, Retry::Nothing);
    let (comment_body, comment_error, decision) = match retry {
        Retry::Comment { body, error } => (body, Some(error), None),
        Retry::Decision(form) => (String::new(), None, Some(form)),
        Retry::Nothing => (String::new(), None, None),
    };
    let decision = decidable.then(|| {
        decision.unwrap_or_else(|| DecisionForm {
            signer: contact_name(&customer.contact),
            comment: String::new(),
            error: None,
        })
    });
    let overdue = module == "invoices"
        && is_overdue(
            &view.record,
            atrium_core::customer::today_in(&customer.company.time_zone),
        );
    let status = refused.then_some(StatusCode::UNPROCESSABLE_ENTITY);
    let record_view = RecordPageView {
        c: Chrome::signed_in(site, &state.app, customer, heading.clone(), module),
        heading,
        number: view.record.number.clone(),
        base,
        fields,
        comments,
        updates,
        related,
        following: page.following,
        can_edit: page.allowed.edit,
        can_delete: page.allowed.delete,
        can_comment: page.allowed.comment,
        comment_error,
        comment_body,
        saved,
        lines,
        overdue,
        decision,
    };
    render::page(site, &record_view, status)
}

pub async fn read(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, id }): Path<Target>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let Visitor { site, customer } = visitor;
    let saved = pairs.iter().any(|(k, _)| k == "saved");
    record_page(
        &state,
        &site,
        &customer,
        &module,
        &id,
        Retry::Nothing,
        saved,
    )
    .await
}

/// A customer's name as a quote's signer: first and last name.
fn contact_name(contact: &atrium_core::Record) -> String {
    ["first_name", "last_name"]
        .iter()
        .filter_map(|f| contact.get(f).as_text())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Deserialize)]
pub struct QuoteTarget {
    id: String,
}

pub async fn accept(
    state: State<AppState>,
    Path(QuoteTarget { id }): Path<QuoteTarget>,
    posted: Posted<Visitor>,
) -> Response {
    decide(state, id, QuoteDecision::Accept, posted).await
}

pub async fn reject(
    state: State<AppState>,
    Path(QuoteTarget { id }): Path<QuoteTarget>,
    posted: Posted<Visitor>,
) -> Response {
    decide(state, id, QuoteDecision::Reject, posted).await
}

/// Accepts or rejects a quote; a missing name shows the record page again with the form.
async fn decide(
    State(state): State<AppState>,
    id: String,
    decision: QuoteDecision,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let signer = form.text("signer_name").to_owned();
    let comment = form.text("comment").to_owned();
    match state
        .app
        .customer_decide_quote(&customer, &id, decision, &signer, Some(&comment))
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("{}?saved=1", record_path(&site, "quotes", &id))).into_response()
        }
        Err(Error::Validation(errors)) => {
            let error = errors.first().map(|e| e.message.clone());
            let retry = Retry::Decision(DecisionForm {
                signer,
                comment,
                error,
            });
            record_page(&state, &site, &customer, "quotes", &id, retry, false).await
        }
        Err(error) => site.error(error),
    }
}

pub async fn comment(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let body = form.text("body").to_owned();
    match state
        .app
        .customer_comment(&customer, &module, &id, &body)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("{}#comments", record_path(&site, &module, &id))).into_response()
        }
        Err(Error::Validation(errors)) => {
            let message = errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let retry = Retry::Comment {
                body,
                error: message,
            };
            record_page(&state, &site, &customer, &module, &id, retry, false).await
        }
        Err(error) => site.error(error),
    }
}

pub async fn follow(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: visitor, form }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let on = form.text("follow") != "0";
    match state.app.customer_follow(&customer, &module, &id, on).await {
        Ok(()) => Redirect::to(&record_path(&site, &module, &id)).into_response(),
        Err(error) => site.error(error),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted { by: visitor, .. }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    match state.app.customer_delete(&customer, &module, &id).await {
        Ok(()) => Redirect::to(&site.path(&format!("/records/{module}"))).into_response(),
        Err(error) => site.error(error),
    }
}

pub async fn pdf(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let words = print_words(&site.tr);
    match state
        .app
        .customer_pdf(&customer, &module, &id, &words)
        .await
    {
        Ok(file) => crate::respond::pdf(file),
        Err(error) => site.error(error),
    }
}

pub async fn download(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let Visitor { site, customer } = visitor;
    // Only documents have a file of their own.
    if module != "documents" {
        return site.error(Error::NotFound);
    }
    let file = match state.app.customer_document_file(&customer, &id).await {
        Ok(file) => file,
        Err(error) => return site.error(error),
    };
    match crate::respond::file(&state, &file).await {
        Ok(response) => response,
        Err(error) => site.error(error.0),
    }
}

// ---------------------------------------------------------------------------------------
// Forms

#[derive(Template)]
#[template(path = "portal/form.html")]
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
}
framed!(FormPage);

/// The fields of a menu module's forms.
fn specs<'a>(state: &'a AppState, entry: &MenuEntry) -> Vec<Spec<'a>> {
    let Ok(module) = state.app.store.module(&entry.module) else {
        return Vec::new();
    };
    entry
        .fields
        .iter()
        .filter_map(|field| {
            module.field(&field.name).map(|def| Spec {
                def,
                access: field.access,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    site: &Site,
    customer: &Customer,
    entry: &MenuEntry,
    current: Option<&RecordView>,
    posted: Option<&Form>,
    errors: &[atrium_core::FieldError],
    status: Option<StatusCode>,
) -> Response {
    let tr = &site.tr;
    let module = &entry.module;
    let menu = menu_modules(site);
    let draft = Draft {
        current: current.map(|view| &view.record),
        posted,
        errors,
    };
    let specs = specs(state, entry);
    let link = linker(site, &menu);
    let looks = Looks {
        tr: &site.tr,
        time_zone: &customer.company.time_zone,
        link: &link,
    };
    let options = customer_options(state, customer, &specs).await;
    let inputs = inputs(&looks, &specs, &draft, &options);
    let (heading, action, cancel, submit) = match current {
        Some(view) => {
            let id = view.record.id.to_string();
            (
                format!("{} · {}", tr.t("edit"), view.record.number),
                record_path(site, module, &id),
                record_path(site, module, &id),
                tr.t("save"),
            )
        }
        None => (
            tr.t1(
                "new-record",
                "module",
                tr.module_one(module, &entry.singular_label),
            ),
            site.path(&format!("/records/{module}")),
            site.path(&format!("/records/{module}")),
            tr.t("create"),
        ),
    };
    let multipart = inputs.iter().any(|i| i.kind == "file");
    let page = FormPage {
        c: Chrome::signed_in(site, &state.app, customer, heading.clone(), module),
        heading,
        action,
        cancel,
        submit,
        has_errors: !errors.is_empty(),
        inputs,
        version: current.map(|v| v.record.version),
        multipart,
    };
    render::page(site, &page, status)
}

pub async fn new(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, .. }): Path<Target>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let entry = match entry(&state, &customer, &module) {
        Ok(entry) if entry.actions.create => entry,
        Ok(_) => return site.error(Error::Forbidden("no create".into())),
        Err(error) => return site.error(error),
    };
    form_page(&state, &site, &customer, &entry, None, None, &[], None).await
}

pub async fn create(
    State(state): State<AppState>,
    Path(Target { module, .. }): Path<Target>,
    Posted {
        by: visitor,
        mut form,
    }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let entry = match entry(&state, &customer, &module) {
        Ok(entry) => entry,
        Err(error) => return site.error(error),
    };
    let body = body_of(&specs(&state, &entry), &form, None);
    let upload = form.file.take();
    match state
        .app
        .customer_create(&customer, &module, &body, upload)
        .await
    {
        Ok(view) => {
            Redirect::to(&record_path(&site, &module, &view.record.id.to_string())).into_response()
        }
        Err(error) => match field_errors(error) {
            Ok(errors) => {
                let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                form_page(
                    &state,
                    &site,
                    &customer,
                    &entry,
                    None,
                    Some(&form),
                    &errors,
                    status,
                )
                .await
            }
            Err(error) => site.error(error),
        },
    }
}

pub async fn edit(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Target { module, id }): Path<Target>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let entry = match entry(&state, &customer, &module) {
        Ok(entry) => entry,
        Err(error) => return site.error(error),
    };
    let page = match state
        .app
        .customer_record_page(&customer, &module, &id)
        .await
    {
        Ok(page) if page.allowed.edit => page,
        Ok(_) => return site.error(Error::Forbidden("no edit".into())),
        Err(error) => return site.error(error),
    };
    form_page(
        &state,
        &site,
        &customer,
        &entry,
        Some(&page.record),
        None,
        &[],
        None,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    Path(Target { module, id }): Path<Target>,
    Posted {
        by: visitor,
        mut form,
    }: Posted<Visitor>,
) -> Response {
    let Visitor { site, customer } = visitor;
    let entry = match entry(&state, &customer, &module) {
        Ok(entry) => entry,
        Err(error) => return site.error(error),
    };
    let current = match state.app.customer_read(&customer, &module, &id).await {
        Ok(current) => current,
        Err(error) => return site.error(error),
    };
    let version = form.text("version").parse::<i64>().ok();
    let body = body_of(&specs(&state, &entry), &form, Some(&current.record));
    let upload = form.file.take();
    let mut outcome = match body.as_object().is_some_and(|o| o.is_empty()) {
        true => Ok(current.clone()),
        false => {
            state
                .app
                .customer_change(&customer, &module, &id, &body, version)
                .await
        }
    };
    if let (Ok(_), Some(upload)) = (&outcome, upload) {
        outcome = match state
            .app
            .customer_replace_file(&customer, &id, upload)
            .await
        {
            Ok(_) => Ok(current.clone()),
            Err(error) => Err(error),
        };
    }
    match outcome {
        Ok(_) => {
            Redirect::to(&format!("{}?saved=1", record_path(&site, &module, &id))).into_response()
        }
        Err(error) => match field_errors(error) {
            Ok(errors) => {
                let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                form_page(
                    &state,
                    &site,
                    &customer,
                    &entry,
                    Some(&current),
                    Some(&form),
                    &errors,
                    status,
                )
                .await
            }
            Err(error) => site.error(error),
        },
    }
}
