-- The address each portal user signs in with, normalized (trimmed, lowercased in full Unicode
-- by Atrium), unique among portal users: sign-in finds one contact or none, and two portal
-- users can never share an address, however their writes race. Filled at start-up.
CREATE TABLE portal_logins (
    email      TEXT PRIMARY KEY,
    contact_id BLOB NOT NULL UNIQUE
);
