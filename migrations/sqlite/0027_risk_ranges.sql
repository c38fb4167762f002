-- The dashboard and support search at 1,000,000 stores, continued.
--
-- The at-risk filter matches over half of a large cohort, so its count reads hundreds of
-- thousands of index entries. With the idle time indexed as the rule reads it (not
-- started is NULL, read as 0), each kind of product and stage is one range: no entry is
-- read that does not count, and none is checked against the table.
DROP INDEX stores_partner_progress;
CREATE INDEX stores_partner_risk ON stores(partner_id, product, upgrade_step, COALESCE(upgrade_progressed_at, 0));

-- Support search finds a store by its new MID, an API username or a member's email too.
-- `LIKE '%…%'` read every upgrade, credential and member for that; trigram indexes over
-- them answer any needle of three characters or more, as `stores_search` does for the
-- store's own fields (migration 0026). Each reads its text from its table and is kept
-- by the triggers below.
CREATE VIRTUAL TABLE upgrades_search USING fts5(
    merchant_id, content = 'upgrades', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO upgrades_search(upgrades_search) VALUES ('rebuild');
CREATE TRIGGER upgrades_search_insert AFTER INSERT ON upgrades BEGIN
    INSERT INTO upgrades_search(rowid, merchant_id) VALUES (new.id, new.merchant_id);
END;
CREATE TRIGGER upgrades_search_delete AFTER DELETE ON upgrades BEGIN
    INSERT INTO upgrades_search(upgrades_search, rowid, merchant_id)
    VALUES ('delete', old.id, old.merchant_id);
END;
CREATE TRIGGER upgrades_search_update AFTER UPDATE OF merchant_id ON upgrades BEGIN
    INSERT INTO upgrades_search(upgrades_search, rowid, merchant_id)
    VALUES ('delete', old.id, old.merchant_id);
    INSERT INTO upgrades_search(rowid, merchant_id) VALUES (new.id, new.merchant_id);
END;

CREATE VIRTUAL TABLE credentials_search USING fts5(
    username, content = 'api_credentials', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO credentials_search(credentials_search) VALUES ('rebuild');
CREATE TRIGGER credentials_search_insert AFTER INSERT ON api_credentials BEGIN
    INSERT INTO credentials_search(rowid, username) VALUES (new.id, new.username);
END;
CREATE TRIGGER credentials_search_delete AFTER DELETE ON api_credentials BEGIN
    INSERT INTO credentials_search(credentials_search, rowid, username)
    VALUES ('delete', old.id, old.username);
END;
CREATE TRIGGER credentials_search_update AFTER UPDATE OF username ON api_credentials BEGIN
    INSERT INTO credentials_search(credentials_search, rowid, username)
    VALUES ('delete', old.id, old.username);
    INSERT INTO credentials_search(rowid, username) VALUES (new.id, new.username);
END;

CREATE VIRTUAL TABLE members_search USING fts5(
    email, content = 'store_members', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO members_search(members_search) VALUES ('rebuild');
CREATE TRIGGER members_search_insert AFTER INSERT ON store_members BEGIN
    INSERT INTO members_search(rowid, email) VALUES (new.id, new.email);
END;
CREATE TRIGGER members_search_delete AFTER DELETE ON store_members BEGIN
    INSERT INTO members_search(members_search, rowid, email) VALUES ('delete', old.id, old.email);
END;
CREATE TRIGGER members_search_update AFTER UPDATE OF email ON store_members BEGIN
    INSERT INTO members_search(members_search, rowid, email) VALUES ('delete', old.id, old.email);
    INSERT INTO members_search(rowid, email) VALUES (new.id, new.email);
END;
