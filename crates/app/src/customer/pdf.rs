//! A record as a clean PDF — its visible fields, non-internal comments and the updates of
//! visible fields, nothing else; a quote or an invoice as the document it is.

use atrium_core::portal::FieldAccess;
use atrium_core::value::Reference;
use atrium_core::{Record, RecordId, Result, Value};
use atrium_pdf::PdfParty;

use super::Customer;
use crate::App;
use crate::print::{PrintWords, business_document, record_document};

/// A rendered PDF and the name to save it under.
#[derive(Debug, Clone)]
pub struct PdfFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The label of a reference field the view shows.
fn reference_label(record: &Record, field: &str) -> Option<String> {
    match record.get(field) {
        Value::Ref(Reference {
            label: Some(label), ..
        }) => Some(label.clone()),
        _ => None,
    }
}

impl App {
    /// A readable record as a PDF, its words in `words`' language.
    pub async fn customer_pdf(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
        words: &PrintWords,
    ) -> Result<PdfFile> {
        let scoped = self.scoped(customer, module)?;
        let id = RecordId::parse(id)?.0;
        let record = self
            .store
            .get_view(scoped.module, &scoped.view, id, &scoped.read)
            .await?;
        let company = self.store.company().await?;
        let buyer = self.customer_buyer(customer, &scoped.view, &record).await?;
        let logo = self.logo_image().await;
        if let Some(document) = business_document(
            &scoped.view,
            &record,
            &company,
            logo,
            buyer,
            words,
            self.printed_at(),
        ) {
            return self.render_business(document).await;
        }
        let comments = self.store.comments(scoped.module, id, false).await?;
        let mut updates = self.store.updates(scoped.module, id).await?;
        updates.retain(|u| scoped.access.fields.contains_key(&u.field));
        let document = record_document(
            scoped.module,
            &scoped.view,
            &record,
            &company,
            &comments,
            &updates,
            self.printed_at(),
        );
        self.render_record(&record.number, document).await
    }

    /// Who a customer's quote or invoice is addressed to: its organization and contact as the
    /// view shows them, and the address of the customer's own organization where the
    /// portal's profile lets them read it.
    async fn customer_buyer(
        &self,
        customer: &Customer,
        view: &atrium_core::ModuleDef,
        record: &Record,
    ) -> Result<PdfParty> {
        let organization = reference_label(record, "organization");
        let contact = reference_label(record, "contact");
        let mut lines: Vec<String> = Vec::new();
        let own = record.get("organization").as_ref_id().is_some()
            && record.get("organization").as_ref_id() == customer.id.organization;
        if view.has_field("organization") && own {
            let readable = &customer.portal.profile.organization;
            let organizations = self.store.module("organizations")?;
            if let Some(id) = customer.id.organization
                && let Ok(org) = self.store.get(organizations, id).await
            {
                lines = crate::print::address_lines(&org, "billing", |field| {
                    readable
                        .get(field)
                        .is_some_and(|access| *access != FieldAccess::Hidden)
                });
            }
        }
        let name = organization.clone().or(contact.clone()).unwrap_or_default();
        if let (Some(_), Some(contact)) = (&organization, contact) {
            lines.insert(0, contact);
        }
        Ok(PdfParty { name, lines })
    }
}
