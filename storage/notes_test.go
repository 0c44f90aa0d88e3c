package storage_test

import (
	"bytes"
	"database/sql"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

func TestNotesRoundTrip(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	if n, err := f.db.Notes(s.ID); err != nil || n.Revision != 0 || n.Text != "" {
		t.Errorf("Notes before any save = %+v, %v", n, err)
	}
	ink := randomBytes(5000, 1)
	for i, text := range []string{"", "first thoughts", "Längere Notizen — with ünïcode ✓\nand lines"} {
		if err := f.db.SaveNotes(s.ID, text, ink[:i*100]); err != nil {
			t.Fatal(err)
		}
		n, err := f.db.Notes(s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.Text != text || !bytes.Equal(n.Ink, ink[:i*100]) || n.Revision != i+1 || !n.UpdatedAt.Equal(f.clock.Now()) {
			t.Errorf("save %d: got %+v", i, n)
		}
	}
	if _, err := f.db.Notes("0123456789abcdef0123456789abcdef"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	if err := f.db.SaveNotes("0123456789abcdef0123456789abcdef", "x", nil); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("save for unknown session: %v", err)
	}
}

func TestNotesNeedUnlock(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	f.db.SaveNotes(s.ID, "text", nil)
	f.db.Lock()
	if err := f.db.SaveNotes(s.ID, "more", nil); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("SaveNotes while locked: %v", err)
	}
	if _, err := f.db.Notes(s.ID); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("Notes while locked: %v", err)
	}
}

// Deleting or purging recordings never touches notes.
func TestNotesOutliveRecordings(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(100, 1))
	f.db.SaveNotes(s.ID, "clinical record", []byte{1, 2, 3})
	f.db.DeleteNow(id, "test")
	f.db.Purge(f.clock.Now().AddDate(10, 0, 0))
	if n, err := f.db.Notes(s.ID); err != nil || n.Text != "clinical record" {
		t.Errorf("Notes = %+v, %v", n, err)
	}
}

// Sealed notes moved to another session, or an older revision put back, do
// not open.
func TestNotesBoundToSessionAndRevision(t *testing.T) {
	f := newVault(t)
	s1, s2 := f.session(t), f.session(t)
	f.db.SaveNotes(s1.ID, "one", nil)
	f.db.SaveNotes(s2.ID, "two", nil)
	f.db.SaveNotes(s2.ID, "two, revised", nil)
	f.db.Close()
	raw, _ := sql.Open("sqlite", storage.DSN(f.dir))
	var sealed1 []byte
	raw.QueryRow("SELECT sealed FROM notes WHERE session_id = ?", s1.ID).Scan(&sealed1)
	mustExec(t, raw, "UPDATE notes SET revision = 1 WHERE session_id = ?", s2.ID)
	raw.Close()
	f.db = openDB(t, f.dir, f.clock)
	f.db.Unlock(testPass)
	if _, err := f.db.Notes(s2.ID); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("revision rolled back: %v, want ErrTampered", err)
	}
	f.db.Close()
	raw, _ = sql.Open("sqlite", storage.DSN(f.dir))
	mustExec(t, raw, "UPDATE notes SET revision = 1, sealed = ?, key_wrapped = (SELECT key_wrapped FROM notes WHERE session_id = ?) WHERE session_id = ?", sealed1, s1.ID, s2.ID)
	raw.Close()
	f.db = openDB(t, f.dir, f.clock)
	f.db.Unlock(testPass)
	if _, err := f.db.Notes(s2.ID); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("notes and key of another session: %v, want ErrTampered", err)
	}
}
