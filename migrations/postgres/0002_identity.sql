-- Staff roles (NULL for merchants' people, whose rights come from their stores),
-- disabling, store members, browser-bound sign-in tokens, rate limits and the audit log.
ALTER TABLE users ADD COLUMN role TEXT;
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

CREATE TABLE partner_managers (
    user_id BIGINT NOT NULL REFERENCES users(id),
    partner_id BIGINT NOT NULL REFERENCES partners(id),
    PRIMARY KEY (user_id, partner_id)
);

CREATE TABLE store_members (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    email TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (store_id, email)
);
CREATE INDEX store_members_email ON store_members(email);

-- The session that asked for the link: the link only works in that browser.
ALTER TABLE sign_in_tokens ADD COLUMN requested_by TEXT;

CREATE TABLE rate_limit_events (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_limit_events_bucket ON rate_limit_events(bucket, at);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    store_id BIGINT REFERENCES stores(id),
    detail TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX audit_log_store ON audit_log(store_id, id);
