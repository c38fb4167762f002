-- The dashboard's readiness and order-management filters at a million stores (issue 22).
-- The stores whose reports were archived, with what else readiness is judged by: the
-- "ready" filter reads and counts these alone (the "not ready" count is all the stores
-- less these). The completed stores without order management on the new ID: that filter
-- counts and pages these alone.
DROP INDEX stores_partner_archived;
CREATE INDEX stores_ready_candidates ON stores(partner_id, legacy_called_at, legacy_open_until)
    WHERE legacy_archived_at IS NOT NULL;
CREATE INDEX stores_order_management_missing ON stores(partner_id)
    WHERE upgrade_completed_at IS NOT NULL AND order_management_at IS NULL;
