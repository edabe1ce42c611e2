//! A posted form's fields. Pages post `application/x-www-form-urlencoded`, or
//! `multipart/form-data` where a file goes with them; either way the handler gets the text
//! fields by name, and the file, if any.

use atrium_core::Error;
use atrium_store::Upload;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::api::files::read_field;
use crate::pages::site::{Site, Visitor};

/// The fields of a posted form, in order; repeated names kept.
#[derive(Default)]
pub struct Form {
    pub pairs: Vec<(String, String)>,
    /// The part `file` of a multipart form, when one was chosen.
    pub file: Option<Upload>,
}

impl Form {
    /// The first value of `name`, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(key, _)| key == name)
    }
}

/// A posted form; a body that is neither kind is a plain 400 (no page posts one).
pub struct Fields(pub Form);

fn bad(why: String) -> Response {
    (axum::http::StatusCode::BAD_REQUEST, why).into_response()
}

impl FromRequest<AppState> for Fields {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let axum::Form(pairs) =
                axum::Form::<Vec<(String, String)>>::from_request(request, state)
                    .await
                    .map_err(|e| bad(e.body_text()))?;
            return Ok(Fields(Form { pairs, file: None }));
        }
        let limit = state.app.settings.max_upload_bytes;
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| bad(e.body_text()))?;
        let mut form = Form::default();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) => return Err(bad(error.body_text())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                // An empty file input still sends a part, without a file name.
                if field.file_name().is_none_or(str::is_empty) {
                    continue;
                }
                let upload = read_field(field, limit)
                    .await
                    .map_err(IntoResponse::into_response)?;
                if !upload.bytes.is_empty() {
                    form.file = Some(upload);
                }
            } else {
                let text = field.text().await.map_err(|e| bad(e.body_text()))?;
                form.pairs.push((name, text));
            }
        }
        Ok(Fields(form))
    }
}

/// Who posts a form: a visitor of the portal's or the staff's pages, signed in or not.
pub trait Poster: FromRequestParts<AppState, Rejection = Response> {
    /// The refusal (403, nothing done) of a form without the right token, if it is one.
    fn refuse_form(&self, sent: &str) -> Option<Response>;
}

impl Poster for Site {
    fn refuse_form(&self, sent: &str) -> Option<Response> {
        Site::refuse_form(self, sent)
    }
}

impl Poster for Visitor {
    fn refuse_form(&self, sent: &str) -> Option<Response> {
        self.site.refuse_form(sent)
    }
}

/// A form posted with its token: anything else is refused (403) before a handler runs, so
/// that no state-changing page can forget the check.
pub struct Posted<T> {
    pub by: T,
    pub form: Form,
}

impl<T: Poster + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let by = T::from_request_parts(&mut parts, state).await?;
        let Fields(form) = Fields::from_request(Request::from_parts(parts, body), state).await?;
        match by.refuse_form(form.text("csrf")) {
            Some(refused) => Err(refused),
            None => Ok(Posted { by, form }),
        }
    }
}

/// The errors of a failed save shown beside its fields, or the failure to show as a page.
pub fn field_errors(error: Error) -> Result<Vec<atrium_core::FieldError>, Error> {
    match error {
        Error::Validation(errors) => Ok(errors),
        Error::TooLarge(why) => Ok(vec![atrium_core::FieldError::new("file", why)]),
        other => Err(other),
    }
}
