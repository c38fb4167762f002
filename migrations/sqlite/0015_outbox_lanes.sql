-- The outbox delivers by lane, so a sign-in link never waits behind bulk mail or a
-- partner's dead endpoint. Rows queued before this migration get their lane from what
-- their key says they are.
ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'transactional';
UPDATE outbox SET lane = 'webhook' WHERE kind = 'webhook';
UPDATE outbox SET lane = 'urgent'
    WHERE idempotency_key LIKE 'sign-in:%' OR idempotency_key LIKE 'admin-change:%';
UPDATE outbox SET lane = 'bulk'
    WHERE idempotency_key LIKE 'sunset:%' OR idempotency_key LIKE 'stall:%'
       OR idempotency_key LIKE 'digest:%' OR idempotency_key LIKE 'nudge:%';
-- What a lane's worker asks for: its pending rows in the order they are due.
CREATE INDEX outbox_lane_due ON outbox(lane, next_attempt_at, id) WHERE sent_at IS NULL;

-- A partner's endpoint that keeps failing is marked, so the partner sees it.
ALTER TABLE webhooks ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN failing_since BIGINT;
ALTER TABLE webhooks ADD COLUMN last_error TEXT;
