-- The order whose arrival completed the upgrade: the admin is asked to cancel it, and
-- test_order_status (from 0006) says what became of it.
ALTER TABLE upgrades ADD COLUMN test_order_id TEXT;

-- The sandbox's order book learns captures, refunds, cancellation and expiry.
ALTER TABLE sandbox_orders ADD COLUMN captured_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sandbox_orders ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sandbox_orders ADD COLUMN cancelled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sandbox_orders ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE sandbox_orders SET captured_amount = amount WHERE status = 'captured';
UPDATE sandbox_orders SET expires_at = created_at + 2419200;
CREATE INDEX sandbox_orders_merchant ON sandbox_orders(merchant_id, created_at);

-- Polling asks whether an order is known already.
CREATE INDEX order_events_order ON order_events(order_id);

-- The sandbox answers a repeated Idempotency-Key with the first answer.
CREATE TABLE sandbox_idempotency (
    idempotency_key TEXT PRIMARY KEY,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Support requests sent from a failed test purchase, with their screenshots.
CREATE TABLE support_requests (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    author_email TEXT NOT NULL,
    explanation TEXT NOT NULL,
    error_code TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX support_requests_store ON support_requests(store_id, created_at);
CREATE INDEX support_requests_status ON support_requests(status, created_at);

-- Screenshots live in the database, never on a path a name could choose; the type is
-- the one their bytes showed, not the one the browser claimed.
CREATE TABLE support_attachments (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES support_requests(id),
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX support_attachments_request ON support_attachments(request_id);
