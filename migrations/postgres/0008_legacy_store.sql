-- Settlement reports of legacy stores, imported from the platform's CSV. Money in minor
-- units; unknown columns are kept as JSON so an export gives them back.
CREATE TABLE settlement_reports (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    merchant_id TEXT NOT NULL,
    payment_reference TEXT NOT NULL,
    payout_date TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_sale BIGINT NOT NULL,
    total_fee BIGINT NOT NULL,
    total_return BIGINT NOT NULL,
    total_reversal BIGINT NOT NULL,
    total_commission BIGINT NOT NULL,
    total_holdback BIGINT NOT NULL,
    total_release BIGINT NOT NULL,
    total_repay BIGINT NOT NULL,
    total_settlement BIGINT NOT NULL,
    extra_header TEXT NOT NULL,
    extra_columns TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    UNIQUE (merchant_id, payment_reference)
);
CREATE INDEX settlement_reports_store ON settlement_reports(store_id, payout_date);

CREATE TABLE settlement_transactions (
    id BIGSERIAL PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES settlement_reports(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    order_id TEXT NOT NULL,
    short_order_id TEXT NOT NULL,
    capture_id TEXT NOT NULL,
    merchant_reference1 TEXT NOT NULL,
    merchant_reference2 TEXT NOT NULL,
    amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    sale_date TEXT NOT NULL,
    capture_date TEXT NOT NULL,
    -- The day it counts on (capture day, else sale day), for date-range exports.
    day TEXT NOT NULL,
    extra TEXT NOT NULL
);
CREATE INDEX settlement_transactions_report ON settlement_transactions(report_id, position);
CREATE INDEX settlement_transactions_day ON settlement_transactions(day);

-- What Switchyard last heard of a legacy store's orders at the platform, for warnings
-- about expiring authorizations without asking the platform on every page.
CREATE TABLE legacy_orders (
    order_id TEXT PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    status TEXT NOT NULL,
    order_amount BIGINT NOT NULL,
    captured_amount BIGINT NOT NULL,
    refunded_amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    synced_at BIGINT NOT NULL
);
CREATE INDEX legacy_orders_store ON legacy_orders(store_id, created_at);
CREATE INDEX legacy_orders_expiry ON legacy_orders(status, expires_at);
