//! `/api/v1/portal/{slug}/records/{module}/{id}/pdf`: a readable record as a PDF, in the
//! customer's language (their contact's, else the request's `Accept-Language`, else the
//! company's).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::AppState;
use crate::error::ApiResult;
use crate::pages::i18n::Tr;
use crate::pages::lines::print_words;
use crate::portal::context::Customer;
use crate::respond;

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/pdf", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "The record as a PDF (a quote or an invoice as the document it is)", content_type = "application/pdf")))]
pub async fn pdf(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let tr = customer
        .contact
        .get("language")
        .as_text()
        .and_then(Tr::of)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Tr::from_accept_language)
        })
        .or_else(|| Tr::of(&customer.company.language))
        .unwrap_or_default();
    let file = state
        .app
        .customer_pdf(&customer, &module, &id, &print_words(&tr))
        .await?;
    Ok(respond::pdf(file))
}
