-- The language a person chose in the switcher; emails to them use it too.
ALTER TABLE users ADD COLUMN lang TEXT;

-- An admin change holds whom it replaces: it only goes through if that is still the admin.
ALTER TABLE admin_changes ADD COLUMN previous_admin TEXT NOT NULL DEFAULT '';
