-- Recording an API call no longer waits for other calls of its store (issue 22). The
-- trigger of migration 0032 updated one summed row per store, service, ID and day, so
-- concurrent calls of a busy store queued on that row's lock, each until the one before
-- it committed. Each call and order now appends a row of its own here, which no other
-- writer touches; the chores fold these rows into `store_traffic`
-- (`store::traffic::fold`), and readers sum both tables, so a call counts from the moment
-- it is stored.
CREATE TABLE store_traffic_news (
    id BIGSERIAL PRIMARY KEY,
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

CREATE OR REPLACE FUNCTION count_traffic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_traffic_news (store_id, service, subject, day, calls, succeeded, last_at, last_user_agent)
    VALUES (
        NEW.store_id,
        CASE WHEN NEW.kind = 'order.created' THEN 'checkout' ELSE NEW.service END,
        COALESCE(NEW.legacy_store_id, NEW.merchant_id),
        COALESCE(NEW.created_at, NEW.received_at) / 86400,
        1,
        CASE WHEN NEW.kind = 'order.created' OR NEW.status < 400 THEN 1 ELSE 0 END,
        COALESCE(NEW.created_at, NEW.received_at),
        NEW.user_agent
    );
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
