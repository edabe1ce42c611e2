//! The router of every documented API route and the OpenAPI 3.1 document generated from the
//! same handler annotations, so the two cannot drift. Each module's record shape is added to
//! the document from the metadata.

use utoipa::OpenApi;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::admin::{self, users};
use crate::api::{files, meta, records, staff};

#[derive(OpenApi)]
#[openapi(
    info(title = "Atrium API", description = "Customer portal and CRM back office. Errors are application/problem+json."),
    tags((name = "records", description = "Records of every module"),
         (name = "documents", description = "Document files"),
         (name = "metadata", description = "Modules and fields"),
         (name = "staff", description = "Staff sign-in"),
         (name = "admin", description = "Administration (admins only)"),
         (name = "portal", description = "The customer's portal API"))
)]
struct ApiDoc;

pub fn api_router(state: &AppState) -> OpenApiRouter<AppState> {
    let mut doc = ApiDoc::openapi();
    add_module_schemas(&mut doc, state);
    // Uploads may be as large as configured, not just axum's 2 MB default body limit; the
    // slack covers the multipart framing (`read_upload` enforces the exact limit on the file).
    let upload_limit = state
        .app
        .settings
        .max_upload_bytes
        .saturating_add(64 * 1024);
    let file_routes = OpenApiRouter::new()
        .routes(routes!(files::upload, files::download))
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit));
    let router = OpenApiRouter::with_openapi(doc)
        .routes(routes!(staff::login))
        .routes(routes!(staff::logout))
        .routes(routes!(users::users, users::create_user))
        .routes(routes!(users::user, users::change_user))
        .routes(routes!(meta::modules))
        .merge(file_routes)
        .routes(routes!(records::list, records::create))
        .routes(routes!(records::read, records::change, records::delete))
        .routes(routes!(records::related))
        .routes(routes!(records::link, records::unlink))
        .routes(routes!(records::comments, records::add_comment))
        .routes(routes!(records::updates));
    let router = admin::routes(router);
    crate::portal::routes(router)
}

/// One schema per module (`Record.cases`, …), listing its fields, from the metadata.
fn add_module_schemas(doc: &mut utoipa::openapi::OpenApi, state: &AppState) {
    let components = doc.components.get_or_insert_with(Default::default);
    for module in state.app.store.registry().modules() {
        let mut object = ObjectBuilder::new()
            .description(Some(format!("A record of {}", module.label)))
            .property("id", ObjectBuilder::new().schema_type(Type::String))
            .property("number", ObjectBuilder::new().schema_type(Type::String))
            .property("created_at", ObjectBuilder::new().schema_type(Type::String))
            .property("updated_at", ObjectBuilder::new().schema_type(Type::String));
        for field in &module.fields {
            let (schema_type, format) = json_type(&field.field_type);
            let mut property = ObjectBuilder::new()
                .schema_type(schema_type)
                .description(Some(field.label.clone()));
            if let Some(format) = format {
                property =
                    property.format(Some(utoipa::openapi::SchemaFormat::Custom(format.into())));
            }
            if !field.values.is_empty() {
                property = property.enum_values(Some(field.values.iter().map(|v| v.value.clone())));
            }
            object = object.property(field.name.clone(), property);
        }
        components.schemas.insert(
            format!("Record.{}", module.name),
            RefOr::T(Schema::Object(object.build())),
        );
    }
}

fn json_type(field_type: &atrium_core::FieldType) -> (Type, Option<&'static str>) {
    use atrium_core::FieldType as F;
    match field_type {
        F::Integer => (Type::Integer, None),
        F::Decimal | F::Currency | F::Percent => (Type::Number, None),
        F::Boolean => (Type::Boolean, None),
        F::Date => (Type::String, Some("date")),
        F::Datetime => (Type::String, Some("date-time")),
        F::Email => (Type::String, Some("email")),
        F::Url => (Type::String, Some("uri")),
        F::Reference { .. } | F::User | F::File => (Type::Object, None),
        F::Multipicklist | F::Grid { .. } => (Type::Array, None),
        _ => (Type::String, None),
    }
}
