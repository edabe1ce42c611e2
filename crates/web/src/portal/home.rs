//! `GET home`: the announcement, greeting, charts, recent records, representatives and
//! shortcuts the portal configures, as `atrium-app` builds them for the customer.

use atrium_app::customer::home::HomeView;
use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::portal::context::Customer;

#[utoipa::path(get, path = "/api/v1/portal/{slug}/home", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, description = "Announcement, greeting, charts, recent records, representatives and shortcuts"),
              (status = 401, body = Problem)))]
pub async fn home(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<HomeView>> {
    Ok(Json(state.app.customer_home(&customer).await?))
}
