-- An import may hold back reminders to the stores it creates until a date of its choosing
-- (`import-stores --remind-from`), so a big import does not mean mass email within the
-- hour. Unix seconds; NULL (every store from before) means "no hold".
ALTER TABLE stores ADD COLUMN remind_from BIGINT;
