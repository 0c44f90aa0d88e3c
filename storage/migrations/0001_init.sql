-- 0001: the first schema of the practice database.
--
-- Conventions: IDs are 32 lowercase hex characters (128 random bits); times
-- are INTEGER Unix nanoseconds (UTC); booleans are INTEGER 0/1. Nothing in
-- this database is audio or notes in the clear: recordings live in sealed
-- files, notes and peaks are sealed blobs, and every data key is wrapped by
-- the master key. Client labels, participant names and consent events were
-- stored as given in this first schema; since then they are sealed by the
-- code, in the same columns (see names.go and "Encryption at rest").

PRAGMA application_id = 1095978580; -- 'ASNT': tells an Assent database from any other SQLite file

-- The passphrase vault: exactly one row once set up.
CREATE TABLE vault (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    kdf_salt           BLOB    NOT NULL,
    kdf_time           INTEGER NOT NULL,
    kdf_memory_kib     INTEGER NOT NULL,
    kdf_threads        INTEGER NOT NULL,
    passphrase_wrapped BLOB    NOT NULL, -- master key sealed under Argon2id(passphrase, salt)
    recovery_wrapped   BLOB    NOT NULL, -- master key sealed under HKDF(recovery key)
    created_at         INTEGER NOT NULL,
    changed_at         INTEGER NOT NULL,
    failed_attempts    INTEGER NOT NULL DEFAULT 0, -- consecutive failed unlocks
    next_attempt_at    INTEGER NOT NULL DEFAULT 0  -- no unlock is tried before this time
);

CREATE TABLE clients (
    id         TEXT    PRIMARY KEY,
    label      TEXT    NOT NULL, -- chosen by the therapist; need not be a name
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    client_id  TEXT    NOT NULL REFERENCES clients (id),
    started_at INTEGER NOT NULL,
    ended_at   INTEGER
);
CREATE INDEX sessions_by_client ON sessions (client_id, started_at);

CREATE TABLE participants (
    id         TEXT    PRIMARY KEY,
    session_id TEXT    NOT NULL REFERENCES sessions (id),
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    joined_at  INTEGER NOT NULL
);
CREATE INDEX participants_by_session ON participants (session_id, joined_at);

-- Consent events, append-only, numbered 1, 2, 3 ... within their session.
-- withdraw_delete_all marks a withdrawal after which the client chose to
-- delete everything recorded: every recording of the session that began
-- before it (recordings.consent_seq < seq) must be erased, never recovered.
CREATE TABLE consent_events (
    session_id          TEXT    NOT NULL REFERENCES sessions (id),
    seq                 INTEGER NOT NULL CHECK (seq > 0),
    kind                TEXT    NOT NULL,
    at                  INTEGER NOT NULL, -- when it happened, as the consent package says
    actor               TEXT    NOT NULL,
    participant         TEXT    NOT NULL,
    data                BLOB,             -- the consent package's JSON, opaque here
    withdraw_delete_all INTEGER NOT NULL CHECK (withdraw_delete_all IN (0, 1)),
    stored_at           INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE INDEX consent_withdrawals ON consent_events (session_id) WHERE withdraw_delete_all = 1;
CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;
CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
BEGIN SELECT RAISE(ABORT, 'consent_events is append-only'); END;

-- Recordings. A row is never deleted: deletion erases key_wrapped and peaks
-- (cryptographic erase), unlinks the files and keeps the row as a tombstone
-- saying when and why.
CREATE TABLE recordings (
    id            TEXT    PRIMARY KEY,
    session_id    TEXT    NOT NULL REFERENCES sessions (id),
    segment       INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('recording', 'complete', 'recovered', 'deleted')),
    file          TEXT,             -- the sealed file under recordings/; on a tombstone, until unlinked
    discard_file  TEXT,             -- a file that is not (or no longer) this recording's content: remove it
    key_wrapped   BLOB,             -- the recording key sealed under the master key; NULL once deleted
    chunk_size    INTEGER NOT NULL, -- plaintext bytes per chunk in the file
    purposes      TEXT    NOT NULL, -- JSON array of the purposes consented to
    consent_seq   INTEGER NOT NULL, -- the session's last consent event when the recording began
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    duration_ns   INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0, -- MP3 bytes (plaintext)
    delete_on     INTEGER NOT NULL,
    deleted_at    INTEGER,
    delete_reason TEXT,
    peaks         BLOB,             -- waveform peaks sealed under the recording key
    plays         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, segment),
    CHECK ((state = 'deleted') = (key_wrapped IS NULL)),
    CHECK (state <> 'deleted' OR (deleted_at IS NOT NULL AND delete_reason IS NOT NULL))
);
CREATE INDEX recordings_due ON recordings (delete_on) WHERE state <> 'deleted';
CREATE INDEX recordings_interrupted ON recordings (id) WHERE state = 'recording';
CREATE INDEX recordings_files_to_remove ON recordings (id)
    WHERE discard_file IS NOT NULL OR (state = 'deleted' AND file IS NOT NULL);

-- Notes: typed text and ink, one sealed blob per session under its own key.
CREATE TABLE notes (
    session_id  TEXT    PRIMARY KEY REFERENCES sessions (id),
    key_wrapped BLOB    NOT NULL, -- the session's notes key sealed under the master key
    sealed      BLOB    NOT NULL,
    revision    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- The audit log, append-only and hash-chained: hash = SHA-256 of prev_hash
-- and of the row's canonical content (see audit.go). AUTOINCREMENT keeps IDs
-- from being reused and records the highest ID in sqlite_sequence, so rows
-- removed from the end are noticed too.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
