-- System tables. Module tables (organizations, cases, ...) are created from the module
-- metadata at start-up by the store's schema sync, not here.

CREATE TABLE staff_users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phone         TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('staff', 'customer')),
    user_id      UUID NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (kind, user_id);

CREATE TABLE record_sequences (
    module     TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
);

CREATE TABLE record_links (
    module       TEXT NOT NULL,
    record_id    UUID NOT NULL,
    other_module TEXT NOT NULL,
    other_id     UUID NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (module, record_id, other_module, other_id)
);
CREATE INDEX record_links_other ON record_links (other_module, other_id, module);

CREATE TABLE comments (
    id             UUID PRIMARY KEY,
    module         TEXT NOT NULL,
    record_id      UUID NOT NULL,
    body           TEXT NOT NULL,
    body_html      TEXT NOT NULL,
    internal       BOOLEAN NOT NULL,
    author_user    UUID,
    author_contact UUID,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_record ON comments (module, record_id, created_at);

CREATE TABLE record_updates (
    id                 UUID PRIMARY KEY,
    module             TEXT NOT NULL,
    record_id          UUID NOT NULL,
    field              TEXT NOT NULL,
    old_value          TEXT,
    new_value          TEXT,
    changed_by_user    UUID,
    changed_by_contact UUID,
    changed_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX record_updates_record ON record_updates (module, record_id, changed_at);
