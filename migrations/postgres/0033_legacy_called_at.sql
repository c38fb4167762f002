-- The dashboard's "legacy calls" column and filter: when the store's legacy ID was last
-- used (a call or an order on it), kept on the store by the events' trigger, so a filter
-- over a million stores is a range of an index rather than a look at every store's sums.
ALTER TABLE stores ADD COLUMN legacy_called_at BIGINT;

UPDATE stores SET legacy_called_at = t.last_at
FROM (SELECT store_id, subject, MAX(last_at) AS last_at FROM store_traffic GROUP BY store_id, subject) t
WHERE t.store_id = stores.id AND t.subject = stores.legacy_store_id;

CREATE INDEX stores_partner_legacy ON stores(partner_id, legacy_called_at);

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
    END IF;
    RETURN NULL;
END
$$;
