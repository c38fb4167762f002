-- What a store's integrations still call (issue 22). The platform reports each API call
-- (`api.call`) with its service, endpoint and status; orders already say the checkout
-- service was used. A store's per-service table sums them per ID and day, kept by a
-- trigger in the same statement as the event, so a store with a million events reads a
-- few rows, and an acknowledged event is counted exactly when it is stored.
ALTER TABLE order_events ADD COLUMN service TEXT;
ALTER TABLE order_events ADD COLUMN endpoint TEXT;
ALTER TABLE order_events ADD COLUMN status BIGINT;

CREATE TABLE store_traffic (
    store_id BIGINT NOT NULL,
    service TEXT NOT NULL,
    -- The ID used: the legacy store's (digits) or a merchant ID.
    subject TEXT NOT NULL,
    -- Unix day (seconds / 86400) of the calls.
    day BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    last_user_agent TEXT,
    PRIMARY KEY (store_id, service, subject, day)
);

INSERT INTO store_traffic (store_id, service, subject, day, calls, succeeded, last_at)
SELECT store_id, 'checkout', COALESCE(legacy_store_id, merchant_id),
       COALESCE(created_at, received_at) / 86400, COUNT(*), COUNT(*), MAX(COALESCE(created_at, received_at))
FROM order_events
WHERE kind = 'order.created' AND store_id IS NOT NULL
GROUP BY store_id, COALESCE(legacy_store_id, merchant_id), COALESCE(created_at, received_at) / 86400;

CREATE FUNCTION count_traffic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_traffic AS t (store_id, service, subject, day, calls, succeeded, last_at, last_user_agent)
    VALUES (
        NEW.store_id,
        CASE WHEN NEW.kind = 'order.created' THEN 'checkout' ELSE NEW.service END,
        COALESCE(NEW.legacy_store_id, NEW.merchant_id),
        COALESCE(NEW.created_at, NEW.received_at) / 86400,
        1,
        CASE WHEN NEW.kind = 'order.created' OR NEW.status < 400 THEN 1 ELSE 0 END,
        COALESCE(NEW.created_at, NEW.received_at),
        NEW.user_agent
    )
    ON CONFLICT (store_id, service, subject, day) DO UPDATE SET
        calls = t.calls + 1,
        succeeded = t.succeeded + EXCLUDED.succeeded,
        last_user_agent = CASE WHEN EXCLUDED.last_at >= t.last_at THEN EXCLUDED.last_user_agent ELSE t.last_user_agent END,
        last_at = GREATEST(t.last_at, EXCLUDED.last_at);
    RETURN NULL;
END
$$;

CREATE TRIGGER order_events_traffic AFTER INSERT ON order_events
FOR EACH ROW WHEN (NEW.store_id IS NOT NULL
    AND (NEW.kind = 'order.created' OR (NEW.kind = 'api.call' AND NEW.service IS NOT NULL)))
EXECUTE FUNCTION count_traffic();
