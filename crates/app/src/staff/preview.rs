//! "View as customer": a contact as the portal's access engine sees them, without a session, so
//! staff can check a configuration with exactly what that contact would see. The pages built on
//! it only read.

use std::sync::Arc;

use atrium_core::access::Customer as CustomerId;
use atrium_core::customer::{Refusal, allowed_portals, sign_in_refusal, today_in};
use atrium_core::{Error, RecordId, Result};

use super::Staff;
use crate::App;
use crate::customer::{Customer, may_use_portal, roles_in};

/// A contact seen through one portal.
#[derive(Debug, Clone)]
pub struct Preview {
    pub customer: Customer,
    /// Why the contact could not sign in to this portal today, if they could not.
    pub refusal: Option<Refusal>,
    /// The slugs of the portals the contact may use.
    pub portals: Vec<String>,
}

impl App {
    /// Contact `id` as portal `slug` (else the first portal they may use) shows them. Any staff
    /// user may look: it shows only what staff can read anyway.
    pub async fn portal_preview(
        &self,
        _staff: &Staff,
        id: &str,
        slug: Option<&str>,
    ) -> Result<Preview> {
        let contacts = self.store.module("contacts")?;
        // With its references' labels, as a signed-in customer's contact is read.
        let contact = self.store.get(contacts, RecordId::parse(id)?.0).await?;
        let mut portals = allowed_portals(&contact);
        if portals.is_empty() {
            portals.push(self.default_portal().await?.slug);
        }
        let wanted = slug
            .filter(|s| portals.iter().any(|p| p == s))
            .unwrap_or(&portals[0])
            .to_owned();
        let settings = self.store.settings().await?;
        let portal = settings
            .portals
            .iter()
            .find(|p| p.slug == wanted)
            .map(Arc::clone)
            .ok_or(Error::NotFound)?;
        let company = Arc::clone(&settings.company);
        let refusal = if may_use_portal(&contact, &portal) {
            sign_in_refusal(&portal, &contact, today_in(&company.time_zone))
        } else {
            Some(Refusal::NotThisPortal)
        };
        let (roles, audience) = roles_in(&settings, &portal, &contact);
        let id = CustomerId {
            contact: contact.id,
            organization: contact.get("organization").as_ref_id(),
        };
        Ok(Preview {
            customer: Customer {
                portal,
                company,
                roles,
                audience,
                contact,
                id,
                token_digest: String::new(),
            },
            refusal,
            portals,
        })
    }
}
