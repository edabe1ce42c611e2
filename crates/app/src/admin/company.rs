//! The company behind the portals: its details (name, address, time zone, accent color) and
//! its logo, which the login pages and mails show.

use atrium_core::company::Company;
use atrium_core::{Error, Result};
use atrium_store::Upload;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{from_document, validation};
use crate::App;
use crate::staff::Staff;

/// The largest accepted company logo.
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;

/// Logo types a browser shows as an image and that cannot carry script (so no SVG).
pub const LOGO_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

/// Where the logo is served (publicly: the login pages show it).
pub const LOGO_PATH: &str = "/api/v1/company/logo";

/// The company's details. `logo_url` is only in answers (ignored in a `PUT`): the public
/// address of the logo, or null.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Company)]
pub struct CompanyView {
    pub name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// An IANA time zone name (`Europe/Berlin`) or `UTC`; support dates are counted in it.
    pub time_zone: String,
    /// `#rrggbb`.
    pub accent_color: String,
    /// The pages' language for a visitor who states none: `en` or `de`.
    pub language: String,
    /// The ISO 4217 currency of quotes and invoices that name none.
    pub currency: String,
    pub logo_url: Option<String>,
}

impl CompanyView {
    fn new(company: Company, has_logo: bool) -> Self {
        // Destructured in full, so that a new detail cannot be left out of the view.
        let Company {
            name,
            address,
            email,
            phone,
            time_zone,
            accent_color,
            language,
            currency,
        } = company;
        Self {
            name,
            address,
            email,
            phone,
            time_zone,
            accent_color,
            language,
            currency,
            logo_url: has_logo.then(|| LOGO_PATH.to_owned()),
        }
    }
}

/// The stored logo: its file key and the type to serve it as.
#[derive(Debug, Clone)]
pub struct LogoFile {
    pub key: String,
    pub content_type: &'static str,
}

/// Trims the details and drops empty optional ones, so that what is stored is what is meant.
fn tidied(mut company: Company) -> Company {
    company.name = company.name.trim().to_owned();
    company.address = company.address.trim().to_owned();
    company.email = company
        .email
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    company.phone = company
        .phone
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    company.accent_color = company.accent_color.trim().to_lowercase();
    company.currency = company.currency.trim().to_uppercase();
    company
}

impl App {
    /// The company's details.
    pub async fn company_details(&self, admin: &Staff) -> Result<CompanyView> {
        admin.require_admin()?;
        let company = self.store.company().await?;
        self.company_view(company).await
    }

    /// Replaces the company's details by a document (a `logo_url` in it is ignored).
    pub async fn save_company(&self, admin: &Staff, mut document: Value) -> Result<CompanyView> {
        admin.require_admin()?;
        if let Some(object) = document.as_object_mut() {
            object.remove("logo_url");
        }
        let company = tidied(from_document::<Company>(document)?);
        validation(company.validate())?;
        self.store.save_company(&company).await?;
        self.company_view(company).await
    }

    /// Replaces the company logo; only the image types of [`LOGO_TYPES`] are accepted (the
    /// size limit, [`MAX_LOGO_BYTES`], is enforced while the upload is read).
    pub async fn save_company_logo(&self, admin: &Staff, upload: Upload) -> Result<()> {
        admin.require_admin()?;
        if !LOGO_TYPES.contains(&upload.mime_type.as_str()) {
            return Err(Error::field(
                "file",
                "must be a PNG, JPEG, GIF or WebP image",
            ));
        }
        self.store
            .save_company_logo(upload.bytes, &upload.mime_type)
            .await
    }

    /// The logo to serve (to anyone). A stored type outside [`LOGO_TYPES`] is served as
    /// opaque bytes, so that a browser never renders it as something else.
    pub async fn company_logo(&self) -> Result<LogoFile> {
        let (key, mime) = self.store.company_logo().await?.ok_or(Error::NotFound)?;
        let content_type = LOGO_TYPES
            .iter()
            .find(|allowed| **allowed == mime)
            .copied()
            .unwrap_or("application/octet-stream");
        Ok(LogoFile { key, content_type })
    }

    async fn company_view(&self, company: Company) -> Result<CompanyView> {
        let has_logo = self.store.company_logo().await?.is_some();
        Ok(CompanyView::new(company, has_logo))
    }
}
