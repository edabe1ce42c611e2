//! What the command line does to an installation: create (or reset) an admin, and set a
//! portal user's password by hand.

use atrium_core::customer::check_password;
use atrium_core::{Error, Result};
use atrium_store::{Role, StaffUser};

use crate::App;
use crate::passwords::hash_password;

/// Staff passwords: at least this many characters.
pub const MIN_STAFF_PASSWORD_CHARS: usize = 12;

impl App {
    /// Creates the admin `email`, or makes the existing user an active admin with this
    /// password.
    pub async fn ensure_admin(
        &self,
        email: &str,
        password: String,
        name: Option<String>,
    ) -> Result<StaffUser> {
        if password.chars().count() < MIN_STAFF_PASSWORD_CHARS {
            return Err(Error::field(
                "password",
                format!("must be at least {MIN_STAFF_PASSWORD_CHARS} characters"),
            ));
        }
        let hash = hash_password(password).await?;
        let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("Admin").to_owned());
        self.store
            .upsert_staff_user(email, &name, &hash, Role::Admin)
            .await
    }

    /// Sets the portal password of the portal user `email` (normally they choose it through
    /// an invitation); their sessions end.
    pub async fn set_customer_password(&self, email: &str, password: String) -> Result<uuid::Uuid> {
        let contact = self
            .store
            .portal_contact_by_email(email)
            .await?
            .ok_or(Error::NotFound)?;
        check_password("password", &password, &[email]).map_err(|e| Error::Validation(vec![e]))?;
        let hash = hash_password(password).await?;
        self.store
            .set_portal_password(contact.id, &hash, None)
            .await?;
        Ok(contact.id)
    }
}
