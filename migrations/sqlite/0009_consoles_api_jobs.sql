-- The outbox carries every kind of job: email, and partner webhooks. A row whose body
-- holds a secret (a sign-in link) has its body wiped once delivered.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'email';
ALTER TABLE outbox ADD COLUMN redact BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_store ON outbox(store_id, created_at);

-- When the upgrade last moved a step (progress), apart from any other change.
ALTER TABLE upgrades ADD COLUMN progressed_at BIGINT;
UPDATE upgrades SET progressed_at = COALESCE(
    (SELECT MAX(h.at) FROM upgrade_history h WHERE h.upgrade_id = upgrades.id), created_at);
CREATE INDEX upgrades_progress ON upgrades(step, progressed_at);
CREATE INDEX stores_partner_name ON stores(partner_id, name);
CREATE INDEX upgrade_history_upgrade ON upgrade_history(upgrade_id, at);

-- Partner managers' API tokens: only the hash is kept; the token is shown once.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Where a partner wants upgrade events. The signing secret is derived from the server's
-- key and `nonce`, so the database alone cannot sign.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES partners(id),
    url TEXT NOT NULL,
    nonce TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT
);
CREATE INDEX webhooks_partner ON webhooks(partner_id);

-- A change of a store's registered administrator, waiting for the new address to confirm.
CREATE TABLE admin_changes (
    token_hash TEXT PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    new_email TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
