-- The cutover meter (issue 22): each store's live orders per day, on the legacy store ID
-- or a new merchant ID, by the country they were placed from ('' when the platform did
-- not say). Kept by a trigger in the statement that records the order, like the traffic
-- sums, so a store with a million orders draws its meter from a few rows a day.
ALTER TABLE order_events ADD COLUMN country TEXT;

CREATE TABLE store_orders (
    store_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    -- 1: on the legacy store ID; 0: on a new merchant ID.
    legacy BIGINT NOT NULL,
    country TEXT NOT NULL,
    orders BIGINT NOT NULL,
    PRIMARY KEY (store_id, day, legacy, country)
);

INSERT INTO store_orders (store_id, day, legacy, country, orders)
SELECT store_id, COALESCE(created_at, received_at) / 86400,
       CASE WHEN legacy_store_id IS NOT NULL THEN 1 ELSE 0 END, '', COUNT(*)
FROM order_events
WHERE kind = 'order.created' AND environment = 'live' AND store_id IS NOT NULL
GROUP BY store_id, COALESCE(created_at, received_at) / 86400, CASE WHEN legacy_store_id IS NOT NULL THEN 1 ELSE 0 END;

-- When the last live order arrived on the legacy store ID: an order there a week after
-- the upgrade completed means a storefront or country still runs the old plugin.
ALTER TABLE stores ADD COLUMN legacy_ordered_at BIGINT;
UPDATE stores SET legacy_ordered_at = e.last_at
FROM (SELECT store_id, MAX(COALESCE(created_at, received_at)) AS last_at FROM order_events
      WHERE kind = 'order.created' AND environment = 'live' AND legacy_store_id IS NOT NULL
      GROUP BY store_id) e
WHERE e.store_id = stores.id;
-- When the admin was told legacy orders still arrive after the upgrade (once).
ALTER TABLE stores ADD COLUMN legacy_orders_alerted_at BIGINT;
CREATE INDEX stores_legacy_orders_unalerted ON stores(legacy_ordered_at)
    WHERE upgrade_completed_at IS NOT NULL AND legacy_orders_alerted_at IS NULL;

CREATE FUNCTION count_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_orders AS o (store_id, day, legacy, country, orders)
    VALUES (
        NEW.store_id,
        COALESCE(NEW.created_at, NEW.received_at) / 86400,
        CASE WHEN NEW.legacy_store_id IS NOT NULL THEN 1 ELSE 0 END,
        COALESCE(NEW.country, ''),
        1
    )
    ON CONFLICT (store_id, day, legacy, country) DO UPDATE SET orders = o.orders + 1;
    IF NEW.legacy_store_id IS NOT NULL THEN
        UPDATE stores SET legacy_ordered_at = COALESCE(NEW.created_at, NEW.received_at)
        WHERE id = NEW.store_id
            AND COALESCE(legacy_ordered_at, 0) < COALESCE(NEW.created_at, NEW.received_at);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER order_events_meter AFTER INSERT ON order_events
FOR EACH ROW WHEN (NEW.store_id IS NOT NULL AND NEW.kind = 'order.created' AND NEW.environment = 'live')
EXECUTE FUNCTION count_orders();
