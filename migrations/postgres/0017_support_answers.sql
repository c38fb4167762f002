-- Support's answers to a support request, kept with it so the store sees the whole
-- thread in the app (they were only emailed). Each answer is the status it set and its
-- text. Answers given before this table are taken from the audit log.
CREATE TABLE support_answers (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES support_requests(id),
    author_email TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX support_answers_request ON support_answers(request_id, id);

-- Only entries that hold a JSON object are read (older ones hold English text, and one
-- that merely looks like JSON must not stop the migration): as SQLite's json_valid.
CREATE FUNCTION pg_temp.json_or_null(t TEXT) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

WITH given AS MATERIALIZED (
    SELECT a.id, a.actor, a.at, pg_temp.json_or_null(a.detail) AS args
    FROM audit_log a
    WHERE a.action = 'support_request.status' AND a.detail LIKE '{%}'
)
INSERT INTO support_answers (request_id, author_email, status, body, created_at)
SELECT r.id, g.actor, g.args ->> 'to', g.args ->> 'reason', g.at
FROM given g
JOIN support_requests r ON r.id::text = g.args ->> 'request'
WHERE jsonb_typeof(g.args) = 'object'
  AND g.args ->> 'to' IS NOT NULL AND g.args ->> 'reason' IS NOT NULL
ORDER BY g.id;
