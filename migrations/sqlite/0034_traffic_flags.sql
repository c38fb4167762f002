-- What partners hear of a store's traffic (issue 22). `legacy_told` is what its
-- partner's webhooks were last told of the legacy store's use: NULL (nothing yet),
-- 'stopped' (no call for 7 days) or 'resumed' (called again after that). The chores
-- compare it with `legacy_called_at`; each partial index holds only the stores that
-- could change, so the chore reads a range rather than every store.
ALTER TABLE stores ADD COLUMN legacy_told TEXT;
CREATE INDEX stores_legacy_untold ON stores(legacy_called_at)
    WHERE legacy_called_at IS NOT NULL AND (legacy_told IS NULL OR legacy_told = 'resumed');
CREATE INDEX stores_legacy_stopped ON stores(legacy_called_at) WHERE legacy_told = 'stopped';

-- When order management first succeeded on a new merchant ID: a completed store without
-- it has checkout working and captures and refunds never tried, the commonest silent
-- failure, flagged on the dashboard.
ALTER TABLE stores ADD COLUMN order_management_at BIGINT;
UPDATE stores SET order_management_at = (
    SELECT MIN(t.last_at) FROM store_traffic t
    WHERE t.store_id = stores.id AND t.service = 'order_management'
        AND t.subject <> stores.legacy_store_id AND t.succeeded > 0
);

DROP TRIGGER order_events_traffic;
CREATE TRIGGER order_events_traffic AFTER INSERT ON order_events
WHEN new.store_id IS NOT NULL
    AND (new.kind = 'order.created' OR (new.kind = 'api.call' AND new.service IS NOT NULL))
BEGIN
    INSERT INTO store_traffic (store_id, service, subject, day, calls, succeeded, last_at, last_user_agent)
    VALUES (
        new.store_id,
        CASE WHEN new.kind = 'order.created' THEN 'checkout' ELSE new.service END,
        COALESCE(new.legacy_store_id, new.merchant_id),
        COALESCE(new.created_at, new.received_at) / 86400,
        1,
        CASE WHEN new.kind = 'order.created' OR new.status < 400 THEN 1 ELSE 0 END,
        COALESCE(new.created_at, new.received_at),
        new.user_agent
    )
    ON CONFLICT (store_id, service, subject, day) DO UPDATE SET
        calls = calls + 1,
        succeeded = succeeded + excluded.succeeded,
        last_user_agent = CASE WHEN excluded.last_at >= last_at THEN excluded.last_user_agent ELSE last_user_agent END,
        last_at = MAX(last_at, excluded.last_at);
    UPDATE stores SET legacy_called_at = COALESCE(new.created_at, new.received_at)
    WHERE id = new.store_id AND new.legacy_store_id IS NOT NULL
        AND COALESCE(legacy_called_at, 0) < COALESCE(new.created_at, new.received_at);
    UPDATE stores SET order_management_at = COALESCE(new.created_at, new.received_at)
    WHERE id = new.store_id AND new.merchant_id IS NOT NULL AND new.legacy_store_id IS NULL
        AND new.service = 'order_management' AND new.status < 400
        AND order_management_at IS NULL;
END;
