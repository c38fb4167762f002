-- Support casework (notes, assignee, follow-up) and the partners' webhook delivery log.

-- Support's casework on a store: notes agents leave for each other, who looks after the
-- store, and the day to look at it again. An agent working a cohort every day finds
-- their own stores by it, and the next agent reads what was tried.
CREATE TABLE store_notes (
    id BIGSERIAL PRIMARY KEY,
    store_id BIGINT NOT NULL REFERENCES stores(id),
    author_email TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX store_notes_store ON store_notes(store_id, id);

-- One row per store that has an assignee or a follow-up day; the day is YYYY-MM-DD.
CREATE TABLE store_casework (
    store_id BIGINT PRIMARY KEY REFERENCES stores(id),
    assignee_email TEXT,
    follow_up_on TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX store_casework_assignee ON store_casework(assignee_email, follow_up_on);

-- Every attempt at delivering a partner's webhook event: when, how long, what the
-- endpoint answered. The partner reads it beside the webhook, and redelivers from it.
CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks(id),
    outbox_id BIGINT NOT NULL REFERENCES outbox(id),
    event_type TEXT NOT NULL,
    attempted_at BIGINT NOT NULL,
    latency_ms BIGINT NOT NULL,
    -- The HTTP status, or NULL when no answer came.
    status_code BIGINT,
    -- delivered, or why not: a failure code (status:503, timeout, connect, error).
    outcome TEXT NOT NULL
);
CREATE INDEX webhook_attempts_hook ON webhook_attempts(webhook_id, id);
