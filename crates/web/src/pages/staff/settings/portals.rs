//! Settings > Customer Portal: the list of portals (create, activate, make default) and one
//! portal in three tabs — *Portal details*, *Portal layout* (menu, home, and per module the
//! fields, scope, related lists and actions) and *Profile layout*. A tab's form changes only
//! its part of the portal document; everything else is sent back as it was, so saving a form
//! unchanged changes nothing.

use askama::Template;
use atrium_core::portal::{FieldAccess, Portal, PortalModule, Scope};
use atrium_core::{Error, FieldError, ModuleDef};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::{Notice, admin_chrome, settings_path, text_or_null};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::Admin;
use crate::pages::form::{Form, Posted};
use crate::pages::i18n::Tr;
use crate::pages::inputs::{Choice, Input};
use crate::pages::render::{self, Chrome, framed};

// ---------------------------------------------------------------------------------------
// The list

pub struct PortalRow {
    pub name: String,
    pub slug: String,
    pub href: String,
    pub url: String,
    pub active: bool,
    pub default: bool,
}

#[derive(Template)]
#[template(path = "staff/settings/portals.html")]
pub struct PortalsPage {
    pub c: Chrome,
    pub rows: Vec<PortalRow>,
    pub notice: Notice,
    pub new_inputs: Vec<Input>,
}
framed!(PortalsPage);

fn text_input(tr: &Tr, name: &str, label_key: &str, value: &str, required: bool) -> Input {
    Input {
        name: name.to_owned(),
        label: tr.t(label_key),
        kind: "text",
        value: value.to_owned(),
        checked: false,
        required,
        step: None,
        choices: Vec::new(),
        error: None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    Admin(agent): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    portals_page(
        &state,
        &agent,
        Notice::from_query(agent.tr(), &pairs),
        None,
        &[],
    )
    .await
}

async fn portals_page(
    state: &AppState,
    agent: &crate::pages::desk::Agent,
    notice: Notice,
    posted: Option<&Form>,
    errors: &[FieldError],
) -> Response {
    let portals = match state.app.list_portals(&agent.staff).await {
        Ok(portals) => portals,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let rows = portals
        .iter()
        .map(|p| PortalRow {
            name: p.name.clone(),
            slug: p.slug.clone(),
            href: settings_path(&format!("/portals/{}", p.slug)),
            url: if p.default {
                "/portal/".to_owned()
            } else {
                format!("/portal/{}/", p.slug)
            },
            active: p.active,
            default: p.default,
        })
        .collect();
    let value = |name: &str| posted.map(|f| f.text(name).to_owned()).unwrap_or_default();
    let mut new_inputs = vec![
        text_input(tr, "name", "portal-name", &value("name"), true),
        text_input(tr, "slug", "portal-slug", &value("slug"), true),
    ];
    for input in &mut new_inputs {
        input.error = errors
            .iter()
            .find(|e| e.field == input.name)
            .map(|e| e.message.clone());
    }
    let status = (!errors.is_empty()).then_some(StatusCode::UNPROCESSABLE_ENTITY);
    let page = PortalsPage {
        c: admin_chrome(state, agent, tr.t("settings-portals")),
        rows,
        notice,
        new_inputs,
    };
    render::page(&agent.desk, &page, status)
}

pub async fn create(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let document = json!({"name": form.text("name").trim(), "slug": form.text("slug").trim()});
    match state.app.create_portal(&agent.staff, document).await {
        Ok(portal) => Redirect::to(&format!(
            "{}?saved=1",
            settings_path(&format!("/portals/{}", portal.slug))
        ))
        .into_response(),
        Err(Error::Validation(errors)) => {
            portals_page(&state, &agent, Notice::None, Some(&form), &errors).await
        }
        Err(error) => agent.error(error),
    }
}

#[derive(Deserialize)]
pub struct Slug {
    slug: String,
}

/// Activate, deactivate or make default, from the list.
pub async fn switch(
    State(state): State<AppState>,
    Path(Slug { slug }): Path<Slug>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let portal = match state.app.read_portal(&agent.staff, &slug).await {
        Ok(portal) => portal,
        Err(error) => return agent.error(error),
    };
    let mut document = document_of(&portal);
    match form.text("action") {
        "activate" => document["active"] = Json::Bool(true),
        "deactivate" => document["active"] = Json::Bool(false),
        "default" => document["default"] = Json::Bool(true),
        _ => return agent.error(Error::field("action", "activate, deactivate or default")),
    }
    match state
        .app
        .replace_portal(&agent.staff, &slug, document)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/portals"))).into_response(),
        Err(Error::Validation(errors)) => {
            portals_page(&state, &agent, Notice::Errors(errors), None, &[]).await
        }
        Err(error) => agent.error(error),
    }
}

fn document_of(portal: &Portal) -> Json {
    serde_json::to_value(portal).unwrap_or(Json::Null)
}

// ---------------------------------------------------------------------------------------
// One portal, in three tabs

pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// One row of a field grid: a field and its access.
pub struct FieldChoice {
    pub input: String,
    pub label: String,
    pub access: FieldAccess,
    pub error: Option<String>,
}

/// A module's part of the portal layout.
pub struct ModuleLayout {
    pub module: String,
    pub label: String,
    pub in_menu: bool,
    pub order: usize,
    pub scope: String,
    pub create: bool,
    pub edit: bool,
    pub comments: bool,
    /// Related modules: (name, label, shown).
    pub related: Vec<(String, String, bool)>,
    pub fields: Vec<FieldChoice>,
}

/// A widget or shortcut of the home page: (name, label, shown, order).
pub struct HomeItem {
    pub name: String,
    pub label: String,
    pub shown: bool,
    pub order: usize,
}

#[derive(Template)]
#[template(path = "staff/settings/portal.html")]
pub struct PortalPage {
    pub c: Chrome,
    pub heading: String,
    pub slug: String,
    pub tab: &'static str,
    pub tabs: Vec<Tab>,
    pub action: String,
    pub notice: Notice,
    pub details: Vec<Input>,
    pub modules: Vec<ModuleLayout>,
    pub announcement: String,
    pub greeting: String,
    pub widgets: Vec<HomeItem>,
    pub shortcuts: Vec<HomeItem>,
    pub profile_contact: Vec<FieldChoice>,
    pub profile_organization: Vec<FieldChoice>,
}
framed!(PortalPage);

impl PortalPage {
    pub fn access_choices(&self) -> [(&'static str, String); 3] {
        let tr = &self.c.tr;
        [
            ("hidden", tr.t("access-hidden")),
            ("read_only", tr.t("access-read-only")),
            ("read_write", tr.t("access-read-write")),
        ]
    }

    /// A refused save's message about module `module` itself (its scope, related lists or
    /// place in the menu), not about one of its fields.
    pub fn error_at(&self, module: &str) -> Option<String> {
        let Notice::Errors(errors) = &self.notice else {
            return None;
        };
        let prefix = format!("m.{module}.");
        errors
            .iter()
            .find(|e| {
                e.field == format!("menu.{module}")
                    || e.field.starts_with(&prefix)
                        && !e.field.starts_with(&format!("{prefix}field."))
            })
            .map(|e| e.message.clone())
    }

    pub fn access_is(access: &FieldAccess, word: &str) -> bool {
        Self::access_word(access) == word
    }

    pub fn access_word(access: &FieldAccess) -> &'static str {
        match access {
            FieldAccess::Hidden => "hidden",
            FieldAccess::ReadOnly => "read_only",
            FieldAccess::ReadWrite => "read_write",
        }
    }
}

const TABS: [(&str, &str); 3] = [
    ("details", "portal-tab-details"),
    ("layout", "portal-tab-layout"),
    ("profile", "portal-tab-profile"),
];

fn tab_of(pairs: &[(String, String)]) -> &'static str {
    let wanted = pairs
        .iter()
        .find(|(k, _)| k == "tab")
        .map(|(_, v)| v.as_str())
        .unwrap_or("details");
    TABS.iter()
        .map(|(name, _)| *name)
        .find(|name| *name == wanted)
        .unwrap_or("details")
}

pub async fn show(
    State(state): State<AppState>,
    Admin(agent): Admin,
    Path(Slug { slug }): Path<Slug>,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let portal = match state.app.read_portal(&agent.staff, &slug).await {
        Ok(portal) => portal,
        Err(error) => return agent.error(error),
    };
    let notice = Notice::from_query(agent.tr(), &pairs);
    portal_page(&state, &agent, &portal, tab_of(&pairs), notice, &[], None).await
}

/// The error beside input `name`, if any.
fn error_of(errors: &[FieldError], name: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == name)
        .map(|e| e.message.clone())
}

async fn details_inputs(
    state: &AppState,
    agent: &crate::pages::desk::Agent,
    portal: &Portal,
    errors: &[FieldError],
) -> Vec<Input> {
    let tr = agent.tr();
    let input = |name: &str, kind: &'static str, value: String| Input {
        name: name.to_owned(),
        label: tr.t(&format!("portal-{}", name.replace('_', "-"))),
        kind,
        value,
        checked: false,
        required: false,
        step: None,
        choices: Vec::new(),
        error: error_of(errors, name),
    };
    let select = |name: &str, value: String, options: Vec<(String, String)>| {
        let mut input = input(name, "select", value.clone());
        input.choices = options
            .into_iter()
            .map(|(v, label)| Choice {
                selected: v == value,
                value: v,
                label,
            })
            .collect();
        input
    };
    let users = state
        .app
        .staff_users(&agent.staff)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id, u.name))
        .collect();
    let templates: Vec<(String, String)> = atrium_core::templates::NAMES
        .iter()
        .map(|n| ((*n).to_owned(), (*n).to_owned()))
        .collect();
    let mut active = input("active", "checkbox", String::new());
    active.checked = portal.active;
    let mut name = input("name", "text", portal.name.clone());
    name.required = true;
    let mut days = input(
        "support_notification_days",
        "number",
        portal.support_notification_days.to_string(),
    );
    days.step = Some("1");
    let mut idle = input(
        "session_idle_minutes",
        "number",
        portal.session_idle_minutes.to_string(),
    );
    idle.step = Some("1");
    vec![
        name,
        input("title", "text", portal.title.clone()),
        active,
        input(
            "custom_host",
            "text",
            portal.custom_host.clone().unwrap_or_default(),
        ),
        input("css_url", "url", portal.css_url.clone().unwrap_or_default()),
        select(
            "default_assignee",
            portal
                .default_assignee
                .map(|u| u.to_string())
                .unwrap_or_default(),
            users,
        ),
        days,
        select(
            "login_template",
            portal.login_template.clone(),
            templates.clone(),
        ),
        select(
            "forgot_password_template",
            portal.forgot_password_template.clone(),
            templates,
        ),
        select(
            "default_scope",
            scope_word(Some(portal.default_scope)).to_owned(),
            vec![
                ("mine".into(), tr.t("scope-mine")),
                ("all".into(), tr.t("scope-all")),
            ],
        ),
        idle,
    ]
}

fn scope_word(scope: Option<Scope>) -> &'static str {
    match scope {
        None => "",
        Some(Scope::Mine) => "mine",
        Some(Scope::All) => "all",
    }
}

fn json_word<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The module entries of the layout tab: the portal's menu in its order, then every other
/// module (off the menu, with the default portal's settings as a starting point).
fn module_layouts(
    state: &AppState,
    tr: &Tr,
    portal: &Portal,
    errors: &[FieldError],
) -> Vec<ModuleLayout> {
    let registry = state.app.store.registry();
    let defaults = Portal::default_portal();
    let mut names: Vec<&str> = portal.modules.iter().map(|m| m.module.as_str()).collect();
    for module in registry.modules() {
        if !names.contains(&module.name.as_str()) {
            names.push(&module.name);
        }
    }
    names
        .iter()
        .enumerate()
        .filter_map(|(index, name)| {
            let def = registry.module(name)?;
            let entry = portal.module(name);
            let fallback = defaults.module(name).cloned();
            let shown = entry.cloned().or(fallback).unwrap_or_else(|| PortalModule {
                module: def.name.clone(),
                scope: None,
                create: false,
                edit: false,
                comments: false,
                related: Vec::new(),
                fields: def
                    .fields
                    .iter()
                    .filter(|f| !f.system)
                    .map(|f| (f.name.clone(), FieldAccess::ReadOnly))
                    .collect(),
            });
            Some(ModuleLayout {
                module: def.name.clone(),
                label: tr.module_label(&def.name, &def.label),
                in_menu: entry.is_some(),
                order: index + 1,
                scope: scope_word(shown.scope).to_owned(),
                create: shown.create,
                edit: shown.edit,
                comments: shown.comments,
                related: state
                    .app
                    .store
                    .related_modules(def)
                    .iter()
                    .map(|other| {
                        (
                            other.name.clone(),
                            tr.module_label(&other.name, &other.label),
                            shown.related.contains(&other.name),
                        )
                    })
                    .collect(),
                fields: field_choices(
                    tr,
                    def,
                    &|f| shown.fields.get(f).copied(),
                    &format!("m.{}.field", def.name),
                    errors,
                ),
            })
        })
        .collect()
}

/// A select per field of `module`, named `{prefix}.{field}`; fields not named are hidden.
fn field_choices(
    tr: &Tr,
    module: &ModuleDef,
    access_of: &dyn Fn(&str) -> Option<FieldAccess>,
    prefix: &str,
    errors: &[FieldError],
) -> Vec<FieldChoice> {
    module
        .fields
        .iter()
        .filter(|f| !matches!(f.name.as_str(), "created_by" | "modified_by"))
        .map(|f| {
            let input = format!("{prefix}.{}", f.name);
            FieldChoice {
                error: error_of(errors, &input),
                input,
                label: tr.field_label(&f.name, &f.label),
                access: access_of(&f.name).unwrap_or(FieldAccess::Hidden),
            }
        })
        .collect()
}

fn home_items<T: serde::Serialize + PartialEq + Copy>(
    tr: &Tr,
    all: &[T],
    chosen: &[T],
    key: &str,
) -> Vec<HomeItem> {
    let mut ordered: Vec<T> = chosen.to_vec();
    ordered.extend(all.iter().filter(|w| !chosen.contains(w)).copied());
    ordered
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let name = json_word(item);
            HomeItem {
                label: tr.t(&format!("{key}-{}", name.replace('_', "-"))),
                shown: chosen.contains(item),
                order: index + 1,
                name,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn portal_page(
    state: &AppState,
    agent: &crate::pages::desk::Agent,
    portal: &Portal,
    tab: &'static str,
    notice: Notice,
    errors: &[FieldError],
    status: Option<StatusCode>,
) -> Response {
    let tr = agent.tr();
    let base = settings_path(&format!("/portals/{}", portal.slug));
    let registry = state.app.store.registry();
    let profile = &portal.profile;
    let profile_part = |module: &str, prefix: &str| {
        let access_of = |f: &str| {
            let part = if module == "contacts" {
                &profile.contact
            } else {
                &profile.organization
            };
            part.get(f).copied()
        };
        registry
            .module(module)
            .map(|def| field_choices(tr, def, &access_of, prefix, errors))
            .unwrap_or_default()
    };
    let page = PortalPage {
        c: admin_chrome(state, agent, portal.name.clone()),
        heading: portal.name.clone(),
        slug: portal.slug.clone(),
        tab,
        tabs: TABS
            .iter()
            .map(|(name, key)| Tab {
                href: format!("{base}?tab={name}"),
                label: tr.t(key),
                current: *name == tab,
            })
            .collect(),
        action: format!("{base}?tab={tab}"),
        notice,
        details: details_inputs(state, agent, portal, errors).await,
        modules: module_layouts(state, tr, portal, errors),
        announcement: portal.home.announcement.clone(),
        greeting: json_word(&portal.home.greeting),
        widgets: home_items(
            tr,
            &atrium_core::portal::Home::default().widgets,
            &portal.home.widgets,
            "widget",
        ),
        shortcuts: home_items(
            tr,
            &atrium_core::portal::Home::default().shortcuts,
            &portal.home.shortcuts,
            "shortcut",
        ),
        profile_contact: profile_part("contacts", "profile.contact"),
        profile_organization: profile_part("organizations", "profile.organization"),
    };
    render::page(&agent.desk, &page, status)
}

/// A whole number as JSON: a number when it is one, else the text (refused with its field).
fn number(form: &Form, name: &str) -> Json {
    let text = form.text(name).trim();
    text.parse::<u64>()
        .map_or_else(|_| Json::String(text.to_owned()), |n| json!(n))
}

/// The items whose checkbox `{prefix}.{name}` is on, ordered by `{prefix}_order.{name}`.
fn ordered_choice(form: &Form, prefix: &str, names: &[String]) -> Vec<String> {
    let mut chosen: Vec<(i64, usize, String)> = names
        .iter()
        .enumerate()
        .filter(|(_, name)| form.has(&format!("{prefix}.{name}")))
        .map(|(index, name)| {
            let order = form
                .text(&format!("{prefix}_order.{name}"))
                .trim()
                .parse::<i64>()
                .unwrap_or(i64::MAX);
            (order, index, name.clone())
        })
        .collect();
    chosen.sort();
    chosen.into_iter().map(|(_, _, name)| name).collect()
}

/// The names of `module`'s fields (or related modules), those of `first` in their order,
/// then the rest in the metadata's: a form saved unchanged gives the document back as it was.
fn in_order<'a>(first: impl Iterator<Item = &'a String>, all: &'a [String]) -> Vec<&'a String> {
    let mut out: Vec<&String> = first.filter(|n| all.contains(n)).collect();
    let rest: Vec<&String> = all.iter().filter(|n| !out.contains(n)).collect();
    out.extend(rest);
    out
}

/// The access map of the selects `{prefix}.{field}` of `module`, in the order of `current`:
/// fields left hidden are left out (not named is hidden).
fn posted_fields(
    form: &Form,
    module: &ModuleDef,
    current: &[String],
    prefix: &str,
) -> serde_json::Map<String, Json> {
    let names: Vec<String> = module.fields.iter().map(|f| f.name.clone()).collect();
    in_order(current.iter(), &names)
        .into_iter()
        .filter_map(|name| {
            let value = form.text(&format!("{prefix}.{name}"));
            matches!(value, "read_only" | "read_write")
                .then(|| (name.clone(), Json::String(value.to_owned())))
        })
        .collect()
}

/// The portal document with the posted tab applied.
fn apply_tab(state: &AppState, portal: &Portal, tab: &str, form: &Form) -> Json {
    let mut document = document_of(portal);
    let registry = state.app.store.registry();
    match tab {
        "details" => {
            document["name"] = Json::String(form.text("name").trim().to_owned());
            document["title"] = Json::String(form.text("title").trim().to_owned());
            document["active"] = Json::Bool(form.has("active"));
            for name in ["custom_host", "css_url", "default_assignee"] {
                document[name] = text_or_null(form, name);
            }
            for name in ["support_notification_days", "session_idle_minutes"] {
                document[name] = number(form, name);
            }
            for name in [
                "login_template",
                "forgot_password_template",
                "default_scope",
            ] {
                document[name] = Json::String(form.text(name).to_owned());
            }
        }
        "layout" => {
            let names: Vec<String> = registry.modules().iter().map(|m| m.name.clone()).collect();
            let menu = ordered_choice(form, "menu", &names);
            let modules: Vec<Json> = menu
                .iter()
                .filter_map(|name| {
                    let def = registry.module(name)?;
                    let prefix = format!("m.{name}");
                    let current = portal.module(name);
                    let related_names: Vec<String> = state
                        .app
                        .store
                        .related_modules(def)
                        .iter()
                        .map(|other| other.name.clone())
                        .collect();
                    let related: Vec<Json> = in_order(
                        current.map(|m| m.related.iter()).into_iter().flatten(),
                        &related_names,
                    )
                    .into_iter()
                    .filter(|other| form.has(&format!("{prefix}.related.{other}")))
                    .map(|other| Json::String(other.clone()))
                    .collect();
                    let field_order: Vec<String> = current
                        .map(|m| m.fields.keys().cloned().collect())
                        .unwrap_or_default();
                    let scope = match form.text(&format!("{prefix}.scope")) {
                        "" => Json::Null,
                        word => Json::String(word.to_owned()),
                    };
                    Some(json!({
                        "module": name,
                        "scope": scope,
                        "create": form.has(&format!("{prefix}.create")),
                        "edit": form.has(&format!("{prefix}.edit")),
                        "comments": form.has(&format!("{prefix}.comments")),
                        "related": related,
                        "fields": posted_fields(form, def, &field_order, &format!("{prefix}.field")),
                    }))
                })
                .collect();
            document["modules"] = Json::Array(modules);
            let word_list = |all: Vec<String>, prefix: &str| {
                Json::Array(
                    ordered_choice(form, prefix, &all)
                        .into_iter()
                        .map(Json::String)
                        .collect(),
                )
            };
            let home = atrium_core::portal::Home::default();
            let widgets = home.widgets.iter().map(json_word).collect();
            let shortcuts = home.shortcuts.iter().map(json_word).collect();
            document["home"] = json!({
                "announcement": form.text("announcement").trim(),
                "greeting": form.text("greeting"),
                "widgets": word_list(widgets, "widget"),
                "shortcuts": word_list(shortcuts, "shortcut"),
            });
        }
        _ => {
            let part = |module: &str, prefix: &str| {
                let current: Vec<String> = if module == "contacts" {
                    portal.profile.contact.keys().cloned().collect()
                } else {
                    portal.profile.organization.keys().cloned().collect()
                };
                registry
                    .module(module)
                    .map(|def| Json::Object(posted_fields(form, def, &current, prefix)))
                    .unwrap_or(Json::Object(Default::default()))
            };
            document["profile"] = json!({
                "contact": part("contacts", "profile.contact"),
                "organization": part("organizations", "profile.organization"),
            });
        }
    }
    document
}

/// The input a portal error names: `modules[2].fields.title` is the select
/// `m.cases.field.title` of the layout tab.
fn input_of(path: &str, modules: &[String]) -> String {
    let Some(rest) = path.strip_prefix("modules[") else {
        return path.to_owned();
    };
    let Some((index, tail)) = rest.split_once(']') else {
        return path.to_owned();
    };
    let Some(module) = index.parse::<usize>().ok().and_then(|i| modules.get(i)) else {
        return path.to_owned();
    };
    match tail.strip_prefix('.') {
        Some(field) if field.starts_with("fields.") => {
            format!("m.{module}.field.{}", &field["fields.".len()..])
        }
        Some("module") => format!("menu.{module}"),
        Some(other) => format!("m.{module}.{other}"),
        None => format!("m.{module}"),
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path(Slug { slug }): Path<Slug>,
    QueryPairs(pairs): QueryPairs,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let portal = match state.app.read_portal(&agent.staff, &slug).await {
        Ok(portal) => portal,
        Err(error) => return agent.error(error),
    };
    let tab = tab_of(&pairs);
    let document = apply_tab(&state, &portal, tab, &form);
    let modules: Vec<String> = document["modules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["module"].as_str().map(str::to_owned))
        .collect();
    match state
        .app
        .replace_portal(&agent.staff, &slug, document.clone())
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "{}?tab={tab}&saved=1",
            settings_path(&format!("/portals/{slug}"))
        ))
        .into_response(),
        Err(Error::Validation(errors)) => {
            // The page shows what was sent, with each message beside its input.
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|e| FieldError::new(input_of(&e.field, &modules), e.message))
                .collect();
            let shown = serde_json::from_value::<Portal>(document).unwrap_or(portal);
            portal_page(
                &state,
                &agent,
                &shown,
                tab,
                Notice::Errors(errors.clone()),
                &errors,
                Some(StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        Err(error) => agent.error(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_error_names_the_input_of_the_layout_tab() {
        let modules = vec!["cases".to_owned(), "faqs".to_owned()];
        assert_eq!(
            input_of("modules[1].fields.answer", &modules),
            "m.faqs.field.answer"
        );
        assert_eq!(input_of("modules[0].related", &modules), "m.cases.related");
        assert_eq!(input_of("modules[0].module", &modules), "menu.cases");
        assert_eq!(input_of("custom_host", &modules), "custom_host");
        assert_eq!(
            input_of("modules[9].fields.x", &modules),
            "modules[9].fields.x"
        );
    }
}
