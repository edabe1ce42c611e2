//! Quotes and invoices as the documents they are: seller and buyer, numbers and dates, the
//! line items, totals per tax rate, terms, in the reader's language (the words come from the
//! caller, which has the catalogs) and in the record's currency.

use atrium_core::company::Company;
use atrium_core::grid::summary;
use atrium_core::value::Reference;
use atrium_core::value::format_datetime;
use atrium_core::{Error, ModuleDef, Record, Result, Value};
use atrium_core::{FieldType, RecordId};
use atrium_pdf::{
    PdfBusinessDocument, PdfColumns, PdfComment, PdfField, PdfImage, PdfLineItem, PdfParty,
    PdfRecord, PdfRecordWords, PdfUpdate, render, render_business_document,
};
use atrium_store::UpdateEntry;
use atrium_store::comments::Comment;

use crate::App;
use crate::customer::pdf::PdfFile;

/// Amounts, figures and dates written the reader's way; one place for the pages' line tables
/// and the printed documents.
#[derive(Debug, Clone, Copy, Default)]
pub struct Numbers {
    /// German-style numbers (`1.234,50`) and dates rather than English (`1,234.50`).
    pub decimal_comma: bool,
}

/// The words of a printed quote or invoice, in the reader's language. `{rate}`, `{currency}`,
/// `{page}` and `{pages}` are replaced.
#[derive(Debug, Clone)]
pub struct PrintWords {
    pub numbers: Numbers,
    pub quote: String,
    pub invoice: String,
    pub date: String,
    pub valid_until: String,
    pub invoice_date: String,
    pub due_date: String,
    pub status: String,
    pub currency: String,
    pub position: String,
    pub item: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub net: String,
    pub subtotal: String,
    pub tax_at: String,
    pub total: String,
    pub terms: String,
    pub page: String,
    /// A record's document: its comments and updates headings (`{count}`), the footer's
    /// "generated" (`{at}`), an update's empty value.
    pub comments: String,
    pub updates: String,
    pub generated: String,
    pub empty: String,
}

impl Default for PrintWords {
    fn default() -> Self {
        Self {
            numbers: Numbers::default(),
            quote: "Quote".into(),
            invoice: "Invoice".into(),
            date: "Date".into(),
            valid_until: "Valid until".into(),
            invoice_date: "Invoice date".into(),
            due_date: "Due date".into(),
            status: "Status".into(),
            currency: "Currency".into(),
            position: "#".into(),
            item: "Item".into(),
            quantity: "Qty".into(),
            unit_price: "Unit price".into(),
            discount: "Discount".into(),
            tax: "Tax".into(),
            net: "Net".into(),
            subtotal: "Subtotal".into(),
            tax_at: "Tax {rate} %".into(),
            total: "Total {currency}".into(),
            terms: "Terms and conditions".into(),
            page: "Page {page} of {pages}".into(),
            comments: "Comments ({count})".into(),
            updates: "Updates ({count})".into(),
            generated: "Generated {at}".into(),
            empty: "(empty)".into(),
        }
    }
}

impl Numbers {
    /// `hundredths` with `digits` decimals, grouped by thousands.
    pub fn amount(&self, hundredths: i64, digits: u32) -> String {
        let (group, point) = if self.decimal_comma {
            ('.', ',')
        } else {
            (',', '.')
        };
        let whole = (hundredths / 100).unsigned_abs().to_string();
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(group);
            }
            grouped.push(digit);
        }
        let sign = if hundredths < 0 { "-" } else { "" };
        match digits {
            0 => format!("{sign}{grouped}"),
            _ => format!("{sign}{grouped}{point}{:02}", (hundredths % 100).abs()),
        }
    }

    /// A quantity or a rate without trailing zeros (`2.5`, `19`).
    pub fn figure(&self, hundredths: i64) -> String {
        let text = self.amount(hundredths, 2);
        let point = if self.decimal_comma { ',' } else { '.' };
        match text.rsplit_once(point) {
            Some((whole, "00")) => whole.to_owned(),
            Some((whole, cents)) => format!("{whole}{point}{}", cents.trim_end_matches('0')),
            None => text,
        }
    }

    /// A date the reader's way: `2026-12-03` → `3 Dec 2026` or `03.12.2026`.
    pub fn date(&self, date: time::Date) -> String {
        if self.decimal_comma {
            format!(
                "{:02}.{:02}.{}",
                date.day(),
                u8::from(date.month()),
                date.year()
            )
        } else {
            let month = date.month().to_string();
            format!("{} {} {}", date.day(), &month[..3], date.year())
        }
    }
}

/// A value as a person reads it.
fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(s) => s.clone(),
        Value::Ref(r) => r.label.clone().unwrap_or_default(),
        Value::List(items) => items.join(", "),
        Value::File(file) => format!("{} ({} bytes)", file.name, file.size),
        Value::Boolean(b) => if *b { "Yes" } else { "No" }.to_owned(),
        other => match other.to_plain_json() {
            serde_json::Value::String(s) => s,
            json => json.to_string(),
        },
    }
}

fn display_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn name_of(reference: Option<&Reference>) -> String {
    reference.and_then(|r| r.label.clone()).unwrap_or_default()
}

/// The record PDF of `record` with the fields `view` (its module, or a reader's view of it)
/// shows, and the comments and updates given (the caller has kept only those its reader may
/// see).
pub fn record_document(
    view: &ModuleDef,
    record: &Record,
    company: &Company,
    comments: &[Comment],
    updates: &[UpdateEntry],
    words: &PrintWords,
    generated_at: String,
) -> PdfRecord {
    let label_of = |field: &str| {
        view.field(field)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| field.to_owned())
    };
    let title = if view.label_fields.iter().all(|f| view.has_field(f)) {
        let label = atrium_core::record::label_of(view, |f| record.values.get(f));
        format!("{} {} — {label}", view.singular_label, record.number)
    } else {
        format!("{} {}", view.singular_label, record.number)
    };
    PdfRecord {
        company: company.name.clone(),
        title,
        fields: view
            .fields
            .iter()
            .map(|f| PdfField {
                label: f.label.clone(),
                value: display(record.get(&f.name)),
                markdown: matches!(f.field_type, FieldType::Markdown),
            })
            .collect(),
        comments: comments
            .iter()
            .map(|c| PdfComment {
                author: name_of(c.author_user.as_ref().or(c.author_contact.as_ref())),
                at: format_datetime(c.created_at),
                body: c.body.clone(),
            })
            .collect(),
        updates: updates
            .iter()
            .map(|u| PdfUpdate {
                at: format_datetime(u.at),
                who: name_of(u.by_user.as_ref().or(u.by_contact.as_ref())),
                field: label_of(&u.field),
                old: display_json(&u.old),
                new: display_json(&u.new),
            })
            .collect(),
        generated_at,
        words: PdfRecordWords {
            comments: words.comments.clone(),
            updates: words.updates.clone(),
            generated: words.generated.clone(),
            page: words.page.clone(),
            empty: words.empty.clone(),
        },
    }
}

/// The lines of an address kept in `{prefix}_street`, `_city`, … fields of `record`, each
/// only when `readable` says so: street; code and city; state; country.
pub fn address_lines(
    record: &Record,
    prefix: &str,
    readable: impl Fn(&str) -> bool,
) -> Vec<String> {
    let part = |name: &str| {
        let field = format!("{prefix}_{name}");
        if readable(&field) {
            record.get(&field).as_text().map(str::to_owned)
        } else {
            None
        }
    };
    let city = [part("code"), part("city")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [part("street"), Some(city), part("state"), part("country")]
        .into_iter()
        .flatten()
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// The seller: the company's name, address lines, e-mail and phone.
pub fn seller(company: &Company) -> PdfParty {
    let mut lines: Vec<String> = company
        .address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    lines.extend(company.email.iter().cloned());
    lines.extend(company.phone.iter().cloned());
    PdfParty {
        name: company.name.clone(),
        lines,
    }
}

/// The document of `record` of priced module `view` (only the fields the view has are
/// printed). None for a module without priced lines.
pub fn business_document(
    view: &ModuleDef,
    record: &Record,
    company: &Company,
    logo: Option<PdfImage>,
    buyer: PdfParty,
    words: &PrintWords,
    generated_at: String,
) -> Option<PdfBusinessDocument> {
    let summary = summary(view, record)?;
    let digits = summary.digits;
    let currency = summary.currency.clone();
    let lines = summary
        .lines
        .iter()
        .map(|line| PdfLineItem {
            description: line.name.clone(),
            details: line.details.clone(),
            quantity: words.numbers.figure(line.quantity),
            unit_price: words.numbers.amount(line.unit_price, digits),
            discount: if line.discount_percent == 0 {
                String::new()
            } else {
                format!("{} %", words.numbers.figure(line.discount_percent))
            },
            tax: format!("{} %", words.numbers.figure(line.tax_percent)),
            net: words.numbers.amount(line.net, digits),
        })
        .collect();
    let mut totals = Vec::new();
    if let Some(subtotal) = summary.subtotal {
        totals.push((
            words.subtotal.clone(),
            words.numbers.amount(subtotal, digits),
        ));
    }
    for (rate, tax) in &summary.taxes {
        totals.push((
            words.tax_at.replace("{rate}", &words.numbers.figure(*rate)),
            words.numbers.amount(*tax, digits),
        ));
    }
    if let Some(total) = summary.total {
        totals.push((
            words.total.replace("{currency}", &currency),
            words.numbers.amount(total, digits),
        ));
    }
    let shown = |field: &str| view.has_field(field).then(|| record.get(field));
    let is_quote = view.name == "quotes";
    let mut facts = vec![(
        words.date.clone(),
        words.numbers.date(record.created_at.date()),
    )];
    let dated = [
        ("invoice_date", &words.invoice_date),
        ("valid_until", &words.valid_until),
        ("due_date", &words.due_date),
    ];
    for (field, label) in dated {
        if let Some(Value::Date(date)) = shown(field) {
            if field == "invoice_date" {
                facts[0] = (label.clone(), words.numbers.date(*date));
            } else {
                facts.push((label.clone(), words.numbers.date(*date)));
            }
        }
    }
    for field in ["stage", "status"] {
        if let Some(Value::Text(value)) = shown(field) {
            facts.push((words.status.clone(), value.clone()));
        }
    }
    facts.push((words.currency.clone(), currency.clone()));
    let terms = match shown("terms_conditions") {
        Some(Value::Text(terms)) => terms.clone(),
        _ => String::new(),
    };
    Some(PdfBusinessDocument {
        seller: seller(company),
        logo,
        buyer,
        heading: if is_quote {
            words.quote.clone()
        } else {
            words.invoice.clone()
        },
        number: record.number.clone(),
        subject: match shown("subject") {
            Some(Value::Text(subject)) => subject.clone(),
            _ => String::new(),
        },
        facts,
        columns: PdfColumns {
            position: words.position.clone(),
            description: words.item.clone(),
            quantity: words.quantity.clone(),
            unit_price: words.unit_price.clone(),
            discount: words.discount.clone(),
            tax: words.tax.clone(),
            net: words.net.clone(),
        },
        lines,
        totals,
        terms_heading: words.terms.clone(),
        terms,
        page_label: words.page.clone(),
        generated_at,
    })
}

impl App {
    /// The company logo's bytes for a printed document, if there is one.
    pub(crate) async fn logo_image(&self) -> Option<PdfImage> {
        let logo = self.company_logo().await.ok()?;
        let bytes = self
            .store
            .files()
            .get(&logo.key)
            .await
            .ok()?
            .bytes()
            .await
            .ok()?;
        Some(PdfImage {
            bytes: bytes.to_vec(),
            mime: logo.content_type.to_owned(),
        })
    }

    /// Renders `document` off the async threads.
    pub(crate) async fn render_business(&self, document: PdfBusinessDocument) -> Result<PdfFile> {
        let file_name = format!("{}.pdf", document.number);
        let bytes = tokio::task::spawn_blocking(move || render_business_document(&document))
            .await
            .map_err(Error::internal)??;
        Ok(PdfFile { file_name, bytes })
    }

    /// Renders a record's document off the async threads.
    pub(crate) async fn render_record(&self, number: &str, document: PdfRecord) -> Result<PdfFile> {
        let bytes = tokio::task::spawn_blocking(move || render(&document))
            .await
            .map_err(Error::internal)??;
        Ok(PdfFile {
            file_name: format!("{number}.pdf"),
            bytes,
        })
    }

    /// Any record as staff print it: a quote or an invoice as the document it is (addressed to
    /// its organization's billing address), any other record with all its fields, its
    /// comments (internal notes too: this is the staff's copy) and its history.
    pub async fn staff_pdf(&self, module: &str, id: &str, words: &PrintWords) -> Result<PdfFile> {
        let module = self.store.module(module)?;
        let id = RecordId::parse(id)?.0;
        let record = self.store.get(module, id).await?;
        let company = self.store.company().await?;
        if atrium_core::grid::priced_grid(module).is_some() {
            let mut buyer = PdfParty::default();
            let organization = record.get("organization").as_ref_id();
            if let Some(org_id) = organization
                && let Ok(org) = self
                    .store
                    .get(self.store.module("organizations")?, org_id)
                    .await
            {
                buyer.name = org.get("name").as_text().unwrap_or_default().to_owned();
                buyer.lines = address_lines(&org, "billing", |_| true);
            }
            if let Value::Ref(contact) = record.get("contact") {
                let name = contact.label.clone().unwrap_or_default();
                if buyer.name.is_empty() {
                    buyer.name = name;
                } else {
                    buyer.lines.insert(0, name);
                }
            }
            let logo = self.logo_image().await;
            if let Some(document) = business_document(
                module,
                &record,
                &company,
                logo,
                buyer,
                words,
                self.printed_at(),
            ) {
                return self.render_business(document).await;
            }
        }
        let timeline = self.store.timeline(module, id, true).await?;
        let document = record_document(
            module,
            &record,
            &company,
            &timeline.comments,
            &timeline.updates,
            words,
            self.printed_at(),
        );
        self.render_record(&record.number, document).await
    }

    /// The moment printed in a document's footer.
    pub(crate) fn printed_at(&self) -> String {
        format_datetime(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_the_readers_way() {
        let en = Numbers::default();
        let de = Numbers {
            decimal_comma: true,
        };
        assert_eq!(en.amount(123_456_789, 2), "1,234,567.89");
        assert_eq!(de.amount(123_456_789, 2), "1.234.567,89");
        assert_eq!(en.amount(-5, 2), "-0.05");
        assert_eq!(en.amount(150_000, 0), "1,500");
        assert_eq!(en.figure(250), "2.5");
        assert_eq!(de.figure(1_900), "19");
        let date = time::macros::date!(2026 - 12 - 03);
        assert_eq!(en.date(date), "3 Dec 2026");
        assert_eq!(de.date(date), "03.12.2026");
    }
}
