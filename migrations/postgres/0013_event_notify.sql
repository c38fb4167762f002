-- A recorded platform event announces itself to its store's watchers on every instance
-- (the channel of src/live.rs), delivered when the inserting transaction commits. So an
-- event that asks nothing of an upgrade is one autocommitted INSERT, and no code path can
-- record an event and forget to announce it.
CREATE FUNCTION announce_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('switchyard_store', CAST(NEW.store_id AS TEXT));
    RETURN NULL;
END
$$;

CREATE TRIGGER order_events_announce AFTER INSERT ON order_events
    FOR EACH ROW WHEN (NEW.store_id IS NOT NULL) EXECUTE FUNCTION announce_order_event();
