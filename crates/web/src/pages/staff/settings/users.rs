//! Settings > Staff users: who works in the back office, their role, and whether they may
//! still sign in. A new user starts with a password the admin gives them.

use askama::Template;
use atrium_app::admin::users::{NewUser, UserChanges, UserView};
use atrium_core::{Error, FieldError};
use atrium_store::Role;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Notice, admin_chrome, settings_path};
use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::desk::{Admin, Agent};
use crate::pages::form::{Form, Posted};
use crate::pages::inputs::Input;
use crate::pages::render::{self, Chrome, framed};

pub struct UserRow {
    pub user: UserView,
    pub action: String,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "staff/settings/users.html")]
pub struct UsersPage {
    pub c: Chrome,
    pub rows: Vec<UserRow>,
    pub notice: Notice,
    /// The new user's name, e-mail and password.
    pub inputs: Vec<Input>,
    pub role: String,
}
framed!(UsersPage);

pub async fn list(
    State(state): State<AppState>,
    Admin(agent): Admin,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let notice = Notice::from_query(agent.tr(), &pairs);
    users_page(&state, &agent, notice, None, Vec::new()).await
}

async fn users_page(
    state: &AppState,
    agent: &Agent,
    notice: Notice,
    posted: Option<&Form>,
    errors: Vec<FieldError>,
) -> Response {
    let users = match state.app.staff_users(&agent.staff).await {
        Ok(users) => users,
        Err(error) => return agent.error(error),
    };
    let me = agent.staff.user.id.to_string();
    let rows = users
        .into_iter()
        .map(|user| UserRow {
            action: settings_path(&format!("/users/{}", user.id)),
            is_me: user.id == me,
            user,
        })
        .collect();
    let tr = agent.tr();
    let inputs = [
        ("name", "text", "user-name"),
        ("email", "email", "email"),
        ("password", "password", "user-password"),
    ]
    .into_iter()
    .map(|(name, kind, key)| Input {
        name: name.to_owned(),
        label: tr.t(key),
        kind,
        // A password is never sent back.
        value: posted
            .filter(|_| name != "password")
            .map(|f| f.text(name).to_owned())
            .unwrap_or_default(),
        checked: false,
        required: true,
        step: None,
        choices: Vec::new(),
        error: errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone()),
    })
    .collect();
    let status = (!errors.is_empty()).then_some(StatusCode::UNPROCESSABLE_ENTITY);
    let page = UsersPage {
        c: admin_chrome(state, agent, tr.t("settings-users")),
        rows,
        notice,
        inputs,
        role: posted.map_or_else(|| "agent".to_owned(), |f| f.text("role").to_owned()),
    };
    render::page(&agent.desk, &page, status)
}

fn role_of(form: &Form) -> Role {
    if form.text("role") == "admin" {
        Role::Admin
    } else {
        Role::Agent
    }
}

pub async fn create(
    State(state): State<AppState>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let new = NewUser {
        email: form.text("email").trim().to_owned(),
        name: form.text("name").trim().to_owned(),
        password: form.text("password").to_owned(),
        role: role_of(&form),
        phone: None,
    };
    match state.app.create_staff_user(&agent.staff, new).await {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/users"))).into_response(),
        Err(Error::Validation(errors)) => {
            users_page(&state, &agent, Notice::None, Some(&form), errors).await
        }
        Err(Error::Conflict(why)) => {
            let errors = vec![FieldError::new("email", why)];
            users_page(&state, &agent, Notice::None, Some(&form), errors).await
        }
        Err(error) => agent.error(error),
    }
}

#[derive(Deserialize)]
pub struct UserId {
    id: String,
}

pub async fn save(
    State(state): State<AppState>,
    Path(UserId { id }): Path<UserId>,
    Posted {
        by: Admin(agent),
        form,
    }: Posted<Admin>,
) -> Response {
    let changes = UserChanges {
        name: None,
        phone: None,
        role: Some(role_of(&form)),
        active: Some(form.has("active")),
        password: None,
    };
    match state
        .app
        .change_staff_user(&agent.staff, &id, changes)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}?saved=1", settings_path("/users"))).into_response(),
        Err(Error::Validation(errors)) => {
            users_page(&state, &agent, Notice::Errors(errors), None, Vec::new()).await
        }
        Err(error) => agent.error(error),
    }
}
