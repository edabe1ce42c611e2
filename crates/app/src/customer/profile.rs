//! The customer's own contact and organization, shown and changed per the portal's profile
//! layout, and the confirmed change of their e-mail address.

use atrium_core::access::ModuleAccess;
use atrium_core::audience::Shown;
use atrium_core::kinds::{ActivityKind, ActivitySource, TokenKind};
use atrium_core::portal::{FieldAccess, Grant};
use atrium_core::validate::{Mode, parse_input};
use atrium_core::{Error, ModuleDef, Result, Value};
use atrium_store::{Actor, Effects, NewActivity, NewMail, NewToken};
use indexmap::IndexMap;
use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::Customer;
use super::account::bad_link;
use super::records::check_writable;
use crate::App;
use crate::mailing::{Kit, portal_url};
use crate::passwords::{new_token, token_digest};
use crate::views::RecordView;

/// Profile fields customers may never change, whatever the layout says: access and support
/// dates are the company's to set. (A new e-mail applies only once confirmed.)
const PROTECTED: &[&str] = &[
    "portal_user",
    "portal_roles",
    "portals",
    "support_start_date",
    "support_end_date",
    "organization",
];

/// How long the link confirming a new e-mail address works.
pub const EMAIL_CHANGE_TTL: time::Duration = time::Duration::hours(24);

/// The two records of the profile, each shown per its own layout of the portal.
#[derive(Debug, Clone, Copy)]
enum Part {
    Contact,
    Organization,
}

impl App {
    /// `part`'s module and how the portal's profile layout shows it (the layout is the
    /// portal's, so the customer's audience keeps it).
    fn profile_part(&self, customer: &Customer, part: Part) -> Result<(&ModuleDef, Shown)> {
        let profile = &customer.portal.profile;
        let (name, layout) = match part {
            Part::Contact => ("contacts", &profile.contact),
            Part::Organization => ("organizations", &profile.organization),
        };
        let module = self.store.module(name)?;
        let shown = customer
            .audience
            .profile(module, || layout_access(module, layout));
        Ok((module, shown))
    }

    /// What the profile layout lets the customer do to each field of `part` it shows.
    fn profile_access(
        &self,
        customer: &Customer,
        part: Part,
    ) -> Result<IndexMap<String, FieldAccess>> {
        let (_, shown) = self.profile_part(customer, part)?;
        Ok(shown.access.fields.clone())
    }
}

fn layout_access(module: &ModuleDef, layout: &IndexMap<String, FieldAccess>) -> ModuleAccess {
    let mut fields = IndexMap::new();
    for (name, access) in layout {
        let Some(field) = module.field(name) else {
            continue;
        };
        if *access == FieldAccess::Hidden {
            continue;
        }
        let writable =
            !field.system && !PROTECTED.contains(&name.as_str()) && name != "assigned_to";
        fields.insert(
            name.clone(),
            if writable {
                *access
            } else {
                (*access).min(FieldAccess::ReadOnly)
            },
        );
    }
    ModuleAccess {
        grant: Grant::NOTHING,
        fields,
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn profile_entry(
    contact: Uuid,
    kind: ActivityKind,
    source: ActivitySource,
    detail: String,
    record: Option<(&str, Uuid)>,
) -> NewActivity {
    NewActivity {
        contact,
        kind,
        source,
        detail,
        record: record.map(|(m, id)| (m.to_owned(), id)),
    }
}

impl App {
    /// The customer's contact, per the profile layout.
    pub async fn customer_profile(&self, customer: &Customer) -> Result<RecordView> {
        let (_, shown) = self.profile_part(customer, Part::Contact)?;
        // The contact was read with the session, in this request, with its references' labels.
        Ok(RecordView::new(shown.view, customer.contact.clone()))
    }

    /// Changes the customer's contact per the profile layout. A new e-mail is not applied: a
    /// link to confirm it is mailed to it (`email_change.pending` in the answer). The change,
    /// the link and its mail are one transaction.
    pub async fn change_customer_profile(
        &self,
        customer: &Customer,
        body: &Json,
    ) -> Result<RecordView> {
        let (contacts, Shown { access, view }) = self.profile_part(customer, Part::Contact)?;
        check_writable(&access, body)?;
        let mut changes = parse_input(contacts, body, Mode::Update)?;
        let me = customer.contact.id;
        let mut effects = Effects::default();
        let mut pending = None;
        if let Some(position) = changes.iter().position(|(f, _)| f == "email") {
            let (_, new) = changes.remove(position);
            let new = new
                .as_text()
                .map(str::to_lowercase)
                .ok_or_else(|| Error::field("email", "required"))?;
            let current = customer
                .contact
                .get("email")
                .as_text()
                .map(str::to_lowercase);
            if current.as_deref() != Some(new.as_str()) {
                effects = self.email_change_effects(customer, &new).await?;
                pending = Some(new);
            }
        }
        effects.activity.push(profile_entry(
            me,
            ActivityKind::PortalRecordUpdated,
            ActivitySource::Portal,
            "Updated their profile".into(),
            Some(("contacts", me)),
        ));
        let mut work = self.store.work().await?;
        work.update(contacts, me, changes, Actor::Contact(me), None)
            .await?;
        work.effects(&effects).await?;
        work.commit().await?;
        let record = self.store.get(contacts, me).await?;
        let mut view = RecordView::new(view, record);
        if let Some(new) = pending {
            view = view.with("email_change", json!({"pending": new}));
        }
        Ok(view)
    }

    /// The confirmation link for `new`, its mail and its activity entry (earlier links end).
    async fn email_change_effects(&self, customer: &Customer, new: &str) -> Result<Effects> {
        if self
            .store
            .other_portal_user_with_email(new, Some(customer.contact.id))
            .await?
        {
            return Err(Error::Conflict("portal user with this e-mail".into()));
        }
        let kit = Kit::load(self).await?;
        let (token, digest) = new_token();
        let link = format!(
            "{}/email/confirm?token={token}",
            portal_url(&kit.base_url, &customer.portal)
        );
        let title = &customer.portal.title;
        let company = &kit.company.name;
        let text = format!(
            "Please confirm that {new} is your new e-mail address for {title}:\n{link}\n\nThe link works once and for 24 hours. Until you confirm, you keep signing in with your current address.\n\n{company}\n"
        );
        let html = format!(
            "<p>Please confirm that <strong>{}</strong> is your new e-mail address for {}.</p><p><a href=\"{}\">Confirm my new address</a></p><p>The link works once and for 24 hours. Until you confirm, you keep signing in with your current address.</p><p>{}</p>",
            escape_html(new),
            escape_html(title),
            escape_html(&link),
            escape_html(company)
        );
        let me = customer.contact.id;
        Ok(Effects {
            mails: vec![NewMail {
                to: new.to_owned(),
                subject: format!("Confirm your new e-mail address for {title}"),
                text,
                html,
                template: "email_change_confirmation".into(),
                contact: Some(me),
                ..NewMail::default()
            }],
            tokens: vec![NewToken {
                digest,
                kind: TokenKind::EmailChange,
                contact: me,
                portal: Some(customer.portal.slug.clone()),
                payload: Some(new.to_owned()),
                ttl: EMAIL_CHANGE_TTL,
            }],
            revoke_tokens: vec![(me, TokenKind::EmailChange)],
            activity: vec![profile_entry(
                me,
                ActivityKind::EmailChangeRequested,
                ActivitySource::Email,
                format!("Confirmation sent to {new}"),
                None,
            )],
        })
    }

    /// Applies a new e-mail address with the link mailed to it.
    pub async fn confirm_email(
        &self,
        portal: &atrium_core::portal::Portal,
        token: &str,
    ) -> Result<()> {
        let digest = token_digest(token);
        let found = self.store.token(&digest).await?.ok_or_else(bad_link)?;
        if found.kind != TokenKind::EmailChange
            || found.portal.as_deref() != Some(portal.slug.as_str())
        {
            return Err(bad_link());
        }
        let new = found.payload.clone().ok_or_else(bad_link)?;
        if self
            .store
            .other_portal_user_with_email(&new, Some(found.contact))
            .await?
        {
            return Err(Error::Conflict("portal user with this e-mail".into()));
        }
        let contacts = self.store.module("contacts")?;
        let mut work = self.store.work().await?;
        let used = work
            .use_token(&digest, TokenKind::EmailChange)
            .await?
            .ok_or_else(bad_link)?;
        let email = vec![("email".into(), Value::Text(new.clone()))];
        work.update(
            contacts,
            used.contact,
            email,
            Actor::Contact(used.contact),
            None,
        )
        .await?;
        // Links mailed to the old address end with it.
        work.revoke_tokens(
            used.contact,
            &[
                TokenKind::Invitation,
                TokenKind::PasswordReset,
                TokenKind::EmailChange,
            ],
        )
        .await?;
        work.effects(&Effects {
            activity: vec![profile_entry(
                used.contact,
                ActivityKind::EmailChanged,
                ActivitySource::Portal,
                format!("E-mail changed to {new}"),
                None,
            )],
            ..Effects::default()
        })
        .await?;
        work.commit().await
    }

    /// The customer's organization, per the profile layout; a contact without one has none
    /// (404).
    pub async fn customer_organization(&self, customer: &Customer) -> Result<RecordView> {
        let id = customer.id.organization.ok_or(Error::NotFound)?;
        let (organizations, shown) = self.profile_part(customer, Part::Organization)?;
        let record = self.store.get(organizations, id).await?;
        Ok(RecordView::new(shown.view, record))
    }

    /// Changes the customer's organization per the profile layout.
    pub async fn change_customer_organization(
        &self,
        customer: &Customer,
        body: &Json,
    ) -> Result<RecordView> {
        let id = customer.id.organization.ok_or(Error::NotFound)?;
        let (organizations, Shown { access, view }) =
            self.profile_part(customer, Part::Organization)?;
        check_writable(&access, body)?;
        let changes = parse_input(organizations, body, Mode::Update)?;
        let me = customer.contact.id;
        let mut work = self.store.work().await?;
        work.update(organizations, id, changes, Actor::Contact(me), None)
            .await?;
        work.effects(&Effects {
            activity: vec![profile_entry(
                me,
                ActivityKind::PortalRecordUpdated,
                ActivitySource::Portal,
                "Updated their organization".into(),
                Some(("organizations", id)),
            )],
            ..Effects::default()
        })
        .await?;
        work.commit().await?;
        let record = self.store.get(organizations, id).await?;
        Ok(RecordView::new(view, record))
    }
}

/// A record of the profile with what the layout lets the customer do to each shown field.
#[derive(Debug, Clone)]
pub struct ProfilePart {
    pub record: RecordView,
    pub access: IndexMap<String, FieldAccess>,
}

/// The profile page: the contact and, if they belong to one, their organization.
#[derive(Debug, Clone)]
pub struct ProfileView {
    pub contact: ProfilePart,
    pub organization: Option<ProfilePart>,
}

impl App {
    /// The customer's profile as its page shows it, with each field's access.
    pub async fn customer_profile_page(&self, customer: &Customer) -> Result<ProfileView> {
        let contact = ProfilePart {
            record: self.customer_profile(customer).await?,
            access: self.profile_access(customer, Part::Contact)?,
        };
        let organization = match customer.id.organization {
            Some(_) if !customer.portal.profile.organization.is_empty() => {
                match self.customer_organization(customer).await {
                    Ok(record) => Some(ProfilePart {
                        record,
                        access: self.profile_access(customer, Part::Organization)?,
                    }),
                    Err(Error::NotFound) => None,
                    Err(other) => return Err(other),
                }
            }
            _ => None,
        };
        Ok(ProfileView {
            contact,
            organization,
        })
    }
}

impl App {
    /// Sets the customer's own preferences: whether mail tells them of changes to what they
    /// follow, and the language of their pages and mail (None: their browser's, else the
    /// company's). These are theirs to set whatever the profile layout shows.
    pub async fn change_customer_preferences(
        &self,
        customer: &Customer,
        notify_on_updates: bool,
        language: Option<&str>,
    ) -> Result<()> {
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => Value::Null,
            Some(code) if atrium_core::company::LANGUAGES.contains(&code) => {
                Value::Text(code.to_owned())
            }
            Some(_) => {
                return Err(Error::field(
                    "language",
                    format!(
                        "must be one of {}",
                        atrium_core::company::LANGUAGES.join(", ")
                    ),
                ));
            }
        };
        let contacts = self.store.module("contacts")?;
        let me = customer.contact.id;
        let changes = vec![
            (
                "notify_on_updates".to_owned(),
                Value::Boolean(notify_on_updates),
            ),
            ("language".to_owned(), language),
        ];
        let mut work = self.store.work().await?;
        work.update(contacts, me, changes, Actor::Contact(me), None)
            .await?;
        work.effects(&Effects {
            activity: vec![profile_entry(
                me,
                ActivityKind::PortalRecordUpdated,
                ActivitySource::Portal,
                "Changed their preferences".into(),
                Some(("contacts", me)),
            )],
            ..Effects::default()
        })
        .await?;
        work.commit().await
    }
}
