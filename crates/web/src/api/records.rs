//! `/api/v1/records/…`: the staff side of every module's records.

use atrium_core::query::parse_list_params;
use atrium_core::validate::{Mode, parse_input};
use atrium_core::{Error, RecordId, Value as FieldValue};
use atrium_store::Actor;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::contacts;
use crate::api::wire::{
    CommentJson, Items, RecordDoc, RecordPage, UpdateJson, page_json, record_json,
};
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};
use crate::extract::{JsonBody, QueryPairs};

fn with_etag(status: StatusCode, etag: String, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// `If-Match: "7"` → Some(7). A value that names no version can never match.
pub fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| Error::PreconditionFailed.into())
}

#[utoipa::path(get, path = "/api/v1/records/{module}", tag = "records",
    params(("module" = String, Path, description = "Module name, e.g. `cases`"),
           ("page" = Option<u64>, Query), ("per_page" = Option<u64>, Query, description = "At most 200"),
           ("sort" = Option<String>, Query, description = "A sortable field; `-` prefix for descending"),
           ("q" = Option<String>, Query, description = "Text search over the module's text fields")),
    responses((status = 200, body = RecordPage), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _staff: Staff,
    Path(module): Path<String>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<RecordPage>> {
    let module = state.store.module(&module)?;
    let query = parse_list_params(module, &params)?;
    let page = state.store.list(module, &query).await?;
    Ok(Json(page_json(module, &page, query.page, query.per_page)))
}

#[utoipa::path(post, path = "/api/v1/records/{module}", tag = "records",
    params(("module" = String, Path)), request_body = Object,
    responses((status = 201, body = RecordDoc), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(module): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let module = state.store.module(&module)?;
    let mut changes = parse_input(module, &body, Mode::Create)?;
    if module.name != contacts::CONTACTS {
        let record = state
            .store
            .create(module, changes, Actor::Staff(staff.user.id))
            .await?;
        return Ok(with_etag(
            StatusCode::CREATED,
            record.etag(),
            record_json(module, &record),
        ));
    }
    let after = contacts::check_write(&state.store, None, &mut changes).await?;
    let inviting = changes
        .iter()
        .any(|(f, v)| f == "portal_user" && *v == FieldValue::Boolean(true));
    let invite = contacts::InvitePlanner::load(&state, None, &changes, inviting).await?;
    let mut invitation = None;
    let record = state
        .store
        .create_with(module, changes.clone(), Actor::Staff(staff.user.id), |id| {
            let planned = invite.plan(id, None, &changes)?;
            let effects = planned
                .as_ref()
                .map(|p| p.effects.clone())
                .unwrap_or_default();
            invitation = planned;
            Ok(effects)
        })
        .await?;
    contacts::after_write(&state.store, record.id, after).await?;
    let mut json = record_json(module, &record);
    if let Some(invitation) = invitation {
        json["portal"] = invitation.json();
    }
    Ok(with_etag(StatusCode::CREATED, record.etag(), json))
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = RecordDoc, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let module = state.store.module(&module)?;
    let record = state.store.get(module, RecordId::parse(&id)?.0).await?;
    Ok(with_etag(
        StatusCode::OK,
        record.etag(),
        record_json(module, &record),
    ))
}

#[utoipa::path(patch, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("If-Match" = Option<String>, Header)),
    request_body = Object,
    responses((status = 200, body = RecordDoc), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    staff: Staff,
    Path((module, id)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let module = state.store.module(&module)?;
    let id = RecordId::parse(&id)?.0;
    let expected = if_match(&headers)?;
    let mut changes = parse_input(module, &body, Mode::Update)?;
    if module.name != contacts::CONTACTS {
        let effects = status_change_notices(&state, module, id, &changes).await?;
        let record = state
            .store
            .update_with(
                module,
                id,
                changes,
                Actor::Staff(staff.user.id),
                expected,
                |before, effective| {
                    // Only a status that really changes is news.
                    let changed = effective.iter().any(|(f, _)| f == "status");
                    Ok(match effects {
                        Some((old, effects))
                            if changed && before.get("status").as_text() == old.as_deref() =>
                        {
                            effects
                        }
                        _ => atrium_store::Effects::default(),
                    })
                },
            )
            .await?;
        return Ok(with_etag(
            StatusCode::OK,
            record.etag(),
            record_json(module, &record),
        ));
    }
    let before = state.store.get(module, id).await?;
    let after = contacts::check_write(&state.store, Some(&before), &mut changes).await?;
    let inviting = changes
        .iter()
        .any(|(f, v)| f == "portal_user" && *v == FieldValue::Boolean(true))
        && before.get("portal_user") != &FieldValue::Boolean(true);
    let invite = contacts::InvitePlanner::load(&state, Some(&before), &changes, inviting).await?;
    let mut invitation = None;
    let record = state
        .store
        .update_with(
            module,
            id,
            changes,
            Actor::Staff(staff.user.id),
            expected,
            |stored, effective| {
                // Only a change from no access to access invites; sending `true` again does not.
                if stored.get("portal_user") == &FieldValue::Boolean(true) {
                    return Ok(atrium_store::Effects::default());
                }
                let planned = invite.plan(id, Some(stored), effective)?;
                let effects = planned
                    .as_ref()
                    .map(|p| p.effects.clone())
                    .unwrap_or_default();
                invitation = planned;
                Ok(effects)
            },
        )
        .await?;
    contacts::after_write(&state.store, record.id, after).await?;
    let mut json = record_json(module, &record);
    if let Some(invitation) = invitation {
        json["portal"] = invitation.json();
    }
    Ok(with_etag(StatusCode::OK, record.etag(), json))
}

/// The notices a status change would send, with the status they were composed against.
async fn status_change_notices(
    state: &AppState,
    module: &atrium_core::ModuleDef,
    id: uuid::Uuid,
    changes: &atrium_core::validate::Changes,
) -> ApiResult<Option<(Option<String>, atrium_store::Effects)>> {
    let Some((_, FieldValue::Text(new))) = changes.iter().find(|(f, _)| f == "status") else {
        return Ok(None);
    };
    let before = state.store.get(module, id).await?;
    let old = before.get("status").as_text().map(str::to_owned);
    if old.as_deref() == Some(new.as_str()) {
        return Ok(None);
    }
    let after = crate::mailing::contact_after(id, Some(&before), changes);
    let update = crate::notify::Update {
        comment: None,
        status: Some((old.clone().unwrap_or_default(), new.clone())),
    };
    let effects = crate::notify::record_updated(state, module, &after, &update).await?;
    Ok(Some((old, effects)))
}

#[utoipa::path(delete, path = "/api/v1/records/{module}/{id}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let module = state.store.module(&module)?;
    state
        .store
        .delete(module, RecordId::parse(&id)?.0, Actor::Staff(staff.user.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/related/{module2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path)),
    responses((status = 200, body = RecordPage), (status = 404, body = Problem)))]
pub async fn related(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other)): Path<(String, String, String)>,
    QueryPairs(params): QueryPairs,
) -> ApiResult<Json<RecordPage>> {
    let module = state.store.module(&module)?;
    let other = state.store.module(&other)?;
    let id = RecordId::parse(&id)?.0;
    if !state.store.exists(module, id).await? {
        return Err(Error::NotFound.into());
    }
    let filter = state
        .store
        .related_filter(module, id, other)
        .ok_or(Error::NotFound)?;
    let query = parse_list_params(other, &params)?.and(filter);
    let page = state.store.list(other, &query).await?;
    Ok(Json(page_json(other, &page, query.page, query.per_page)))
}

#[utoipa::path(put, path = "/api/v1/records/{module}/{id}/links/{module2}/{id2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ("id2" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn link(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other, other_id)): Path<(String, String, String, String)>,
) -> ApiResult<StatusCode> {
    let (a, b) = (state.store.module(&module)?, state.store.module(&other)?);
    state
        .store
        .link(a, RecordId::parse(&id)?.0, b, RecordId::parse(&other_id)?.0)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/records/{module}/{id}/links/{module2}/{id2}", tag = "records",
    params(("module" = String, Path), ("id" = String, Path), ("module2" = String, Path), ("id2" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn unlink(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id, other, other_id)): Path<(String, String, String, String)>,
) -> ApiResult<StatusCode> {
    let (a, b) = (state.store.module(&module)?, state.store.module(&other)?);
    state
        .store
        .unlink(a, RecordId::parse(&id)?.0, b, RecordId::parse(&other_id)?.0)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Markdown.
    pub body: String,
    /// Internal notes are never shown to customers.
    #[serde(default)]
    pub internal: bool,
}

pub const MAX_COMMENT_CHARS: usize = 100_000;

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/comments", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<CommentJson>), (status = 404, body = Problem)))]
pub async fn comments(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Json<Items<CommentJson>>> {
    let module = state.store.module(&module)?;
    let id = RecordId::parse(&id)?.0;
    if !state.store.exists(module, id).await? {
        return Err(Error::NotFound.into());
    }
    let comments = state.store.comments(module, id, true).await?;
    Ok(Json(Items {
        items: comments.iter().map(CommentJson::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/v1/records/{module}/{id}/comments", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = CommentJson), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_comment(
    State(state): State<AppState>,
    staff: Staff,
    Path((module, id)): Path<(String, String)>,
    JsonBody(comment): JsonBody<NewComment>,
) -> ApiResult<(StatusCode, Json<CommentJson>)> {
    let module = state.store.module(&module)?;
    let id = RecordId::parse(&id)?.0;
    if comment.body.trim().is_empty() {
        return Err(Error::field("body", "required").into());
    }
    if comment.body.chars().count() > MAX_COMMENT_CHARS {
        return Err(Error::field(
            "body",
            format!("must be at most {MAX_COMMENT_CHARS} characters"),
        )
        .into());
    }
    let record = state.store.get(module, id).await?;
    // A reply customers can read is news to those who follow the record.
    let effects = if comment.internal {
        atrium_store::Effects::default()
    } else {
        let update = crate::notify::Update {
            comment: Some((&comment.body, &staff.user.name)),
            status: None,
        };
        crate::notify::record_updated(&state, module, &record, &update).await?
    };
    let comment = state
        .store
        .add_comment_with(
            module,
            id,
            &comment.body,
            comment.internal,
            Actor::Staff(staff.user.id),
            effects,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CommentJson::from(&comment))))
}

#[utoipa::path(get, path = "/api/v1/records/{module}/{id}/updates", tag = "records",
    params(("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Items<UpdateJson>), (status = 404, body = Problem)))]
pub async fn updates(
    State(state): State<AppState>,
    _staff: Staff,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<Json<Items<UpdateJson>>> {
    let module = state.store.module(&module)?;
    let id = RecordId::parse(&id)?.0;
    if !state.store.exists(module, id).await? {
        return Err(Error::NotFound.into());
    }
    let entries = state.store.updates(module, id).await?;
    Ok(Json(Items {
        items: entries.iter().map(UpdateJson::from).collect(),
    }))
}
