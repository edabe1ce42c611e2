//! The mail outbox as admins see it: what was sent, what waits, what failed and why, and
//! queuing a failed mail again.

use atrium_core::kinds::OutboxStatus;
use atrium_core::value::format_datetime;
use atrium_core::{Error, RecordId, Result};
use atrium_store::OutboxEntry;
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::staff::Staff;

/// The most mails the outbox list returns by default.
pub const OUTBOX_LIMIT: u64 = 200;
/// The most mails the outbox list returns when asked for more.
pub const OUTBOX_MAX_LIMIT: u64 = 1000;

/// One mail of the outbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OutboxJson)]
pub struct OutboxView {
    pub id: String,
    /// The recipient's address.
    pub to: String,
    pub subject: String,
    /// The template it was rendered from.
    pub template: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed, if one did.
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

impl From<&OutboxEntry> for OutboxView {
    fn from(entry: &OutboxEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            to: entry.to.clone(),
            subject: entry.subject.clone(),
            template: entry.template.clone(),
            status: entry.status.as_str().to_owned(),
            attempts: entry.attempts,
            last_error: entry.last_error.clone(),
            created_at: format_datetime(entry.created_at),
            sent_at: entry.sent_at.map(format_datetime),
        }
    }
}

/// What the outbox list was asked for: `status` (one status only) and `limit`.
struct OutboxQuery {
    status: Option<OutboxStatus>,
    limit: u64,
}

impl OutboxQuery {
    fn parse(params: &[(String, String)]) -> Result<Self> {
        let mut query = OutboxQuery {
            status: None,
            limit: OUTBOX_LIMIT,
        };
        for (key, value) in params {
            match key.as_str() {
                "status" => {
                    let status = OutboxStatus::parse(value)
                        .map_err(|_| Error::field("status", "must be queued, sent or failed"))?;
                    query.status = Some(status);
                }
                "limit" => {
                    query.limit = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (1..=OUTBOX_MAX_LIMIT).contains(n))
                        .ok_or_else(|| Error::field("limit", "must be a number from 1 to 1000"))?;
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

impl App {
    /// The outbox, newest first, filtered by the query `params` (`status`, `limit`).
    pub async fn outbox(
        &self,
        admin: &Staff,
        params: &[(String, String)],
    ) -> Result<Vec<OutboxView>> {
        admin.require_admin()?;
        let query = OutboxQuery::parse(params)?;
        let entries = self.store.outbox(query.limit, query.status).await?;
        Ok(entries.iter().map(OutboxView::from).collect())
    }

    /// Queues the mail `id` again, with fresh attempts and due now; a sent mail is a conflict.
    pub async fn retry_mail(&self, admin: &Staff, id: &str) -> Result<OutboxView> {
        admin.require_admin()?;
        let id = RecordId::parse(id)?.0;
        let entry = self.store.retry_mail(id).await?;
        Ok(OutboxView::from(&entry))
    }
}
