//! Turning a quote into an invoice: the same customer, links, currency, lines and terms.

use atrium_core::{Error, Result, Value};
use atrium_store::Actor;
use time::Duration;

use super::Staff;
use crate::App;
use crate::views::RecordView;

/// Days from an invoice made from a quote to its due date.
pub const PAYMENT_DAYS: i64 = 30;

/// The quote fields an invoice made from it copies, under the same names.
const COPIED: [&str; 9] = [
    "subject",
    "organization",
    "contact",
    "case",
    "project",
    "currency",
    "items",
    "terms_conditions",
    "assigned_to",
];

impl App {
    /// A new invoice from quote `id` (not a rejected one), dated today in the company's time
    /// zone and due [`PAYMENT_DAYS`] later, linked to the quote; its totals are computed
    /// afresh from the copied lines. One transaction.
    pub async fn staff_invoice_from_quote(&self, staff: &Staff, id: &str) -> Result<RecordView> {
        let quotes = self.store.module("quotes")?;
        let invoices = self.store.module("invoices")?;
        let id = atrium_core::RecordId::parse(id)?.0;
        let company = self.store.company().await?;
        let today = atrium_core::customer::today_in(&company.time_zone);
        let mut work = self.store.work().await?;
        let quote = work.get(quotes, id).await?;
        if quote.get("stage").as_text() == Some("Rejected") {
            return Err(Error::Conflict(
                "This quote was rejected: no invoice is made from it.".into(),
            ));
        }
        let mut changes: Vec<(String, Value)> = COPIED
            .iter()
            .filter(|field| invoices.has_field(field))
            .map(|field| ((*field).to_owned(), quote.get(field).clone()))
            .collect();
        changes.extend([
            ("status".into(), Value::Text("Created".into())),
            ("invoice_date".into(), Value::Date(today)),
            (
                "due_date".into(),
                Value::Date(today.saturating_add(Duration::days(PAYMENT_DAYS))),
            ),
            (
                "quote".into(),
                Value::Ref(atrium_core::value::Reference::to(id)),
            ),
        ]);
        let invoice = work
            .create(invoices, changes, Actor::Staff(staff.user.id), &[])
            .await?;
        work.commit().await?;
        self.staff_read("invoices", &invoice.id.to_string()).await
    }
}
