//! `/api/v1/admin/…` and the staff side of customers: portals, portal roles, company details
//! and logo, and the contact activity timeline.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
}
