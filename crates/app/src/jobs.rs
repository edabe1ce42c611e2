//! Scheduled work in the same binary (no cron): the daily `support_ending` mails and the purge
//! of expired sessions and tokens. Each mail is marked once per contact and end date in the
//! transaction that queues it, so restarts and several instances never send it twice.

use std::time::Duration as StdDuration;

use atrium_core::kinds::{ActivityKind, ActivitySource};
use atrium_core::query::{Filter, ListQuery, Sort};
use atrium_core::value::format_date;
use atrium_core::{Result, Value};
use atrium_store::{Effects, NewActivity};
use time::Duration;

use crate::App;
use crate::mailing::{Kit, Merge, mail_refusal, portal_url};

const JOB: &str = "support_ending";
const PAGE: u64 = 200;

/// Queues `support_ending` for every portal user whose support ends within their portal's
/// notification days; returns how many were queued this time.
pub async fn support_ending(app: &App) -> Result<usize> {
    let kit = Kit::load(app).await?;
    let contacts = app.store.module("contacts")?;
    let horizon = kit
        .portals
        .iter()
        .map(|p| i64::from(p.support_notification_days))
        .max()
        .unwrap_or(0);
    let filter = Filter::And(vec![
        Filter::Eq("portal_user".into(), Value::Boolean(true)),
        Filter::Gte("support_end_date".into(), Value::Date(kit.today)),
        Filter::Lte(
            "support_end_date".into(),
            Value::Date(kit.today + Duration::days(horizon)),
        ),
    ]);
    let mut queued = 0;
    let mut page = 1;
    loop {
        let query = ListQuery {
            filter: filter.clone(),
            sort: Sort {
                field: "number".into(),
                descending: false,
            },
            page,
            per_page: PAGE,
        };
        let batch = app.store.list(contacts, &query).await?;
        for contact in &batch.items {
            let Value::Date(end) = contact.get("support_end_date") else {
                continue;
            };
            let Some(portal) = kit.portal_of(contact) else {
                continue;
            };
            if *end > kit.today + Duration::days(i64::from(portal.support_notification_days)) {
                continue;
            }
            if mail_refusal(&kit, contact, Some(portal)).is_some() {
                continue;
            }
            let Some(email) = contact.get("email").as_text().map(str::to_owned) else {
                continue;
            };
            let merge = Merge {
                link: portal_url(&kit.base_url, portal),
                support_end_date: Some(*end),
                ..Merge::default()
            };
            let mail = kit.mail(
                "support_ending",
                email,
                contacts,
                contact,
                portal,
                merge,
                Some(contact.id),
            )?;
            let effects = Effects {
                mails: vec![mail],
                activity: vec![NewActivity {
                    contact: contact.id,
                    kind: ActivityKind::SupportEndingSent,
                    source: ActivitySource::Email,
                    detail: format!("Support ends on {}", format_date(*end)),
                    record: None,
                }],
                ..Effects::default()
            };
            let key = format!("{}:{}", contact.id, format_date(*end));
            if app.store.apply_effects_once(JOB, &key, &effects).await? {
                queued += 1;
            }
        }
        if batch.items.len() < PAGE as usize {
            break;
        }
        page += 1;
    }
    Ok(queued)
}

/// Runs the scheduled jobs once.
pub async fn run_scheduled(app: &App) -> Result<()> {
    let queued = support_ending(app).await?;
    let purged = app.store.purge_expired().await?;
    tracing::info!(queued, purged, "scheduled jobs ran");
    Ok(())
}

/// Runs the scheduled jobs now and then every `every`, until the process ends. The jobs are
/// idempotent, so running them more often than daily only catches changes sooner.
pub fn spawn_scheduler(app: App, every: StdDuration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(err) = run_scheduled(&app).await {
                tracing::warn!(error = %err, "scheduled jobs failed; trying again later");
            }
        }
    })
}
