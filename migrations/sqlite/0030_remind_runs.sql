-- "Remind all matching" at scale: a run reminds the stores of a filter in batches, in id
-- order, beside the requests. What it has done (and where it is: the last store id) is
-- kept after each batch, so a run that stopped with its instance is taken up again by
-- the chores (`claimed_until` has passed) on any instance, and the once-a-day rule of
-- the reminder keys makes a batch done twice remind nobody twice. One runner at a time:
-- a batch counts only if the run is still claimed by it (`claimed_by`) and still where
-- it left it.
CREATE TABLE remind_runs (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    actor TEXT NOT NULL,
    ip TEXT NOT NULL,
    -- The manager's partners when it started (ids, comma-separated).
    partners TEXT NOT NULL,
    -- The dashboard's filter as its query string.
    query TEXT NOT NULL,
    -- Reminders the preview said would be sent.
    expected BIGINT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    after_id BIGINT NOT NULL DEFAULT 0,
    claimed_by TEXT NOT NULL,
    claimed_until BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX remind_runs_unfinished ON remind_runs(claimed_until) WHERE finished_at IS NULL;
