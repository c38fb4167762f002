-- The time zone a person chose for the times they read (an IANA name such as
-- Europe/Stockholm); NULL follows their browser, or UTC without one.
ALTER TABLE users ADD COLUMN time_zone TEXT;
