//! A customer's actions in a portal. Every read and write goes through the access engine:
//! [`App::front_of`] reads a request's portal and company, [`App::front_and_customer`] also
//! turns its session into a [`Customer`] (contact, portal, roles, company),
//! and [`Scoped`] is a module as that customer sees it — its grant, visible fields and read
//! predicate, which the store ANDs into every statement.

pub mod account;
pub mod faqs;
pub mod home;
pub mod menu;
pub mod page;
pub mod pdf;
pub mod profile;
pub mod quotes;
pub mod records;
pub mod sign_in;

use std::sync::Arc;

use atrium_core::access::{Access, Customer as CustomerId, ModuleAccess};
use atrium_core::audience::{Audience, Shown};
use atrium_core::company::Company;
use atrium_core::customer::{allowed_portals, sign_in_refusal, today_in};
use atrium_core::portal::{Level, Portal, PortalRole};
use atrium_core::query::Filter;
use atrium_core::{Error, ModuleDef, Record, Result, Value};
use time::Duration;
use uuid::Uuid;

use atrium_store::customers::CustomerSession;
use atrium_store::settings::Settings;

use crate::App;
use crate::passwords::token_digest;

/// A signed-in customer of one portal.
#[derive(Debug, Clone)]
pub struct Customer {
    pub portal: Arc<Portal>,
    /// The company behind the portal (its time zone counts support dates).
    pub company: Arc<Company>,
    pub roles: Vec<Arc<PortalRole>>,
    /// What the portal shows these roles (kept with the settings both come from).
    pub audience: Arc<Audience>,
    /// The customer's contact, with the labels of its references.
    pub contact: Record,
    pub id: CustomerId,
    pub token_digest: String,
}

impl Customer {
    pub fn access<'a>(&'a self, app: &'a App) -> Access<'a> {
        Access {
            registry: app.store.registry(),
            portal: &self.portal,
            roles: self.roles.iter().map(|role| &**role).collect(),
            customer: self.id,
        }
    }
}

/// The role ids given to a contact.
pub fn contact_role_ids(contact: &Record) -> Vec<Uuid> {
    match contact.get("portal_roles") {
        Value::List(ids) => ids.iter().filter_map(|s| Uuid::parse_str(s).ok()).collect(),
        _ => Vec::new(),
    }
}

/// Whether `contact` may use `portal`: the portals they are given, else the default one.
pub fn may_use_portal(contact: &Record, portal: &Portal) -> bool {
    let permitted = allowed_portals(contact);
    if permitted.is_empty() {
        portal.default
    } else {
        permitted.contains(&portal.slug)
    }
}

/// What a portal's pages show to anyone, signed in or not: the portal and the company behind
/// it (name, logo, accent color, language).
#[derive(Debug, Clone)]
pub struct Front {
    pub portal: Arc<Portal>,
    pub company: Arc<Company>,
    /// Where the company logo is served, if there is one.
    pub logo_url: Option<&'static str>,
}

/// The roles in force for `contact` in `portal` (the portal's and the contact's), in the
/// settings' order, and what the portal shows them.
pub(crate) fn roles_in(
    settings: &Settings,
    portal: &Portal,
    contact: &Record,
) -> (Vec<Arc<PortalRole>>, Arc<Audience>) {
    let mut role_ids = portal.roles.clone();
    role_ids.extend(contact_role_ids(contact));
    let roles: Vec<Arc<PortalRole>> = settings
        .roles
        .iter()
        .filter(|role| role.id.is_some_and(|id| role_ids.contains(&id)))
        .cloned()
        .collect();
    let audience = settings.audiences.of(
        &portal.slug,
        roles.iter().filter_map(|role| role.id).collect(),
    );
    (roles, audience)
}

/// The front of the portal `slug` names (the default one without a slug) in `settings`.
fn front_in(settings: &Settings, slug: Option<&str>) -> Result<Front> {
    let portal = settings
        .portals
        .iter()
        .find(|p| slug.map_or(p.default, |slug| p.slug == slug))
        .map(Arc::clone)
        .ok_or(Error::NotFound)?;
    Ok(Front {
        portal,
        company: Arc::clone(&settings.company),
        logo_url: settings
            .has_logo
            .then_some(crate::admin::company::LOGO_PATH),
    })
}

impl App {
    /// The default portal.
    pub async fn default_portal(&self) -> Result<Portal> {
        self.store.default_portal().await?.ok_or(Error::NotFound)
    }

    /// The portal served at the root of `host` (its `custom_host`), if any.
    pub async fn portal_for_host(&self, host: &str) -> Result<Option<Portal>> {
        let name = host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host
            }
        });
        self.store.portal_by_host(name).await
    }

    /// The front of the portal a request names, from one read of the settings; an unknown
    /// slug is 404.
    pub async fn front_of(&self, slug: Option<&str>) -> Result<Front> {
        let settings = self.store.settings().await?;
        front_in(&settings, slug)
    }

    /// The portal with this slug; an unknown slug is 404.
    pub async fn portal(&self, slug: &str) -> Result<Portal> {
        self.store.portal(slug).await?.ok_or(Error::NotFound)
    }

    /// The front of the portal a request names (as [`App::front_of`]; an unknown slug is 404)
    /// and the customer signed in to it with the session `token` (anything else is 401), from
    /// one statement that reads the settings' version, the session and its contact: what every
    /// signed-in portal request runs first. The session and contact are read on every request,
    /// so changes apply at once, on every instance, and a contact who may no longer sign in is
    /// signed out.
    pub async fn front_and_customer(
        &self,
        slug: Option<&str>,
        token: &str,
    ) -> Result<(Front, Result<Customer>)> {
        let digest = token_digest(token);
        let contacts = self.store.module("contacts")?;
        let (settings, session) = self
            .store
            .settings_and_customer_session(&digest, contacts)
            .await?;
        let front = front_in(&settings, slug)?;
        let customer = match session {
            Some((session, contact)) => {
                self.customer_in(&settings, &front, digest, session, contact)
                    .await
            }
            None => Err(Error::Unauthorized),
        };
        Ok((front, customer))
    }

    async fn customer_in(
        &self,
        settings: &Settings,
        front: &Front,
        digest: String,
        session: CustomerSession,
        contact: Option<Record>,
    ) -> Result<Customer> {
        let portal = &front.portal;
        let idle = Duration::minutes(i64::from(portal.session_idle_minutes));
        let session = self
            .store
            .keep_customer_session(&digest, session, &portal.slug, idle)
            .await?
            .ok_or(Error::Unauthorized)?;
        let Some(contact) = contact else {
            self.store.end_customer_sessions(session.contact).await?;
            return Err(Error::Unauthorized);
        };
        if sign_in_refusal(portal, &contact, today_in(&front.company.time_zone)).is_some() {
            self.store.end_session(&digest).await?;
            return Err(Error::Unauthorized);
        }
        let (roles, audience) = roles_in(settings, portal, &contact);
        let id = CustomerId {
            contact: contact.id,
            organization: contact.get("organization").as_ref_id(),
        };
        Ok(Customer {
            portal: Arc::clone(portal),
            company: Arc::clone(&front.company),
            roles,
            audience,
            contact,
            id,
            token_digest: digest,
        })
    }

    /// `module` as `customer` sees it, if they can read anything of it at all; else 404.
    pub fn scoped<'a>(&'a self, customer: &Customer, module: &str) -> Result<Scoped<'a>> {
        let module = self.store.module(module)?;
        let engine = customer.access(self);
        let Shown { access, view } = customer.audience.shown(&engine, module);
        let read = engine.read_filter(module);
        if read == Filter::Nothing || access.fields.is_empty() && access.grant.read == Level::None {
            return Err(Error::NotFound);
        }
        Ok(Scoped {
            module,
            access,
            view,
            read,
        })
    }
}

/// A module as one customer sees it.
pub struct Scoped<'a> {
    pub module: &'a ModuleDef,
    pub access: Arc<ModuleAccess>,
    /// The module reduced to the fields the customer may see.
    pub view: Arc<ModuleDef>,
    /// The records the customer may read.
    pub read: Filter,
}

impl Scoped<'_> {
    /// Whether the customer may see `field` (its value, and so its history).
    pub fn shows(&self, field: &str) -> bool {
        self.access.fields.contains_key(field)
    }

    /// The records within `level` of the customer.
    pub fn within(&self, app: &App, customer: &Customer, level: Level) -> Filter {
        customer.access(app).filter(self.module, level)
    }

    /// 404 unless the record is readable.
    pub async fn require_readable(&self, app: &App, id: Uuid) -> Result<()> {
        if app.store.matches(self.module, id, &self.read).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// 404 unless the record is readable; 403 unless it is also within `level`.
    pub async fn require(
        &self,
        app: &App,
        customer: &Customer,
        id: Uuid,
        level: Level,
    ) -> Result<()> {
        self.require_readable(app, id).await?;
        if level == Level::None
            || !app
                .store
                .matches(self.module, id, &self.within(app, customer, level))
                .await?
        {
            return Err(Error::Forbidden(
                "You may not do this to this record.".into(),
            ));
        }
        Ok(())
    }
}
