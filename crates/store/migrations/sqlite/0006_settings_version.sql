-- The version of the portals, portal roles and company documents: every write to them adds
-- one in its transaction, and each instance keeps the documents in memory until it moves.
CREATE TABLE settings_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 0);
