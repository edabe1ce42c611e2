//! Composing the mails Atrium sends: loading templates (an admin's version or the default),
//! building merge fields, deciding whether an invitation may be sent, and turning it all into
//! store `Effects` that are written in the same transaction as the change that causes them.

use std::collections::HashMap;

use atrium_core::company::{Company, LANGUAGES};
use atrium_core::customer::today_in;
use atrium_core::kinds::{ActivityKind, ActivitySource, TokenKind};
use atrium_core::portal::Portal;
use atrium_core::templates::{self, Template};
use atrium_core::value::format_date;
use atrium_core::{Error, ModuleDef, Record, Result, Value};
use atrium_store::{Effects, NewActivity, NewMail, NewToken};
use serde::{Deserialize, Serialize};
use serde_json::{Map, json};
use time::Duration;
use uuid::Uuid;

use crate::App;
use crate::passwords::new_token;

pub const INVITATION_TTL: Duration = Duration::days(7);
pub const RESET_TTL: Duration = Duration::hours(1);
const SETTINGS_KEY: &str = "email";

/// `/api/v1/admin/email-settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// Send invitations and password resets to contacts who opted out of e-mail.
    #[serde(default)]
    pub allow_portal_email_to_opted_out: bool,
}

pub async fn email_settings(app: &App) -> Result<EmailSettings> {
    Ok(match app.store.setting(SETTINGS_KEY).await? {
        Some(value) => serde_json::from_value(value).unwrap_or_default(),
        None => EmailSettings::default(),
    })
}

pub async fn save_email_settings(app: &App, settings: &EmailSettings) -> Result<()> {
    let value = serde_json::to_value(settings).map_err(Error::internal)?;
    app.store.save_setting(SETTINGS_KEY, &value).await
}

/// The template `name` as it is in force: the admin's, else the default.
pub async fn template(app: &App, name: &str) -> Result<Template> {
    let saved = |(subject, body_html, body_text)| Template {
        subject,
        body_html,
        body_text,
    };
    if let Some(found) = app.store.email_template(name).await? {
        return Ok(saved(found));
    }
    match name.split_once('.') {
        None => templates::default_template(name).ok_or(Error::NotFound),
        // A language variant: the one saved, else the one Atrium ships, else the English.
        Some((base, language)) => match templates::default_template_in(base, language) {
            Some(shipped) => Ok(shipped),
            None => match app.store.email_template(base).await? {
                Some(found) => Ok(saved(found)),
                None => templates::default_template(base).ok_or(Error::NotFound),
            },
        },
    }
}

/// Where a portal lives for customers: its custom host, or `/portal[/{slug}]` of the base URL.
pub fn portal_url(base_url: &str, portal: &Portal) -> String {
    if let Some(host) = &portal.custom_host {
        let scheme = if base_url.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        return format!("{scheme}://{host}");
    }
    if portal.default {
        format!("{base_url}/portal")
    } else {
        format!("{base_url}/portal/{}", portal.slug)
    }
}

/// A record's fields as plain merge-field values.
pub fn record_fields(module: &ModuleDef, record: &Record) -> Map<String, serde_json::Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(record.id));
    out.insert("number".into(), json!(record.number));
    for field in &module.fields {
        let value = match record.get(&field.name) {
            Value::Ref(r) => json!(r.label.clone().unwrap_or_default()),
            other => other.to_plain_json(),
        };
        out.insert(field.name.clone(), value);
    }
    out
}

/// Everything a mail needs besides its own merge fields.
pub struct Kit {
    pub company: Company,
    pub base_url: String,
    pub settings: EmailSettings,
    pub portals: Vec<Portal>,
    pub templates: HashMap<String, Template>,
    pub today: time::Date,
}

impl Kit {
    pub async fn load(app: &App) -> Result<Kit> {
        let company = app.store.company().await?;
        let today = today_in(&company.time_zone);
        let mut loaded = HashMap::new();
        for name in templates::NAMES {
            for language in LANGUAGES {
                let variant = templates::name_in(name, language);
                let found = template(app, &variant).await?;
                loaded.insert(variant, found);
            }
        }
        Ok(Kit {
            company,
            base_url: app.settings.base_url.clone(),
            settings: email_settings(app).await?,
            portals: app.store.portals().await?,
            templates: loaded,
            today,
        })
    }

    /// The portal a contact signs in to: the first of their portals, else the default.
    pub fn portal_of(&self, contact: &Record) -> Option<&Portal> {
        let chosen = atrium_core::customer::allowed_portals(contact);
        match chosen.first() {
            Some(slug) => self.portals.iter().find(|p| p.slug == *slug),
            None => self.portals.iter().find(|p| p.default),
        }
    }

    pub fn portal_json(&self, portal: &Portal) -> serde_json::Value {
        json!({"name": portal.name, "title": portal.title, "slug": portal.slug, "url": portal_url(&self.base_url, portal), "default": portal.default})
    }

    pub fn company_json(&self) -> serde_json::Value {
        let logo = format!("{}/api/v1/company/logo", self.base_url);
        let mut company = serde_json::to_value(&self.company).unwrap_or_else(|_| json!({}));
        company["logo_url"] = json!(logo);
        company
    }

    /// The language of `contact`'s mail: their own, else the company's.
    pub fn language_of(&self, contact: &Record) -> &'static str {
        let own = contact.get("language").as_text();
        LANGUAGES
            .iter()
            .find(|l| Some(**l) == own)
            .or_else(|| LANGUAGES.iter().find(|l| **l == self.company.language))
            .copied()
            .unwrap_or("en")
    }

    /// Renders template `name` in `language` (its English when there is no variant).
    pub fn render(
        &self,
        name: &str,
        language: &str,
        context: &serde_json::Value,
    ) -> Result<templates::Rendered> {
        let template = self
            .templates
            .get(&templates::name_in(name, language))
            .or_else(|| self.templates.get(name))
            .or_else(|| self.templates.get("portal_invitation"))
            .ok_or(Error::NotFound)?;
        templates::render(template, context)
            .map_err(|e| Error::Internal(format!("template {name}: {e}")))
    }
}

/// The merge fields of a mail besides the contact, portal and company, which every template
/// gets.
#[derive(Debug, Default)]
pub struct Merge {
    pub organization: Option<serde_json::Value>,
    pub record: Option<Map<String, serde_json::Value>>,
    /// Present (possibly null) for the templates that speak of a comment.
    pub comment: Option<serde_json::Value>,
    pub link: String,
    pub support_end_date: Option<time::Date>,
}

impl Kit {
    /// Renders template `name` about `contact` (a record of `contacts`) in `portal` into a mail
    /// to `to`; `about` is the contact whose timeline records the mail.
    #[allow(clippy::too_many_arguments)]
    pub fn mail(
        &self,
        name: &str,
        to: String,
        contacts: &ModuleDef,
        contact: &Record,
        portal: &Portal,
        merge: Merge,
        about: Option<Uuid>,
    ) -> Result<NewMail> {
        let mut context = Map::new();
        context.insert(
            "contact".into(),
            serde_json::Value::Object(record_fields(contacts, contact)),
        );
        context.insert(
            "organization".into(),
            merge.organization.unwrap_or(serde_json::Value::Null),
        );
        context.insert("portal".into(), self.portal_json(portal));
        context.insert("company".into(), self.company_json());
        if let Some(record) = merge.record {
            context.insert("record".into(), serde_json::Value::Object(record));
        }
        if let Some(comment) = merge.comment {
            context.insert("comment".into(), comment);
        }
        context.insert("link".into(), json!(merge.link));
        context.insert(
            "support_end_date".into(),
            json!(merge.support_end_date.map(format_date)),
        );
        let language = self.language_of(contact);
        let rendered = self.render(name, language, &serde_json::Value::Object(context))?;
        Ok(NewMail {
            to,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            template: name.to_owned(),
            contact: about,
            ..NewMail::default()
        })
    }
}

/// A contact's support end date, if set.
pub fn support_end_date(contact: &Record) -> Option<time::Date> {
    match contact.get("support_end_date") {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

/// Whether portal e-mail may go to this contact, and if not, why.
pub fn mail_refusal(kit: &Kit, contact: &Record, portal: Option<&Portal>) -> Option<&'static str> {
    if contact
        .get("email")
        .as_text()
        .is_none_or(|e| e.trim().is_empty())
    {
        return Some("no_email");
    }
    if let Value::Date(end) = contact.get("support_end_date")
        && *end < kit.today
    {
        return Some("support_ended");
    }
    if contact.get("email_opt_out") == &Value::Boolean(true)
        && !kit.settings.allow_portal_email_to_opted_out
    {
        return Some("opted_out");
    }
    match portal {
        Some(portal) if portal.active => None,
        _ => Some("portal_inactive"),
    }
}

/// An invitation decided: sent (with the effects that send it) or not, and why not.
pub struct Invitation {
    pub invited: bool,
    pub reason: Option<&'static str>,
    pub effects: Effects,
}

impl Invitation {
    pub fn json(&self) -> serde_json::Value {
        match self.reason {
            None => json!({"invited": self.invited}),
            Some(reason) => json!({"invited": false, "reason": reason}),
        }
    }
}

/// Plans the invitation of `contact` (its state after the write): a new single-use token
/// (earlier ones stop working), the mail from the portal's login template, the activity entry.
pub fn plan_invitation(
    kit: &Kit,
    contacts: &ModuleDef,
    contact: &Record,
    organization: Option<&Record>,
    organizations: Option<&ModuleDef>,
) -> Result<Invitation> {
    let portal = kit.portal_of(contact);
    if let Some(reason) = mail_refusal(kit, contact, portal) {
        return Ok(Invitation {
            invited: false,
            reason: Some(reason),
            effects: Effects::default(),
        });
    }
    let portal = portal.ok_or(Error::NotFound)?;
    let email = contact
        .get("email")
        .as_text()
        .unwrap_or_default()
        .to_owned();
    let (token, digest) = new_token();
    let link = format!(
        "{}/invitation?token={token}",
        portal_url(&kit.base_url, portal)
    );
    let organization = match (organization, organizations) {
        (Some(org), Some(module)) => Some(serde_json::Value::Object(record_fields(module, org))),
        _ => None,
    };
    let merge = Merge {
        organization,
        link,
        support_end_date: support_end_date(contact),
        ..Merge::default()
    };
    let mail = kit.mail(
        &portal.login_template,
        email,
        contacts,
        contact,
        portal,
        merge,
        Some(contact.id),
    )?;
    let effects = Effects {
        mails: vec![mail],
        tokens: vec![NewToken {
            digest,
            kind: TokenKind::Invitation,
            contact: contact.id,
            portal: Some(portal.slug.clone()),
            payload: None,
            ttl: INVITATION_TTL,
        }],
        revoke_tokens: vec![(contact.id, TokenKind::Invitation)],
        activity: vec![NewActivity {
            contact: contact.id,
            kind: ActivityKind::InvitationSent,
            source: ActivitySource::Email,
            detail: format!("Invitation to {} sent", portal.slug),
            record: None,
        }],
    };
    Ok(Invitation {
        invited: true,
        reason: None,
        effects,
    })
}

/// A contact as it will be once `changes` are applied to `before` (or to nothing, on create).
pub fn contact_after(id: Uuid, before: Option<&Record>, changes: &[(String, Value)]) -> Record {
    let mut record = before.cloned().unwrap_or_else(|| Record {
        id,
        number: String::new(),
        version: 0,
        created_at: atrium_core::record::now(),
        updated_at: atrium_core::record::now(),
        values: Default::default(),
    });
    for (field, value) in changes {
        record.values.insert(field.clone(), value.clone());
    }
    record
}
