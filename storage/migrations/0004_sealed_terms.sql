-- 0004: what a recording was agreed under is sealed with its key; the
-- latest time seen is kept; the audit log is anchored with a keyed MAC.
-- (See "Encryption at rest", "Retention" and "Audit" in doc.go.)

-- The terms sealed into key_wrapped (wrap version 2): JSON with the session,
-- the latest deletion date ("until", Unix nanoseconds), the purposes agreed
-- and the digest of the session's policy. They are the wrap's associated
-- data, so an edited copy makes the key unopenable. NULL: a version-1 wrap
-- (an older Assent's), sealed at the next unlock. delete_on and purposes may
-- then only narrow what these say.
ALTER TABLE recordings ADD COLUMN terms TEXT;

-- Purge needs no key: it deletes by the earlier of delete_on and the date in
-- terms, read from this index (the expression must match terms.go's).
CREATE INDEX recordings_sealed_due
    ON recordings ((CASE WHEN json_valid(terms) THEN json_extract(terms, '$.until') END))
    WHERE state <> 'deleted';

-- The latest time any transaction, or a purge, has seen on the clock:
-- purge deletes by the later of it and the clock, and playback is refused
-- while the clock reads more than a day before it.
CREATE TABLE clock (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    latest_seen INTEGER NOT NULL -- Unix nanoseconds
);
INSERT INTO clock (id, latest_seen) VALUES (1, coalesce((SELECT max(at) FROM audit), 0));

-- The audit log's anchor: the head of the chain (row and hash) and the
-- latest time seen, under an HMAC keyed from the master key. Renewed by
-- every write made with the key; rows after it were written without it.
CREATE TABLE audit_anchor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    row_id   INTEGER NOT NULL,
    row_hash BLOB    NOT NULL,
    seen_at  INTEGER NOT NULL,
    mac      BLOB    NOT NULL
);

-- A session's consent rows are looked up to tell data stored as given
-- while locked from data that should have been sealed.
CREATE INDEX audit_by_subject ON audit (subject, kind);
