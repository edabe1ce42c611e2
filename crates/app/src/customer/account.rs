//! Getting in without a password: accepting an invitation, asking for a reset link,
//! resetting. `forgot` answers the same whether or not the e-mail belongs to anyone. A link is
//! used up in the same transaction that stores the new password, so a failure leaves it
//! working.

use atrium_core::kinds::{ActivityKind, ActivitySource, TokenKind};
use atrium_core::portal::Portal;
use atrium_core::{Error, Result};
use atrium_store::{Effects, NewActivity, NewToken};
use time::Duration;

use super::may_use_portal;
use super::sign_in::{PASSWORD_LINKS, check_new_password};
use crate::App;
use crate::mailing::{Kit, Merge, RESET_TTL, mail_refusal, portal_url, support_end_date};
use crate::passwords::{hash_password, new_token, token_digest};

/// At most this many reset mails to one address in an hour.
pub const RESETS_PER_HOUR: u64 = 3;

/// The error of a link that cannot be used.
pub fn bad_link() -> Error {
    Error::field(
        "token",
        "this link is invalid, was already used or has expired",
    )
}

impl App {
    /// Sets the first password of an invited customer.
    pub async fn accept_invitation(
        &self,
        portal: &Portal,
        token: &str,
        password: String,
    ) -> Result<()> {
        let detail = format!("Chose a password for {}", portal.slug);
        self.set_password_by_link(
            portal,
            TokenKind::Invitation,
            token,
            password,
            ActivityKind::InvitationAccepted,
            detail,
        )
        .await
    }

    /// Sets a new password with a reset link; every session of the contact ends.
    pub async fn reset_password(
        &self,
        portal: &Portal,
        token: &str,
        password: String,
    ) -> Result<()> {
        let detail = format!("Reset the password for {}", portal.slug);
        self.set_password_by_link(
            portal,
            TokenKind::PasswordReset,
            token,
            password,
            ActivityKind::PasswordReset,
            detail,
        )
        .await
    }

    /// Checks the link (without using it) and the password policy, hashes the password, then
    /// in one transaction uses the link, stores the password (ending every session) and
    /// writes the activity: a weak password or a failure on the way does not burn the link.
    async fn set_password_by_link(
        &self,
        portal: &Portal,
        kind: TokenKind,
        token: &str,
        password: String,
        activity: ActivityKind,
        detail: String,
    ) -> Result<()> {
        let digest = token_digest(token);
        let found = self.store.token(&digest).await?.ok_or_else(bad_link)?;
        let live = found.kind == kind && found.used_at.is_none() && found.expires_at > self.now();
        if !live || found.portal.as_deref().is_some_and(|p| p != portal.slug) {
            return Err(bad_link());
        }
        let contacts = self.store.module("contacts")?;
        let contact = match self.store.get(contacts, found.contact).await {
            Ok(contact) => contact,
            Err(Error::NotFound) => return Err(bad_link()),
            Err(other) => return Err(other),
        };
        check_new_password("password", &password, &contact)?;
        let hash = hash_password(password).await?;
        let mut work = self.store.work().await?;
        let used = work.use_token(&digest, kind).await?.ok_or_else(bad_link)?;
        work.set_portal_password(used.contact, &hash, None).await?;
        work.revoke_tokens(used.contact, PASSWORD_LINKS).await?;
        work.effects(&Effects {
            activity: vec![NewActivity {
                contact: used.contact,
                kind: activity,
                source: ActivitySource::Portal,
                detail,
                record: None,
            }],
            ..Effects::default()
        })
        .await?;
        work.commit().await
    }

    /// Asks for a reset link for `email`. Answers at once, the same way and in the same time
    /// whether or not the address belongs to anyone: the work (and any mail) happens after
    /// the answer, in the background.
    pub fn forgot_password(&self, portal: &Portal, email: &str) {
        let app = self.clone();
        let portal = portal.clone();
        let email = email.to_owned();
        tokio::spawn(async move {
            if let Err(err) = app.send_reset_link(&portal, &email).await {
                tracing::warn!(error = %err, "a password reset request failed");
            }
        });
    }

    /// Mails a reset link to `email` if it belongs to a portal user who may use `portal` and
    /// may receive portal mail, at most [`RESETS_PER_HOUR`] an hour.
    pub async fn send_reset_link(&self, portal: &Portal, email: &str) -> Result<()> {
        let email = email.trim().to_lowercase();
        let Some(contact) = self.store.portal_contact_by_email(&email).await? else {
            return Ok(());
        };
        // Reserved in one statement, so that requests racing each other cannot all get a mail.
        let key = format!("reset:{email}");
        if self
            .store
            .reserve_check(&key, Duration::hours(1), RESETS_PER_HOUR)
            .await?
            .is_err()
        {
            tracing::info!(contact = %contact.id, "password reset mail withheld: hourly limit reached");
            return Ok(());
        }
        let kit = Kit::load(self).await?;
        if !may_use_portal(&contact, portal) || mail_refusal(&kit, &contact, Some(portal)).is_some()
        {
            return Ok(());
        }
        let contacts = self.store.module("contacts")?;
        let (token, digest) = new_token();
        let link = format!(
            "{}/password/reset?token={token}",
            portal_url(&kit.base_url, portal)
        );
        let merge = Merge {
            link,
            support_end_date: support_end_date(&contact),
            ..Merge::default()
        };
        let mail = kit.mail(
            &portal.forgot_password_template,
            email,
            contacts,
            &contact,
            portal,
            merge,
            Some(contact.id),
        )?;
        let effects = Effects {
            mails: vec![mail],
            tokens: vec![NewToken {
                digest,
                kind: TokenKind::PasswordReset,
                contact: contact.id,
                portal: Some(portal.slug.clone()),
                payload: None,
                ttl: RESET_TTL,
            }],
            revoke_tokens: Vec::new(),
            activity: vec![NewActivity {
                contact: contact.id,
                kind: ActivityKind::PasswordResetRequested,
                source: ActivitySource::Email,
                detail: format!("Reset link for {} sent", portal.slug),
                record: None,
            }],
        };
        self.store.apply_effects(&effects).await
    }
}
