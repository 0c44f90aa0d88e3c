-- The language a client reads the consent statement, the client screen
-- and their record in (a BCP 47 tag of consent.Languages). Empty is the
-- default language, English. Each answer carries the language of the
-- statement it was given to, so changing it later rewrites nothing agreed.
ALTER TABLE clients ADD COLUMN language TEXT NOT NULL DEFAULT '';
