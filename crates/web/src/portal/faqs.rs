//! `GET faqs/search?q=`: ranked full-text search over the published FAQs the customer may read.

use atrium_core::Error;
use atrium_core::portal::FieldAccess;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::portal::context::Customer;
use crate::portal::records::Scoped;

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Words to look for.
    pub q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Hit {
    pub id: String,
    pub question: String,
    pub snippet: String,
    /// Higher is better.
    pub rank: f64,
}

#[derive(Serialize, ToSchema)]
pub struct Hits {
    pub items: Vec<Hit>,
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/faqs/search", tag = "portal",
    params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = Hits), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    customer: Customer,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<Hits>> {
    let scoped = Scoped::new(&state, &customer, "faqs")?;
    if scoped.access.field("question") == FieldAccess::Hidden {
        return Err(Error::NotFound.into());
    }
    let text = query.q.unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::field("q", "required").into());
    }
    if text.chars().count() > 200 {
        return Err(Error::field("q", "must be at most 200 characters").into());
    }
    let answer_visible = scoped.access.field("answer") != FieldAccess::Hidden;
    let hits = state
        .store
        .search_faqs(scoped.module, text, &scoped.read, answer_visible, 20)
        .await?;
    Ok(Json(Hits {
        items: hits
            .into_iter()
            .map(|h| Hit {
                id: h.id.to_string(),
                question: h.question,
                snippet: h.snippet,
                rank: h.rank,
            })
            .collect(),
    }))
}
