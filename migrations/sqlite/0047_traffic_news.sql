-- Recording an API call no longer waits for other calls of its store (issue 22). The
-- trigger of migration 0032 updated one summed row per store, service, ID and day; each
-- call and order now appends a row of its own here, which no other writer touches. The
-- chores fold these rows into `store_traffic` (`store::traffic::fold`), and readers sum
-- both tables, so a call counts from the moment it is stored. (SQLite has one writer at a
-- time and never queued on the row; the shape is PostgreSQL's, kept the same here so both
-- read and fold alike.)
CREATE TABLE store_traffic_news (
    id INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL,
    service TEXT NOT NULL,
    subject TEXT NOT NULL,
    day BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    succeeded BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    last_user_agent TEXT
);
CREATE INDEX store_traffic_news_store ON store_traffic_news(store_id);

DROP TRIGGER order_events_traffic;
CREATE TRIGGER order_events_traffic AFTER INSERT ON order_events
WHEN new.store_id IS NOT NULL
    AND (new.kind = 'order.created' OR (new.kind = 'api.call' AND new.service IS NOT NULL))
BEGIN
    INSERT INTO store_traffic_news (store_id, service, subject, day, calls, succeeded, last_at, last_user_agent)
    VALUES (
        new.store_id,
        CASE WHEN new.kind = 'order.created' THEN 'checkout' ELSE new.service END,
        COALESCE(new.legacy_store_id, new.merchant_id),
        COALESCE(new.created_at, new.received_at) / 86400,
        1,
        CASE WHEN new.kind = 'order.created' OR new.status < 400 THEN 1 ELSE 0 END,
        COALESCE(new.created_at, new.received_at),
        new.user_agent
    );
    UPDATE stores SET legacy_called_at = COALESCE(new.created_at, new.received_at)
    WHERE id = new.store_id AND new.legacy_store_id IS NOT NULL
        AND COALESCE(legacy_called_at, 0) < COALESCE(new.created_at, new.received_at);
    UPDATE stores SET order_management_at = COALESCE(new.created_at, new.received_at)
    WHERE id = new.store_id AND new.merchant_id IS NOT NULL AND new.legacy_store_id IS NULL
        AND new.service = 'order_management' AND new.status < 400
        AND order_management_at IS NULL;
END;
