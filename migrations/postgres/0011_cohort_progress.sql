-- The partner dashboard filters, counts and sorts 100,000 stores by their upgrade's
-- progress. Joining every store to its upgrade for that costs more than the rest of the
-- page, so each store carries a copy of its upgrade's progress, kept by the trigger
-- below (never written by the application). `upgrades` stays the source of truth.
ALTER TABLE stores ADD COLUMN upgrade_step TEXT NOT NULL DEFAULT 'not-started';
ALTER TABLE stores ADD COLUMN upgrade_progressed_at BIGINT;
ALTER TABLE stores ADD COLUMN upgrade_updated_at BIGINT;
ALTER TABLE stores ADD COLUMN upgrade_completed_at BIGINT;

UPDATE stores s SET upgrade_step = u.step, upgrade_progressed_at = u.progressed_at,
    upgrade_updated_at = u.updated_at, upgrade_completed_at = u.completed_at
FROM upgrades u WHERE u.store_id = s.id;

CREATE FUNCTION copy_upgrade_progress() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE stores SET upgrade_step = 'not-started', upgrade_progressed_at = NULL,
            upgrade_updated_at = NULL, upgrade_completed_at = NULL
        WHERE id = OLD.store_id;
        RETURN OLD;
    END IF;
    UPDATE stores SET upgrade_step = NEW.step, upgrade_progressed_at = NEW.progressed_at,
        upgrade_updated_at = NEW.updated_at, upgrade_completed_at = NEW.completed_at
    WHERE id = NEW.store_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER upgrades_progress
AFTER INSERT OR DELETE OR UPDATE OF step, progressed_at, updated_at, completed_at ON upgrades
FOR EACH ROW EXECUTE FUNCTION copy_upgrade_progress();

-- Risk counts read these without touching the table; the idle and activity sorts walk
-- their index instead of sorting every store.
CREATE INDEX stores_partner_progress ON stores(partner_id, product, upgrade_step, upgrade_progressed_at);
CREATE INDEX stores_partner_idle ON stores(partner_id, (COALESCE(upgrade_progressed_at, 0)), id);
CREATE INDEX stores_partner_activity ON stores(partner_id, (COALESCE(upgrade_updated_at, 0)), id);
