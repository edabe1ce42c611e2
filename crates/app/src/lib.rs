//! Atrium's application layer: the actions of customers (`customer`), staff (`staff`),
//! admins (`admin`) and scheduled jobs (`jobs`) as functions of an [`App`]. Each takes typed
//! input, applies every rule of the action in one place, writes through one
//! [`atrium_store::Work`] (one transaction: the change, its history, follows, activity, tokens
//! and mail), and returns typed views (`views`) that the JSON API serializes and the pages
//! render.
//!
//! Invariants: no axum (nor any HTTP type) here, and no SQL; mail is composed here, never in
//! the web layer; everything a mail needs is loaded before its transaction opens, so that
//! rendering inside it is pure and a template that fails rolls the whole action back.

pub mod admin;
pub mod customer;
pub mod jobs;
pub mod mailing;
pub mod notify;
pub mod passwords;
pub mod print;
pub mod setup;
pub mod staff;
pub mod views;

use std::sync::Arc;

use atrium_store::Store;
use time::OffsetDateTime;

pub use atrium_core::{Error, Result};

/// Settings the actions need from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL: links in mail point here.
    pub base_url: String,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// The networks of the proxies (load balancers) in front of Atrium: a request from one of
    /// them is counted, for sign-in throttling, against the address it forwarded for.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// What time it is: the system clock, or a fixed instant in tests of time-based rules.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(OffsetDateTime),
}

impl Clock {
    pub fn now(self) -> OffsetDateTime {
        match self {
            Clock::System => atrium_core::record::now(),
            Clock::Fixed(at) => at,
        }
    }
}

/// The application: storage, settings and clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Clock,
}

impl App {
    pub fn new(store: Store, settings: Settings) -> Self {
        Self {
            store,
            settings: Arc::new(settings),
            clock: Clock::System,
        }
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.settings.base_url.starts_with("https://")
    }

    /// Whether `host` (a `Host` header) names Atrium itself, as its public URL says.
    pub fn is_own_host(&self, host: &str) -> bool {
        let own = self
            .settings
            .base_url
            .split_once("://")
            .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
        own.eq_ignore_ascii_case(host)
    }
}
