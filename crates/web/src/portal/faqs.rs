//! `GET faqs/search?q=`: ranked full-text search over the published FAQs the customer may read.

use atrium_app::customer::faqs::Hits;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::portal::context::Customer;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words to look for.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/faqs/search", tag = "portal",
    params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = Hits), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    Customer(customer): Customer,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<Hits>> {
    let text = query.q.unwrap_or_default();
    Ok(Json(state.app.search_faqs(&customer, &text).await?))
}
