-- What the legacy store could do, as the import said (issue 22): recurring payments and
-- business customers (1 yes, 0 no), and its payment methods (codes separated by ';').
-- NULL: the import said nothing. Before the test purchase, what the new merchant ID lacks
-- of them is listed.
ALTER TABLE stores ADD COLUMN legacy_recurring BIGINT;
ALTER TABLE stores ADD COLUMN legacy_b2b BIGINT;
ALTER TABLE stores ADD COLUMN legacy_payment_methods TEXT;

-- The sandbox platform's merchant IDs' capabilities, where they differ from its default
-- (no recurring, no B2B; invoice, part payment and card), as a test or a demo set them.
CREATE TABLE sandbox_capabilities (
    merchant_id TEXT PRIMARY KEY,
    recurring BIGINT NOT NULL,
    b2b BIGINT NOT NULL,
    payment_methods TEXT NOT NULL
);
