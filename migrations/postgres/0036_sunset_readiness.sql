-- Sunset readiness (issue 22): a store is ready when its legacy ID has not been used for
-- 14 days (`legacy_called_at`), no legacy authorization is still open, and its reports
-- were archived. The latest expiry of an open legacy authorization is kept on the store by
-- a trigger on the legacy orders, and the archive's download is recorded on it, so the
-- dashboard's readiness filter reads only columns of `stores`.
ALTER TABLE stores ADD COLUMN legacy_open_until BIGINT;
ALTER TABLE stores ADD COLUMN legacy_archived_at BIGINT;

UPDATE stores SET legacy_open_until = o.open_until
FROM (SELECT store_id, MAX(expires_at) AS open_until FROM legacy_orders
      WHERE status IN ('authorized', 'part-captured') GROUP BY store_id) o
WHERE o.store_id = stores.id;

CREATE FUNCTION legacy_open_until() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stores SET legacy_open_until = (
        SELECT MAX(o.expires_at) FROM legacy_orders o
        WHERE o.store_id = NEW.store_id AND o.status IN ('authorized', 'part-captured')
    ) WHERE id = NEW.store_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER legacy_orders_open AFTER INSERT OR UPDATE ON legacy_orders
FOR EACH ROW EXECUTE FUNCTION legacy_open_until();

-- The filter "ready for the sunset" starts from the stores whose reports were archived.
CREATE INDEX stores_partner_archived ON stores(partner_id, legacy_archived_at);
