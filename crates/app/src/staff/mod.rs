//! Staff: sign-in and sessions, the records of every module (with the notices their changes
//! send), comments, the rules of contacts' portal access, and documents.

pub mod contacts;
pub mod desk;
pub mod documents;
pub mod preview;
pub mod quotes;
pub mod records;

use atrium_core::{Error, Result};
use atrium_store::users::SESSION_IDLE;
use atrium_store::{Role, SessionKind, StaffUser};

use crate::App;
use crate::customer::sign_in::reserve_check;
use crate::passwords::{new_token, token_digest, verify_or_waste};

/// A signed-in, active staff user.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: StaffUser,
    pub token_digest: String,
}

impl Staff {
    /// 403 unless the user is an admin.
    pub fn require_admin(&self) -> Result<()> {
        if self.user.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::Forbidden("Only admins may do this.".into()))
        }
    }
}

impl App {
    /// The active staff user of the session `token`; anything else is 401.
    pub async fn staff(&self, token: &str) -> Result<Staff> {
        let digest = token_digest(token);
        let user_id = self
            .store
            .session_user(&digest, SessionKind::Staff, SESSION_IDLE)
            .await?
            .ok_or(Error::Unauthorized)?;
        let user = self
            .store
            .staff_user(user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(Error::Unauthorized)?;
        Ok(Staff {
            user,
            token_digest: digest,
        })
    }

    /// Signs a staff user in from `address`; returns the session token and the user. Wrong
    /// credentials and unknown or inactive users answer alike; guesses are throttled as
    /// customers' are.
    pub async fn staff_sign_in(
        &self,
        email: &str,
        password: String,
        address: &str,
    ) -> Result<(String, StaffUser)> {
        let email = email.trim().to_lowercase();
        self.check_address(address).await?;
        let key = format!("staff:{email}");
        reserve_check(self, &key).await?;
        let user = self
            .store
            .staff_user_by_email(&email)
            .await?
            .filter(|u| u.active);
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let verified = verify_or_waste(password, hash).await?;
        let Some(user) = user.filter(|_| verified) else {
            self.store.record_login_failure(&key, address).await?;
            return Err(Error::Unauthorized);
        };
        self.store.clear_checks(&key).await?;
        let (token, digest) = new_token();
        self.store
            .create_session(&digest, SessionKind::Staff, user.id)
            .await?;
        tracing::info!(user.id = %user.id, "staff user signed in");
        Ok((token, user))
    }

    /// Ends the staff user's session.
    pub async fn staff_sign_out(&self, staff: &Staff) -> Result<()> {
        self.store.end_session(&staff.token_digest).await
    }
}
