-- The dashboard's search finds a store by any part of its name or legacy store ID
-- (`LIKE '%…%'`), which no B-tree can serve: at 100,000 stores it read every row.
-- Trigram indexes serve it. pg_trgm ships with PostgreSQL and is a trusted extension,
-- so the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX stores_name_trigrams ON stores USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX stores_legacy_id_trigrams ON stores USING gin (legacy_store_id gin_trgm_ops);
