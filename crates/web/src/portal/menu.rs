//! `GET modules`: the customer's menu, each module with its visible fields and what the
//! customer may do there.

use atrium_app::customer::menu::Menu;
use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::error::ApiResult;
use crate::portal::context::Customer;

#[utoipa::path(get, path = "/api/v1/portal/{slug}/modules", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = Menu)))]
pub async fn modules(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<Menu>> {
    Ok(Json(state.app.customer_menu(&customer)))
}
