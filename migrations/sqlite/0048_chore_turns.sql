-- The periodic chores run once per period across instances (issue 24). Every instance
-- wakes at the start of each period of the chores' interval; the one whose row goes in
-- first runs that period's chores, and the others wait for the next period. A row names
-- the instance that ran it, so an operator can see that the turns are shared out.
CREATE TABLE chore_turns (
    every_ms BIGINT NOT NULL,
    period BIGINT NOT NULL,
    instance TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (every_ms, period)
);
