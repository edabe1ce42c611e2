-- E-mail: the outbox (one row per mail, written in the transaction of the change that causes
-- it), editable templates, settings, single-use tokens mailed to customers, and once-only
-- markers of scheduled jobs.

CREATE TABLE email_outbox (
    id              BLOB PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    template        TEXT NOT NULL,
    contact_id      BLOB,
    -- queued, sent or failed
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    locked_by       TEXT,
    locked_until    TEXT,
    last_error      TEXT,
    -- Mails with the same batch key that are still queued are merged into one (notifications).
    batch_key       TEXT,
    -- What the mail was rendered from, to render it again when a batch grows.
    payload         TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_batch ON email_outbox (batch_key, status);
CREATE INDEX email_outbox_created ON email_outbox (created_at);

CREATE TABLE email_templates (
    name       TEXT PRIMARY KEY,
    subject    TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    body_text  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE portal_tokens (
    token_hash TEXT PRIMARY KEY,
    -- invitation, password_reset or email_change
    kind       TEXT NOT NULL,
    contact_id BLOB NOT NULL,
    portal     TEXT,
    payload    TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX portal_tokens_contact ON portal_tokens (contact_id, kind);

CREATE TABLE job_runs (
    job    TEXT NOT NULL,
    run_key TEXT NOT NULL,
    ran_at TEXT NOT NULL,
    PRIMARY KEY (job, run_key)
);
