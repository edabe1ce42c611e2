//! Secrets: argon2id password hashes (computed on a few threads of their own: each takes tens
//! of milliseconds and ~19 MiB) and random single-use tokens, of which only a SHA-256 digest is
//! stored.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::{Arc, Mutex, OnceLock, mpsc};

use atrium_core::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

/// How long a caller turned away by a full queue should wait before trying again, in seconds.
const BUSY_RETRY_AFTER: i64 = 2;

/// A job for the hashing threads, with where to send its answer.
enum Job {
    Hash(String, oneshot::Sender<Result<String>>),
    Verify(String, String, oneshot::Sender<bool>),
}

/// argon2id costs ~19 MiB and tens of milliseconds per hash. Running it on tokio's unbounded
/// blocking pool lets a storm of sign-ins start hundreds of threads that each keep their
/// memory; instead a few threads (one per core) take jobs from a short queue, each reusing its
/// own memory, and a full queue turns callers away (503 with Retry-After) rather than growing.
struct Hashers {
    queue: mpsc::SyncSender<Job>,
}

impl Hashers {
    fn get() -> &'static Hashers {
        static HASHERS: OnceLock<Hashers> = OnceLock::new();
        HASHERS.get_or_init(|| {
            let threads = std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(1)
                .clamp(1, 4);
            let (queue, jobs) = mpsc::sync_channel::<Job>(threads * 4);
            let jobs = Arc::new(Mutex::new(jobs));
            for n in 0..threads {
                let jobs = Arc::clone(&jobs);
                let spawned = std::thread::Builder::new()
                    .name(format!("argon2-{n}"))
                    .spawn(move || run_jobs(&jobs));
                if let Err(err) = spawned {
                    tracing::error!(error = %err, "cannot start a password hashing thread");
                }
            }
            Hashers { queue }
        })
    }

    fn submit(&self, job: Job) -> Result<()> {
        self.queue.try_send(job).map_err(|err| match err {
            mpsc::TrySendError::Full(_) => Error::Busy {
                retry_after: BUSY_RETRY_AFTER,
            },
            mpsc::TrySendError::Disconnected(_) => {
                Error::Internal("the password hashing threads stopped".into())
            }
        })
    }
}

fn run_jobs(jobs: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        // The lock is held only while taking a job, not while hashing.
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else {
            return;
        };
        match job {
            Job::Hash(password, answer) => {
                let hashed = Argon2::default()
                    .hash_password(password.as_bytes())
                    .map(|h| h.to_string())
                    .map_err(Error::internal);
                let _ = answer.send(hashed);
            }
            Job::Verify(password, hash, answer) => {
                let verified = PasswordHash::new(&hash).is_ok_and(|parsed| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &parsed)
                        .is_ok()
                });
                let _ = answer.send(verified);
            }
        }
    }
}

fn lost(_: oneshot::error::RecvError) -> Error {
    Error::Internal("a password hashing thread stopped".into())
}

/// Hashes a password with argon2id; `Busy` when too many hashes are already waiting.
pub async fn hash_password(password: String) -> Result<String> {
    let (answer, hashed) = oneshot::channel();
    Hashers::get().submit(Job::Hash(password, answer))?;
    hashed.await.map_err(lost)?
}

/// Checks a password against a stored hash. A malformed hash never verifies; `Busy` when too
/// many checks are already waiting.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    let (answer, verified) = oneshot::channel();
    Hashers::get().submit(Job::Verify(password, hash, answer))?;
    verified.await.map_err(lost)
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
