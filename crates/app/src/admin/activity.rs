//! A contact's activity timeline: sign-ins, portal changes, mails sent to them. Staff read it
//! to see what a customer did and received.

use atrium_core::kinds::ActivitySource;
use atrium_core::value::format_datetime;
use atrium_core::{Error, RecordId, Result};
use atrium_store::ActivityEntry;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::App;
use crate::staff::contacts::CONTACTS;

/// The most entries the activity timeline returns.
pub const ACTIVITY_LIMIT: u64 = 200;

/// One entry of a contact's timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ActivityJson)]
pub struct ActivityView {
    /// e.g. `portal_login`, `portal_record_created`, `invitation_sent`, `email_sent`.
    pub kind: String,
    /// `portal`, `email` or `staff`.
    pub source: String,
    pub at: String,
    pub detail: String,
    /// `{module, id, label}` of the record concerned, if any.
    #[schema(value_type = Option<Object>)]
    pub record: Option<Value>,
}

impl From<&ActivityEntry> for ActivityView {
    fn from(entry: &ActivityEntry) -> Self {
        Self {
            kind: entry.kind.as_str().to_owned(),
            source: entry.source.as_str().to_owned(),
            at: format_datetime(entry.at),
            detail: entry.detail.clone(),
            record: entry
                .record
                .as_ref()
                .map(|(module, id, label)| json!({"module": module, "id": id, "label": label})),
        }
    }
}

/// The `source` the query `params` ask for, if any; every one given must be a known source
/// (the last one counts).
fn source_filter(params: &[(String, String)]) -> Result<Option<ActivitySource>> {
    let mut source = None;
    for (key, value) in params {
        if key == "source" {
            let parsed = ActivitySource::parse(value)
                .map_err(|_| Error::field("source", "must be portal, email or staff"))?;
            source = Some(parsed);
        }
    }
    Ok(source)
}

impl App {
    /// The timeline of contact `id`, newest first, at most [`ACTIVITY_LIMIT`] entries,
    /// optionally of one `source` (a query parameter of `params`).
    pub async fn contact_activity(
        &self,
        id: &str,
        params: &[(String, String)],
    ) -> Result<Vec<ActivityView>> {
        let contacts = self.store.module(CONTACTS)?;
        let id = RecordId::parse(id)?.0;
        if !self.store.exists(contacts, id).await? {
            return Err(Error::NotFound);
        }
        let source = source_filter(params)?;
        let entries = self.store.activity(id, source, ACTIVITY_LIMIT).await?;
        Ok(entries.iter().map(ActivityView::from).collect())
    }
}
