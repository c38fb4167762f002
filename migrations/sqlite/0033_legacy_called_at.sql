-- The dashboard's "legacy calls" column and filter: when the store's legacy ID was last
-- used (a call or an order on it), kept on the store by the events' trigger, so a filter
-- over a million stores is a range of an index rather than a look at every store's sums.
ALTER TABLE stores ADD COLUMN legacy_called_at BIGINT;

UPDATE stores SET legacy_called_at = (
    SELECT MAX(t.last_at) FROM store_traffic t
    WHERE t.store_id = stores.id AND t.subject = stores.legacy_store_id
) WHERE EXISTS (
    SELECT 1 FROM store_traffic t WHERE t.store_id = stores.id AND t.subject = stores.legacy_store_id
);

CREATE INDEX stores_partner_legacy ON stores(partner_id, legacy_called_at);

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
END;
