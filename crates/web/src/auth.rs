//! Staff authentication: argon2id passwords, random session tokens stored as SHA-256 digests,
//! and the extractors that turn a Bearer token or the `atrium_staff` cookie into a user.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use atrium_core::Error;
use atrium_store::{Role, SessionKind, StaffUser};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

pub const STAFF_COOKIE: &str = "atrium_staff";

/// Hashes a password with argon2id on the blocking pool (it takes tens of milliseconds).
pub async fn hash_password(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(Error::internal)
    })
    .await
    .map_err(Error::internal)?
}

/// Checks a password against a stored hash. A malformed hash never verifies.
pub async fn verify_password(password: String, hash: String) -> Result<bool, Error> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(Error::internal)
}

/// Spends about as long as a real verification, so that an unknown e-mail answers no faster
/// than a wrong password.
pub async fn verify_nothing(password: String) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = match DUMMY.get() {
        Some(h) => h.clone(),
        None => {
            let h = hash_password("not a real password".into())
                .await
                .unwrap_or_default();
            DUMMY.get_or_init(|| h).clone()
        }
    };
    let _ = verify_password(password, hash).await;
}

/// A new random session token (32 bytes, base64url) and the digest stored for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// The token a request carries: `Authorization: Bearer …`, else the named cookie.
pub fn request_token(parts: &Parts, cookie_name: &str) -> Option<String> {
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return value
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .map(|(_, value)| value.to_owned())
}

/// A signed-in, active staff user.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user: StaffUser,
    pub token_digest: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = request_token(parts, STAFF_COOKIE).ok_or(Error::Unauthorized)?;
        let digest = token_digest(&token);
        let user_id = state
            .store
            .session_user(
                &digest,
                SessionKind::Staff,
                atrium_store::users::SESSION_IDLE,
            )
            .await?
            .ok_or(Error::Unauthorized)?;
        let user = state
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
}

/// A signed-in admin; agents get 403.
#[derive(Debug, Clone)]
pub struct Admin(pub Staff);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.user.role != Role::Admin {
            return Err(Error::Forbidden("Only admins may do this.".into()).into());
        }
        Ok(Admin(staff))
    }
}
