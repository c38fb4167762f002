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
UPDATE stores SET order_management_at = t.first_at
FROM (SELECT t.store_id, MIN(t.last_at) AS first_at FROM store_traffic t JOIN stores s ON s.id = t.store_id
      WHERE t.service = 'order_management' AND t.subject <> s.legacy_store_id AND t.succeeded > 0
      GROUP BY t.store_id) t
WHERE t.store_id = stores.id;

CREATE OR REPLACE FUNCTION count_traffic() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF NEW.legacy_store_id IS NOT NULL THEN
        UPDATE stores SET legacy_called_at = COALESCE(NEW.created_at, NEW.received_at)
        WHERE id = NEW.store_id
            AND COALESCE(legacy_called_at, 0) < COALESCE(NEW.created_at, NEW.received_at);
    ELSIF NEW.service = 'order_management' AND NEW.status < 400 THEN
        UPDATE stores SET order_management_at = COALESCE(NEW.created_at, NEW.received_at)
        WHERE id = NEW.store_id AND order_management_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;
