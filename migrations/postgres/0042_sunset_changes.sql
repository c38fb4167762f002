-- The legacy products' sunset dates with their history (issue 23): every date a product
-- had, who set it, when and why. The newest row of a product is its effective date. The
-- catalog or SWITCHYARD_SUNSET only seeds it (the first row, old_date NULL); an operator
-- changes it on /staff/sunsets or with `switchyard sunset set`, and a changed
-- configuration counts as a change too.
CREATE TABLE sunset_changes (
    id BIGSERIAL PRIMARY KEY,
    product TEXT NOT NULL,
    -- YYYY-MM-DD; NULL on the seed.
    old_date TEXT,
    new_date TEXT NOT NULL,
    -- The operator's words; empty when the configuration set it.
    reason TEXT NOT NULL,
    -- An operator's email, 'cli' or 'configuration'.
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    -- Stores are told of a change in id order: the last one told, and when all were
    -- (at once for a seed: nobody is told of a first date).
    told_through BIGINT NOT NULL DEFAULT 0,
    told_at BIGINT
);
CREATE INDEX sunset_changes_product ON sunset_changes(product, id);
CREATE INDEX sunset_changes_untold ON sunset_changes(id) WHERE told_at IS NULL;

-- The date the configuration last gave each product: a start with another one is a
-- change; a start with the same one is not (an operator's change stands).
CREATE TABLE sunset_seeds (
    product TEXT PRIMARY KEY,
    configured TEXT NOT NULL
);
