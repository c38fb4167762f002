-- The dashboard, the stalled list and support search at 1,000,000 stores.
--
-- Search: `LIKE '%…%'` can use no B-tree, so it read every store. A trigram index over the
-- folded name, the legacy store ID and the admin's email answers any needle of three
-- characters or more (`MATCH` with a quoted phrase is a substring match with trigrams).
-- It reads its text from `stores` (external content) and is kept by the triggers below.
CREATE VIRTUAL TABLE stores_search USING fts5(
    name_folded, legacy_store_id, admin_email,
    content = 'stores', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO stores_search(stores_search) VALUES ('rebuild');

CREATE TRIGGER stores_search_insert AFTER INSERT ON stores BEGIN
    INSERT INTO stores_search(rowid, name_folded, legacy_store_id, admin_email)
    VALUES (new.id, new.name_folded, new.legacy_store_id, new.admin_email);
END;

CREATE TRIGGER stores_search_delete AFTER DELETE ON stores BEGIN
    INSERT INTO stores_search(stores_search, rowid, name_folded, legacy_store_id, admin_email)
    VALUES ('delete', old.id, old.name_folded, old.legacy_store_id, old.admin_email);
END;

CREATE TRIGGER stores_search_update AFTER UPDATE OF name_folded, legacy_store_id, admin_email ON stores BEGIN
    INSERT INTO stores_search(stores_search, rowid, name_folded, legacy_store_id, admin_email)
    VALUES ('delete', old.id, old.name_folded, old.legacy_store_id, old.admin_email);
    INSERT INTO stores_search(rowid, name_folded, legacy_store_id, admin_email)
    VALUES (new.id, new.name_folded, new.legacy_store_id, new.admin_email);
END;

-- Sorting by step or risk reads class after class in id order (`Cohort::by_rank`).
CREATE INDEX stores_partner_step ON stores(partner_id, upgrade_step, id);
CREATE INDEX stores_partner_id ON stores(partner_id, id);
-- Support's stalled list spans every partner, oldest first.
CREATE INDEX stores_unfinished_idle ON stores(COALESCE(upgrade_progressed_at, 0), id)
    WHERE upgrade_step <> 'complete';
-- Legacy store IDs sort as numbers: shorter first, then by digits.
CREATE INDEX stores_partner_eid ON stores(partner_id, LENGTH(legacy_store_id), legacy_store_id, id);
