//! `/api/v1/portal/{slug}/records/quotes/{id}/accept|reject`: a customer decides on a quote.

use atrium_app::customer::quotes::QuoteDecision;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::api::wire::RecordDoc;
use crate::error::{ApiResult, Problem};
use crate::extract::JsonBody;
use crate::portal::context::Customer;
use crate::respond;

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The name of the person who signs for the customer, not blank.
    pub signer_name: String,
    /// Why, or anything staff should know; markdown.
    #[serde(default)]
    pub comment: Option<String>,
}

async fn decide(
    state: &AppState,
    customer: &atrium_app::customer::Customer,
    id: &str,
    decision: QuoteDecision,
    body: &Decision,
) -> ApiResult<Response> {
    let view = state
        .app
        .customer_decide_quote(
            customer,
            id,
            decision,
            &body.signer_name,
            body.comment.as_deref(),
        )
        .await?;
    Ok(respond::record(StatusCode::OK, view))
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/quotes/{id}/accept", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)), request_body = Decision,
    responses((status = 200, body = RecordDoc, description = "The quote, now Accepted"),
              (status = 404, body = Problem, description = "No quote the customer can see"),
              (status = 409, body = Problem, description = "The quote is not Delivered or Reviewed (already decided)"),
              (status = 422, body = Problem, description = "No signer's name")))]
pub async fn accept(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Decision>,
) -> ApiResult<Response> {
    decide(&state, &customer, &id, QuoteDecision::Accept, &body).await
}

#[utoipa::path(post, path = "/api/v1/portal/{slug}/records/quotes/{id}/reject", tag = "portal",
    params(("slug" = String, Path), ("id" = String, Path)), request_body = Decision,
    responses((status = 200, body = RecordDoc, description = "The quote, now Rejected"),
              (status = 404, body = Problem, description = "No quote the customer can see"),
              (status = 409, body = Problem, description = "The quote is not Delivered or Reviewed (already decided)"),
              (status = 422, body = Problem, description = "No signer's name")))]
pub async fn reject(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Path((_slug, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<Decision>,
) -> ApiResult<Response> {
    decide(&state, &customer, &id, QuoteDecision::Reject, &body).await
}
