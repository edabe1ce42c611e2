//! Who may sign in to a portal, and when: the refusals of the product's customer-account
//! rules, and the password policy.

use time::Date;

use crate::error::FieldError;
use crate::portal::Portal;
use crate::record::Record;
use crate::value::{Value, format_date};

/// Why a customer with the right password is still refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    PortalInactive,
    AccessRemoved,
    NotThisPortal,
    NotYet(Date),
    Ended(Date),
}

impl Refusal {
    /// What the customer may read about it.
    pub fn detail(&self) -> String {
        match self {
            Refusal::PortalInactive => "This portal is not available at the moment.".into(),
            Refusal::AccessRemoved => {
                "Your portal access has been removed. Please contact us.".into()
            }
            Refusal::NotThisPortal => "Your account does not have access to this portal.".into(),
            Refusal::NotYet(date) => format!("Your support starts on {}.", format_date(*date)),
            Refusal::Ended(date) => format!(
                "Your support ended on {}. Please contact us to renew it.",
                format_date(*date)
            ),
        }
    }

    /// A stable word for logs and the activity timeline.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::PortalInactive => "portal_inactive",
            Refusal::AccessRemoved => "access_removed",
            Refusal::NotThisPortal => "not_this_portal",
            Refusal::NotYet(_) => "support_not_started",
            Refusal::Ended(_) => "support_ended",
        }
    }
}

/// The portal slugs a contact may use; empty means the default portal only.
pub fn allowed_portals(contact: &Record) -> Vec<String> {
    match contact.get("portals") {
        Value::List(slugs) => slugs.clone(),
        _ => Vec::new(),
    }
}

/// Whether `contact` may be signed in to `portal` on `today` (a day in the company's time
/// zone; the support end date is the last day on which sign-in works).
pub fn sign_in_refusal(portal: &Portal, contact: &Record, today: Date) -> Option<Refusal> {
    if !portal.active {
        return Some(Refusal::PortalInactive);
    }
    if contact.get("portal_user") != &Value::Boolean(true) {
        return Some(Refusal::AccessRemoved);
    }
    let allowed = allowed_portals(contact);
    let permitted = if allowed.is_empty() {
        portal.default
    } else {
        allowed.contains(&portal.slug)
    };
    if !permitted {
        return Some(Refusal::NotThisPortal);
    }
    if let Value::Date(start) = contact.get("support_start_date")
        && today < *start
    {
        return Some(Refusal::NotYet(*start));
    }
    if let Value::Date(end) = contact.get("support_end_date")
        && today > *end
    {
        return Some(Refusal::Ended(*end));
    }
    None
}

/// Today's date in an IANA time zone (UTC when the name is unknown).
pub fn today_in(time_zone: &str) -> Date {
    let now = jiff::Timestamp::now();
    let zoned = jiff::tz::TimeZone::get(time_zone)
        .map(|tz| now.to_zoned_datetime(tz))
        .unwrap_or_else(|_| now.to_zoned_datetime(jiff::tz::TimeZone::UTC));
    let date = zoned.date();
    time::Month::try_from(date.month() as u8)
        .ok()
        .and_then(|month| {
            Date::from_calendar_date(i32::from(date.year()), month, date.day() as u8).ok()
        })
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// Whether `name` is a time zone Atrium knows.
pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The password policy: 12 to 128 characters and not weak (a zxcvbn score of at least 3).
/// `hints` are words the password must not lean on (the e-mail, the name).
pub fn check_password(field: &str, password: &str, hints: &[&str]) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let estimate = zxcvbn::zxcvbn(password, hints);
    if (estimate.score() as u8) < 3 {
        let mut why = String::from("is too easy to guess");
        if let Some(feedback) = estimate.feedback() {
            if let Some(warning) = feedback.warning() {
                why.push_str(&format!(": {warning}"));
            }
            if let Some(suggestion) = feedback.suggestions().first() {
                why.push_str(&format!(". {suggestion}"));
            }
        }
        return Err(FieldError::new(field, why));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_and_short_passwords_are_refused() {
        assert!(check_password("password", "short", &[]).is_err());
        assert!(check_password("password", "password1234", &[]).is_err());
        assert!(
            check_password(
                "password",
                "emma.stone@example.com",
                &["emma.stone@example.com"]
            )
            .is_err()
        );
        assert!(check_password("password", "correct horse battery staple", &[]).is_ok());
        assert!(check_password("password", &"x".repeat(129), &[]).is_err());
    }

    #[test]
    fn time_zones_give_a_date() {
        assert!(is_time_zone("Europe/Berlin"));
        assert!(!is_time_zone("Mars/Olympus"));
        let utc = today_in("UTC");
        let tokyo = today_in("Asia/Tokyo");
        assert!((tokyo - utc).whole_days().abs() <= 1);
    }
}
