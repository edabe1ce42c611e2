//! The router of every documented API route and the OpenAPI 3.1 document generated from the
//! same handler annotations, so the two cannot drift. Each module's record shape is added to
//! the document from the metadata.

use utoipa::OpenApi;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, PathItem, Ref, RefOr, Response, Schema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::admin::{self, users};
use crate::api::{files, meta, records, staff};
use crate::cookies::{PORTAL_COOKIE, STAFF_COOKIE};

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
        .routes(routes!(records::updates))
        .routes(routes!(records::invoice_from_quote));
    let router = admin::routes(router);
    crate::portal::routes(router, upload_limit)
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

const BEARER: &str = "bearer";
const STAFF_SESSION: &str = "staff_cookie";
const PORTAL_SESSION: &str = "portal_cookie";

/// Routes that need no session; every other route needs the session of its kind of caller.
const PUBLIC: &[&str] = &[
    "/api/v1/staff/login",
    "/api/v1/company/logo",
    "/api/v1/portal/{slug}/login",
    "/api/v1/portal/{slug}/invitation/accept",
    "/api/v1/portal/{slug}/password/forgot",
    "/api/v1/portal/{slug}/password/reset",
    "/api/v1/portal/{slug}/email/confirm",
];

#[derive(Clone, Copy, PartialEq)]
enum Caller {
    Anyone,
    Staff,
    Admin,
    Customer,
}

fn caller(path: &str) -> Caller {
    if PUBLIC.contains(&path) {
        Caller::Anyone
    } else if path.starts_with("/api/v1/portal/") {
        Caller::Customer
    } else if path.starts_with("/api/v1/admin/") {
        Caller::Admin
    } else {
        Caller::Staff
    }
}

/// Completes the document with what holds for every route rather than for one handler, so
/// that no annotation can forget it: how callers authenticate, the answers the extractors and
/// middleware give (401 without a session, 403 to agents on admin routes and to cross-site
/// cookie requests that change data, 400 for a malformed body or query, 404 for anything
/// named in the path), every error as `application/problem+json`, and the module names that
/// `{module}` may take.
pub fn finish(doc: &mut utoipa::openapi::OpenApi, modules: &[String]) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "The `token` a login answers (staff or portal, as the route requires).",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        STAFF_SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            STAFF_COOKIE,
            "The staff session cookie set by the staff login.",
        ))),
    );
    components.add_security_scheme(
        PORTAL_SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            PORTAL_COOKIE,
            "The portal session cookie set by the portal login.",
        ))),
    );
    // A role's permissions are keyed by module name.
    if let Some(RefOr::T(Schema::Object(role))) = components.schemas.get_mut("PortalRole")
        && let Some(RefOr::T(Schema::Object(permissions))) = role.properties.get_mut("permissions")
    {
        permissions.property_names = Some(Box::new(module_name(modules)));
    }
    if let Some(RefOr::T(Schema::Object(upload))) = components.schemas.get_mut("Upload") {
        upload.property_names = Some(Box::new(part_name()));
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let caller = caller(path);
        for (method, operation) in operations(item) {
            complete(operation, path, method, caller, modules);
        }
    }
}

/// The name of a multipart part. Parts Atrium does not read are ignored, but every name travels
/// in a header, so it cannot hold a control character or `"` (that is a malformed body, 400).
fn part_name() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[^\\u0000-\\u001f\\u007f\"]*$"))
            .build(),
    )
}

/// A module's name: one of the metadata's.
fn module_name(modules: &[String]) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(modules.iter().cloned()))
            .build(),
    )
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
}

fn complete(
    operation: &mut Operation,
    path: &str,
    method: &str,
    caller: Caller,
    modules: &[String],
) {
    let changes_data = method != "get";
    let mut has_query = false;
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        match parameter.parameter_in {
            ParameterIn::Query => has_query = true,
            ParameterIn::Path if matches!(parameter.name.as_str(), "module" | "module2") => {
                parameter.schema = Some(RefOr::T(module_name(modules)));
            }
            _ => {}
        }
    }
    let session = match caller {
        Caller::Anyone => None,
        Caller::Staff | Caller::Admin => Some(STAFF_SESSION),
        Caller::Customer => Some(PORTAL_SESSION),
    };
    if let Some(session) = session {
        operation.security = Some(vec![
            SecurityRequirement::new(BEARER, Vec::<String>::new()),
            SecurityRequirement::new(session, Vec::<String>::new()),
        ]);
    }
    let mut multipart = false;
    if let Some(RefOr::T(body)) = &mut operation.request_body
        && let Some(RefOr::T(content)) = body.content.get_mut("multipart/form-data")
    {
        multipart = true;
        if let Some(RefOr::T(Schema::Object(form))) = &mut content.schema {
            form.property_names = Some(Box::new(part_name()));
        }
    }
    let responses = &mut operation.responses.responses;
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    };
    if operation.request_body.is_some() || has_query {
        add("400", "Malformed body or query parameters.");
    }
    if session.is_some() {
        add("401", "Not signed in, or the session has ended.");
    }
    match (caller == Caller::Admin, changes_data) {
        (true, true) => add(
            "403",
            "Not an admin, or a cookie-authenticated cross-site request (`code: csrf`).",
        ),
        (true, false) => add("403", "Not an admin."),
        (false, true) => add(
            "403",
            "A cookie-authenticated cross-site request (`code: csrf`).",
        ),
        (false, false) => {}
    }
    if path.contains('{') {
        add("404", "No such resource, or one the caller may not see.");
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let status = status.parse::<u16>().ok();
        // OpenAPI 3.1 requires a description.
        if response.description.is_empty() {
            response.description = status
                .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Response")
                .to_owned();
        }
        if status.is_some_and(|s| s >= 400) {
            response.content = [(
                "application/problem+json".to_owned(),
                RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
            )]
            .into_iter()
            .collect();
        }
    }
    // axum's multipart extractor refuses a body that is not multipart at all (no boundary)
    // with a plain-text 400 of its own, before the handler runs.
    if multipart && let Some(RefOr::T(malformed)) = responses.get_mut("400") {
        malformed.description =
            "Malformed body; one that is not `multipart/form-data` at all is answered in plain text."
                .into();
        malformed.content.insert(
            "text/plain".into(),
            RefOr::T(Content::new(Some(Schema::Object(
                ObjectBuilder::new().schema_type(Type::String).build(),
            )))),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

    use super::*;

    #[test]
    fn every_operation_says_how_it_fails_and_who_may_call_it() {
        let create = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("module")
                    .parameter_in(ParameterIn::Path),
            )
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", Content::new(None::<Schema>))
                    .build(),
            ))
            .response("201", Response::new("Created"))
            .response("422", Response::new("Invalid"));
        let login = OperationBuilder::new().response("200", Response::new("Signed in"));
        let mut doc = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path(
                        "/api/v1/records/{module}",
                        PathItem::new(HttpMethod::Post, create),
                    )
                    .path(
                        "/api/v1/staff/login",
                        PathItem::new(HttpMethod::Post, login),
                    ),
            )
            .build();
        finish(&mut doc, &["cases".to_owned()]);
        let doc = serde_json::to_value(&doc).expect("serializes");

        let create = &doc["paths"]["/api/v1/records/{module}"]["post"];
        for status in ["400", "401", "403", "404", "422"] {
            assert_eq!(
                create["responses"][status]["content"]["application/problem+json"]["schema"],
                json!({"$ref": "#/components/schemas/Problem"}),
                "{status}: {create}"
            );
        }
        assert_eq!(create["parameters"][0]["schema"]["enum"], json!(["cases"]));
        assert_eq!(
            create["security"],
            json!([{"bearer": []}, {"staff_cookie": []}])
        );

        let login = &doc["paths"]["/api/v1/staff/login"]["post"];
        assert!(login.get("security").is_none(), "{login}");
        assert!(login["responses"].get("401").is_none(), "{login}");
        assert_eq!(
            login["responses"]["403"]["description"],
            "A cookie-authenticated cross-site request (`code: csrf`)."
        );
    }
}
