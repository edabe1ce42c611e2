//! Document files: multipart upload (type sniffed from the bytes, size limited, hashed) and
//! download as an attachment.

use atrium_core::Error;
use atrium_store::Upload;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::api::wire::{FileDoc, UploadDoc};
use crate::auth::Staff;
use crate::error::{ApiResult, Problem};
use crate::extract::MultipartBody;

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

/// A form with a file: its text parts as fields, and the part `file`, refusing more than
/// `limit` bytes.
pub async fn read_form_with_file(
    mut multipart: Multipart,
    limit: usize,
) -> ApiResult<(serde_json::Map<String, serde_json::Value>, Upload)> {
    let mut fields = serde_json::Map::new();
    let mut upload = None;
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
        if name == FILE_FIELD {
            upload = Some(read_field(field, limit).await?);
        } else {
            let text = field
                .text()
                .await
                .map_err(|e| Error::BadRequest(e.body_text()))?;
            fields.insert(name, serde_json::Value::String(text));
        }
    }
    let upload = upload.ok_or_else(|| {
        Error::field(
            FILE_FIELD,
            "required: send the file as the multipart part `file`",
        )
    })?;
    Ok((fields, upload))
}

#[utoipa::path(put, path = "/api/v1/records/documents/{id}/file", tag = "documents",
    params(("id" = String, Path)),
    request_body(content = UploadDoc, content_type = "multipart/form-data"),
    responses((status = 200, body = FileDoc, description = "The stored file"),
              (status = 413, body = Problem, description = "Larger than the configured upload limit"),
              (status = 422, body = Problem, description = "No part `file`")))]
pub async fn upload(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
    MultipartBody(multipart): MultipartBody,
) -> ApiResult<Json<serde_json::Value>> {
    let upload = read_upload(multipart, state.app.settings.max_upload_bytes).await?;
    let file = state.app.upload_document_file(&staff, &id, upload).await?;
    Ok(Json(file))
}

#[utoipa::path(get, path = "/api/v1/records/documents/{id}/file", tag = "documents",
    params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment, with the type sniffed when it was stored",
               content_type = "*/*"),
              (status = 404, body = Problem, description = "No such document, or it has no file")))]
pub async fn download(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let file = state.app.document_file(&id).await?;
    crate::respond::file(&state, &file).await
}
