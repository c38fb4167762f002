-- How many stores each partner has per product and stage, kept as the stores change, so
-- a cohort's size, a stage's and the at-risk filter's are sums of a few rows instead of
-- counts of up to a million index entries.
--
-- Each change is a row of its own (+1 or -1) that nothing else writes: no two writers
-- ever wait for one counter (nor deadlock over two). The periodic chores fold them into
-- one row per cell (`store::tallies::fold`). A store without a partner is tallied under
-- partner 0.
CREATE TABLE cohort_tallies (
    id BIGSERIAL PRIMARY KEY,
    partner_id BIGINT NOT NULL,
    product TEXT NOT NULL,
    upgrade_step TEXT NOT NULL,
    stores BIGINT NOT NULL
);
CREATE INDEX cohort_tallies_cell ON cohort_tallies(partner_id, product, upgrade_step) INCLUDE (stores);

INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
SELECT COALESCE(partner_id, 0), product, upgrade_step, COUNT(*) FROM stores
GROUP BY COALESCE(partner_id, 0), product, upgrade_step;

CREATE FUNCTION tally_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
        VALUES (COALESCE(OLD.partner_id, 0), OLD.product, OLD.upgrade_step, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
        VALUES (COALESCE(NEW.partner_id, 0), NEW.product, NEW.upgrade_step, 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stores_tally AFTER INSERT OR DELETE ON stores
FOR EACH ROW EXECUTE FUNCTION tally_store();

CREATE TRIGGER stores_tally_update AFTER UPDATE OF partner_id, product, upgrade_step ON stores
FOR EACH ROW WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id
    OR OLD.product IS DISTINCT FROM NEW.product OR OLD.upgrade_step IS DISTINCT FROM NEW.upgrade_step)
EXECUTE FUNCTION tally_store();
