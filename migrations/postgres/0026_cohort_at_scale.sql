-- The dashboard, the stalled list and support search at 1,000,000 stores. Name and
-- legacy ID search already have trigram indexes (0014, 0021); support also searches the
-- admin's email.
CREATE INDEX stores_admin_email_trigrams ON stores USING gin (admin_email gin_trgm_ops);

-- Sorting by step or risk reads class after class in id order (`Cohort::by_rank`).
CREATE INDEX stores_partner_step ON stores(partner_id, upgrade_step, id);
CREATE INDEX stores_partner_id ON stores(partner_id, id);
-- Support's stalled list spans every partner, oldest first.
CREATE INDEX stores_unfinished_idle ON stores((COALESCE(upgrade_progressed_at, 0)), id)
    WHERE upgrade_step <> 'complete';
-- Legacy store IDs sort as numbers: shorter first, then by digits.
CREATE INDEX stores_partner_eid ON stores(partner_id, (LENGTH(legacy_store_id)), legacy_store_id, id);
