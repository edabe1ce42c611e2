//! A record as a clean PDF — its visible fields, non-internal comments and the updates of
//! visible fields, nothing else; a quote or an invoice as the document it is.

use atrium_core::{Error, RecordId, Result};
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
        let buyer = self.customer_buyer(customer).await?;
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
        let mut timeline = self.store.timeline(scoped.module, id, false).await?;
        timeline.updates.retain(|u| scoped.shows(&u.field));
        let document = record_document(
            &scoped.view,
            &record,
            &company,
            &timeline.comments,
            &timeline.updates,
            words,
            self.printed_at(),
        );
        self.render_record(&record.number, document).await
    }

    /// Who a customer's quote or invoice is addressed to: the customer's organization as their
    /// profile shows it (its name and billing address where the portal lets them read those),
    /// and the customer. A quote they may read is theirs or their organization's.
    async fn customer_buyer(&self, customer: &Customer) -> Result<PdfParty> {
        let person = ["first_name", "last_name"]
            .iter()
            .filter_map(|f| customer.contact.get(f).as_text())
            .collect::<Vec<_>>()
            .join(" ");
        let organization = match self.customer_organization(customer).await {
            Ok(organization) => Some(organization),
            Err(Error::NotFound) => None,
            Err(other) => return Err(other),
        };
        let Some(organization) = organization.filter(|o| o.view.has_field("name")) else {
            return Ok(PdfParty {
                name: person,
                lines: Vec::new(),
            });
        };
        let mut lines = vec![person];
        lines.extend(crate::print::address_lines(
            &organization.record,
            "billing",
            |field| organization.view.has_field(field),
        ));
        Ok(PdfParty {
            name: organization
                .record
                .get("name")
                .as_text()
                .unwrap_or_default()
                .to_owned(),
            lines,
        })
    }
}
