-- Checks of a password, reserved before the check runs, so that parallel guesses cannot all
-- slip under the limit: one row per key (an e-mail, a staff e-mail, a contact's password).
CREATE TABLE sign_in_checks (
    key          TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    checks       INTEGER NOT NULL
);
