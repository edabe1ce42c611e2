//! How a mail leaves: over SMTP (lettre, plain, STARTTLS or implicit TLS, with optional
//! credentials, all from one URL) or, with no SMTP configured, as an RFC 5322 `.eml` file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use atrium_store::OutboxMail;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Why a mail was not delivered.
#[derive(Debug, Clone)]
pub struct SendError {
    /// What went wrong, for `last_error` (never contains credentials).
    pub message: String,
    /// Trying again cannot help (a 5xx answer, an address that cannot be written).
    pub permanent: bool,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SendError {}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all (`smtp://host:port`): only for a relay on the same host or network.
    Plain,
    /// STARTTLS, and refuse to go on without it (`smtp+starttls://`, `smtp://…?tls=starttls`).
    StartTls,
    /// STARTTLS when the server offers it (`smtp://…?tls=opportunistic`).
    Opportunistic,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// The parts of an SMTP URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl SmtpTarget {
    /// Parses `smtp://[user:pass@]host[:port][?tls=starttls|opportunistic|implicit]`,
    /// `smtp+starttls://…` or `smtps://…`. User and password are percent-decoded.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url).context("ATRIUM_SMTP_URL is not a URL")?;
        let tls = parsed
            .query_pairs()
            .find(|(key, _)| key == "tls")
            .map(|(_, value)| value.to_lowercase());
        let security = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None | Some("none" | "off" | "false")) => Security::Plain,
            ("smtp", Some("starttls" | "required")) | ("smtp+starttls", None) => Security::StartTls,
            ("smtp", Some("opportunistic")) => Security::Opportunistic,
            ("smtps", None) | ("smtp", Some("implicit" | "tls" | "wrapper")) => Security::Implicit,
            (scheme, tls) => bail!(
                "ATRIUM_SMTP_URL: unsupported scheme {scheme}:// with tls={}; use smtp://, \
                 smtp+starttls://, smtps:// or smtp://…?tls=starttls",
                tls.unwrap_or("(unset)")
            ),
        };
        let host = parsed
            .host_str()
            .filter(|host| !host.is_empty())
            .context("ATRIUM_SMTP_URL has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = parsed.port().unwrap_or(match security {
            Security::Plain => 25,
            Security::StartTls | Security::Opportunistic => 587,
            Security::Implicit => 465,
        });
        let decode = |part: &str| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .map(|s| s.into_owned())
                .context("ATRIUM_SMTP_URL: user or password is not UTF-8")
        };
        let credentials = if parsed.username().is_empty() && parsed.password().is_none() {
            None
        } else {
            Some((
                decode(parsed.username())?,
                decode(parsed.password().unwrap_or_default())?,
            ))
        };
        Ok(Self {
            host,
            port,
            security,
            credentials,
        })
    }
}

/// Knobs of the SMTP transport that are not in the URL.
#[derive(Debug, Clone)]
pub struct SmtpOptions {
    /// Limit for connecting and for each SMTP command.
    pub timeout: Duration,
    /// Most connections kept open to the server.
    pub pool_size: u32,
    /// A PEM certificate trusted besides the system's roots (a private CA, or tests).
    pub extra_root_pem: Option<Vec<u8>>,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            pool_size: 8,
            extra_root_pem: None,
        }
    }
}

#[derive(Clone)]
enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        target: SmtpTarget,
    },
    Files(PathBuf),
}

/// Sends outbox mails from one sender address, over SMTP or into `.eml` files.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn sender(from: &str) -> anyhow::Result<Mailbox> {
    from.parse::<Mailbox>()
        .with_context(|| format!("ATRIUM_MAIL_FROM: {from} is not an e-mail address"))
}

impl Mailer {
    /// SMTP when `smtp_url` is set, otherwise `.eml` files under `{data_dir}/mail/`.
    pub fn from_config(
        smtp_url: Option<&str>,
        from: &str,
        data_dir: &Path,
    ) -> anyhow::Result<Self> {
        match smtp_url.map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => Self::smtp(url, from, SmtpOptions::default()),
            None => Self::files(data_dir.join("mail"), from),
        }
    }

    /// Delivers over SMTP to the server named by `url` (see [`SmtpTarget::parse`]). Call it
    /// inside a Tokio runtime: the connection pool starts a task.
    pub fn smtp(url: &str, from: &str, options: SmtpOptions) -> anyhow::Result<Self> {
        let from = sender(from)?;
        let target = SmtpTarget::parse(url)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&target.host)
            .port(target.port)
            .timeout(Some(options.timeout))
            .pool_config(PoolConfig::new().max_size(options.pool_size.max(1)));
        if target.security != Security::Plain {
            let mut tls = TlsParameters::builder(target.host.clone());
            if let Some(pem) = &options.extra_root_pem {
                let certificate =
                    Certificate::from_pem(pem).context("the extra root certificate")?;
                tls = tls.add_root_certificate(certificate);
            }
            let tls = tls.build().context("TLS settings for SMTP")?;
            builder = builder.tls(match target.security {
                Security::StartTls => Tls::Required(tls),
                Security::Opportunistic => Tls::Opportunistic(tls),
                Security::Implicit | Security::Plain => Tls::Wrapper(tls),
            });
        }
        if let Some((user, password)) = &target.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            from,
            transport: Transport::Smtp {
                transport: builder.build(),
                target,
            },
        })
    }

    /// Writes each mail as `{dir}/{id}.eml` (the directory is created when needed).
    pub fn files(dir: impl Into<PathBuf>, from: &str) -> anyhow::Result<Self> {
        Ok(Self {
            from: sender(from)?,
            transport: Transport::Files(dir.into()),
        })
    }

    /// Where mail goes, for the log (no password).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { target, .. } => format!(
                "SMTP {}:{} ({:?}{}) from {}",
                target.host,
                target.port,
                target.security,
                if target.credentials.is_some() {
                    ", with credentials"
                } else {
                    ""
                },
                self.from
            ),
            Transport::Files(dir) => format!("files in {} from {}", dir.display(), self.from),
        }
    }

    /// The message as it is sent: multipart/alternative (text, then HTML), with a Message-ID
    /// made from the outbox id, so a mail sent twice after a crash is recognizably one.
    pub fn message(&self, mail: &OutboxMail) -> Result<Message, SendError> {
        let to = mail
            .to
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| SendError::permanent(format!("invalid recipient {}: {e}", mail.to)))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                mail.id.simple(),
                self.from.email.domain()
            )))
            .date_now()
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(mail.text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(mail.html.clone()),
                    ),
            )
            .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }

    /// Delivers one mail.
    pub async fn send(&self, mail: &OutboxMail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Smtp { transport, .. } => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(err) => Err(SendError {
                    message: format!("SMTP: {err}"),
                    permanent: refuses_this_mail(&err),
                }),
            },
            Transport::Files(dir) => write_eml(dir, mail, &message.formatted())
                .await
                .map_err(|e| SendError::transient(format!("writing the .eml file: {e:#}"))),
        }
    }

    /// Closes pooled SMTP connections.
    pub async fn shutdown(&self) {
        if let Transport::Smtp { transport, .. } = &self.transport {
            transport.shutdown().await;
        }
    }
}

/// A 5xx answer about this mail (a recipient that does not exist, a message refused) will be
/// the same next time. 5xx answers about the connection or the sign-in (`x2x`, `x3x`: 521, 530,
/// 535, …) are the configuration's fault, not the mail's: those mails keep their attempts and
/// wait for the server or the settings to be fixed.
fn refuses_this_mail(err: &lettre::transport::smtp::Error) -> bool {
    use lettre::transport::smtp::response::Category;
    err.is_permanent()
        && err.status().is_some_and(|code| {
            !matches!(
                code.category,
                Category::Connections | Category::Unspecified3
            )
        })
}

/// Writes the file under a temporary name first, so a reader never sees half a message.
async fn write_eml(dir: &Path, mail: &OutboxMail, bytes: &[u8]) -> anyhow::Result<()> {
    tokio::fs::create_dir_all(dir)
        .await
        .with_context(|| format!("creating {}", dir.display()))?;
    let name = format!("{}.eml", mail.id);
    let partial = dir.join(format!(".{name}.partial"));
    tokio::fs::write(&partial, bytes)
        .await
        .with_context(|| format!("writing {}", partial.display()))?;
    tokio::fs::rename(&partial, dir.join(&name))
        .await
        .with_context(|| format!("renaming to {name}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_security() {
        let plain = SmtpTarget::parse("smtp://127.0.0.1:2525").expect("plain");
        assert_eq!(plain.security, Security::Plain);
        assert_eq!(plain.port, 2525);
        assert_eq!(plain.credentials, None);

        let starttls = SmtpTarget::parse("smtp://mail.example.com?tls=starttls").expect("starttls");
        assert_eq!(starttls.security, Security::StartTls);
        assert_eq!(starttls.port, 587);
        let starttls = SmtpTarget::parse("smtp+starttls://u:p@mail.example.com").expect("starttls");
        assert_eq!(starttls.security, Security::StartTls);
        assert_eq!(starttls.credentials, Some(("u".into(), "p".into())));

        let tls =
            SmtpTarget::parse("smtps://user%40example.com:p%3Ass@mail.example.com").expect("smtps");
        assert_eq!(tls.security, Security::Implicit);
        assert_eq!(tls.port, 465);
        assert_eq!(
            tls.credentials,
            Some(("user@example.com".into(), "p:ss".into()))
        );
        assert!(!format!("{tls:?}").contains("p:ss"));

        assert!(SmtpTarget::parse("http://mail.example.com").is_err());
        assert!(SmtpTarget::parse("smtp://mail.example.com?tls=maybe").is_err());
        assert!(SmtpTarget::parse("not a url").is_err());
    }

    #[test]
    fn messages_are_multipart_alternative() {
        let mailer =
            Mailer::files("/nonexistent", "Atrium <no-reply@example.com>").expect("mailer");
        let mail = OutboxMail {
            id: uuid::Uuid::now_v7(),
            to: "ann@example.com".into(),
            subject: "Grüße".into(),
            text: "Hello Ann".into(),
            html: "<p>Hello Ann</p>".into(),
            template: "test".into(),
            contact: None,
            attempts: 0,
        };
        let text =
            String::from_utf8(mailer.message(&mail).expect("message").formatted()).expect("utf-8");
        assert!(
            text.contains("From: Atrium <no-reply@example.com>"),
            "{text}"
        );
        assert!(text.contains("To: ann@example.com"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("text/plain"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        assert!(text.contains(&format!("Message-ID: <{}@example.com>", mail.id.simple())));

        let bad = OutboxMail {
            to: "not an address".into(),
            ..mail
        };
        let err = mailer.message(&bad).expect_err("bad address");
        assert!(err.permanent);
    }

    #[tokio::test]
    async fn a_bad_sender_is_a_configuration_error() {
        assert!(Mailer::files("/tmp", "nobody").is_err());
        assert!(
            Mailer::from_config(
                Some("smtp://127.0.0.1:2525"),
                "no-reply@127.0.0.1",
                Path::new("/tmp")
            )
            .is_ok()
        );
    }
}
