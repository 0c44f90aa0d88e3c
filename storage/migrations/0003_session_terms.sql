-- 0003: store what earlier versions left to be guessed.
--
-- A minor's guardian is a link on the minor's row, not "the session's first
-- guardian". The consent policy a session was asked under (what the client
-- read: purposes, listeners, the default deletion) lives on the session row,
-- not in a settings key named after it. And how consent was asked is stored:
-- read on screen and answered by tapping, or read aloud by the therapist and
-- answered aloud (entered by the therapist).

ALTER TABLE participants ADD COLUMN guardian_id TEXT REFERENCES participants (id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE sessions ADD COLUMN policy TEXT; -- the consent package's JSON, opaque here; NULL: the default policy
ALTER TABLE sessions ADD COLUMN consent_method TEXT NOT NULL DEFAULT 'on-screen'
    CHECK (consent_method IN ('on-screen', 'read-aloud'));

-- Earlier versions kept each session's policy in settings, under
-- 'session_policy.<session id>'.
UPDATE sessions SET policy = (SELECT value FROM settings WHERE key = 'session_policy.' || sessions.id);
DELETE FROM settings WHERE key LIKE 'session_policy.%';

-- Earlier versions allowed one guardian per session and linked every minor
-- to it by that rule.
UPDATE participants SET guardian_id = (
    SELECT g.id FROM participants AS g
    WHERE g.session_id = participants.session_id AND g.role = 'guardian'
    ORDER BY g.joined_at, g.rowid LIMIT 1)
WHERE role = 'minor';
