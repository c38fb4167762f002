-- Signed platform events carry more than orders: errors with their codes, and when the
-- platform created them. store_id is resolved on arrival for the store's API log.
ALTER TABLE order_events ADD COLUMN store_id BIGINT;
ALTER TABLE order_events ADD COLUMN created_at BIGINT;
ALTER TABLE order_events ADD COLUMN user_agent TEXT;
ALTER TABLE order_events ADD COLUMN error_code TEXT;
ALTER TABLE order_events ADD COLUMN correlation_id TEXT;
CREATE INDEX order_events_store ON order_events(store_id, received_at);

-- When the admin was told that the old plugin still takes orders (told once).
ALTER TABLE upgrades ADD COLUMN legacy_warned_at BIGINT;
-- The test order the admin cancelled (or asked to cancel) after detection.
ALTER TABLE upgrades ADD COLUMN test_order_status TEXT;

-- The sandbox platform's own order book, for its order-management API.
CREATE TABLE sandbox_orders (
    order_id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Email that must not be lost, written in the transaction of the change that causes it
-- and delivered by a worker with retries. The key makes a second enqueue a no-op.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    store_id BIGINT,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at);
