-- A rotated credential may keep working until this time (the grace period the admin chose).
ALTER TABLE api_credentials ADD COLUMN expires_at BIGINT;
