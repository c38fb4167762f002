-- What kind of failure an undelivered outbox row last met, as a code a page can put in
-- the reader's words: `timeout`, `connect`, `status:NNN`, `error`, or `dropped` once it
-- was given up. `last_error` keeps the full text for operators.
ALTER TABLE outbox ADD COLUMN last_failure TEXT;
