-- A store's latest reminder (the dashboard's last-reminded column, read for every row of
-- a CSV export of the whole cohort) in one index step per store, however much other mail
-- and how many webhooks the outbox holds for it.
CREATE INDEX outbox_reminders ON outbox(store_id, created_at) WHERE lane = 'bulk' AND kind = 'email';
