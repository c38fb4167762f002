-- Search compares names folded by Rust (`domain::text::fold`: Unicode lowercase, accents
-- dropped), the same on both databases; SQLite's LOWER() folds only ASCII, so "Älv"
-- found no "älvsjö". Existing rows are folded at startup (`stores::fold_names`).
ALTER TABLE stores ADD COLUMN name_folded TEXT;
CREATE INDEX stores_name_folded ON stores(name_folded);
