-- What an event said, as a SHA-256 of its parsed fields: a second delivery under a known
-- id is a replay only if it says the same thing; anything else is refused (409). Events
-- recorded before this column have none and are taken as they were.
ALTER TABLE order_events ADD COLUMN fingerprint TEXT;

-- One row that /healthz rewrites: the cheapest proof that the database takes writes.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY,
    written_at BIGINT NOT NULL
);
INSERT INTO health_probe (id, written_at) VALUES (1, 0);
