//! Fields Atrium keeps for the user: when a case was resolved, when a ticket was closed.

use time::OffsetDateTime;

use crate::metadata::ModuleDef;
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

/// Sets or clears the stamped time when `changes` moves the status into or out of a done
/// state. `before` is the record as stored (None on create).
pub fn apply_system_rules(
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
