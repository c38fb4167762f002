-- A person's saved dashboard views: filters and sort under a name they chose, kept per
-- user. The query string is the dashboard's own, re-encoded by the app, never raw input.
CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query_string TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
