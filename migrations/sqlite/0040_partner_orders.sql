-- The cutover meter summed over a partner's stores (issue 22): each live order adds a row
-- (+1) under the partner its store has when the order arrives. Nothing else writes that
-- row, so no two writers wait for one counter; the periodic chores fold the rows into one
-- per cell (`store::tallies::fold`), as they do the cohort tallies (migration 0028).
-- Stores without a partner are not summed.
CREATE TABLE partner_orders (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    legacy BIGINT NOT NULL,
    country TEXT NOT NULL,
    orders BIGINT NOT NULL
);
CREATE INDEX partner_orders_day ON partner_orders(partner_id, day, legacy, country, orders);

INSERT INTO partner_orders (partner_id, day, legacy, country, orders)
SELECT s.partner_id, o.day, o.legacy, o.country, SUM(o.orders)
FROM store_orders o JOIN stores s ON s.id = o.store_id
WHERE s.partner_id IS NOT NULL
GROUP BY s.partner_id, o.day, o.legacy, o.country;

CREATE TRIGGER order_events_partner_meter AFTER INSERT ON order_events
WHEN new.store_id IS NOT NULL AND new.kind = 'order.created' AND new.environment = 'live'
BEGIN
    INSERT INTO partner_orders (partner_id, day, legacy, country, orders)
    SELECT partner_id, COALESCE(new.created_at, new.received_at) / 86400,
        CASE WHEN new.legacy_store_id IS NOT NULL THEN 1 ELSE 0 END,
        COALESCE(new.country, ''), 1
    FROM stores WHERE id = new.store_id AND partner_id IS NOT NULL;
END;
