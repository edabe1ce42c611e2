//! `/api/v1/admin/…` and the staff side of customers: portals, portal roles, company details
//! and logo, the contact activity timeline, and the mail outbox.

use std::collections::BTreeSet;

use atrium_core::company::Company;
use atrium_core::portal::{Portal, PortalRole};
use atrium_core::value::format_datetime;
use atrium_core::{Error, FieldError, RecordId};
use atrium_store::customers::ActivityEntry;
use atrium_store::outbox::{OUTBOX_STATUSES, OutboxEntry};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::api::files::read_upload;
use crate::api::wire::Items;
use crate::auth::{Admin, Staff};
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, QueryPairs};

/// The largest accepted company logo.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// Logo types a browser shows as an image and that cannot carry script (so no SVG).
const LOGO_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// The most entries the activity timeline returns.
const ACTIVITY_LIMIT: u64 = 200;

const ACTIVITY_SOURCES: &[&str] = &["portal", "email", "staff"];

pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    // The multipart framing around a logo of the largest allowed size must still fit;
    // `read_upload` enforces the exact limit on the file itself.
    let logo_upload = OpenApiRouter::new()
        .routes(routes!(upload_logo))
        .layer(DefaultBodyLimit::max(MAX_LOGO_BYTES + 64 * 1024));
    router
        .routes(routes!(portals, create_portal))
        .routes(routes!(portal, replace_portal, delete_portal))
        .routes(routes!(roles, create_role))
        .routes(routes!(role, replace_role, delete_role))
        .routes(routes!(company, replace_company))
        .merge(logo_upload)
        .routes(routes!(logo))
        .routes(routes!(activity))
        .routes(routes!(outbox))
        .routes(routes!(retry_mail))
}

/// Deserializes a JSON document into `T`, turning every problem into a 422 naming its place
/// (`modules[0].fields.title`) rather than a 400; a body that is not an object is a 400.
fn from_document<T: DeserializeOwned>(body: Value) -> Result<T, Error> {
    if !body.is_object() {
        return Err(Error::BadRequest("the body must be a JSON object".into()));
    }
    serde_path_to_error::deserialize::<_, T>(body).map_err(|err| {
        let mut place = String::new();
        for segment in err.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => place.push_str(&format!("[{index}]")),
                Segment::Map { key } | Segment::Enum { variant: key } => {
                    if !place.is_empty() {
                        place.push('.');
                    }
                    place.push_str(key);
                }
                Segment::Unknown => {}
            }
        }
        let message = err.inner().to_string();
        // An unknown key is reported at its parent: name the key itself.
        if let Some((key, expected)) = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split_once('`'))
        {
            if !(place == key || place.ends_with(&format!(".{key}"))) {
                if !place.is_empty() {
                    place.push('.');
                }
                place.push_str(key);
            }
            return Error::field(place, format!("unknown key{expected}"));
        }
        // A missing key is reported at its parent: name the key itself.
        if let Some(key) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            if !place.is_empty() {
                place.push('.');
            }
            place.push_str(key);
            return Error::field(place, "required");
        }
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        Error::field(if place.is_empty() { "body" } else { &place }, message)
    })
}

fn validation(errors: Vec<FieldError>) -> Result<(), Error> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

// --- Portals -------------------------------------------------------------------------------

/// A portal: see "The portal JSON" in API.md. Every key but `slug` and `name` has a default.
#[derive(ToSchema)]
#[schema(as = Portal)]
#[allow(dead_code)]
pub struct PortalDoc {
    slug: String,
    name: String,
    active: bool,
    default: bool,
    custom_host: Option<String>,
    title: String,
    css_url: Option<String>,
    /// A staff user id, or null.
    default_assignee: Option<String>,
    support_notification_days: u32,
    login_template: String,
    forgot_password_template: String,
    /// `mine` or `all`.
    default_scope: String,
    session_idle_minutes: u32,
    #[schema(value_type = Object)]
    home: Value,
    #[schema(value_type = Vec<Object>)]
    modules: Vec<Value>,
    #[schema(value_type = Object)]
    profile: Value,
    /// Portal role ids.
    roles: Vec<String>,
}

fn portal_json(portal: &Portal) -> Result<Value, Error> {
    serde_json::to_value(portal).map_err(Error::internal)
}

/// Parses and checks a portal document; `replacing` is the slug of the portal it replaces.
async fn checked_portal(
    state: &AppState,
    body: Value,
    replacing: Option<&str>,
) -> Result<Portal, Error> {
    let portal = from_document::<Portal>(body)?.normalized();
    let mut errors = portal.validate(state.store.registry());
    if let Some(id) = portal.default_assignee {
        let active = state
            .store
            .staff_user(id)
            .await?
            .is_some_and(|user| user.active);
        if !active {
            errors.push(FieldError::new(
                "default_assignee",
                "must be an active staff user",
            ));
        }
    }
    let wanted: BTreeSet<Uuid> = portal.roles.iter().copied().collect();
    if !wanted.is_empty() {
        let ids: Vec<Uuid> = wanted.iter().copied().collect();
        let found: BTreeSet<Uuid> = state
            .store
            .portal_roles_by_id(&ids)
            .await?
            .iter()
            .filter_map(|role| role.id)
            .collect();
        let unknown: Vec<String> = wanted.difference(&found).map(ToString::to_string).collect();
        if !unknown.is_empty() {
            errors.push(FieldError::new(
                "roles",
                format!("unknown portal roles: {}", unknown.join(", ")),
            ));
        }
    }
    validation(errors)?;
    if let Some(host) = &portal.custom_host
        && let Some(other) = state.store.portal_by_host(host).await?
        && Some(other.slug.as_str()) != replacing
    {
        return Err(Error::Conflict(format!(
            "portal with the custom host {host}"
        )));
    }
    if replacing != Some(portal.slug.as_str()) && state.store.portal(&portal.slug).await?.is_some()
    {
        return Err(Error::Conflict(format!(
            "portal with the slug {}",
            portal.slug
        )));
    }
    Ok(portal)
}

#[utoipa::path(get, path = "/api/v1/admin/portals", tag = "admin",
    responses((status = 200, body = Items<PortalDoc>), (status = 403, body = Problem)))]
pub async fn portals(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<Value>> {
    let items = state
        .store
        .portals()
        .await?
        .iter()
        .map(portal_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "items": items })))
}

#[utoipa::path(post, path = "/api/v1/admin/portals", tag = "admin", request_body = PortalDoc,
    responses((status = 201, body = PortalDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_portal(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let portal = checked_portal(&state, body, None).await?;
    let saved = state.store.save_portal(None, portal).await?;
    Ok((StatusCode::CREATED, Json(portal_json(&saved)?)))
}

#[utoipa::path(get, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 200, body = PortalDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn portal(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
) -> ApiResult<Json<Value>> {
    let portal = state.store.portal(&slug).await?.ok_or(Error::NotFound)?;
    Ok(Json(portal_json(&portal)?))
}

#[utoipa::path(put, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    request_body = PortalDoc,
    responses((status = 200, body = PortalDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_portal(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
    JsonBody(mut body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    if state.store.portal(&slug).await?.is_none() {
        return Err(Error::NotFound.into());
    }
    // The slug is the portal's identity: contacts' `portals`, FAQs' `portals` and links in
    // e-mails name it, so it cannot change.
    if let Some(object) = body.as_object_mut() {
        match object.get("slug").and_then(Value::as_str) {
            Some(sent) if sent.trim().to_lowercase() != slug => {
                return Err(
                    Error::field("slug", "cannot change; create a new portal instead").into(),
                );
            }
            _ => {
                object.insert("slug".into(), Value::String(slug.clone()));
            }
        }
    }
    let portal = checked_portal(&state, body, Some(&slug)).await?;
    let saved = state.store.save_portal(Some(&slug), portal).await?;
    Ok(Json(portal_json(&saved)?))
}

#[utoipa::path(delete, path = "/api/v1/admin/portals/{slug}", tag = "admin", params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The default portal cannot be deleted")))]
pub async fn delete_portal(
    State(state): State<AppState>,
    _admin: Admin,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    state.store.delete_portal(&slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- Portal roles --------------------------------------------------------------------------

/// A portal role. `permissions` maps a module to `{create: bool, read, edit, delete, comment}`,
/// each a level: `none`, `own`, `contact`, `account` or `all`.
#[derive(ToSchema)]
#[schema(as = PortalRole)]
#[allow(dead_code)]
pub struct PortalRoleDoc {
    id: String,
    name: String,
    #[schema(value_type = Object)]
    permissions: Value,
}

fn role_json(role: &PortalRole) -> Result<Value, Error> {
    serde_json::to_value(role).map_err(Error::internal)
}

fn checked_role(state: &AppState, mut body: Value) -> Result<PortalRole, Error> {
    // The id comes from the path (or is new); the one a GET returned may be sent back.
    if let Some(object) = body.as_object_mut() {
        object.remove("id");
    }
    let role = from_document::<PortalRole>(body)?;
    validation(role.validate(state.store.registry()))?;
    Ok(role)
}

fn role_id(id: &str) -> Result<Uuid, Error> {
    Ok(RecordId::parse(id)?.0)
}

#[utoipa::path(get, path = "/api/v1/admin/portal-roles", tag = "admin",
    responses((status = 200, body = Items<PortalRoleDoc>), (status = 403, body = Problem)))]
pub async fn roles(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<Value>> {
    let items = state
        .store
        .portal_roles()
        .await?
        .iter()
        .map(role_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "items": items })))
}

#[utoipa::path(post, path = "/api/v1/admin/portal-roles", tag = "admin", request_body = PortalRoleDoc,
    responses((status = 201, body = PortalRoleDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_role(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let role = checked_role(&state, body)?;
    let saved = state.store.save_portal_role(None, &role).await?;
    Ok((StatusCode::CREATED, Json(role_json(&saved)?)))
}

#[utoipa::path(get, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = PortalRoleDoc), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn role(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let role = state
        .store
        .portal_role(role_id(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(role_json(&role)?))
}

#[utoipa::path(put, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    request_body = PortalRoleDoc,
    responses((status = 200, body = PortalRoleDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_role(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let id = role_id(&id)?;
    if state.store.portal_role(id).await?.is_none() {
        return Err(Error::NotFound.into());
    }
    let role = checked_role(&state, body)?;
    let saved = state.store.save_portal_role(Some(id), &role).await?;
    Ok(Json(role_json(&saved)?))
}

#[utoipa::path(delete, path = "/api/v1/admin/portal-roles/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_role(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.store.delete_portal_role(role_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// --- Company -------------------------------------------------------------------------------

const LOGO_PATH: &str = "/api/v1/company/logo";

/// The company's details. `logo_url` is only in answers (ignored in a `PUT`): the public
/// address of the logo, or null.
#[derive(ToSchema)]
#[schema(as = Company)]
#[allow(dead_code)]
pub struct CompanyDoc {
    name: String,
    address: String,
    email: Option<String>,
    phone: Option<String>,
    /// An IANA time zone name (`Europe/Berlin`) or `UTC`; support dates are counted in it.
    time_zone: String,
    /// `#rrggbb`.
    accent_color: String,
    logo_url: Option<String>,
}

async fn company_json(state: &AppState, company: &Company) -> Result<Value, Error> {
    let mut out = serde_json::to_value(company).map_err(Error::internal)?;
    let logo = state.store.company_logo().await?.map(|_| LOGO_PATH);
    if let Some(object) = out.as_object_mut() {
        object.insert("logo_url".into(), json!(logo));
    }
    Ok(out)
}

#[utoipa::path(get, path = "/api/v1/admin/company", tag = "admin",
    responses((status = 200, body = CompanyDoc), (status = 403, body = Problem)))]
pub async fn company(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<Value>> {
    let company = state.store.company().await?;
    Ok(Json(company_json(&state, &company).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company", tag = "admin", request_body = CompanyDoc,
    responses((status = 200, body = CompanyDoc), (status = 400, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn replace_company(
    State(state): State<AppState>,
    _admin: Admin,
    JsonBody(mut body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    if let Some(object) = body.as_object_mut() {
        object.remove("logo_url");
    }
    let mut company = from_document::<Company>(body)?;
    company.name = company.name.trim().to_owned();
    company.address = company.address.trim().to_owned();
    company.email = company
        .email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    company.phone = company
        .phone
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    company.accent_color = company.accent_color.trim().to_lowercase();
    validation(company.validate())?;
    state.store.save_company(&company).await?;
    Ok(Json(company_json(&state, &company).await?))
}

#[utoipa::path(put, path = "/api/v1/admin/company/logo", tag = "admin",
    request_body(content_type = "multipart/form-data", description = "The part `file`: PNG, JPEG, GIF or WebP, at most 2 MiB"),
    responses((status = 204), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_logo(
    State(state): State<AppState>,
    _admin: Admin,
    multipart: Multipart,
) -> ApiResult<StatusCode> {
    let upload = read_upload(multipart, MAX_LOGO_BYTES).await?;
    if !LOGO_TYPES.contains(&upload.mime_type.as_str()) {
        return Err(Error::field("file", "must be a PNG, JPEG, GIF or WebP image").into());
    }
    state
        .store
        .save_company_logo(upload.bytes, &upload.mime_type)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/company/logo", tag = "admin",
    responses((status = 200, description = "The company logo (public: the login pages show it)"),
              (status = 404, body = Problem)))]
pub async fn logo(State(state): State<AppState>) -> ApiResult<Response> {
    let (key, mime) = state.store.company_logo().await?.ok_or(Error::NotFound)?;
    let object = state.store.files().get(&key).await?;
    let size = object.meta.size;
    let mut response = Body::from_stream(object.into_stream()).into_response();
    let headers = response.headers_mut();
    let content_type = if LOGO_TYPES.contains(&mime.as_str()) {
        HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("image/png"))
    } else {
        HeaderValue::from_static("application/octet-stream")
    };
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

// --- Contact activity ----------------------------------------------------------------------

/// One entry of a contact's timeline.
#[derive(Serialize, ToSchema)]
pub struct ActivityJson {
    /// e.g. `portal_login`, `portal_record_created`, `invitation_sent`, `email_sent`.
    pub kind: String,
    /// `portal`, `email` or `staff`.
    pub source: String,
    pub at: String,
    pub detail: String,
    /// `{module, id, label}` of the record concerned, if any.
    #[schema(value_type = Option<Object>)]
    pub record: Option<Value>,
}

impl From<&ActivityEntry> for ActivityJson {
    fn from(entry: &ActivityEntry) -> Self {
        Self {
            kind: entry.kind.clone(),
            source: entry.source.clone(),
            at: format_datetime(entry.at),
            detail: entry.detail.clone(),
            record: entry
                .record
                .as_ref()
                .map(|(module, id, label)| json!({"module": module, "id": id, "label": label})),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/records/contacts/{id}/activity", tag = "records",
    params(("id" = String, Path),
           ("source" = Option<String>, Query, description = "Only entries from `portal`, `email` or `staff`")),
    responses((status = 200, body = Items<ActivityJson>, description = "Newest first, at most 200"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn activity(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Items<ActivityJson>>> {
    let contacts = state.store.module("contacts")?;
    let id = RecordId::parse(&id)?.0;
    if !state.store.exists(contacts, id).await? {
        return Err(Error::NotFound.into());
    }
    let mut source = None;
    for (key, value) in &params {
        if key == "source" {
            if !ACTIVITY_SOURCES.contains(&value.as_str()) {
                return Err(Error::field("source", "must be portal, email or staff").into());
            }
            source = Some(value.as_str());
        }
    }
    let entries = state.store.activity(id, source, ACTIVITY_LIMIT).await?;
    Ok(Json(Items {
        items: entries.iter().map(ActivityJson::from).collect(),
    }))
}

// --- Mail outbox ---------------------------------------------------------------------------

/// The most mails the outbox list returns by default, and at most.
const OUTBOX_LIMIT: u64 = 200;
const OUTBOX_MAX_LIMIT: u64 = 1000;

/// One mail of the outbox.
#[derive(Serialize, ToSchema)]
pub struct OutboxJson {
    pub id: String,
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    /// The template it was rendered from.
    pub template: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed, if one did.
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl From<&OutboxEntry> for OutboxJson {
    fn from(entry: &OutboxEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            to: entry.to.clone(),
            subject: entry.subject.clone(),
            template: entry.template.clone(),
            status: entry.status.clone(),
            attempts: entry.attempts,
            last_error: entry.last_error.clone(),
            created_at: format_datetime(entry.created_at),
            sent_at: entry.sent_at.map(format_datetime),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin",
    params(("status" = Option<String>, Query, description = "Only mails that are `queued`, `sent` or `failed`"),
           ("limit" = Option<u64>, Query, description = "At most this many mails (default 200, at most 1000)")),
    responses((status = 200, body = Items<OutboxJson>, description = "Newest first"),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn outbox(
    State(state): State<AppState>,
    _admin: Admin,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<Items<OutboxJson>>> {
    let mut status = None;
    let mut limit = OUTBOX_LIMIT;
    for (key, value) in &params {
        match key.as_str() {
            "status" => {
                if !OUTBOX_STATUSES.contains(&value.as_str()) {
                    return Err(Error::field("status", "must be queued, sent or failed").into());
                }
                status = Some(value.as_str());
            }
            "limit" => {
                limit = value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=OUTBOX_MAX_LIMIT).contains(n))
                    .ok_or_else(|| Error::field("limit", "must be a number from 1 to 1000"))?;
            }
            _ => {}
        }
    }
    let entries = state.store.outbox(limit, status).await?;
    Ok(Json(Items {
        items: entries.iter().map(OutboxJson::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = OutboxJson, description = "Queued again with fresh attempts, due now"),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "The mail was already sent")))]
pub async fn retry_mail(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<String>,
) -> ApiResult<Json<OutboxJson>> {
    let id = RecordId::parse(&id)?.0;
    let entry = state.store.retry_mail(id).await?;
    Ok(Json(OutboxJson::from(&entry)))
}

// Keep the JSON helper honest: the portal and role documents are what the domain serializes.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_place() {
        let mut body = serde_json::to_value(Portal::default_portal()).expect("json");
        body["modules"][0]["fields"]["title"] = json!("sometimes");
        let Err(Error::Validation(errors)) = from_document::<Portal>(body) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "modules[0].fields.title");

        let Err(Error::Validation(errors)) = from_document::<Portal>(json!({"slug": "x"})) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "name");

        let Err(Error::Validation(errors)) =
            from_document::<Portal>(json!({"slug": "x", "name": "X", "colour": 1}))
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "colour");

        let Err(Error::Validation(errors)) =
            from_document::<Portal>(json!({"slug": "x", "name": "X", "session_idle_minutes": "a"}))
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "session_idle_minutes");

        assert!(matches!(
            from_document::<Portal>(json!([1])),
            Err(Error::BadRequest(_))
        ));
    }
}
