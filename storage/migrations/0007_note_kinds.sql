-- 0007: two kinds of notes. A session's notes hold progress notes (part of
-- the record) and process notes (the therapist's private working notes,
-- never in any export, receipt or client record) side by side, in one
-- sealed blob. layout says how the sealed plaintext is laid out (notes.go):
-- 1 is the text and the ink of earlier versions, whose text is progress
-- notes; 2 adds the process notes. The layout is bound into the blob's
-- associated data, so changing this column makes the notes unopenable
-- rather than read one kind as the other.
ALTER TABLE notes ADD COLUMN layout INTEGER NOT NULL DEFAULT 1 CHECK (layout IN (1, 2));

-- The therapist's markers of a recording ("come back to this": a time and
-- an optional word), sealed under the recording's key as its peaks are:
-- erased with the key when the recording is deleted, shortened with it
-- when its end is deleted (markers.go). NULL: none.
ALTER TABLE recordings ADD COLUMN markers BLOB;
