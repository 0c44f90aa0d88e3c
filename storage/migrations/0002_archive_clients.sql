-- A client the therapist no longer sees can be archived: hidden from the
-- practice list, never deleted (their sessions, notes and the tombstones of
-- their recordings stay, so their record stays true).
ALTER TABLE clients ADD COLUMN archived_at INTEGER;
