//! `/api/v1/portal/{slug}/records/…`: what a customer may list, read, create, change, delete,
//! comment on, follow and download. Each handler asks the access engine for the module's
//! grant, its visible fields and its read predicate; the store applies the predicate in SQL.

use atrium_core::access::{ModuleAccess, visible_view};
use atrium_core::portal::{FieldAccess, Level};
use atrium_core::query::{Filter, parse_list_params};
use atrium_core::validate::{Changes, Mode, parse_input};
use atrium_core::value::Reference;
use atrium_core::{Error, FieldError, ModuleDef, RecordId, Value};
use atrium_store::{Actor, Upload};
use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

use crate::AppState;
use crate::api::files::{file_response, read_upload};
use crate::api::wire::{
    CommentJson, Items, RecordDoc, RecordPage, UpdateJson, page_json, record_json,
};
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;
use crate::portal::context::Customer;

/// A module as one customer sees it.
pub struct Scoped<'a> {
    pub module: &'a ModuleDef,
    pub access: ModuleAccess,
    pub view: ModuleDef,
    pub read: Filter,
}

impl<'a> Scoped<'a> {
    /// The module, if the customer can read anything of it at all; else 404.
    pub fn new(state: &'a AppState, customer: &Customer, module: &str) -> ApiResult<Scoped<'a>> {
        let module = state.store.module(module)?;
        let engine = customer.access(state);
        let access = engine.module(module);
        let read = engine.read_filter(module);
        if read == Filter::Nothing || access.fields.is_empty() && access.grant.read == Level::None {
            return Err(Error::NotFound.into());
        }
        let view = visible_view(module, &access);
        Ok(Scoped {
            module,
            access,
            view,
            read,
        })
    }

    fn within(&self, state: &AppState, customer: &Customer, level: Level) -> Filter {
        customer.access(state).filter(self.module, level)
    }

    /// 404 unless the record is readable.
    async fn require_readable(&self, state: &AppState, id: Uuid) -> ApiResult<()> {
        if state.store.matches(self.module, id, &self.read).await? {
            Ok(())
        } else {
            Err(Error::NotFound.into())
        }
    }

    /// 404 unless the record is readable; 403 unless it is also within `level`.
    async fn require(
        &self,
        state: &AppState,
        customer: &Customer,
        id: Uuid,
        level: Level,
    ) -> ApiResult<()> {
        self.require_readable(state, id).await?;
        if level == Level::None
            || !state
                .store
                .matches(self.module, id, &self.within(state, customer, level))
                .await?
        {
            return Err(Error::Forbidden("You may not do this to this record.".into()).into());
        }
        Ok(())
    }
}

fn record_id(id: &str) -> ApiResult<Uuid> {
    Ok(RecordId::parse(id)?.0)
}

/// Only `read_write` fields may be sent; anything else is a 422 naming it.
fn check_writable(scoped: &Scoped<'_>, body: &serde_json::Value) -> ApiResult<()> {
    let Some(object) = body.as_object() else {
        return Err(Error::BadRequest("the body must be a JSON object".into()).into());
    };
    let errors: Vec<FieldError> = object
        .keys()
        .filter_map(|key| match scoped.access.field(key) {
            FieldAccess::ReadWrite => None,
            FieldAccess::ReadOnly => Some(FieldError::new(key, "read-only field")),
            FieldAccess::Hidden => Some(FieldError::new(key, "unknown field")),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors).into())
    }
}

fn with_etag(status: StatusCode, etag: String, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path)),
    responses((status = 200, body = RecordPage), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module)): Path<(String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<RecordPage>> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    // A module's own list is there when the customer's menu has it; children readable only as
    // a related list (project tasks) are listed from their parent.
    if scoped.access.grant.read == Level::None {
        return Err(Error::NotFound.into());
    }
    let query = parse_list_params(&scoped.view, &params)?.and(scoped.read.clone());
    let page = state
        .store
        .list_view(scoped.module, &scoped.view, &query)
        .await?;
    Ok(Json(page_json(
        &scoped.view,
        &page,
        query.page,
        query.per_page,
    )))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RecordDoc), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let record = state
        .store
        .get_view(scoped.module, &scoped.view, record_id(&id)?, &scoped.read)
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        record.etag(),
        record_json(&scoped.view, &record),
    ))
}

/// The fields the engine sets on a customer's new record, and the links it makes.
fn engine_values(customer: &Customer, module: &ModuleDef) -> (Changes, Vec<(String, Uuid)>) {
    let mut changes: Changes = Vec::new();
    let mut links = Vec::new();
    let contact = customer.id.contact;
    let organization = customer.id.organization;
    let is_link = |name: &str, target: &str| {
        module
            .field(name)
            .is_some_and(|f| !f.system && f.references() == Some(target))
    };
    if is_link("contact", "contacts") {
        changes.push(("contact".into(), Value::Ref(Reference::to(contact))));
    } else if module.can_link("contacts") {
        links.push(("contacts".to_owned(), contact));
    }
    if let Some(organization) = organization {
        if is_link("organization", "organizations") {
            changes.push((
                "organization".into(),
                Value::Ref(Reference::to(organization)),
            ));
        } else if module.can_link("organizations") {
            links.push(("organizations".to_owned(), organization));
        }
    }
    if module
        .field("channel")
        .is_some_and(|f| f.picklist_value("Portal").is_some())
    {
        changes.push(("channel".into(), Value::Text("Portal".into())));
    }
    if matches!(module.name.as_str(), "cases" | "tickets")
        && let Some(assignee) = customer.portal.default_assignee
    {
        changes.push(("assigned_to".into(), Value::Ref(Reference::to(assignee))));
    }
    (changes, links)
}

/// Validates a customer's new record: only read-write fields, then the whole module's rules
/// (required fields, defaults), then the engine's own values on top.
fn new_record_changes(
    customer: &Customer,
    scoped: &Scoped<'_>,
    body: &serde_json::Value,
) -> ApiResult<(Changes, Vec<(String, Uuid)>)> {
    check_writable(scoped, body)?;
    let mut changes = parse_input(scoped.module, body, Mode::Create)?;
    let (engine, links) = engine_values(customer, scoped.module);
    for (field, value) in engine {
        changes.retain(|(f, _)| *f != field);
        changes.push((field, value));
    }
    Ok((changes, links))
}

async fn create_record(
    state: &AppState,
    customer: &Customer,
    scoped: &Scoped<'_>,
    changes: Changes,
    links: Vec<(String, Uuid)>,
) -> ApiResult<Uuid> {
    let mut link_modules = Vec::new();
    for (module, id) in &links {
        link_modules.push((state.store.module(module)?, *id));
    }
    let id = state
        .store
        .create_checked(
            scoped.module,
            changes,
            Actor::Contact(customer.id.contact),
            &link_modules,
            &scoped.read,
        )
        .await?;
    let store = &state.store;
    store
        .follow(&scoped.module.name, id, customer.id.contact)
        .await?;
    let created = store.get(scoped.module, id).await?;
    if matches!(scoped.module.name.as_str(), "cases" | "tickets") {
        let notice = crate::notify::customer_activity(
            state,
            &customer.portal,
            scoped.module,
            &created,
            &customer.contact,
            None,
        )
        .await?;
        store.apply_effects(&notice).await?;
    }
    let label = created.number;
    store
        .add_activity(
            customer.id.contact,
            "portal_record_created",
            "portal",
            &format!("Created {label}"),
            Some((&scoped.module.name, id)),
        )
        .await?;
    Ok(id)
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/{module}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path)), request_body = Object,
    responses((status = 201, body = RecordDoc), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module)): Path<(String, String)>,
    request: Request,
) -> ApiResult<Response> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    if !scoped.access.grant.create {
        return Err(Error::Forbidden("You may not create records here.".into()).into());
    }
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let id = if is_multipart {
        create_with_file(&state, &customer, &scoped, request).await?
    } else {
        let crate::extract::JsonBody(body) =
            crate::extract::JsonBody::<serde_json::Value>::from_request(request, &state).await?;
        let (changes, links) = new_record_changes(&customer, &scoped, &body)?;
        create_record(&state, &customer, &scoped, changes, links).await?
    };
    let record = state
        .store
        .get_view(scoped.module, &scoped.view, id, &scoped.read)
        .await?;
    Ok(with_etag(
        StatusCode::CREATED,
        record.etag(),
        record_json(&scoped.view, &record),
    ))
}

/// A document and its file in one multipart request: text parts are fields, `file` the file.
async fn create_with_file(
    state: &AppState,
    customer: &Customer,
    scoped: &Scoped<'_>,
    request: Request,
) -> ApiResult<Uuid> {
    const FILE: &str = "file";
    if scoped
        .module
        .field(FILE)
        .is_none_or(|f| f.field_type != atrium_core::FieldType::File)
    {
        return Err(Error::BadRequest("this module takes JSON, not a file upload".into()).into());
    }
    if scoped.access.field(FILE) != FieldAccess::ReadWrite {
        return Err(Error::field(FILE, "read-only field").into());
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| Error::BadRequest(e.body_text()))?;
    let mut body = serde_json::Map::new();
    let mut upload: Option<Upload> = None;
    let limit = state.config.max_upload_bytes;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Error::TooLarge(format!("files may be at most {limit} bytes")).into());
            }
            Err(err) => return Err(Error::BadRequest(err.body_text()).into()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == FILE {
            let one = crate::api::files::read_field(field, limit).await?;
            upload = Some(one);
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| Error::BadRequest(e.body_text()))?;
            body.insert(name, json!(text));
        }
    }
    let upload = upload.ok_or_else(|| {
        Error::field(FILE, "required: send the file as the multipart part `file`")
    })?;
    let body = serde_json::Value::Object(body);
    let (mut changes, links) = new_record_changes(customer, scoped, &body)?;
    let (key, info) = state.store.put_file(&scoped.module.name, upload).await?;
    changes.push((FILE.into(), Value::File(info)));
    match create_record(state, customer, scoped, changes, links).await {
        Ok(id) => Ok(id),
        Err(err) => {
            state.store.discard_file(&key).await;
            Err(err)
        }
    }
}

#[utoipa::path(patch, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)), request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
    headers: HeaderMap,
    crate::extract::JsonBody(body): crate::extract::JsonBody<serde_json::Value>,
) -> ApiResult<Response> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped
        .require(&state, &customer, id, scoped.access.grant.edit)
        .await?;
    check_writable(&scoped, &body)?;
    let changes = parse_input(scoped.module, &body, Mode::Update)?;
    let expected = crate::api::records::if_match(&headers)?;
    let record = state
        .store
        .update(
            scoped.module,
            id,
            changes,
            Actor::Contact(customer.id.contact),
            expected,
        )
        .await?;
    state
        .store
        .add_activity(
            customer.id.contact,
            "portal_record_updated",
            "portal",
            &format!("Changed {}", record.number),
            Some((&scoped.module.name, id)),
        )
        .await?;
    let record = state
        .store
        .get_view(scoped.module, &scoped.view, id, &scoped.read)
        .await?;
    Ok(with_etag(
        StatusCode::OK,
        record.etag(),
        record_json(&scoped.view, &record),
    ))
}

#[utoipa::path(delete, path = "/api/v1/portal/{slug}/records/{module}/{id}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped
        .require(&state, &customer, id, scoped.access.grant.delete)
        .await?;
    state
        .store
        .delete(scoped.module, id, Actor::Contact(customer.id.contact))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/related/{module2}", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path), ("module2" = String, Path)),
    responses((status = 200, body = RecordPage), (status = 404, body = Problem)))]
pub async fn related(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id, other)): Path<(String, String, String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<RecordPage>> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped.require_readable(&state, id).await?;
    let listed = customer
        .portal
        .module(&scoped.module.name)
        .is_some_and(|entry| entry.related.contains(&other));
    if !listed {
        return Err(Error::NotFound.into());
    }
    let other_scoped = Scoped::new(&state, &customer, &other)?;
    let relation = state
        .store
        .related_filter(scoped.module, id, other_scoped.module)
        .ok_or(Error::NotFound)?;
    let query = parse_list_params(&other_scoped.view, &params)?
        .and(relation)
        .and(other_scoped.read.clone());
    let page = state
        .store
        .list_view(other_scoped.module, &other_scoped.view, &query)
        .await?;
    Ok(Json(page_json(
        &other_scoped.view,
        &page,
        query.page,
        query.per_page,
    )))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/updates", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<UpdateJson>), (status = 404, body = Problem)))]
pub async fn updates(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Items<UpdateJson>>> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped.require_readable(&state, id).await?;
    let entries = state.store.updates(scoped.module, id).await?;
    let items = entries
        .iter()
        .filter(|e| scoped.access.fields.contains_key(&e.field))
        .map(UpdateJson::from)
        .collect();
    Ok(Json(Items { items }))
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/comments", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<CommentJson>), (status = 404, body = Problem)))]
pub async fn comments(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Items<CommentJson>>> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped.require_readable(&state, id).await?;
    let comments = state.store.comments(scoped.module, id, false).await?;
    Ok(Json(Items {
        items: comments.iter().map(CommentJson::from).collect(),
    }))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Markdown.
    pub body: String,
}

/// A customer's reply takes the record out of a waiting state, so it is not lost there.
fn reopen_on_reply(module: &ModuleDef, status: &Value) -> Option<&'static str> {
    match (module.name.as_str(), status.as_text()) {
        ("cases", Some("Waiting on Customer" | "Resolved")) => Some("Open"),
        ("tickets", Some("Wait For Response")) => Some("Open"),
        _ => None,
    }
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/{module}/{id}/comments", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = CommentJson), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_comment(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
    crate::extract::JsonBody(comment): crate::extract::JsonBody<NewComment>,
) -> ApiResult<(StatusCode, Json<CommentJson>)> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped
        .require(&state, &customer, id, scoped.access.grant.comment)
        .await?;
    if comment.body.trim().is_empty() {
        return Err(Error::field("body", "required").into());
    }
    if comment.body.chars().count() > crate::api::records::MAX_COMMENT_CHARS {
        return Err(Error::field("body", "is too long").into());
    }
    let actor = Actor::Contact(customer.id.contact);
    let store = &state.store;
    let record = store.get(scoped.module, id).await?;
    let notice = crate::notify::customer_activity(
        &state,
        &customer.portal,
        scoped.module,
        &record,
        &customer.contact,
        Some(&comment.body),
    )
    .await?;
    let added = store
        .add_comment_with(scoped.module, id, &comment.body, false, actor, notice)
        .await?;
    if let Some(status) = reopen_on_reply(scoped.module, record.get("status")) {
        store
            .update(
                scoped.module,
                id,
                vec![("status".into(), Value::Text(status.into()))],
                actor,
                None,
            )
            .await?;
    }
    store
        .follow(&scoped.module.name, id, customer.id.contact)
        .await?;
    store
        .add_activity(
            customer.id.contact,
            "portal_comment",
            "portal",
            &format!("Commented on {}", record.number),
            Some((&scoped.module.name, id)),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CommentJson::from(&added))))
}

#[utoipa::path(put, path = "/api/v1/portal/{slug}/records/{module}/{id}/follow", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn follow(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped.require_readable(&state, id).await?;
    state
        .store
        .follow(&scoped.module.name, id, customer.id.contact)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/portal/{slug}/records/{module}/{id}/follow", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unfollow(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let scoped = Scoped::new(&state, &customer, &module)?;
    let id = record_id(&id)?;
    scoped.require_readable(&state, id).await?;
    state
        .store
        .unfollow(&scoped.module.name, id, customer.id.contact)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/documents/{id}/file", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let scoped = Scoped::new(&state, &customer, "documents")?;
    if scoped.access.field("file") == FieldAccess::Hidden {
        return Err(Error::NotFound.into());
    }
    let record = state
        .store
        .get_view(scoped.module, &scoped.view, record_id(&id)?, &scoped.read)
        .await?;
    file_response(&state, record.get("file")).await
}

#[utoipa::path(put, path = "/api/v1/portal/{slug}/records/documents/{id}/file", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "The part `file`"),
    responses((status = 200, description = "The stored file"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem)))]
pub async fn replace_file(
    State(state): State<AppState>,
    customer: Customer,
    Path((_slug, id)): Path<(String, String)>,
    multipart: Multipart,
) -> ApiResult<Response> {
    let scoped = Scoped::new(&state, &customer, "documents")?;
    let id = record_id(&id)?;
    scoped
        .require(&state, &customer, id, scoped.access.grant.edit)
        .await?;
    if scoped.access.field("file") != FieldAccess::ReadWrite {
        return Err(Error::Forbidden("You may not replace this file.".into()).into());
    }
    let upload = read_upload(multipart, state.config.max_upload_bytes).await?;
    let info = state
        .store
        .set_file(
            scoped.module,
            id,
            "file",
            upload,
            Actor::Contact(customer.id.contact),
        )
        .await?;
    let field = scoped.module.field("file").ok_or(Error::NotFound)?;
    Ok(Json(Value::File(info).to_json(field)).into_response())
}
