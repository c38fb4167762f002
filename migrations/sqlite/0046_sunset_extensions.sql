-- Per-store sunset extensions (issue 23): a store admin asks for more time, with a reason
-- and the day wanted, up to the catalog's limit for the product; support approves (perhaps
-- with another day) or declines, with a reason. One request open per store at a time.
CREATE TABLE sunset_extensions (
    id INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
    -- YYYY-MM-DD.
    wanted_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    -- 'open', 'approved' or 'declined'.
    status TEXT NOT NULL DEFAULT 'open',
    -- The day granted (YYYY-MM-DD), on an approval.
    granted_date TEXT,
    decision_reason TEXT,
    decided_by TEXT,
    decided_at BIGINT
);
CREATE UNIQUE INDEX sunset_extensions_one_open ON sunset_extensions(store_id) WHERE status = 'open';
CREATE INDEX sunset_extensions_store ON sunset_extensions(store_id, id);
CREATE INDEX sunset_extensions_open ON sunset_extensions(id) WHERE status = 'open';

-- The store's own sunset, once an extension is approved: 00:00 UTC of the day, in unix
-- seconds, beside the product's (the later one counts). NULL for nearly every store.
ALTER TABLE stores ADD COLUMN extended_sunset BIGINT;
CREATE INDEX stores_extended ON stores(partner_id, extended_sunset) WHERE extended_sunset IS NOT NULL;
