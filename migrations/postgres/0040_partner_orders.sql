-- The cutover meter summed over a partner's stores (issue 22): each live order adds a row
-- (+1) under the partner its store has when the order arrives. Nothing else writes that
-- row, so no two writers wait for one counter; the periodic chores fold the rows into one
-- per cell (`store::tallies::fold`), as they do the cohort tallies (migration 0028).
-- Stores without a partner are not summed.
CREATE TABLE partner_orders (
    id BIGSERIAL PRIMARY KEY,
    partner_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    legacy BIGINT NOT NULL,
    country TEXT NOT NULL,
    orders BIGINT NOT NULL
);
CREATE INDEX partner_orders_day ON partner_orders(partner_id, day) INCLUDE (legacy, country, orders);

INSERT INTO partner_orders (partner_id, day, legacy, country, orders)
SELECT s.partner_id, o.day, o.legacy, o.country, SUM(o.orders)
FROM store_orders o JOIN stores s ON s.id = o.store_id
WHERE s.partner_id IS NOT NULL
GROUP BY s.partner_id, o.day, o.legacy, o.country;

CREATE FUNCTION count_partner_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO partner_orders (partner_id, day, legacy, country, orders)
    SELECT partner_id, COALESCE(NEW.created_at, NEW.received_at) / 86400,
        CASE WHEN NEW.legacy_store_id IS NOT NULL THEN 1 ELSE 0 END,
        COALESCE(NEW.country, ''), 1
    FROM stores WHERE id = NEW.store_id AND partner_id IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE TRIGGER order_events_partner_meter AFTER INSERT ON order_events
FOR EACH ROW WHEN (NEW.store_id IS NOT NULL AND NEW.kind = 'order.created' AND NEW.environment = 'live')
EXECUTE FUNCTION count_partner_orders();
