-- Rows given up on before migration 0049 kept their reason in last_error with sent_at
-- set (a delivered row has no last_error): they are the given-up ones, not sent.
UPDATE outbox SET last_failure = 'dropped'
WHERE sent_at IS NOT NULL AND last_error IS NOT NULL AND last_failure IS NULL;
