-- Portals, portal roles, company details, customer accounts, sign-in throttling, the contact
-- activity timeline and followers.

CREATE TABLE portals (
    slug        TEXT PRIMARY KEY,
    document    TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL,
    custom_host TEXT UNIQUE,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE portal_roles (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    permissions TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE company (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    document  TEXT NOT NULL,
    logo_key  TEXT,
    logo_mime TEXT
);

CREATE TABLE portal_accounts (
    contact_id          UUID PRIMARY KEY,
    password_hash       TEXT,
    password_changed_at TIMESTAMPTZ
);

CREATE TABLE login_attempts (
    id      UUID PRIMARY KEY,
    email   TEXT NOT NULL,
    address TEXT NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE TABLE activity (
    id            UUID PRIMARY KEY,
    contact_id    UUID NOT NULL,
    kind          TEXT NOT NULL,
    source        TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    detail        TEXT NOT NULL,
    record_module TEXT,
    record_id     UUID
);
CREATE INDEX activity_contact ON activity (contact_id, at);

CREATE TABLE follows (
    module     TEXT NOT NULL,
    record_id  UUID NOT NULL,
    contact_id UUID NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (module, record_id, contact_id)
);

ALTER TABLE sessions ADD COLUMN portal TEXT;
CREATE INDEX sessions_portal ON sessions (portal);
