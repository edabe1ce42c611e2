//! Delivering the outbox against a real SMTP server (aiosmtpd, started per test, storing what it
//! accepts in a maildir that the test reads back): delivery with both bodies, the `.eml`
//! fallback, an SMTP server that is down and comes back, running out of attempts and the admin's
//! retry, a worker that dies between claim and send, several workers on one database, STARTTLS
//! and implicit TLS with credentials, and the `email_sent` activity entry.
//!
//! Needs `python3` with `aiosmtpd` (`pip install aiosmtpd`; `.ci/run` installs it) and, for the
//! TLS tests, `openssl` to make a certificate.

mod common;

use std::collections::HashSet;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atrium_core::kinds::OutboxStatus;
use atrium_mail::{Mailer, SmtpOptions, WorkerConfig, run_once, spawn_worker};
use atrium_store::{AttemptOutcome, Backoff, Effects, NewMail, Store};
use common::binary::{atrium, serve};
use common::{Backend, TestApp, error_fields, send};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use uuid::Uuid;

const FROM: &str = "Atrium <no-reply@atrium.test>";

on_both_databases!(
    delivers_over_smtp_with_both_bodies,
    without_smtp_mail_is_an_eml_file,
    smtp_down_then_back,
    out_of_attempts_then_failed_and_retried,
    a_crash_between_claim_and_send_delivers_after_the_lease,
    concurrent_claims_are_disjoint,
    mail_without_contact_has_no_activity,
);

// --- The SMTP server ----------------------------------------------------------------------

/// A port nobody listens on (for a moment): bind port 0, note the port, let it go.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// One aiosmtpd process storing every accepted message in `maildir`.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpServer {
    /// A plain SMTP server on `port` (no TLS, no AUTH).
    fn start(port: u16, maildir: &Path) -> Self {
        let command = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 (aiosmtpd)");
        Self::ready(command, port, maildir)
    }

    /// An SMTP server with TLS (`starttls` or `implicit`) that requires `user`/`password`.
    fn start_tls(
        port: u16,
        maildir: &Path,
        tls: &TestCert,
        mode: &str,
        user: &str,
        password: &str,
    ) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_tls_server.py");
        let command = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(maildir)
            .arg(&tls.cert)
            .arg(&tls.key)
            .args([mode, user, password])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 (aiosmtpd with TLS)");
        Self::ready(command, port, maildir)
    }

    /// Waits until the server accepts connections.
    fn ready(mut child: Child, port: u16, maildir: &Path) -> Self {
        let started = Instant::now();
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the SMTP server exited ({status}): is aiosmtpd installed? `pip install aiosmtpd`"
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the SMTP server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            maildir: maildir.to_path_buf(),
        }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message the server accepted so far.
    fn messages(&self) -> Vec<Received> {
        read_maildir(&self.maildir)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A message as stored by aiosmtpd's `Mailbox` (it adds `X-MailFrom`, `X-RcptTo`, `X-Peer`).
#[derive(Debug)]
struct Received {
    raw: String,
    headers: Vec<(String, String)>,
}

impl Received {
    fn parse(raw: String) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let head = raw.split("\n\n").next().unwrap_or_default();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_lowercase(), value.trim().to_owned()));
            }
        }
        Self { raw, headers }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_lowercase())
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header in\n{}", self.raw))
    }
}

fn read_maildir(maildir: &Path) -> Vec<Received> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(maildir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("maildir entry").path();
            let raw = std::fs::read_to_string(&path).expect("read a stored message");
            out.push(Received::parse(raw));
        }
    }
    out
}

/// A test CA and a server certificate for 127.0.0.1 signed by it (webpki accepts no CA
/// certificate as the server's own).
struct TestCert {
    cert: PathBuf,
    key: PathBuf,
    /// The CA's certificate, to trust.
    pem: Vec<u8>,
}

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl to make test certificates");
    assert!(status.success(), "openssl {args:?} failed");
}

fn test_cert(dir: &Path) -> TestCert {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Atrium test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write the extensions");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
    TestCert {
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        pem: std::fs::read(dir.join("ca.pem")).expect("read the CA certificate"),
    }
}

// --- Helpers ------------------------------------------------------------------------------

fn test_mail(to: &str, subject: &str, contact: Option<Uuid>) -> NewMail {
    NewMail {
        to: to.into(),
        subject: subject.into(),
        text: format!("Plain text of {subject}."),
        html: format!("<p>HTML of <b>{subject}</b>.</p>"),
        template: "delivery_test".into(),
        contact,
        ..NewMail::default()
    }
}

/// Queues mails the way every change does: through `apply_effects`.
async fn enqueue(store: &Store, mails: Vec<NewMail>) {
    store
        .apply_effects(&Effects {
            mails,
            ..Effects::default()
        })
        .await
        .expect("enqueue");
}

/// The outbox row with this subject.
async fn row(app: &TestApp, subject: &str) -> Value {
    let (status, body) = app.get("/api/v1/admin/outbox").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["subject"] == subject)
        .cloned()
        .unwrap_or_else(|| panic!("no outbox row {subject} in {body}"))
}

fn config(worker: &str) -> WorkerConfig {
    WorkerConfig {
        worker_id: worker.into(),
        poll_interval: Duration::from_millis(50),
        lease: Duration::from_secs(60),
        max_attempts: 5,
        batch: 8,
        backoff: Backoff {
            base: time::Duration::milliseconds(300),
            max: time::Duration::seconds(2),
        },
    }
}

fn smtp_mailer(url: &str) -> Mailer {
    Mailer::smtp(
        url,
        FROM,
        SmtpOptions {
            timeout: Duration::from_secs(10),
            ..SmtpOptions::default()
        },
    )
    .expect("SMTP mailer")
}

fn subjects(messages: &[Received]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m.header("Subject").to_owned())
        .collect()
}

// --- Tests on both databases --------------------------------------------------------------

async fn delivers_over_smtp_with_both_bodies(app: TestApp) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = SmtpServer::start(free_port(), &dir.path().join("maildir"));
    let contact = app.contact("Ann", "Lee", None, false).await;
    let contact_id = Uuid::parse_str(&contact).expect("uuid");
    enqueue(
        &app.store,
        vec![test_mail(
            "ann.lee@example.com",
            "Your case 42",
            Some(contact_id),
        )],
    )
    .await;
    let queued = row(&app, "Your case 42").await;
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["attempts"], 0);
    assert_eq!(queued["sent_at"], Value::Null);

    let stats = run_once(&app.store, &smtp_mailer(&server.url()), &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");

    let messages: Vec<Received> = server
        .messages()
        .into_iter()
        .filter(|m| m.header("Subject") == "Your case 42")
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert_eq!(message.header("X-RcptTo"), "ann.lee@example.com");
    assert_eq!(message.header("X-MailFrom"), "no-reply@atrium.test");
    assert_eq!(message.header("To"), "ann.lee@example.com");
    assert_eq!(message.header("From"), FROM);
    let id = queued["id"].as_str().expect("id");
    let simple = Uuid::parse_str(id).expect("uuid").simple().to_string();
    assert_eq!(
        message.header("Message-ID"),
        format!("<{simple}@atrium.test>")
    );
    assert!(
        message
            .header("Content-Type")
            .starts_with("multipart/alternative"),
        "{}",
        message.raw
    );
    assert!(
        message
            .raw
            .contains("Content-Type: text/plain; charset=utf-8"),
        "{}",
        message.raw
    );
    assert!(
        message
            .raw
            .contains("Content-Type: text/html; charset=utf-8"),
        "{}",
        message.raw
    );
    assert!(
        message.raw.contains("Plain text of Your case 42."),
        "{}",
        message.raw
    );
    assert!(
        message.raw.contains("<p>HTML of <b>Your case 42</b>.</p>"),
        "{}",
        message.raw
    );
    // The text part comes first: the last alternative is the preferred one.
    assert!(
        message.raw.find("text/plain").expect("text part")
            < message.raw.find("text/html").expect("html part")
    );

    let sent = row(&app, "Your case 42").await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["attempts"], 1);
    assert_eq!(sent["to"], "ann.lee@example.com");
    assert_eq!(sent["template"], "delivery_test");
    assert_eq!(sent["last_error"], Value::Null);
    assert!(sent["sent_at"].is_string(), "{sent}");
    assert!(sent["created_at"].is_string(), "{sent}");

    // The contact's timeline has it, from the `email` source.
    let (status, activity) = app
        .get(&format!(
            "/api/v1/records/contacts/{contact}/activity?source=email"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{activity}");
    let entries = activity["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "{activity}");
    assert_eq!(entries[0]["kind"], "email_sent");
    assert_eq!(entries[0]["source"], "email");
    assert_eq!(entries[0]["detail"], "Your case 42");

    // Nothing is sent twice.
    let again = run_once(&app.store, &smtp_mailer(&server.url()), &config("w1"))
        .await
        .expect("run");
    assert!(again.is_empty(), "{again:?}");
    let count = subjects(&server.messages())
        .iter()
        .filter(|s| *s == "Your case 42")
        .count();
    assert_eq!(count, 1);
}

async fn without_smtp_mail_is_an_eml_file(app: TestApp) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mailer = Mailer::from_config(None, FROM, data_dir.path()).expect("file mailer");
    enqueue(
        &app.store,
        vec![test_mail("bob@example.com", "Written to a file", None)],
    )
    .await;
    let id = row(&app, "Written to a file").await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let stats = run_once(&app.store, &mailer, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");

    let mail_dir = data_dir.path().join("mail");
    let files: Vec<String> = std::fs::read_dir(&mail_dir)
        .expect("mail directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, vec![format!("{id}.eml")], "no partial file is left");
    let eml =
        Received::parse(std::fs::read_to_string(mail_dir.join(format!("{id}.eml"))).expect("read"));
    assert_eq!(eml.header("To"), "bob@example.com");
    assert_eq!(eml.header("From"), FROM);
    assert_eq!(eml.header("Subject"), "Written to a file");
    assert!(eml.header("Date").len() > 10);
    assert!(
        eml.header("Content-Type")
            .starts_with("multipart/alternative")
    );
    assert!(
        eml.raw.contains("Plain text of Written to a file."),
        "{}",
        eml.raw
    );
    assert!(
        eml.raw.contains("<p>HTML of <b>Written to a file</b>.</p>"),
        "{}",
        eml.raw
    );

    let sent = row(&app, "Written to a file").await;
    assert_eq!(sent["status"], "sent");
    assert!(sent["sent_at"].is_string());
}

async fn smtp_down_then_back(app: TestApp) {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mailer = smtp_mailer(&format!("smtp://127.0.0.1:{port}"));
    let config = WorkerConfig {
        backoff: Backoff {
            base: time::Duration::seconds(2),
            max: time::Duration::seconds(10),
        },
        ..config("w1")
    };
    enqueue(
        &app.store,
        vec![test_mail("carl@example.com", "While down", None)],
    )
    .await;

    // Nobody listens: the attempt fails, the mail stays queued with the error.
    let stats = run_once(&app.store, &mailer, &config).await.expect("run");
    assert_eq!(stats.retrying, 1, "{stats:?}");
    let failed_at = Instant::now();
    let queued = row(&app, "While down").await;
    assert_eq!(queued["status"], "queued", "{queued}");
    assert_eq!(queued["attempts"], 1, "{queued}");
    let error = queued["last_error"].as_str().expect("last_error");
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert_eq!(queued["sent_at"], Value::Null);

    // Not before the backoff has passed.
    let early = run_once(&app.store, &mailer, &config).await.expect("run");
    assert!(early.is_empty(), "{early:?}");
    assert_eq!(row(&app, "While down").await["attempts"], 1);

    // The server comes back; after the backoff the mail goes out.
    let server = SmtpServer::start(port, &dir.path().join("maildir"));
    let wait = Duration::from_millis(2100).saturating_sub(failed_at.elapsed());
    tokio::time::sleep(wait).await;
    let stats = run_once(&app.store, &mailer, &config).await.expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");
    assert_eq!(subjects(&server.messages()), vec!["While down".to_owned()]);
    let sent = row(&app, "While down").await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["attempts"], 2);
}

async fn out_of_attempts_then_failed_and_retried(app: TestApp) {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let mailer = smtp_mailer(&format!("smtp://127.0.0.1:{port}"));
    let config = WorkerConfig {
        max_attempts: 3,
        backoff: Backoff {
            base: time::Duration::ZERO,
            max: time::Duration::ZERO,
        },
        ..config("w1")
    };
    enqueue(
        &app.store,
        vec![test_mail("dora@example.com", "Never arrives", None)],
    )
    .await;
    for attempt in 1..=3 {
        let stats = run_once(&app.store, &mailer, &config).await.expect("run");
        assert_eq!(
            stats.retrying + stats.failed,
            1,
            "attempt {attempt}: {stats:?}"
        );
        assert_eq!(
            stats.failed,
            u64::from(attempt == 3),
            "attempt {attempt}: {stats:?}"
        );
    }
    // Failed mails are not tried again by themselves.
    let idle = run_once(&app.store, &mailer, &config).await.expect("run");
    assert!(idle.is_empty(), "{idle:?}");

    let (status, failed) = app.get("/api/v1/admin/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK, "{failed}");
    let items = failed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{failed}");
    let mail = &items[0];
    assert_eq!(mail["subject"], "Never arrives");
    assert_eq!(mail["status"], "failed");
    assert_eq!(mail["attempts"], 3);
    assert!(
        mail["last_error"]
            .as_str()
            .expect("last_error")
            .to_lowercase()
            .contains("refused"),
        "{mail}"
    );
    let id = mail["id"].as_str().expect("id").to_owned();
    let (_, queued) = app.get("/api/v1/admin/outbox?status=queued").await;
    assert!(
        !queued["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|m| m["id"] == id.as_str()),
        "{queued}"
    );

    // Admins only; a bad filter is a 422.
    let (status, _) = send(app.agent(Method::GET, "/api/v1/admin/outbox")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        send(app.agent(Method::POST, &format!("/api/v1/admin/outbox/{id}/retry"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(app.client.get(app.url("/api/v1/admin/outbox"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, problem) = app.get("/api/v1/admin/outbox?status=lost").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), vec!["status"]);
    let (status, problem) = app.get("/api/v1/admin/outbox?limit=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    // Unknown or malformed ids are 404.
    let (status, _) = app
        .post(
            &format!("/api/v1/admin/outbox/{}/retry", Uuid::now_v7()),
            Value::Null,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post("/api/v1/admin/outbox/nonsense/retry", Value::Null)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Retry: queued again with fresh attempts, and delivered once the server is there.
    let (status, retried) = app
        .post(&format!("/api/v1/admin/outbox/{id}/retry"), Value::Null)
        .await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["id"], id.as_str());
    assert_eq!(retried["status"], "queued");
    assert_eq!(retried["attempts"], 0);
    let server = SmtpServer::start(port, &dir.path().join("maildir"));
    let stats = run_once(&app.store, &mailer, &config).await.expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");
    assert_eq!(
        subjects(&server.messages()),
        vec!["Never arrives".to_owned()]
    );
    let sent = row(&app, "Never arrives").await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["attempts"], 1);

    // A sent mail cannot be retried.
    let (status, problem) = app
        .post(&format!("/api/v1/admin/outbox/{id}/retry"), Value::Null)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
}

async fn a_crash_between_claim_and_send_delivers_after_the_lease(app: TestApp) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = SmtpServer::start(free_port(), &dir.path().join("maildir"));
    let mailer = smtp_mailer(&server.url());
    enqueue(
        &app.store,
        vec![test_mail("eve@example.com", "After a crash", None)],
    )
    .await;

    // A worker claims the mail and dies before sending it.
    let claimed = app
        .store
        .claim_due("crashed-worker", time::Duration::milliseconds(1500), 10)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    let id = claimed[0].id;
    let claimed_at = Instant::now();

    // While the lease lives, nobody else takes it.
    let stats = run_once(&app.store, &mailer, &config("survivor"))
        .await
        .expect("run");
    assert!(stats.is_empty(), "{stats:?}");
    assert!(server.messages().is_empty());

    // After it, another worker delivers it, once.
    tokio::time::sleep(Duration::from_millis(1600).saturating_sub(claimed_at.elapsed())).await;
    let stats = run_once(&app.store, &mailer, &config("survivor"))
        .await
        .expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");
    let again = run_once(&app.store, &mailer, &config("survivor"))
        .await
        .expect("run");
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(
        subjects(&server.messages()),
        vec!["After a crash".to_owned()]
    );
    assert_eq!(row(&app, "After a crash").await["status"], "sent");

    // The dead worker's lease is gone: it can mark nothing.
    assert!(
        !app.store
            .mark_sent(id, "crashed-worker")
            .await
            .expect("mark")
    );
    let outcome = app
        .store
        .mark_failed_attempt(id, "crashed-worker", "late", 5, &Backoff::default())
        .await
        .expect("mark");
    assert_eq!(outcome, AttemptOutcome::LostLease);
    let sent = row(&app, "After a crash").await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["last_error"], Value::Null);
}

async fn concurrent_claims_are_disjoint(app: TestApp) {
    let mails = (0..25)
        .map(|i| test_mail("fay@example.com", &format!("Claim {i}"), None))
        .collect();
    enqueue(&app.store, mails).await;
    // A claim takes no more than its limit.
    let alone = app
        .store
        .claim_due("alone", time::Duration::seconds(60), 5)
        .await
        .expect("claim");
    assert_eq!(alone.len(), 5);
    let claims: Vec<_> = (0..4)
        .map(|i| {
            let store = app.store.clone();
            tokio::spawn(async move {
                store
                    .claim_due(&format!("claimer-{i}"), time::Duration::seconds(60), 5)
                    .await
                    .expect("claim")
            })
        })
        .collect();
    let mut seen: HashSet<Uuid> = alone.iter().map(|mail| mail.id).collect();
    let mut results = Vec::new();
    for claim in claims {
        results.push(claim.await.expect("task"));
    }
    for claimed in results {
        assert_eq!(claimed.len(), 5);
        for mail in claimed {
            assert!(seen.insert(mail.id), "{} claimed twice", mail.id);
        }
    }
    assert_eq!(seen.len(), 25);
    // Everything is leased now.
    let rest = app
        .store
        .claim_due("late", time::Duration::seconds(60), 50)
        .await
        .expect("claim");
    assert!(rest.is_empty());
}

async fn mail_without_contact_has_no_activity(app: TestApp) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let contact = app.contact("Gil", "Ray", None, false).await;
    let mailer = Mailer::files(data_dir.path().join("mail"), FROM).expect("mailer");
    enqueue(
        &app.store,
        vec![test_mail("gil.ray@example.com", "No contact", None)],
    )
    .await;
    let stats = run_once(&app.store, &mailer, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.sent, 1);
    let (_, activity) = app
        .get(&format!(
            "/api/v1/records/contacts/{contact}/activity?source=email"
        ))
        .await;
    assert_eq!(activity["items"], serde_json::json!([]), "{activity}");
}

// --- Several workers on one database --------------------------------------------------------

/// Two instances (two stores, two pools) each running the real worker loop over one database
/// with 50 mails: every mail arrives exactly once.
async fn two_workers_deliver_each_mail_once(backend: Backend) {
    common::init_logs();
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = common::database_url(backend, dir.path()).await else {
        return;
    };
    let storage = format!("file://{}/files", dir.path().display());
    let open = || Store::open(&url, &storage, atrium_core::standard::registry());
    let first = open().await.expect("first instance");
    let second = open().await.expect("second instance");
    let server = SmtpServer::start(free_port(), &dir.path().join("maildir"));

    let mails = (0..50)
        .map(|i| {
            test_mail(
                &format!("user{i}@example.com"),
                &format!("Mail {i:02}"),
                None,
            )
        })
        .collect();
    enqueue(&first, mails).await;
    let ids: HashSet<String> = first
        .outbox(100, Some(OutboxStatus::Queued))
        .await
        .expect("outbox")
        .iter()
        .map(|m| m.id.simple().to_string())
        .collect();
    assert_eq!(ids.len(), 50);

    let worker = |store: &Store, name: &str| {
        spawn_worker(
            store.clone(),
            smtp_mailer(&server.url()),
            WorkerConfig {
                batch: 3,
                poll_interval: Duration::from_millis(20),
                ..config(name)
            },
        )
    };
    let a = worker(&first, "instance-a");
    let b = worker(&second, "instance-b");
    let started = Instant::now();
    loop {
        let sent = first
            .outbox(100, Some(OutboxStatus::Sent))
            .await
            .expect("outbox")
            .len();
        if sent == 50 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "only {sent} of 50 sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    a.stop().await;
    b.stop().await;

    let messages = server.messages();
    assert_eq!(messages.len(), 50, "each mail exactly once");
    let arrived: HashSet<String> = messages
        .iter()
        .map(|m| {
            m.header("Message-ID")
                .trim_matches(['<', '>'])
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(arrived, ids);
    let subjects: HashSet<String> = subjects(&messages).into_iter().collect();
    assert_eq!(subjects.len(), 50);
    assert!(
        first
            .outbox(100, Some(OutboxStatus::Queued))
            .await
            .expect("outbox")
            .is_empty()
    );
    first.db().close().await;
    second.db().close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_postgres_deliver_each_mail_once() {
    two_workers_deliver_each_mail_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_sqlite_deliver_each_mail_once() {
    two_workers_deliver_each_mail_once(Backend::Sqlite).await;
}

// --- TLS and credentials --------------------------------------------------------------------

async fn tls_delivery(mode: &str, scheme_url: impl Fn(u16, &str) -> String) {
    common::init_logs();
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let dir = tempfile::tempdir().expect("tempdir");
    let cert = test_cert(dir.path());
    let server = SmtpServer::start_tls(
        free_port(),
        &dir.path().join("maildir"),
        &cert,
        mode,
        "atrium@example.com",
        "s3cret:pass",
    );
    let options = || SmtpOptions {
        timeout: Duration::from_secs(10),
        extra_root_pem: Some(cert.pem.clone()),
        ..SmtpOptions::default()
    };

    // A wrong password: the mail waits (the settings are at fault, not the mail).
    let wrong = Mailer::smtp(
        &scheme_url(server.port, "atrium%40example.com:wrong"),
        FROM,
        options(),
    )
    .expect("mailer");
    enqueue(
        &app.store,
        vec![test_mail("hal@example.com", &format!("Over {mode}"), None)],
    )
    .await;
    let stats = run_once(&app.store, &wrong, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.retrying, 1, "{stats:?}");
    let queued = row(&app, &format!("Over {mode}")).await;
    assert_eq!(queued["status"], "queued", "{queued}");
    assert!(
        queued["last_error"]
            .as_str()
            .expect("error")
            .contains("535"),
        "{queued}"
    );
    assert!(server.messages().is_empty());

    // The right credentials (percent-encoded in the URL) over TLS.
    let right = Mailer::smtp(
        &scheme_url(server.port, "atrium%40example.com:s3cret%3Apass"),
        FROM,
        options(),
    )
    .expect("mailer");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let stats = run_once(&app.store, &right, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.sent, 1, "{stats:?}");
    let messages = server.messages();
    assert_eq!(subjects(&messages), vec![format!("Over {mode}")]);
    assert_eq!(messages[0].header("X-RcptTo"), "hal@example.com");

    // Without trusting the test certificate, TLS refuses the server.
    let untrusted = Mailer::smtp(
        &scheme_url(server.port, "atrium%40example.com:s3cret%3Apass"),
        FROM,
        SmtpOptions {
            timeout: Duration::from_secs(10),
            ..SmtpOptions::default()
        },
    )
    .expect("mailer");
    enqueue(
        &app.store,
        vec![test_mail("hal@example.com", "Untrusted", None)],
    )
    .await;
    let stats = run_once(&app.store, &untrusted, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.retrying, 1, "{stats:?}");
    assert_eq!(server.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_with_credentials() {
    tls_delivery("starttls", |port, auth| {
        format!("smtp://{auth}@127.0.0.1:{port}?tls=starttls")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_with_credentials() {
    tls_delivery("implicit", |port, auth| {
        format!("smtps://{auth}@127.0.0.1:{port}")
    })
    .await;
}

/// A server that only offers STARTTLS-less plain SMTP is refused when STARTTLS is required:
/// no mail (and no password) goes out in the clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn required_starttls_is_not_downgraded() {
    common::init_logs();
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let dir = tempfile::tempdir().expect("tempdir");
    let server = SmtpServer::start(free_port(), &dir.path().join("maildir"));
    let mailer = smtp_mailer(&format!("smtp+starttls://u:p@127.0.0.1:{}", server.port));
    enqueue(
        &app.store,
        vec![test_mail("ida@example.com", "Not in the clear", None)],
    )
    .await;
    let stats = run_once(&app.store, &mailer, &config("w1"))
        .await
        .expect("run");
    assert_eq!(stats.retrying, 1, "{stats:?}");
    assert!(server.messages().is_empty());
}

// --- The binary ---------------------------------------------------------------------------

/// `atrium serve`, configured by `ATRIUM_SMTP_URL` and `ATRIUM_MAIL_FROM`, delivers the mail a
/// change queues (a portal invitation) to the SMTP server, from the configured sender.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_delivers_over_the_configured_smtp_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let smtp = SmtpServer::start(free_port(), &dir.path().join("maildir"));
    let envs = [
        ("ATRIUM_SMTP_URL", smtp.url()),
        (
            "ATRIUM_MAIL_FROM",
            "Portal Team <portal@atrium.test>".to_owned(),
        ),
    ];
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let password = "long enough password";
    let created = atrium(&envs)
        .args([
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--password",
            password,
        ])
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("run atrium admin create");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );

    let mut command = atrium(&envs);
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(&data);
    let (_served, base) = serve(command);

    let client = reqwest::Client::new();
    let (status, login) = send(
        client
            .post(format!("{base}/api/v1/staff/login"))
            .json(&serde_json::json!({"email": "root@example.com", "password": password})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = login["token"].as_str().expect("token").to_owned();
    let (status, contact) = send(
        client
            .post(format!("{base}/api/v1/records/contacts"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "first_name": "Jo", "last_name": "Doe", "email": "jo.doe@example.com",
                "portal_user": true
            })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{contact}");

    // The worker polls every few seconds.
    let started = Instant::now();
    let message = loop {
        if let Some(message) = smtp
            .messages()
            .into_iter()
            .find(|m| m.header("X-RcptTo") == "jo.doe@example.com")
        {
            break message;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no mail arrived"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        message.header("From"),
        "\"Portal Team\" <portal@atrium.test>"
    );
    assert_eq!(message.header("X-MailFrom"), "portal@atrium.test");
    assert_eq!(message.header("Subject"), "Your access to Customer Portal");
    assert!(
        message
            .header("Content-Type")
            .starts_with("multipart/alternative")
    );
    assert!(message.raw.contains("text/plain") && message.raw.contains("text/html"));

    // The link in the invitation sets the first password, once.
    let decoded = message
        .raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = decoded
        .find("invitation?token=")
        .expect("an invitation link")
        + "invitation?token=".len();
    let invitation: String = decoded[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let accept = || {
        send(
            client
                .post(format!("{base}/api/v1/portal/default/invitation/accept"))
                .json(&serde_json::json!({"token": invitation, "password": "tangerine submarine orchestra"})),
        )
    };
    let (status, body) = accept().await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = accept().await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the link works once"
    );
    let (status, signed_in) = send(
        client
            .post(format!("{base}/api/v1/portal/default/login"))
            .json(&serde_json::json!({"email": "jo.doe@example.com", "password": "tangerine submarine orchestra"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");

    // And the outbox says so.
    let started = Instant::now();
    loop {
        let (status, outbox) = send(
            client
                .get(format!("{base}/api/v1/admin/outbox?status=sent"))
                .bearer_auth(&token),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{outbox}");
        let items = outbox["items"].as_array().expect("items");
        if items.iter().any(|m| m["to"] == "jo.doe@example.com") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not marked sent: {outbox}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
