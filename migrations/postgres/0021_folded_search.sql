-- Search compares names folded by Rust (`domain::text::fold`: Unicode lowercase, accents
-- dropped), the same on both databases. Existing rows are folded at startup
-- (`stores::fold_names`). Trigrams serve `LIKE '%…%'` (as migration 0014 did for
-- LOWER(name), which this replaces); the pattern-ops B-tree serves prefixes.
ALTER TABLE stores ADD COLUMN name_folded TEXT;
CREATE INDEX stores_name_folded_trigrams ON stores USING gin (name_folded gin_trgm_ops);
CREATE INDEX stores_name_folded_prefix ON stores (name_folded text_pattern_ops);
DROP INDEX IF EXISTS stores_name_trigrams;
