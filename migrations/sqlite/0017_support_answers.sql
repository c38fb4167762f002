-- Support's answers to a support request, kept with it so the store sees the whole
-- thread in the app (they were only emailed). Each answer is the status it set and its
-- text. Answers given before this table are taken from the audit log.
CREATE TABLE support_answers (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES support_requests(id),
    author_email TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX support_answers_request ON support_answers(request_id, id);

INSERT INTO support_answers (request_id, author_email, status, body, created_at)
SELECT CAST(json_extract(a.detail, '$.request') AS INTEGER), a.actor,
       json_extract(a.detail, '$.to'), json_extract(a.detail, '$.reason'), a.at
FROM audit_log a
WHERE a.action = 'support_request.status' AND json_valid(a.detail)
  AND json_extract(a.detail, '$.to') IS NOT NULL
  AND json_extract(a.detail, '$.reason') IS NOT NULL
  AND EXISTS (SELECT 1 FROM support_requests r
              WHERE r.id = CAST(json_extract(a.detail, '$.request') AS INTEGER))
ORDER BY a.id;
