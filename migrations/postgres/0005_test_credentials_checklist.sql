-- Test credentials get their own merchant ID (PK + 5 digits) beside the live one.
ALTER TABLE upgrades ADD COLUMN test_merchant_id TEXT;
CREATE UNIQUE INDEX upgrades_test_merchant_id ON upgrades(test_merchant_id);
-- The integration checklist items the admin has ticked, comma-separated.
ALTER TABLE upgrades ADD COLUMN checklist TEXT NOT NULL DEFAULT '';
