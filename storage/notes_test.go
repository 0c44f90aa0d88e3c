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
		if err := f.db.SaveNotes(s.ID, storage.Notes{Text: text, Ink: ink[:i*100]}); err != nil {
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
	if err := f.db.SaveNotes("0123456789abcdef0123456789abcdef", storage.Notes{Text: "x"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("save for unknown session: %v", err)
	}
}

func TestNotesNeedUnlock(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	f.db.SaveNotes(s.ID, storage.Notes{Text: "text"})
	f.db.Lock()
	if err := f.db.SaveNotes(s.ID, storage.Notes{Text: "more"}); !errors.Is(err, storage.ErrLocked) {
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
	f.db.SaveNotes(s.ID, storage.Notes{Text: "clinical record", Ink: []byte{1, 2, 3}})
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
	f.db.SaveNotes(s1.ID, storage.Notes{Text: "one"})
	f.db.SaveNotes(s2.ID, storage.Notes{Text: "two"})
	f.db.SaveNotes(s2.ID, storage.Notes{Text: "two, revised"})
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

// Process notes are kept beside progress notes, each read back as saved.
func TestNotesKeepBothKinds(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	want := storage.Notes{Text: "S: slept better", Process: "my own unease at her silence", Ink: []byte("AINK\x02")}
	if err := f.db.SaveNotes(s.ID, want); err != nil {
		t.Fatal(err)
	}
	n, err := f.db.Notes(s.ID)
	if err != nil || n.Text != want.Text || n.Process != want.Process || !bytes.Equal(n.Ink, want.Ink) {
		t.Errorf("Notes = %+v, %v", n, err)
	}
}

// Notes an earlier version sealed (layout 1: text and ink) still open, as
// progress notes; changing a layout-2 row's layout makes it unopenable
// rather than read process notes as ink.
func TestNotesLayouts(t *testing.T) {
	f := newVault(t)
	s1, s2 := f.session(t), f.session(t)
	f.db.SaveNotes(s2.ID, storage.Notes{Text: "progress", Process: "private"})
	f.db.Close()
	raw, _ := sql.Open("sqlite", storage.DSN(f.dir))
	// A layout-1 row: the key is sealed as SaveNotes seals it; the blob as
	// earlier versions did.
	key := bytes.Repeat([]byte{7}, 32)
	old := storage.SealNotes(key, s1.ID, 1, 1, append([]byte{0, 0, 0, 3}, "old"...))
	mustExec(t, raw, "UPDATE notes SET layout = 1 WHERE session_id = ?", s2.ID)
	raw.Close()
	f.db = openDB(t, f.dir, f.clock)
	f.db.Unlock(testPass)
	if _, err := f.db.Notes(s2.ID); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("layout changed by hand: %v, want ErrTampered", err)
	}
	n, err := storage.OpenNotes(key, s1.ID, 1, 1, old)
	if err != nil || n.Text != "old" || n.Process != "" || n.Ink != nil {
		t.Errorf("layout 1 opened as %+v, %v", n, err)
	}
	if _, err := storage.OpenNotes(key, s1.ID, 1, storage.NotesLayout, old); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("layout 1 opened as layout 2: %v, want ErrTampered", err)
	}
}
