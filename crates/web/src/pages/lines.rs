//! A quote's or an invoice's line items and totals as a page shows them, written the visitor's
//! way in the record's currency: one table for the portal's and the staff's record pages.

use atrium_core::grid::{TOTAL_FIELDS, priced_grid, summary};
use atrium_core::{ModuleDef, Record};

use atrium_app::print::{Numbers, PrintWords};

use super::i18n::{Arg, Tr};

pub struct LineRow {
    pub position: usize,
    /// The product's or service's name, else the line's description.
    pub name: String,
    /// The description under a product's or service's name.
    pub details: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax_rate: String,
    pub net: String,
}

pub struct TotalRow {
    pub label: String,
    pub value: String,
    /// The grand total, set apart.
    pub grand: bool,
}

pub struct LineTable {
    pub currency: String,
    pub rows: Vec<LineRow>,
    pub totals: Vec<TotalRow>,
}

/// The fields the table shows, which a record page leaves out of its field list.
pub fn shown_in_table(view: &ModuleDef, field: &str) -> bool {
    priced_grid(view).is_some_and(|grid| grid.name == field) || TOTAL_FIELDS.contains(&field)
}

/// How `tr`'s language writes numbers.
fn numbers(tr: &Tr) -> Numbers {
    Numbers {
        decimal_comma: tr.code() == "de",
    }
}

/// An amount in hundredths with the currency's decimals, grouped the language's way.
pub fn amount(tr: &Tr, hundredths: i64, digits: u32) -> String {
    numbers(tr).amount(hundredths, digits)
}

/// A quantity or rate without trailing zeros: `2`, `2.5`, `0.25` (or `2,5`).
pub fn figure(tr: &Tr, hundredths: i64) -> String {
    numbers(tr).figure(hundredths)
}

/// The table of `record`'s lines as `view` shows them; None when the view has no priced grid
/// (a module without lines, or lines a customer may not see).
pub fn line_table(tr: &Tr, view: &ModuleDef, record: &Record) -> Option<LineTable> {
    let summary = summary(view, record)?;
    let digits = summary.digits;
    let rows = summary
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| LineRow {
            position: index + 1,
            name: line.name.clone(),
            details: line.details.clone(),
            quantity: figure(tr, line.quantity),
            unit_price: amount(tr, line.unit_price, digits),
            discount: if line.discount_percent == 0 {
                String::new()
            } else {
                format!("{} %", figure(tr, line.discount_percent))
            },
            tax_rate: format!("{} %", figure(tr, line.tax_percent)),
            net: amount(tr, line.net, digits),
        })
        .collect();
    let mut totals = Vec::new();
    if let Some(subtotal) = summary.subtotal {
        totals.push(TotalRow {
            label: tr.t("lines-subtotal"),
            value: amount(tr, subtotal, digits),
            grand: false,
        });
    }
    for (rate, tax) in &summary.taxes {
        totals.push(TotalRow {
            label: tr.with("lines-tax-at", &[("rate", Arg::Text(figure(tr, *rate)))]),
            value: amount(tr, *tax, digits),
            grand: false,
        });
    }
    if let Some(grand) = summary.total {
        totals.push(TotalRow {
            label: tr.t1("lines-total", "currency", &summary.currency),
            value: amount(tr, grand, digits),
            grand: true,
        });
    }
    Some(LineTable {
        currency: summary.currency,
        rows,
        totals,
    })
}

/// The words of a printed quote or invoice in `tr`'s language.
pub fn print_words(tr: &Tr) -> PrintWords {
    PrintWords {
        numbers: numbers(tr),
        quote: tr.module_one("quotes", "Quote"),
        invoice: tr.module_one("invoices", "Invoice"),
        date: tr.t("print-date"),
        valid_until: tr.field_label("valid_until", "Valid until"),
        invoice_date: tr.field_label("invoice_date", "Invoice date"),
        due_date: tr.field_label("due_date", "Due date"),
        status: tr.field_label("status", "Status"),
        currency: tr.field_label("currency", "Currency"),
        position: "#".into(),
        item: tr.t("lines-item"),
        quantity: tr.t("lines-quantity"),
        unit_price: tr.t("lines-unit-price"),
        discount: tr.t("lines-discount"),
        tax: tr.t("lines-tax"),
        net: tr.t("lines-net"),
        subtotal: tr.t("lines-subtotal"),
        tax_at: tr.t1("lines-tax-at", "rate", "{rate}"),
        total: tr.t1("lines-total", "currency", "{currency}"),
        terms: tr.field_label("terms_conditions", "Terms and conditions"),
        page: tr.with(
            "print-page",
            &[
                ("page", Arg::Text("{page}".into())),
                ("pages", Arg::Text("{pages}".into())),
            ],
        ),
        comments: tr.t1("print-comments", "count", "{count}"),
        updates: tr.t1("print-updates", "count", "{count}"),
        generated: tr.t1("print-generated", "at", "{at}"),
        empty: tr.t("print-empty"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_language_and_the_currency() {
        let en = Tr::default();
        let de = Tr::of("de").expect("German");
        assert_eq!(amount(&en, 257_040, 2), "2,570.40");
        assert_eq!(amount(&de, 257_040, 2), "2.570,40");
        assert_eq!(amount(&en, -5, 2), "-0.05");
        assert_eq!(amount(&en, 150_000, 0), "1,500");
        assert_eq!(figure(&en, 250), "2.5");
        assert_eq!(figure(&de, 1_900), "19");
        assert_eq!(figure(&en, 25), "0.25");
    }
}
