//! `/api/v1/admin/portals`: each portal is one JSON document.

use atrium_app::views::Items;
use atrium_core::portal::Portal;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::List;
use crate::AppState;
use crate::auth::Admin;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;

/// A portal: see "The portal JSON" in API.md. Every key but `slug` and `name` has a default, and
/// what `GET` answers (every key) is a valid `PUT` body. Names of modules, fields and templates
/// are checked against the metadata: a 422 names each that is not known.
#[derive(ToSchema)]
#[schema(as = Portal)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct PortalDoc {
    /// 1-40 lowercase letters, digits and dashes, not a reserved word; required in a `POST`.
    /// A `PUT` takes the slug from the path: one sent there must be the same.
    #[schema(value_type = Value, required = false)]
    slug: Value,
    #[schema(schema_with = portal_name)]
    name: String,
    #[schema(required = false)]
    active: bool,
    #[schema(required = false)]
    default: bool,
    custom_host: Option<String>,
    #[schema(required = false)]
    title: String,
    css_url: Option<String>,
    /// A staff user id, or null (assigned to nobody).
    #[schema(format = Uuid)]
    default_assignee: Option<String>,
    /// Days before the support end date that the reminder goes out.
    #[schema(required = false, maximum = 365)]
    support_notification_days: u32,
    #[schema(required = false)]
    login_template: String,
    #[schema(required = false)]
    forgot_password_template: String,
    #[schema(required = false)]
    default_scope: ScopeDoc,
    #[schema(required = false, minimum = 1, maximum = 1440)]
    session_idle_minutes: u32,
    #[schema(required = false)]
    home: HomeLayoutDoc,
    #[schema(required = false)]
    modules: Vec<PortalModuleDoc>,
    #[schema(required = false)]
    profile: ProfileLayoutDoc,
    /// Portal role ids.
    #[schema(required = false, format = Uuid)]
    roles: Vec<String>,
}

fn portal_name() -> utoipa::openapi::Object {
    crate::api::wire::not_blank(None)
}

#[derive(ToSchema)]
#[schema(as = PortalScope)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum ScopeDoc {
    /// Records related to the signed-in contact.
    Mine,
    /// Records of the contact's whole organization.
    All,
}

#[derive(ToSchema)]
#[schema(as = FieldAccess)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum FieldAccessDoc {
    Hidden,
    ReadOnly,
    ReadWrite,
}

/// The portal's home page: which widgets and shortcuts it shows.
#[derive(ToSchema)]
#[schema(as = HomeLayout)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct HomeLayoutDoc {
    /// Markdown.
    #[schema(required = false)]
    announcement: String,
    #[schema(required = false)]
    greeting: GreetingDoc,
    /// In the order the page shows them.
    #[schema(required = false)]
    widgets: Vec<WidgetDoc>,
    #[schema(required = false)]
    shortcuts: Vec<ShortcutDoc>,
}

#[derive(ToSchema)]
#[schema(as = Greeting)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum GreetingDoc {
    Standard,
    TimeBased,
}

#[derive(ToSchema)]
#[schema(as = Widget)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum WidgetDoc {
    OpenCasesByPriority,
    CaseResolutionTimeByPriority,
    ProjectsByStatus,
    RecentCases,
    RecentTickets,
    RecentFaqs,
    RecentDocuments,
    AccountRepresentatives,
    Shortcuts,
}

#[derive(ToSchema)]
#[schema(as = Shortcut)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum ShortcutDoc {
    AddDocument,
    CreateTicket,
    OpenTickets,
    CreateCase,
    OpenCases,
}

/// One module of the portal's menu and what its built-in role allows.
#[derive(ToSchema)]
#[schema(as = PortalModule)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct PortalModuleDoc {
    module: String,
    /// Overrides the portal's `default_scope`.
    scope: Option<ScopeDoc>,
    #[schema(required = false)]
    create: bool,
    #[schema(required = false)]
    edit: bool,
    #[schema(required = false)]
    comments: bool,
    /// Modules whose related lists the record page shows.
    #[schema(required = false)]
    related: Vec<String>,
    /// Field → access; fields not named are hidden.
    #[schema(required = false)]
    fields: BTreeMap<String, FieldAccessDoc>,
}

/// Which contact and organization fields customers see and change in their profile.
#[derive(ToSchema)]
#[schema(as = ProfileLayout)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
struct ProfileLayoutDoc {
    #[schema(required = false)]
    contact: BTreeMap<String, FieldAccessDoc>,
    #[schema(required = false)]
    organization: BTreeMap<String, FieldAccessDoc>,
}

/// Why a portal document may be refused.
const PORTAL_PROBLEMS: &str = "Each problem of the document by its place (`modules[0].fields.title`): \
    unknown keys, modules, fields, templates, roles or staff users, bad values or levels, reserved \
    slugs, or creating records of a module whose required fields are not all `read_write`";

#[utoipa::path(get, path = "/api/v1/admin/portals", tag = "admin",
    responses((status = 200, body = Items<PortalDoc>), (status = 403, body = Problem)))]
pub async fn portals(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> ApiResult<Json<List<Portal>>> {
    let items = state.app.list_portals(&admin).await?;
    Ok(Json(List { items }))
}

#[utoipa::path(post, path = "/api/v1/admin/portals", tag = "admin", request_body = PortalDoc,
    responses((status = 201, body = PortalDoc),
              (status = 409, body = Problem, description = "The slug or custom host is taken"),
              (status = 422, body = Problem, description = PORTAL_PROBLEMS)))]
pub async fn create_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Portal>)> {
    let portal = state.app.create_portal(&admin, body).await?;
    Ok((StatusCode::CREATED, Json(portal)))
}

#[utoipa::path(get, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 200, body = PortalDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
) -> ApiResult<Json<Portal>> {
    Ok(Json(state.app.read_portal(&admin, &slug).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    request_body = PortalDoc,
    responses((status = 200, body = PortalDoc),
              (status = 409, body = Problem, description = "The slug or custom host is taken"),
              (status = 422, body = Problem, description = PORTAL_PROBLEMS)))]
pub async fn replace_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Portal>> {
    Ok(Json(state.app.replace_portal(&admin, &slug, body).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The default portal cannot be deleted")))]
pub async fn delete_portal(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_portal(&admin, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}
