//! Staff users, managed by admins: listing them, adding one, and changing a name, phone,
//! role, status or password.

use atrium_core::{Error, FieldError, RecordId, Result};
use atrium_store::users::StaffUserChanges;
use atrium_store::{Role, StaffUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation;
use crate::App;
use crate::passwords::hash_password;
use crate::staff::Staff;

/// The shortest staff password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest staff password, in characters (argon2 need not hash a novel).
pub const MAX_PASSWORD_CHARS: usize = 128;

// A staff user as others see them (never the password hash). No doc comment: it would
// change the schema's description in the OpenAPI document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UserJson)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// `admin` or `agent`.
    pub role: String,
    pub active: bool,
}

impl From<&StaffUser> for UserView {
    fn from(u: &StaffUser) -> Self {
        Self {
            id: u.id.to_string(),
            name: u.name.clone(),
            email: u.email.clone(),
            phone: u.phone.clone(),
            role: u.role.as_str().to_owned(),
            active: u.active,
        }
    }
}

// A staff user to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    // Missing text fields default to empty, so that they are reported as 422 naming the field
    // (with every other problem) rather than as a 400.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub phone: Option<String>,
}

// Changes to a staff user; what is left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChanges {
    pub name: Option<String>,
    pub phone: Option<String>,
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

/// The password rule: 12 to 128 characters.
fn password_problem(password: &str) -> Option<FieldError> {
    let len = password.chars().count();
    (!(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&len)).then(|| {
        FieldError::new(
            "password",
            format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        )
    })
}

/// A plausible e-mail address: the store's unique index and the mail server judge the rest.
fn email_ok(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && email.contains('@')
        && email.rsplit('@').next().is_some_and(|d| d.contains('.'))
}

fn user_id(id: &str) -> Result<uuid::Uuid> {
    Ok(RecordId::parse(id)?.0)
}

impl App {
    /// Every staff user.
    pub async fn staff_users(&self, admin: &Staff) -> Result<Vec<UserView>> {
        admin.require_admin()?;
        let users = self.store.staff_users().await?;
        Ok(users.iter().map(UserView::from).collect())
    }

    /// The staff user `id`.
    pub async fn read_staff_user(&self, admin: &Staff, id: &str) -> Result<UserView> {
        admin.require_admin()?;
        let user = self
            .store
            .staff_user(user_id(id)?)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(UserView::from(&user))
    }

    /// Adds a staff user; every problem with the input is reported at once, and an e-mail
    /// already in use is a conflict.
    pub async fn create_staff_user(&self, admin: &Staff, new: NewUser) -> Result<UserView> {
        admin.require_admin()?;
        let mut errors = Vec::new();
        if !email_ok(&new.email) {
            errors.push(FieldError::new("email", "must be an e-mail address"));
        }
        if new.name.trim().is_empty() {
            errors.push(FieldError::new("name", "required"));
        }
        errors.extend(password_problem(&new.password));
        validation(errors)?;
        let hash = hash_password(new.password).await?;
        let user = self
            .store
            .create_staff_user(
                &new.email,
                new.name.trim(),
                new.phone.as_deref(),
                &hash,
                new.role,
            )
            .await?;
        Ok(UserView::from(&user))
    }

    /// Changes the staff user `id`. Admins cannot demote or deactivate themselves, so that
    /// there is always an admin left who can undo a change.
    pub async fn change_staff_user(
        &self,
        admin: &Staff,
        id: &str,
        changes: UserChanges,
    ) -> Result<UserView> {
        admin.require_admin()?;
        let id = user_id(id)?;
        if id == admin.user.id
            && (changes.active == Some(false) || changes.role == Some(Role::Agent))
        {
            return Err(Error::field(
                "active",
                "admins cannot demote or deactivate themselves",
            ));
        }
        if changes.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::field("name", "required"));
        }
        let password_hash = match changes.password {
            Some(password) => {
                if let Some(problem) = password_problem(&password) {
                    return Err(Error::Validation(vec![problem]));
                }
                Some(hash_password(password).await?)
            }
            None => None,
        };
        let user = self
            .store
            .update_staff_user(
                id,
                StaffUserChanges {
                    name: changes.name.map(|n| n.trim().to_owned()),
                    phone: changes.phone.map(Some),
                    role: changes.role,
                    active: changes.active,
                    password_hash,
                },
            )
            .await?;
        Ok(UserView::from(&user))
    }
}
