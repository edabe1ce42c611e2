//! Document files: multipart upload (type sniffed from the bytes, size limited, hashed) and
//! download as an attachment.

use atrium_core::{Error, RecordId, Value};
use atrium_store::{Actor, Upload};
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};

const DOCUMENTS: &str = "documents";
const FILE_FIELD: &str = "file";

/// Keeps a client-sent file name safe to store and echo in a header.
fn clean_name(name: Option<&str>) -> String {
    let base = name
        .unwrap_or("file")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(200)
        .collect();
    if cleaned.trim().is_empty() {
        "file".to_owned()
    } else {
        cleaned
    }
}

/// Reads the `file` part of a multipart body, refusing more than `limit` bytes.
pub async fn read_upload(mut multipart: Multipart, limit: usize) -> ApiResult<Upload> {
    let too_large = || Error::TooLarge(format!("files may be at most {limit} bytes"));
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => {
                return Err(Error::field(
                    FILE_FIELD,
                    "required: send the file as the multipart part `file`",
                )
                .into());
            }
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large().into());
            }
            Err(err) => return Err(Error::BadRequest(err.body_text()).into()),
        };
        if field.name() != Some(FILE_FIELD) {
            continue;
        }
        return read_field(field, limit).await;
    }
}

/// Reads one multipart part as an upload, refusing more than `limit` bytes.
pub async fn read_field(
    mut field: axum::extract::multipart::Field<'_>,
    limit: usize,
) -> ApiResult<Upload> {
    let too_large = || Error::TooLarge(format!("files may be at most {limit} bytes"));
    let name = clean_name(field.file_name());
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > limit {
                    return Err(too_large().into());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large().into());
            }
            Err(err) => return Err(Error::BadRequest(err.body_text()).into()),
        }
    }
    let mime_type = atrium_store::files::sniff_mime(&bytes);
    Ok(Upload {
        name,
        mime_type,
        bytes,
    })
}

#[utoipa::path(put, path = "/api/v1/records/documents/{id}/file", tag = "documents",
    params(("id" = String, Path)),
    request_body(content_type = "multipart/form-data", description = "The part `file`"),
    responses((status = 200, description = "The stored file's name, size, MIME type and SHA-256"),
              (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    multipart: Multipart,
) -> ApiResult<Response> {
    let module = state.store.module(DOCUMENTS)?;
    let id = RecordId::parse(&id)?.0;
    if !state.store.exists(module, id).await? {
        return Err(Error::NotFound.into());
    }
    let upload = read_upload(multipart, state.config.max_upload_bytes).await?;
    let info = state
        .store
        .set_file(module, id, FILE_FIELD, upload, Actor::Staff(staff.user.id))
        .await?;
    let field = module.field(FILE_FIELD).ok_or(Error::NotFound)?;
    Ok(Json(Value::File(info).to_json(field)).into_response())
}

#[utoipa::path(get, path = "/api/v1/records/documents/{id}/file", tag = "documents",
    params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = Problem)))]
pub async fn download(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let module = state.store.module(DOCUMENTS)?;
    let record = state.store.get(module, RecordId::parse(&id)?.0).await?;
    file_response(&state, record.get(FILE_FIELD)).await
}

/// Streams a stored file as a download.
pub async fn file_response(state: &AppState, value: &Value) -> ApiResult<Response> {
    let Value::File(info) = value else {
        return Err(Error::NotFound.into());
    };
    let object = state.store.files().get(&info.key).await?;
    let mut response = Body::from_stream(object.into_stream()).into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&info.mime_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(info.size as u64));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let ascii: String = info
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = info
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
