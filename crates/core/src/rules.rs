//! Fields Atrium keeps for the user: when a case was resolved, when a ticket was closed, what a
//! quote's or an invoice's lines come to.

use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::grid::{TOTAL_FIELDS, price_rows, priced_grid, total_values};
use crate::metadata::ModuleDef;
use crate::money::minor_digits;
use crate::record::Record;
use crate::validate::Changes;
use crate::value::Value;

/// The status values that stamp a time field, per module: (status field, stamped field,
/// statuses that count as done).
const STAMPS: &[(&str, &str, &[&str])] = &[
    ("cases", "resolved_at", &["Resolved", "Closed"]),
    ("tickets", "closed_at", &["Closed"]),
];

/// The statuses of `module` that count as done (none for a module without such a rule).
pub fn done_statuses(module: &str) -> &'static [&'static str] {
    STAMPS
        .iter()
        .find(|(name, _, _)| *name == module)
        .map_or(&[], |(_, _, done)| done)
}

/// The status of `module` that says the record waits on the customer.
pub fn waiting_status(module: &str) -> Option<&'static str> {
    match module {
        "cases" => Some("Waiting on Customer"),
        "tickets" => Some("Wait For Response"),
        _ => None,
    }
}

/// The quote stages in which a customer may accept or reject it.
pub const DECIDABLE_QUOTE_STAGES: [&str; 2] = ["Delivered", "Reviewed"];

/// The invoice statuses that owe nothing any more (never overdue).
pub const SETTLED_INVOICE_STATUSES: [&str; 2] = ["Paid", "Cancelled"];

/// Whether `invoice` is past its due date on `today` and still owed.
pub fn is_overdue(invoice: &Record, today: time::Date) -> bool {
    let owed = invoice
        .get("status")
        .as_text()
        .is_none_or(|s| !SETTLED_INVOICE_STATUSES.contains(&s));
    owed && matches!(invoice.get("due_date"), Value::Date(due) if *due < today)
}

/// Applies every rule below to `changes`; `before` is the record as stored (None on create).
pub fn apply_system_rules(
    module: &ModuleDef,
    before: Option<&Record>,
    changes: &mut Changes,
    now: OffsetDateTime,
) -> Result<()> {
    stamp_done_times(module, before, changes, now);
    price_lines(module, before, changes)
}

/// Recomputes the lines' nets and taxes and the record's totals whenever the lines or the
/// currency change (and on create); totals are never taken from a client.
fn price_lines(module: &ModuleDef, before: Option<&Record>, changes: &mut Changes) -> Result<()> {
    let Some(grid) = priced_grid(module) else {
        return Ok(());
    };
    if !TOTAL_FIELDS.iter().all(|f| module.has_field(f)) {
        return Ok(());
    }
    let changed = |name: &str| changes.iter().any(|(f, _)| f == name);
    if before.is_some() && !changed(&grid.name) && !changed("currency") {
        return Ok(());
    }
    let current = |name: &str, changes: &Changes| -> Value {
        changes
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.clone())
            .or_else(|| before.map(|r| r.get(name).clone()))
            .unwrap_or(Value::Null)
    };
    let digits = current("currency", changes)
        .as_text()
        .and_then(minor_digits)
        .unwrap_or(2);
    let mut rows = match current(&grid.name, changes) {
        Value::Json(rows) => rows,
        _ => serde_json::json!([]),
    };
    let totals =
        price_rows(&mut rows, digits, &grid.name).map_err(|e| Error::Validation(vec![e]))?;
    let mut computed = vec![(grid.name.clone(), Value::Json(rows))];
    computed.extend(total_values(&totals));
    changes.retain(|(f, _)| !computed.iter().any(|(c, _)| c == f));
    changes.extend(computed);
    Ok(())
}

/// Sets or clears the stamped time when `changes` moves the status into or out of a done
/// state.
fn stamp_done_times(
    module: &ModuleDef,
    before: Option<&Record>,
    changes: &mut Changes,
    now: OffsetDateTime,
) {
    for (module_name, stamp, done) in STAMPS {
        if module.name != *module_name || !module.has_field(stamp) {
            continue;
        }
        let Some((_, status)) = changes.iter().find(|(f, _)| f == "status") else {
            continue;
        };
        let is_done = status.as_text().is_some_and(|s| done.contains(&s));
        let was_done = before
            .and_then(|r| r.get("status").as_text())
            .is_some_and(|s| done.contains(&s));
        let stamped = before.is_some_and(|r| !r.get(stamp).is_null());
        let new_stamp = match (is_done, was_done) {
            (true, false) => Some(Value::DateTime(now)),
            (true, true) if !stamped => Some(Value::DateTime(now)),
            (false, _) if stamped => Some(Value::Null),
            _ => None,
        };
        if let Some(value) = new_stamp {
            changes.retain(|(f, _)| f != stamp);
            changes.push(((*stamp).to_owned(), value));
        }
    }
}
