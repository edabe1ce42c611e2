//! E-mail settings, and re-sending a contact's portal invitation (a new link, which makes
//! the earlier ones stop working).

use atrium_core::{Error, RecordId, Result, Value as FieldValue};
use serde_json::Value;

use crate::App;
use crate::mailing::{self, EmailSettings};
use crate::staff::Staff;
use crate::staff::contacts::{CONTACTS, InvitePlanner};

impl App {
    /// The e-mail settings.
    pub async fn read_email_settings(&self, admin: &Staff) -> Result<EmailSettings> {
        admin.require_admin()?;
        mailing::email_settings(self).await
    }

    /// Replaces the e-mail settings by a document; a problem names the key at fault.
    pub async fn change_email_settings(
        &self,
        admin: &Staff,
        document: Value,
    ) -> Result<EmailSettings> {
        admin.require_admin()?;
        let settings: EmailSettings = serde_path_to_error::deserialize(document).map_err(|e| {
            let path = e.path().to_string();
            Error::field(
                if path == "." {
                    "settings".to_owned()
                } else {
                    path
                },
                e.inner().to_string(),
            )
        })?;
        mailing::save_email_settings(self, &settings).await?;
        Ok(settings)
    }

    /// Why an invitation to contact `id` would not go out now (`no_email`, `opted_out`, …),
    /// or None when it would. Reads only: the contact page says it beside the re-send button.
    pub async fn invitation_refusal(&self, id: &str) -> Result<Option<&'static str>> {
        let contacts = self.store.module(CONTACTS)?;
        let contact = self.store.get(contacts, RecordId::parse(id)?.0).await?;
        let kit = mailing::Kit::load(self).await?;
        Ok(mailing::mail_refusal(
            &kit,
            &contact,
            kit.portal_of(&contact),
        ))
    }

    /// Queues a test mail to the admin's own address, through the outbox like every mail, so
    /// that the outbox shows whether delivery works.
    pub async fn send_test_mail(&self, admin: &Staff) -> Result<()> {
        admin.require_admin()?;
        let company = self.store.company().await?;
        let text = format!(
            "This is a test mail from {}'s Atrium. If you read this, mail is delivered.",
            company.name
        );
        let html = atrium_core::markdown::to_safe_html(&text);
        let effects = atrium_store::Effects {
            mails: vec![atrium_store::NewMail {
                to: admin.user.email.clone(),
                subject: "Atrium test mail".into(),
                text,
                html,
                template: "test_mail".into(),
                ..atrium_store::NewMail::default()
            }],
            ..atrium_store::Effects::default()
        };
        self.store.apply_effects(&effects).await
    }

    /// Sends the contact `id` a new invitation to their portal. Answers
    /// `{invited: true}`, or `{invited: false, reason}` when mail may not go to them; the
    /// mail, the new token, the revocation of older ones and the activity entry are written
    /// together.
    pub async fn resend_invitation(&self, id: &str) -> Result<Value> {
        let contacts = self.store.module(CONTACTS)?;
        let contact = self.store.get(contacts, RecordId::parse(id)?.0).await?;
        if contact.get("portal_user") != &FieldValue::Boolean(true) {
            return Err(Error::field(
                "portal_user",
                "the contact has no portal access: set portal_user first",
            ));
        }
        let planner = InvitePlanner::load(self, Some(&contact), &Vec::new(), true).await?;
        let invitation = planner
            .plan(contact.id, Some(&contact), &Vec::new())?
            .ok_or(Error::NotFound)?;
        self.store.apply_effects(&invitation.effects).await?;
        Ok(invitation.json())
    }
}
