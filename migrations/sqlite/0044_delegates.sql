-- The technical delegate (issue 23): a store user the admin invited to do the
-- integration's work (the checklist, the setup and shop checks, the test purchase, support
-- requests) but never the terms, the account, the credentials or the store's people.
ALTER TABLE store_members ADD COLUMN delegate BIGINT NOT NULL DEFAULT 0;

-- A one-time link with which the admin passes new live credentials to the delegate: it
-- shows a newly generated password once, to the delegate signed in, within 24 hours.
-- Only the token's hash is kept.
CREATE TABLE credential_handoffs (
    id INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- How long the old live password keeps working once the new one is shown (seconds).
    grace BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX credential_handoffs_store ON credential_handoffs(store_id, id);
