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
UPDATE stores SET legacy_ordered_at = (
    SELECT MAX(COALESCE(e.created_at, e.received_at)) FROM order_events e
    WHERE e.store_id = stores.id AND e.kind = 'order.created' AND e.environment = 'live'
        AND e.legacy_store_id IS NOT NULL
);
-- When the admin was told legacy orders still arrive after the upgrade (once).
ALTER TABLE stores ADD COLUMN legacy_orders_alerted_at BIGINT;
CREATE INDEX stores_legacy_orders_unalerted ON stores(legacy_ordered_at)
    WHERE upgrade_completed_at IS NOT NULL AND legacy_orders_alerted_at IS NULL;

CREATE TRIGGER order_events_meter AFTER INSERT ON order_events
WHEN new.store_id IS NOT NULL AND new.kind = 'order.created' AND new.environment = 'live'
BEGIN
    INSERT INTO store_orders (store_id, day, legacy, country, orders)
    VALUES (
        new.store_id,
        COALESCE(new.created_at, new.received_at) / 86400,
        CASE WHEN new.legacy_store_id IS NOT NULL THEN 1 ELSE 0 END,
        COALESCE(new.country, ''),
        1
    )
    ON CONFLICT (store_id, day, legacy, country) DO UPDATE SET orders = orders + 1;
    UPDATE stores SET legacy_ordered_at = COALESCE(new.created_at, new.received_at)
    WHERE id = new.store_id AND new.legacy_store_id IS NOT NULL
        AND COALESCE(legacy_ordered_at, 0) < COALESCE(new.created_at, new.received_at);
END;
