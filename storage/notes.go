package storage

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Notes are a session's clinical notes: typed progress notes, typed
// process notes and handwritten pages. They have their own retention:
// deleting or purging recordings never touches them.
//
// Progress notes (Text) are part of the clinical record: the therapist may
// show them in the client's record. Process notes (Process) are the
// therapist's private working notes, kept apart from the record: nothing
// that leaves the practice (an export, a receipt, the client's record or
// copy) may carry them. Handwritten pages carry their kind inside Ink (the
// ink package's encoding marks each sheet).
type Notes struct {
	Text      string // progress notes
	Process   string // process notes: private, never in any export
	Ink       []byte // the app's stroke encoding, opaque to storage
	Revision  int    // 1 for the first save, +1 for each later one; 0 if never saved
	UpdatedAt time.Time
}

// notesLayout is how SaveNotes lays out the sealed plaintext (notes.layout,
// see encodeNotes): 2 holds the process notes, 1 (earlier versions) not.
const notesLayout = 2

// SaveNotes replaces a session's notes with n's Text, Process and Ink (its
// Revision and UpdatedAt are ignored). They are sealed under the session's
// own notes key (made at the first save, wrapped by the master key), so the
// vault must be unlocked (ErrLocked): the app saves pending notes before it
// locks. Saves are cheap enough to call on every (debounced) change.
func (db *DB) SaveNotes(sessionID string, n Notes) error {
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
		plain := encodeNotes(n)
		sealed := seal(key, plain, notesAD(sessionID, rev, notesLayout))
		zero(plain)
		_, err = tx.Exec(`INSERT INTO notes (session_id, key_wrapped, sealed, revision, updated_at, layout) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (session_id) DO UPDATE SET sealed = excluded.sealed, revision = excluded.revision,
			updated_at = excluded.updated_at, layout = excluded.layout`, sessionID, wrapped, sealed, rev, nanos(now), notesLayout)
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

// encodeNotes lays notes out for sealing in layout 2: the progress text's
// length (4 bytes, big-endian) and the text, the process text's length and
// the text, then the ink. (Layout 1, of earlier versions, has no process
// part.)
func encodeNotes(n Notes) []byte {
	plain := make([]byte, 0, 8+len(n.Text)+len(n.Process)+len(n.Ink))
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(n.Text)))
	plain = append(plain, n.Text...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(n.Process)))
	plain = append(plain, n.Process...)
	return append(plain, n.Ink...)
}

// decodeNotes reverses encodeNotes for the given layout (1 or 2). Anything
// encodeNotes could not have made (too short for a length, a length past
// the end) is ErrTampered. Ink is nil when there is none.
func decodeNotes(plain []byte, layout int) (Notes, error) {
	var n Notes
	text := func() (string, error) {
		if len(plain) < 4 || uint64(binary.BigEndian.Uint32(plain)) > uint64(len(plain)-4) {
			return "", fmt.Errorf("bad encoding: %w", ErrTampered)
		}
		l := int(binary.BigEndian.Uint32(plain))
		t := string(plain[4 : 4+l])
		plain = plain[4+l:]
		return t, nil
	}
	var err error
	if n.Text, err = text(); err != nil {
		return Notes{}, err
	}
	if layout >= 2 {
		if n.Process, err = text(); err != nil {
			return Notes{}, err
		}
	}
	if len(plain) > 0 {
		n.Ink = append([]byte(nil), plain...)
	}
	return n, nil
}

// openNotes unseals a session's notes of revision rev, laid out in layout,
// under its notes key and decodes them. ErrTampered for anything that was
// not sealed so.
func openNotes(key []byte, sessionID string, rev, layout int, sealed []byte) (Notes, error) {
	plain, err := unseal(key, sealed, notesAD(sessionID, rev, layout))
	if err != nil {
		return Notes{}, err
	}
	defer zero(plain)
	return decodeNotes(plain, layout)
}

// notesAD binds sealed notes to their session, revision and layout, so an
// older sealed copy cannot be put back in place of the current one
// unnoticed, nor the layout changed to read one kind of notes as another.
// Layout 1 is bound as earlier versions bound it.
func notesAD(sessionID string, rev, layout int) string {
	ad := adNotes + sessionID + " revision " + strconv.Itoa(rev)
	if layout != 1 {
		ad += " layout " + strconv.Itoa(layout)
	}
	return ad
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
	var rev, layout int
	var at int64
	err := db.sql.QueryRow("SELECT key_wrapped, sealed, revision, updated_at, layout FROM notes WHERE session_id = ?", sessionID).
		Scan(&wrapped, &sealed, &rev, &at, &layout)
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
	n, err := openNotes(key, sessionID, rev, layout, sealed)
	if err != nil {
		return Notes{}, fmt.Errorf("storage: notes of session %s: %w", sessionID, err)
	}
	n.Revision, n.UpdatedAt = rev, fromNanos(at)
	return n, nil
}
