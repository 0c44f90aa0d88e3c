package storage_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// folderState is every file under dir: its size and SHA-256.
func folderState(t *testing.T, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		state[p] = fmt.Sprintf("%d bytes %x", len(b), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// TestSearchNotes finds a word across sessions and both kinds of notes,
// ignoring case, newest session first; and a search writes nothing: every
// file of the data folder (the database, its WAL and shared memory, the
// recordings) has the same name, size and hash before and after.
func TestSearchNotes(t *testing.T) {
	f := newVault(t)
	c, err := f.db.CreateClient("Client B")
	if err != nil {
		t.Fatal(err)
	}
	newSession := func() storage.Session {
		s, err := f.db.CreateSession(c.ID, storage.Participant{Name: "Bea", Role: "client"})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s1 := newSession()
	f.clock.Add(time.Hour)
	s2 := newSession()
	f.clock.Add(time.Hour)
	newSession() // a third, without notes: nothing to find, no error
	f.record(t, s2.ID, 1, randomBytes(3000, 9))
	other := f.session(t) // another client's
	for id, n := range map[string]storage.Notes{
		s1.ID:    {Text: "Slept badly.\nTalked about her Brother.", Process: "brother again?"},
		s2.ID:    {Text: "Nothing of note", Process: "First line\nThe brother came up late."},
		other.ID: {Text: "brother"},
	} {
		if err := f.db.SaveNotes(id, n); err != nil {
			t.Fatal(err)
		}
	}
	// The first search after writes: SQLite's readers take a read mark in
	// the WAL's shared-memory index (assent.db-shm: page numbers and
	// checksums, never row content), so that file may change, and nothing
	// else. Once a reader has its mark, a search changes no byte at all.
	unchanged := func(before, after map[string]string, except string) {
		t.Helper()
		if len(before) != len(after) {
			t.Errorf("the data folder held %d files before the search, %d after", len(before), len(after))
		}
		for p, h := range before {
			if after[p] != h && filepath.Base(p) != except {
				t.Errorf("%s changed during a search", filepath.Base(p))
			}
		}
	}
	before := folderState(t, f.dir)
	if len(before) < 4 {
		t.Fatalf("the data folder holds %d files", len(before))
	}
	var got []storage.NoteMatch
	for i, except := range []string{"assent.db-shm", ""} {
		var err error
		if got, err = f.db.SearchNotes(c.ID, "  BROTHER "); err != nil {
			t.Fatal(err)
		}
		after := folderState(t, f.dir)
		unchanged(before, after, except)
		for p := range after {
			if b, _ := os.ReadFile(p); bytes.Contains(bytes.ToLower(b), []byte("brother")) {
				t.Errorf("search %d: %s holds a word of the notes", i+1, filepath.Base(p))
			}
		}
		before = after
	}
	want := []storage.NoteMatch{
		{SessionID: s2.ID, StartedAt: s2.StartedAt, Process: true, Line: 1, Text: "The brother came up late."},
		{SessionID: s1.ID, StartedAt: s1.StartedAt, Line: 1, Text: "Talked about her Brother."},
		{SessionID: s1.ID, StartedAt: s1.StartedAt, Process: true, Line: 0, Text: "brother again?"},
	}
	same := len(got) == len(want)
	for i := 0; same && i < len(got); i++ {
		g, w := got[i], want[i]
		same = g.SessionID == w.SessionID && g.StartedAt.Equal(w.StartedAt) && g.Process == w.Process && g.Line == w.Line && g.Text == w.Text
	}
	if !same {
		t.Errorf("found %+v\nwant %+v", got, want)
	}
	if got, err := f.db.SearchNotes(c.ID, "   "); got != nil || err != nil {
		t.Errorf("a blank search found %v, %v", got, err)
	}
	f.db.Lock()
	if _, err := f.db.SearchNotes(c.ID, "brother"); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("search while locked: %v", err)
	}
}
