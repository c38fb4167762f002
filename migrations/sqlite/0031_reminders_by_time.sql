-- The "remind all" preview counts the stores of a cohort reminded today from today's
-- reminders (bulk-lane emails), not by looking up each store of the cohort: a filter can
-- match a million stores, and on most days few of them were reminded.
CREATE INDEX outbox_reminders_by_time ON outbox(created_at) WHERE lane = 'bulk' AND kind = 'email';
