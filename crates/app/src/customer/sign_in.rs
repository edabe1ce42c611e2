//! Customer sign-in, sign-out and password change. Wrong credentials answer the same whether
//! or not the e-mail exists; a refusal after a correct password says why; failures are
//! counted in the database, per e-mail and per address, and throttled.

use atrium_core::customer::{check_password, sign_in_refusal, today_in};
use atrium_core::kinds::{ActivityKind, ActivitySource, TokenKind};
use atrium_core::portal::Portal;
use atrium_core::{Error, Record, Result, Value};
use atrium_store::{Effects, NewActivity};
use time::Duration;

use super::Customer;
use crate::App;
use crate::passwords::{hash_password, new_token, token_digest, verify_or_waste};

/// The links that set a password: a new password, however it is set, ends them all.
pub const PASSWORD_LINKS: &[TokenKind] = &[TokenKind::Invitation, TokenKind::PasswordReset];

/// Failures counted within this window…
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// …at most this many password checks for one e-mail (or one account's password change),
/// a correct password starting afresh,
pub const MAX_CHECKS_PER_KEY: u64 = 5;
/// …and for one address after this many.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

/// 429 after `retry_after`.
fn throttled(retry_after: Duration) -> Error {
    Error::TooManyAttempts {
        retry_after: retry_after.whole_seconds().max(1),
    }
}

/// Reserves one password check for `key` (at most [`MAX_CHECKS_PER_KEY`] per
/// [`THROTTLE_WINDOW`]), or refuses with 429 until the window ends.
pub async fn reserve_check(app: &App, key: &str) -> Result<()> {
    match app
        .store
        .reserve_check(key, THROTTLE_WINDOW, MAX_CHECKS_PER_KEY)
        .await?
    {
        Ok(()) => Ok(()),
        Err(until) => Err(throttled(until - app.now())),
    }
}

/// A new session: the token to hand to the client and the contact it belongs to.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub contact: Record,
}

fn entry(contact: uuid::Uuid, kind: ActivityKind, detail: String) -> NewActivity {
    NewActivity {
        contact,
        kind,
        source: ActivitySource::Portal,
        detail,
        record: None,
    }
}

/// Words a customer's password must not lean on.
pub fn password_hints(contact: &Record) -> Vec<String> {
    ["email", "first_name", "last_name"]
        .iter()
        .filter_map(|f| match contact.get(f) {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// The password policy, with the contact's own words as hints, for `field`.
pub fn check_new_password(field: &str, password: &str, contact: &Record) -> Result<()> {
    let hints = password_hints(contact);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    check_password(field, password, &hints).map_err(|e| Error::Validation(vec![e]))
}

impl App {
    /// Refuses when the address has failed too often lately.
    pub(crate) async fn check_address(&self, address: &str) -> Result<()> {
        let since = self.now() - THROTTLE_WINDOW;
        let (failures, oldest) = self.store.address_failures(address, since).await?;
        match oldest {
            Some(oldest) if failures >= MAX_FAILURES_PER_ADDRESS => {
                Err(throttled(oldest + THROTTLE_WINDOW - self.now()))
            }
            _ => Ok(()),
        }
    }

    /// Signs a customer in to `portal`; `previous` is a session token the client still
    /// carried, which ends.
    pub async fn customer_sign_in(
        &self,
        portal: &Portal,
        email: &str,
        password: String,
        address: &str,
        previous: Option<&str>,
    ) -> Result<SignedIn> {
        let store = &self.store;
        let email = email.trim().to_lowercase();
        self.check_address(address).await?;
        let key = format!("portal:{email}");
        reserve_check(self, &key).await?;
        let contact = store.portal_contact_by_email(&email).await?;
        let hash = match &contact {
            Some(contact) => store.portal_password_hash(contact.id).await?,
            None => None,
        };
        let verified = verify_or_waste(password, hash).await?;
        let Some(contact) = contact.filter(|_| verified) else {
            let mut work = store.work().await?;
            work.record_login_failure(&email, address).await?;
            if let Some(contact) = store.portal_contact_by_email(&email).await? {
                let detail = format!("Wrong password on {}", portal.slug);
                let failed = entry(contact.id, ActivityKind::PortalLoginFailed, detail);
                work.effects(&Effects {
                    activity: vec![failed],
                    ..Effects::default()
                })
                .await?;
            }
            work.commit().await?;
            return Err(Error::Unauthorized);
        };
        store.clear_checks(&key).await?;

        let company = store.company().await?;
        if let Some(refusal) = sign_in_refusal(portal, &contact, today_in(&company.time_zone)) {
            let detail = format!("Refused on {}: {}", portal.slug, refusal.code());
            store
                .apply_effects(&Effects {
                    activity: vec![entry(contact.id, ActivityKind::PortalLoginFailed, detail)],
                    ..Effects::default()
                })
                .await?;
            return Err(Error::Refused(refusal));
        }

        let (token, digest) = new_token();
        let mut work = store.work().await?;
        work.clear_login_failures(&email).await?;
        if let Some(previous) = previous {
            work.end_session(&token_digest(previous)).await?;
        }
        work.create_customer_session(&digest, contact.id, &portal.slug)
            .await?;
        let detail = format!("Signed in to {}", portal.slug);
        work.effects(&Effects {
            activity: vec![entry(contact.id, ActivityKind::PortalLogin, detail)],
            ..Effects::default()
        })
        .await?;
        work.commit().await?;
        Ok(SignedIn { token, contact })
    }

    /// Ends the customer's session.
    pub async fn customer_sign_out(&self, customer: &Customer) -> Result<()> {
        let mut work = self.store.work().await?;
        work.end_session(&customer.token_digest).await?;
        let detail = format!("Signed out of {}", customer.portal.slug);
        work.effects(&Effects {
            activity: vec![entry(
                customer.id.contact,
                ActivityKind::PortalLogout,
                detail,
            )],
            ..Effects::default()
        })
        .await?;
        work.commit().await
    }

    /// Changes the customer's password after checking the current one; every other session
    /// of theirs ends.
    pub async fn customer_change_password(
        &self,
        customer: &Customer,
        current: String,
        new: String,
    ) -> Result<()> {
        // Guesses of the current password are limited like sign-ins.
        let key = format!("password:{}", customer.contact.id);
        reserve_check(self, &key).await?;
        let hash = self.store.portal_password_hash(customer.contact.id).await?;
        if !verify_or_waste(current, hash).await? {
            return Err(Error::field(
                "current_password",
                "is not your current password",
            ));
        }
        self.store.clear_checks(&key).await?;
        check_new_password("new_password", &new, &customer.contact)?;
        let new_hash = hash_password(new).await?;
        let mut work = self.store.work().await?;
        work.set_portal_password(customer.contact.id, &new_hash, Some(&customer.token_digest))
            .await?;
        // Links mailed before the change must not set another password after it.
        work.revoke_tokens(customer.contact.id, PASSWORD_LINKS)
            .await?;
        work.effects(&Effects {
            activity: vec![NewActivity {
                contact: customer.contact.id,
                kind: ActivityKind::PasswordChanged,
                source: ActivitySource::Portal,
                detail: "Changed the portal password".into(),
                record: None,
            }],
            ..Effects::default()
        })
        .await?;
        work.commit().await
    }
}
