-- How many stores each partner has per product and stage, kept as the stores change, so
-- a cohort's size, a stage's and the at-risk filter's are sums of a few rows instead of
-- counts of up to a million index entries.
--
-- Each change is a row of its own (+1 or -1) that nothing else writes: no two writers
-- ever wait for one counter. The periodic chores fold them into one row per cell
-- (`store::tallies::fold`). A store without a partner is tallied under partner 0.
CREATE TABLE cohort_tallies (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL,
    product TEXT NOT NULL,
    upgrade_step TEXT NOT NULL,
    stores BIGINT NOT NULL
);
CREATE INDEX cohort_tallies_cell ON cohort_tallies(partner_id, product, upgrade_step, stores);

INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
SELECT COALESCE(partner_id, 0), product, upgrade_step, COUNT(*) FROM stores
GROUP BY COALESCE(partner_id, 0), product, upgrade_step;

CREATE TRIGGER stores_tally_insert AFTER INSERT ON stores BEGIN
    INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
    VALUES (COALESCE(new.partner_id, 0), new.product, new.upgrade_step, 1);
END;

CREATE TRIGGER stores_tally_delete AFTER DELETE ON stores BEGIN
    INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
    VALUES (COALESCE(old.partner_id, 0), old.product, old.upgrade_step, -1);
END;

CREATE TRIGGER stores_tally_update AFTER UPDATE OF partner_id, product, upgrade_step ON stores
WHEN COALESCE(old.partner_id, 0) <> COALESCE(new.partner_id, 0)
    OR old.product <> new.product OR old.upgrade_step <> new.upgrade_step
BEGIN
    INSERT INTO cohort_tallies (partner_id, product, upgrade_step, stores)
    VALUES (COALESCE(old.partner_id, 0), old.product, old.upgrade_step, -1),
           (COALESCE(new.partner_id, 0), new.product, new.upgrade_step, 1);
END;
