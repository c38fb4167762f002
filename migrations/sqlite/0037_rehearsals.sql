-- Switch-off rehearsals (issue 22): a store admin has the platform refuse the legacy
-- store's calls for 15, 30 or 60 minutes, and reads afterwards what was refused. The
-- platform's id for the window is kept to cancel it. The chores remind the admin before
-- the start (outbox keys), and after the end write the report: the refused calls, summed
-- per service, endpoint and user agent, kept beyond the events' retention.
CREATE TABLE rehearsals (
    id INTEGER PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    brownout_id TEXT NOT NULL,
    scheduled_by TEXT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    cancelled_by TEXT,
    cancelled_at BIGINT,
    reported_at BIGINT,
    refused_calls BIGINT
);
CREATE INDEX rehearsals_store ON rehearsals(store_id, starts_at);
-- What the chores look at: windows not cancelled whose report is not written.
CREATE INDEX rehearsals_open ON rehearsals(starts_at) WHERE cancelled_at IS NULL AND reported_at IS NULL;

CREATE TABLE rehearsal_refusals (
    rehearsal_id BIGINT NOT NULL REFERENCES rehearsals(id),
    service TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    calls BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    PRIMARY KEY (rehearsal_id, service, endpoint, user_agent)
);

-- The sandbox platform's side: the windows in which it refuses a legacy store's calls.
CREATE TABLE sandbox_brownouts (
    id TEXT PRIMARY KEY,
    legacy_store_id TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
CREATE INDEX sandbox_brownouts_store ON sandbox_brownouts(legacy_store_id, ends_at);
