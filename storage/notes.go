package storage

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Notes are a session's clinical notes: typed text and a handwriting page.
// They have their own retention: deleting or purging recordings never
// touches them.
type Notes struct {
	Text      string
	Ink       []byte // the app's stroke encoding, opaque to storage
	Revision  int    // 1 for the first save, +1 for each later one; 0 if never saved
	UpdatedAt time.Time
}

// SaveNotes replaces a session's notes. They are sealed under the session's
// own notes key (made at the first save, wrapped by the master key), so the
// vault must be unlocked (ErrLocked): the app saves pending notes before it
// locks. Saves are cheap enough to call on every (debounced) change.
func (db *DB) SaveNotes(sessionID, text string, ink []byte) error {
	if !db.Unlocked() {
		return fmt.Errorf("storage: save notes: %w", ErrLocked)
	}
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var wrapped []byte
		var rev int
		err := tx.QueryRow("SELECT key_wrapped, revision FROM notes WHERE session_id = ?", sessionID).Scan(&wrapped, &rev)
		var key []byte
		switch {
		case errors.Is(err, sql.ErrNoRows):
			key = newKey()
			if wrapped, err = db.wrap(key, adNotesKey+sessionID); err != nil {
				zero(key)
				return err
			}
			if err := appendAudit(tx, now, AuditNotesCreated, sessionID, ""); err != nil {
				zero(key)
				return err
			}
		case err != nil:
			return err
		default:
			if key, err = db.unwrap(wrapped, adNotesKey+sessionID); err != nil {
				return fmt.Errorf("notes key of session %s: %w", sessionID, err)
			}
		}
		defer zero(key)
		rev++
		plain := encodeNotes(text, ink)
		sealed := seal(key, plain, notesAD(sessionID, rev))
		zero(plain)
		_, err = tx.Exec(`INSERT INTO notes (session_id, key_wrapped, sealed, revision, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (session_id) DO UPDATE SET sealed = excluded.sealed, revision = excluded.revision,
			updated_at = excluded.updated_at`, sessionID, wrapped, sealed, rev, nanos(now))
		if isForeignKey(err) {
			return fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: save notes: %w", err)
	}
	return nil
}

// encodeNotes lays notes out for sealing: the text's length (4 bytes,
// big-endian), the text, then the ink.
func encodeNotes(text string, ink []byte) []byte {
	plain := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(text)+len(ink)), uint32(len(text)))
	return append(append(plain, text...), ink...)
}

// decodeNotes reverses encodeNotes. Anything encodeNotes could not have
// made (too short for the length, a length past the end) is ErrTampered.
// ink is nil when there is none.
func decodeNotes(plain []byte) (text string, ink []byte, err error) {
	if len(plain) < 4 || uint64(binary.BigEndian.Uint32(plain)) > uint64(len(plain)-4) {
		return "", nil, fmt.Errorf("bad encoding: %w", ErrTampered)
	}
	tl := int(binary.BigEndian.Uint32(plain))
	text = string(plain[4 : 4+tl])
	if len(plain) > 4+tl {
		ink = append([]byte(nil), plain[4+tl:]...)
	}
	return text, ink, nil
}

// openNotes unseals a session's notes of revision rev under its notes key
// and decodes them. ErrTampered for anything that was not sealed so.
func openNotes(key []byte, sessionID string, rev int, sealed []byte) (text string, ink []byte, err error) {
	plain, err := unseal(key, sealed, notesAD(sessionID, rev))
	if err != nil {
		return "", nil, err
	}
	defer zero(plain)
	return decodeNotes(plain)
}

// notesAD binds sealed notes to their session and revision, so an older
// sealed copy cannot be put back in place of the current one unnoticed.
func notesAD(sessionID string, rev int) string {
	return adNotes + sessionID + " revision " + strconv.Itoa(rev)
}

// NotesSavedAt is when a session's notes were last saved, or the zero time
// if they never were. It needs no key: the time is not sealed.
func (db *DB) NotesSavedAt(sessionID string) (time.Time, error) {
	var at int64
	err := db.sql.QueryRow("SELECT updated_at FROM notes WHERE session_id = ?", sessionID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("storage: notes of session %s: %w", sessionID, dbErr(err))
	}
	return fromNanos(at), nil
}

// Notes returns a session's notes: a zero Notes if none were saved. Needs
// the vault unlocked. ErrTampered if the sealed notes were altered.
func (db *DB) Notes(sessionID string) (Notes, error) {
	var wrapped, sealed []byte
	var n Notes
	var at int64
	err := db.sql.QueryRow("SELECT key_wrapped, sealed, revision, updated_at FROM notes WHERE session_id = ?", sessionID).
		Scan(&wrapped, &sealed, &n.Revision, &at)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.Session(sessionID); err != nil {
			return Notes{}, err
		}
		if !db.Unlocked() {
			return Notes{}, fmt.Errorf("storage: notes: %w", ErrLocked)
		}
		return Notes{}, nil
	}
	if err != nil {
		return Notes{}, fmt.Errorf("storage: notes: %w", dbErr(err))
	}
	key, err := db.unwrap(wrapped, adNotesKey+sessionID)
	if err != nil {
		return Notes{}, fmt.Errorf("storage: notes of session %s: %w", sessionID, err)
	}
	defer zero(key)
	if n.Text, n.Ink, err = openNotes(key, sessionID, n.Revision, sealed); err != nil {
		return Notes{}, fmt.Errorf("storage: notes of session %s: %w", sessionID, err)
	}
	n.UpdatedAt = fromNanos(at)
	return n, nil
}
