//! Wiring: configuration, opening the store, serving, and the data generators behind `demo`
//! and `seed`. The binary's `main` only parses the command line and calls in here.

pub mod config;
pub mod dataset;
pub mod demo;

use anyhow::Context;
use atrium_app::{App, Settings};
use atrium_store::{Store, Workload};
use tokio::net::TcpListener;

use crate::config::Config;

/// Opens the database named by the configuration (migrating it) and the file storage.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    open_store_for(config, Workload::Requests).await
}

/// [`open_store`] with connections tuned for `workload`.
pub async fn open_store_for(config: &Config, workload: Workload) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {}",
            config.data_dir.display()
        )
    })?;
    Store::open_for(
        &config.database_url(),
        &config.storage_url(),
        atrium_core::standard::registry(),
        workload,
    )
    .await
    .with_context(|| {
        format!(
            "cannot open the database {}",
            config::redact(&config.database_url())
        )
    })
}

/// The application's settings from the configuration.
pub fn app_settings(config: &Config) -> anyhow::Result<Settings> {
    Ok(Settings {
        base_url: config.base_url(),
        max_upload_bytes: usize::try_from(config.max_upload_bytes).unwrap_or(usize::MAX),
        trusted_proxies: config.trusted_proxies()?,
    })
}

/// Serves until Ctrl-C or SIGTERM; prints `listening on http://ADDR` once connections are
/// accepted.
pub async fn serve(config: &Config, store: Store) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let addr = listener.local_addr()?;
    let application = App::new(store.clone(), app_settings(config)?);
    let app = atrium_web::app(application.clone());
    // Daily jobs are idempotent; running them hourly only catches changes sooner.
    let scheduler =
        atrium_app::jobs::spawn_scheduler(application, std::time::Duration::from_secs(3600));
    let mail_worker = start_mail_worker(config, &store)?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, "serving");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    // Mails in flight are finished and marked; a worker that hangs is left to its lease.
    if tokio::time::timeout(std::time::Duration::from_secs(30), mail_worker.stop())
        .await
        .is_err()
    {
        tracing::warn!("the mail worker did not stop in time");
    }
    scheduler.abort();
    store.close().await;
    served?;
    Ok(())
}

/// The outbox worker: SMTP when `smtp_url` is set, otherwise `.eml` files under
/// `{data_dir}/mail/`.
pub fn start_mail_worker(
    config: &Config,
    store: &Store,
) -> anyhow::Result<atrium_mail::WorkerHandle> {
    let mailer = atrium_mail::Mailer::from_config(
        config.smtp_url.as_deref(),
        &config.mail_from(),
        &config.data_dir,
    )?;
    tracing::info!(transport = %mailer.describe(), "mail delivery");
    Ok(atrium_mail::spawn_worker(
        store.clone(),
        mailer,
        atrium_mail::WorkerConfig::default(),
    ))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
