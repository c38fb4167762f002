-- Times are UTC unix seconds (BIGINT); money is minor units (BIGINT); flags are 0/1.
CREATE TABLE partners (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE stores (
    id BIGSERIAL PRIMARY KEY,
    legacy_store_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    product TEXT NOT NULL,
    admin_email TEXT NOT NULL,
    countries TEXT NOT NULL,
    platform TEXT NOT NULL,
    store_url TEXT NOT NULL,
    partner_id BIGINT REFERENCES partners(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX stores_admin_email ON stores(admin_email);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_sign_in_at BIGINT
);

CREATE TABLE sign_in_tokens (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE upgrades (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL UNIQUE REFERENCES stores(id),
    path_id TEXT NOT NULL,
    step TEXT NOT NULL,
    global_enabled BIGINT NOT NULL DEFAULT 1,
    merchant_id TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);

CREATE TABLE upgrade_history (
    id BIGSERIAL PRIMARY KEY,
    upgrade_id BIGINT NOT NULL REFERENCES upgrades(id),
    from_step TEXT NOT NULL,
    to_step TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE TABLE terms_acceptances (
    id BIGSERIAL PRIMARY KEY,
    upgrade_id BIGINT NOT NULL REFERENCES upgrades(id),
    path_id TEXT NOT NULL,
    user_email TEXT NOT NULL,
    document_title TEXT NOT NULL,
    document_version TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    document_body TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    accepted_at BIGINT NOT NULL
);

CREATE TABLE api_credentials (
    id BIGSERIAL PRIMARY KEY,
    upgrade_id BIGINT NOT NULL REFERENCES upgrades(id),
    merchant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_credentials_merchant ON api_credentials(merchant_id);

CREATE TABLE order_events (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    merchant_id TEXT,
    legacy_store_id TEXT,
    order_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX order_events_merchant ON order_events(merchant_id);
CREATE INDEX order_events_legacy ON order_events(legacy_store_id);
