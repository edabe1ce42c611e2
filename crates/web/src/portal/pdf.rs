//! `GET records/{module}/{id}/pdf`: a readable record as a PDF download.

use axum::extract::{Path, State};
use axum::response::Response;

use crate::AppState;
use crate::error::ApiResult;
use crate::portal::context::Customer;
use crate::respond;

#[utoipa::path(get, path = "/api/v1/portal/{slug}/records/{module}/{id}/pdf", tag = "portal",
    params(("slug" = String, Path), ("module" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "The record as a PDF", content_type = "application/pdf")))]
pub async fn pdf(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, module, id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let file = state.app.customer_pdf(&customer, &module, &id).await?;
    Ok(respond::pdf(file))
}
