-- The dashboard's product and country filters count their stores from this index alone,
-- without reading each store's row for its countries.
CREATE INDEX stores_partner_countries ON stores(partner_id, product, countries);
