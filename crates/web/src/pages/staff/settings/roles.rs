//! Settings > Portal roles: what a role grants, as a grid of modules × create, read, edit,
//! delete and comment levels.

use askama::Template;
use atrium_core::Error;
use atrium_core::portal::{Grant, Level, PortalRole};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use super::{Notice, admin_chrome, settings_path};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::{Admin, Agent};
use crate::pages::form::{Form, Posted};
use crate::pages::render::{self, Chrome, framed};

/// The levels of an action, in the order the grid offers them.
pub const LEVELS: [&str; 5] = ["none", "own", "contact", "account", "all"];
/// The actions with a level.
pub const ACTIONS: [&str; 4] = ["read", "edit", "delete", "comment"];

pub struct GrantRow {
    pub module: String,
    pub label: String,
    pub create: bool,
    /// (action, level word) per action.
    pub levels: Vec<(&'static str, String)>,
}

pub struct RoleForm {
    pub id: String,
    pub name: String,
    pub action: String,
    pub rows: Vec<GrantRow>,
}

#[derive(Template)]
#[template(path = "staff/settings/roles.html")]
pub struct RolesPage {
    pub c: Chrome,
    pub roles: Vec<RoleForm>,
    pub notice: Notice,
    pub levels: Vec<(&'static str, String)>,
}
framed!(RolesPage);

fn word(level: Level) -> String {
    serde_json::to_value(level)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "none".to_owned())
}

pub async fn list(
    State(state): State<AppState>,
    Admin(agent): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let notice = Notice::from_query(agent.tr(), &pairs);
    roles_page(&state, &agent, notice).await
}

async fn roles_page(state: &AppState, agent: &Agent, notice: Notice) -> Response {
    let roles = match state.app.list_portal_roles(&agent.staff).await {
        Ok(roles) => roles,
        Err(error) => return agent.error(error),
    };
    let tr = agent.tr();
    let registry = state.app.store.registry();
    let forms = roles
        .iter()
        .map(|role: &PortalRole| {
            let id = role.id.map(|id| id.to_string()).unwrap_or_default();
            RoleForm {
                action: settings_path(&format!("/portal-roles/{id}")),
                name: role.name.clone(),
                rows: registry
                    .modules()
                    .iter()
                    .map(|module| {
                        let grant = role
                            .permissions
                            .get(&module.name)
                            .copied()
                            .unwrap_or(Grant::NOTHING);
                        GrantRow {
                            module: module.name.clone(),
                            label: tr.module_label(&module.name, &module.label),
                            create: grant.create,
                            levels: vec![
                                ("read", word(grant.read)),
                                ("edit", word(grant.edit)),
                                ("delete", word(grant.delete)),
                                ("comment", word(grant.comment)),
                            ],
                        }
                    })
                    .collect(),
                id,
            }
        })
        .collect();
    let page = RolesPage {
        c: admin_chrome(state, agent, tr.t("settings-roles")),
        roles: forms,
        notice,
        levels: LEVELS
            .iter()
            .map(|level| (*level, tr.t(&format!("level-{level}"))))
            .collect(),
    };
    render::page(&agent.desk, &page, None)
}

pub async fn create(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let document = json!({"name": form.text("name").trim(), "permissions": {}});
    match state.app.create_portal_role(&agent.staff, document).await {
        Ok(_) => {
            Redirect::to(&format!("{}?saved=1", settings_path("/portal-roles"))).into_response()
        }
        Err(Error::Validation(errors)) => roles_page(&state, &agent, Notice::Errors(errors)).await,
        Err(error) => agent.error(error),
    }
}

/// The role document of a posted grid: modules that grant nothing are left out.
fn document_of(state: &AppState, form: &Form) -> Json {
    let mut permissions = Map::new();
    for module in state.app.store.registry().modules() {
        let prefix = format!("p.{}", module.name);
        let create = form.has(&format!("{prefix}.create"));
        let mut grant = Map::new();
        grant.insert("create".into(), Json::Bool(create));
        let mut any = create;
        for action in ACTIONS {
            let level = match form.text(&format!("{prefix}.{action}")) {
                "" => "none",
                other => other,
            };
            any |= level != "none";
            grant.insert(action.into(), Json::String(level.to_owned()));
        }
        if any {
            permissions.insert(module.name.clone(), Json::Object(grant));
        }
    }
    json!({"name": form.text("name").trim(), "permissions": permissions})
}

#[derive(Deserialize)]
pub struct RoleId {
    id: String,
}

pub async fn save(
    State(state): State<AppState>,
    Path(RoleId { id }): Path<RoleId>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let document = document_of(&state, &form);
    match state
        .app
        .replace_portal_role(&agent.staff, &id, document)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "{}?saved=1#role-{id}",
            settings_path("/portal-roles")
        ))
        .into_response(),
        Err(Error::Validation(errors)) => roles_page(&state, &agent, Notice::Errors(errors)).await,
        Err(error) => agent.error(error),
    }
}
