//! Configuration, lowest to highest precedence: built-in defaults, the TOML file (`--config`),
//! the environment, command-line flags. Unknown keys in the file are an error naming them;
//! unknown `ATRIUM_*` variables are reported. Secrets inside URLs never reach the log.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// Keys read from `ATRIUM_{KEY}` (and `DATABASE_URL`).
const ENV_KEYS: [&str; 10] = [
    "bind",
    "data_dir",
    "base_url",
    "smtp_url",
    "mail_from",
    "storage_url",
    "max_upload_bytes",
    "log_format",
    "trusted_proxies",
    "database_url",
];

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Where the SQLite database, files and mail live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default `sqlite://{data_dir}/atrium.db`.
    pub database_url: Option<String>,
    /// Public URL used in e-mails; default `http://{bind}`.
    pub base_url: Option<String>,
    /// `smtp://host:port`, `smtps://user:pass@host`; unset writes `.eml` files.
    pub smtp_url: Option<String>,
    /// Sender address; default `no-reply@{host of base_url}`.
    pub mail_from: Option<String>,
    /// `file://PATH` or `s3://BUCKET` (with the `AWS_*` variables); default
    /// `file://{data_dir}/files`.
    pub storage_url: Option<String>,
    /// Largest accepted upload in bytes (default 25 MiB).
    pub max_upload_bytes: u64,
    /// `text` (readable, the default) or `json`.
    pub log_format: LogFormat,
    /// The proxies in front of Atrium, as addresses or networks separated by commas
    /// (`10.0.0.0/8, 192.0.2.7`): for their requests the client is the address they put in
    /// `X-Forwarded-For`. Unset, every request's client is its TCP peer.
    pub trusted_proxies: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("atrium-data"),
            database_url: None,
            base_url: None,
            smtp_url: None,
            mail_from: None,
            storage_url: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            log_format: LogFormat::Text,
            trusted_proxies: None,
        }
    }
}

/// Values given on the command line; only those present override.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                anyhow::bail!("config file {} does not exist", file.display());
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        for (name, _) in std::env::vars() {
            if let Some(key) = name.strip_prefix("ATRIUM_")
                && !ENV_KEYS.contains(&key.to_lowercase().as_str())
            {
                eprintln!("warning: ignoring unknown environment variable {name}");
            }
        }
        figment = figment
            .merge(
                // The filter sees the name as written (`SMTP_URL`); figment lowercases it only
                // afterwards.
                Env::prefixed("ATRIUM_").filter(|k| {
                    let key = k.as_str().to_lowercase();
                    ENV_KEYS.contains(&key.as_str()) && key != "database_url"
                }),
            )
            .merge(Env::raw().only(&["DATABASE_URL"]))
            .merge(Serialized::globals(overrides));
        let config: Config = figment.extract().map_err(|e| {
            let messages: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!("invalid configuration: {}", messages.join("; "))
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> anyhow::Result<()> {
        self.bind.parse::<std::net::SocketAddr>().with_context(|| {
            format!("bind: {} is not an address like 127.0.0.1:8080", self.bind)
        })?;
        if let Some(url) = &self.base_url {
            url::Url::parse(url).with_context(|| format!("base_url: {url} is not a URL"))?;
        }
        if self.max_upload_bytes == 0 {
            anyhow::bail!("max_upload_bytes must be positive");
        }
        self.trusted_proxies()?;
        Ok(())
    }

    /// The networks of [`Config::trusted_proxies`]; a bare address is a network of one.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<ipnet::IpNet>> {
        let Some(list) = &self.trusted_proxies else {
            return Ok(Vec::new());
        };
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<ipnet::IpNet>()
                    .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!(
                            "trusted_proxies: {item} is not an address or a network like 10.0.0.0/8"
                        )
                    })
            })
            .collect()
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/atrium.db", self.data_dir.display()))
    }

    pub fn storage_url(&self) -> String {
        self.storage_url.clone().unwrap_or_else(|| {
            format!(
                "file://{}",
                absolute(&self.data_dir.join("files")).display()
            )
        })
    }

    pub fn base_url(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The sender of every mail: `mail_from`, or `no-reply@{host of base_url}`.
    pub fn mail_from(&self) -> String {
        self.mail_from
            .clone()
            .map(|from| from.trim().to_owned())
            .filter(|from| !from.is_empty())
            .unwrap_or_else(|| atrium_mail::default_sender(&self.base_url()))
    }

    /// The configuration as it can be logged: passwords in URLs replaced by `***`.
    pub fn redacted(&self) -> String {
        format!(
            "bind={} data_dir={} database_url={} base_url={} smtp_url={} storage_url={} max_upload_bytes={} trusted_proxies={}",
            self.bind,
            self.data_dir.display(),
            redact(&self.database_url()),
            self.base_url(),
            self.smtp_url
                .as_deref()
                .map(redact)
                .unwrap_or_else(|| "(files)".into()),
            redact(&self.storage_url()),
            self.max_upload_bytes,
            self.trusted_proxies.as_deref().unwrap_or("(none)")
        )
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Hides the password of a URL like `postgres://user:secret@host/db`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://atrium:hunter2@db.example.com/atrium"),
            "postgres://atrium:***@db.example.com/atrium"
        );
        assert_eq!(redact("sqlite://data/atrium.db"), "sqlite://data/atrium.db");
    }

    #[test]
    fn unknown_file_keys_are_an_error_and_flags_win() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("atrium.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nbogus = 1\n").expect("write");
        let err = Config::load(Some(&file), &Overrides::default()).expect_err("unknown key");
        assert!(err.to_string().contains("bogus"), "{err}");

        std::fs::write(
            &file,
            "bind = \"127.0.0.1:9000\"\nmax_upload_bytes = 1000\n",
        )
        .expect("write");
        let config = Config::load(Some(&file), &Overrides::default()).expect("valid");
        assert_eq!(config.max_upload_bytes, 1000);
        let config = Config::load(
            Some(&file),
            &Overrides {
                bind: Some("127.0.0.1:9100".into()),
                ..Overrides::default()
            },
        )
        .expect("valid");
        assert_eq!(config.bind, "127.0.0.1:9100");
    }
}
