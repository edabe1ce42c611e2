//! `GET faqs/search?q=`: ranked full-text search over the published FAQs the customer may read.

use atrium_app::customer::faqs::Hits;
use atrium_core::Error;
use axum::Json;
use axum::extract::State;
use utoipa::IntoParams;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};

use crate::AppState;
use crate::api::wire::not_blank;
use crate::error::{ApiResult, Problem};
use crate::extract::QueryPairs;
use crate::portal::context::Customer;

/// The search's parameters, for the document only: the handler reads `q` from the pairs, so that
/// a missing `q` is the app's 422 and a repeated one is a 400 in problem+json.
pub struct SearchQuery;

impl IntoParams for SearchQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            ParameterBuilder::new()
                .name("q")
                .parameter_in(ParameterIn::Query)
                .required(Required::True)
                .description(Some(
                    "Words to look for: not blank, at most 200 characters (422 otherwise).",
                ))
                .schema(Some(not_blank(Some(200))))
                .build(),
        ]
    }
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/faqs/search", tag = "portal",
    params(("slug" = String, Path), SearchQuery),
    responses((status = 200, body = Hits),
              (status = 404, body = Problem, description = "No such portal, or its customers may not read FAQs"),
              (status = 422, body = Problem, description = "`q` is missing, blank or longer than 200 characters")))]
pub async fn search(
    State(state): State<AppState>,
    Customer(customer): Customer,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Json<Hits>> {
    let mut words = pairs
        .into_iter()
        .filter(|(key, _)| key == "q")
        .map(|(_, v)| v);
    let text = words.next().unwrap_or_default();
    if words.next().is_some() {
        return Err(Error::BadRequest("`q` may be given only once".into()).into());
    }
    Ok(Json(state.app.search_faqs(&customer, &text).await?))
}
