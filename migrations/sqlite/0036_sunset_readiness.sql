-- Sunset readiness (issue 22): a store is ready when its legacy ID has not been used for
-- 14 days (`legacy_called_at`), no legacy authorization is still open, and its reports
-- were archived. The latest expiry of an open legacy authorization is kept on the store by
-- a trigger on the legacy orders, and the archive's download is recorded on it, so the
-- dashboard's readiness filter reads only columns of `stores`.
ALTER TABLE stores ADD COLUMN legacy_open_until BIGINT;
ALTER TABLE stores ADD COLUMN legacy_archived_at BIGINT;

UPDATE stores SET legacy_open_until = (
    SELECT MAX(o.expires_at) FROM legacy_orders o
    WHERE o.store_id = stores.id AND o.status IN ('authorized', 'part-captured')
);

CREATE TRIGGER legacy_orders_open_insert AFTER INSERT ON legacy_orders
BEGIN
    UPDATE stores SET legacy_open_until = (
        SELECT MAX(o.expires_at) FROM legacy_orders o
        WHERE o.store_id = new.store_id AND o.status IN ('authorized', 'part-captured')
    ) WHERE id = new.store_id;
END;

CREATE TRIGGER legacy_orders_open_update AFTER UPDATE ON legacy_orders
BEGIN
    UPDATE stores SET legacy_open_until = (
        SELECT MAX(o.expires_at) FROM legacy_orders o
        WHERE o.store_id = new.store_id AND o.status IN ('authorized', 'part-captured')
    ) WHERE id = new.store_id;
END;

-- The filter "ready for the sunset" starts from the stores whose reports were archived.
CREATE INDEX stores_partner_archived ON stores(partner_id, legacy_archived_at);
