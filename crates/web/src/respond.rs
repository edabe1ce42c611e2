//! Turning typed views into responses: JSON with the record's `ETag`, `If-Match` parsing,
//! stored files and PDFs as downloads.

use atrium_app::views::RecordView;
use atrium_core::Error;
use atrium_core::value::FileInfo;
use axum::Json;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiResult;

/// A record as JSON with its `ETag`.
pub fn record(status: StatusCode, view: RecordView) -> Response {
    let etag = view.etag();
    let mut response = (status, Json(view)).into_response();
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

/// `attachment; filename="…"; filename*=UTF-8''…` for a file name from anyone.
fn attachment(name: &str) -> Option<HeaderValue> {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .ok()
}

/// Streams a stored file as a download. Files come from anyone (an HTML, SVG or XML upload can
/// carry script), so the browser is told to open them, if at all, as a sandboxed document with
/// nothing allowed.
pub async fn file(state: &AppState, info: &FileInfo) -> ApiResult<Response> {
    let object = state.app.store.files().get(&info.key).await?;
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
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    if let Some(value) = attachment(&info.name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A PDF as a download.
pub fn pdf(file: atrium_app::customer::pdf::PdfFile) -> Response {
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
