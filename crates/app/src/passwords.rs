//! Secrets: argon2id password hashes (computed on the blocking pool: each takes tens of
//! milliseconds) and random single-use tokens, of which only a SHA-256 digest is stored.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use atrium_core::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id.
pub async fn hash_password(password: String) -> Result<String> {
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
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
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

/// Checks `password` against `hash`, or spends as long as a real check when there is no hash,
/// so that an unknown account answers no faster than a wrong password.
pub async fn verify_or_waste(password: String, hash: Option<String>) -> Result<bool> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    match hash {
        Some(hash) => verify_password(password, hash).await,
        None => {
            let dummy = DUMMY
                .get_or_try_init(|| hash_password("not a real password".into()))
                .await?;
            verify_password(password, dummy.clone()).await?;
            Ok(false)
        }
    }
}

/// A new random token (32 bytes, base64url) and the digest stored for it.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let digest = token_digest(&token);
    (token, digest)
}

/// The digest under which a token is stored.
pub fn token_digest(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.trim().as_bytes()))
}
