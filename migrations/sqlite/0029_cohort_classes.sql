-- Sorted by step or risk, a page is read class by class in id order, passing over the
-- stores before it in its class. With what the classes are decided by in the index, the
-- stores passed over are judged from the index alone, not read from the table.
DROP INDEX stores_partner_id;
CREATE INDEX stores_partner_id ON stores(partner_id, id, product, upgrade_step, upgrade_progressed_at);
