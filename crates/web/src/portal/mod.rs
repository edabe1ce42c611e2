//! The customer's portal API, `/api/v1/portal/{slug}/…`. Every read and write here goes
//! through the access engine (`atrium_core::access`) via the signed-in `Customer` context.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
}
