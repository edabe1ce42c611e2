//! `atrium`: serve the portal and back office, run a demo, create admins, seed bulk data.

use std::path::PathBuf;

use anyhow::Context;
use atrium::config::{Config, LogFormat, Overrides};
use atrium_app::App;
use atrium_core::{Error, FieldError};
use atrium_store::Workload;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "atrium",
    version,
    about = "Customer portal and CRM back office in one binary"
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database, files and mail.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Log as JSON lines instead of readable text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Fill a fresh data directory (default: a new temporary one) with demo data and serve it.
    Demo {
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Add bulk data for benchmarks: N organizations with their contacts, cases, tickets,
    /// projects, documents and FAQs.
    Seed {
        #[arg(long, value_name = "N")]
        scale: u64,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an admin staff user, or update the password of the one with this e-mail.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set the portal password of the customer (a portal-user contact) with this e-mail, as
    /// support staff do when a customer cannot receive mail; ends the customer's sessions.
    CustomerPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
}

/// mimalloc: per-thread heaps without the arena locks that glibc's malloc takes under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut overrides = Overrides {
        data_dir: cli.data_dir.clone(),
        log_format: cli.log_json.then_some(LogFormat::Json),
        ..Overrides::default()
    };
    match &cli.command {
        Command::Serve { bind } | Command::Demo { bind } => overrides.bind = bind.clone(),
        _ => {}
    }
    if matches!(cli.command, Command::Demo { .. }) && overrides.data_dir.is_none() {
        overrides.data_dir = Some(atrium::demo::fresh_data_dir()?);
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    init_logging(config.log_format);
    tracing::info!(config = %config.redacted(), "configuration");
    let workload = match cli.command {
        Command::Seed { .. } => Workload::BulkLoad,
        _ => Workload::Requests,
    };
    let store = atrium::open_store_for(&config, workload).await?;
    match cli.command {
        Command::Serve { .. } => atrium::serve(&config, store).await,
        Command::Demo { .. } => {
            let logins = atrium::demo::load(&store).await?;
            atrium::demo::print_welcome(&config, &logins);
            atrium::serve(&config, store).await
        }
        Command::Admin(AdminCommand::Create {
            email,
            password,
            name,
        }) => {
            let app = App::new(store, atrium::app_settings(&config)?);
            let user = match app.ensure_admin(&email, password, name).await {
                Err(Error::Validation(errors)) => anyhow::bail!("the {}", problems(&errors)),
                other => other.context("cannot create the admin")?,
            };
            println!("admin {} ({}) is ready", user.email, user.id);
            Ok(())
        }
        Command::Admin(AdminCommand::CustomerPassword { email, password }) => {
            let app = App::new(store, atrium::app_settings(&config)?);
            let contact = match app.set_customer_password(&email, password).await {
                Err(Error::NotFound) => anyhow::bail!("no portal user has the e-mail {email}"),
                Err(Error::Validation(errors)) => anyhow::bail!("the {}", problems(&errors)),
                other => other?,
            };
            println!("portal password set for {email} ({contact})");
            Ok(())
        }
        Command::Seed { scale } => {
            let started = std::time::Instant::now();
            let counts = atrium::dataset::seed(&store, scale, true).await?;
            println!("{counts} in {:.1}s", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Field problems as one sentence: "password must be at least 12 characters".
fn problems(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
