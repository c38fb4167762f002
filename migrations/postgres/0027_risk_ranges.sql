-- The dashboard and support search at 1,000,000 stores, continued.
--
-- The at-risk filter matches over half of a large cohort, so its count reads hundreds of
-- thousands of index entries. With the idle time indexed as the rule reads it (not
-- started is NULL, read as 0), each kind of product and stage is one range: no entry is
-- read that does not count. PostgreSQL answers from an index alone only when it holds
-- the columns an expression is made of, hence the INCLUDE (here and for the stalled list).
DROP INDEX stores_partner_progress;
CREATE INDEX stores_partner_risk ON stores(partner_id, product, upgrade_step, (COALESCE(upgrade_progressed_at, 0)))
    INCLUDE (upgrade_progressed_at);
DROP INDEX stores_unfinished_idle;
CREATE INDEX stores_unfinished_idle ON stores((COALESCE(upgrade_progressed_at, 0)), id)
    INCLUDE (upgrade_progressed_at) WHERE upgrade_step <> 'complete';

-- Support search finds a store by its new MID, an API username or a member's email too;
-- `LIKE '%…%'` read every upgrade, credential and member for that.
CREATE INDEX upgrades_merchant_trigrams ON upgrades USING gin (LOWER(merchant_id) gin_trgm_ops);
CREATE INDEX api_credentials_username_trigrams ON api_credentials USING gin (LOWER(username) gin_trgm_ops);
CREATE INDEX store_members_email_trigrams ON store_members USING gin (email gin_trgm_ops);
