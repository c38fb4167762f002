-- Switch-off windows the platform booked that Switchyard could not record, and so
-- cancelled again. Each counts as a cancelled window of its times, so scheduling the
-- same window again asks the platform with a new key, not for the cancelled one.
CREATE TABLE rehearsal_withdrawals (
    id INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    brownout_id TEXT NOT NULL,
    withdrawn_at BIGINT NOT NULL
);
CREATE INDEX rehearsal_withdrawals_window ON rehearsal_withdrawals(store_id, starts_at, ends_at);
