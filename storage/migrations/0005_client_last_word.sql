-- 0005: the client's last word (issue 17).
--
-- A session asked under a policy with the question at the end promises it
-- (confirm_at_end = 1): its recordings are unconfirmed, and OpenRecording
-- refuses them, until everyone recorded said keep or the question was closed
-- under a policy that keeps them (confirmation 'kept' or 'kept-unanswered').
-- 'deleted' and 'deleted-unanswered' come with the recordings erased by the
-- consent event that deleted them.
ALTER TABLE sessions ADD COLUMN confirm_at_end INTEGER NOT NULL DEFAULT 0 CHECK (confirm_at_end IN (0, 1));
ALTER TABLE sessions ADD COLUMN confirmation TEXT
    CHECK (confirmation IN ('kept', 'kept-unanswered', 'deleted', 'deleted-unanswered'));
ALTER TABLE sessions ADD COLUMN confirmed_at INTEGER;

-- A client who asked "please don't ask me again": later sessions start as
-- notes only without the question, until the client lifts it on the client
-- screen. NULL: ask.
ALTER TABLE clients ADD COLUMN not_asked_since INTEGER;
-- A minor client the practice judged able to decide alone (Gillick
-- competent): their guardian is not asked on their behalf. 0: needs a
-- guardian, as before.
ALTER TABLE clients ADD COLUMN minor_decides_alone INTEGER NOT NULL DEFAULT 0 CHECK (minor_decides_alone IN (0, 1));

-- Stored on the minor's row, as asked: what the session was asked under.
ALTER TABLE participants ADD COLUMN decides_alone INTEGER NOT NULL DEFAULT 0 CHECK (decides_alone IN (0, 1));
