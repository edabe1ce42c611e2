//! Atrium's mail delivery. Mails are queued in the `email_outbox` table by the change that causes
//! them (see `atrium_store::mail`); this crate delivers them: a [`Mailer`] sends one mail over
//! SMTP or into an `.eml` file, and the worker ([`spawn_worker`], [`run_once`]) claims due
//! mails, sends them, retries with exponential backoff and finally marks them `failed`.
//!
//! Invariant: no SQL here; claiming and marking are `Store` methods (`atrium_store::outbox`).

pub mod transport;
pub mod worker;

pub use transport::{Mailer, Security, SendError, SmtpOptions, SmtpTarget};
pub use worker::{RunStats, WorkerConfig, WorkerHandle, new_worker_id, run_once, spawn_worker};

/// The sender when none is configured: `no-reply@{host of base_url}`.
pub fn default_sender(base_url: &str) -> String {
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|h| h.trim_matches(['[', ']']).to_owned())
        })
        .filter(|host| !host.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("no-reply@{host}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_sender_is_at_the_base_url_host() {
        assert_eq!(
            super::default_sender("https://portal.example.com/x"),
            "no-reply@portal.example.com"
        );
        assert_eq!(
            super::default_sender("http://127.0.0.1:8080"),
            "no-reply@127.0.0.1"
        );
        assert_eq!(super::default_sender("nonsense"), "no-reply@localhost");
    }
}
