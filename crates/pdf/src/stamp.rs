//! Time stamps as printed.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::text::sanitize_line;

pub(crate) fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// "2025-03-04T09:05:00Z" → "2025-03-04 09:05 UTC"; text that is not RFC 3339 as it is
/// (sanitized).
pub(crate) fn pretty(text: &str) -> String {
    let Some(t) = parse(text) else {
        return sanitize_line(text);
    };
    let date = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    );
    let off = t.offset();
    if off.is_utc() {
        format!("{date} UTC")
    } else {
        let sign = if off.is_negative() { '-' } else { '+' };
        format!(
            "{date} {sign}{:02}:{:02}",
            off.whole_hours().unsigned_abs(),
            off.minutes_past_hour().unsigned_abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::pretty;

    #[test]
    fn pretty_times() {
        assert_eq!(pretty("2025-03-04T09:05:00Z"), "2025-03-04 09:05 UTC");
        assert_eq!(
            pretty("2025-03-04T09:05:00-05:30"),
            "2025-03-04 09:05 -05:30"
        );
        assert_eq!(pretty("yesterday"), "yesterday");
    }
}
