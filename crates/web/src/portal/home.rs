//! `GET home`: the announcement, greeting, charts, recent records, representatives and
//! shortcuts the portal configures, as `atrium-app` builds them for the customer.

use std::collections::BTreeMap;

use atrium_app::customer::home::HomeView;
use axum::Json;
use axum::extract::State;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::wire::RecordDoc;
use crate::error::ApiResult;
use crate::portal::context::Customer;

/// The home page: only the widgets the portal configures appear.
#[derive(ToSchema)]
#[schema(as = Home)]
#[allow(dead_code)]
pub struct HomeDoc {
    /// Markdown.
    announcement: String,
    /// The announcement rendered and sanitized.
    announcement_html: String,
    greeting: String,
    /// Chart name (`open_cases_by_priority`, …) → its slices.
    charts: BTreeMap<String, Vec<SliceDoc>>,
    /// Module → its latest records the customer may read.
    recent: BTreeMap<String, Vec<RecordDoc>>,
    /// Present with the `account_representatives` widget.
    #[schema(required = false)]
    representatives: Vec<RepresentativeDoc>,
    /// Present with the `shortcuts` widget.
    #[schema(required = false)]
    shortcuts: Vec<String>,
}

/// One slice of a chart.
#[derive(ToSchema)]
#[schema(as = Slice)]
#[allow(dead_code)]
pub struct SliceDoc {
    label: String,
    /// A count, or an average in `unit`.
    value: f64,
    /// `#rrggbb`.
    color: String,
    /// Present for averages (`hours`).
    #[schema(required = false)]
    unit: String,
}

/// A staff member who looks after the customer's organization.
#[derive(ToSchema)]
#[schema(as = Representative)]
#[allow(dead_code)]
pub struct RepresentativeDoc {
    name: String,
    email: String,
    phone: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/portal/{slug}/home", tag = "portal", params(("slug" = String, Path)),
    responses((status = 200, body = HomeDoc)))]
pub async fn home(
    State(state): State<AppState>,
    Customer(customer): Customer,
) -> ApiResult<Json<HomeView>> {
    Ok(Json(state.app.customer_home(&customer).await?))
}
