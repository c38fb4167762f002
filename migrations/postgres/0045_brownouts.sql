-- Announced brownouts (issue 23): an operator schedules a platform-wide window in which
-- the platform refuses every legacy call of one legacy product. Affected stores and
-- partners are told 14, 3 and 1 days ahead; stores that completed their upgrade and whose
-- legacy store is quiet are not bothered.
CREATE TABLE brownouts (
    id BIGSERIAL PRIMARY KEY,
    product TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    -- The platform's id for the window.
    platform_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    cancelled_by TEXT,
    cancelled_at BIGINT
);
CREATE INDEX brownouts_coming ON brownouts(product, ends_at);

-- How far each notice (14, 3 or 1 days ahead) of a brownout has gone: stores are told in
-- id order, the last one told, and when all were (and their partners' managers).
CREATE TABLE brownout_notices (
    brownout_id BIGINT NOT NULL,
    point BIGINT NOT NULL,
    told_through BIGINT NOT NULL DEFAULT 0,
    told_at BIGINT,
    PRIMARY KEY (brownout_id, point)
);

-- The sandbox platform's product-wide windows.
CREATE TABLE sandbox_product_brownouts (
    id TEXT PRIMARY KEY,
    product TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
