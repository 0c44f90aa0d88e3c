package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// Nothing readable on disk: a recognisable pattern written through
// recordings, peaks and notes must occur in no file of the data folder,
// whatever state the WAL is in.
func TestNoPlaintextOnDisk(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	marker := []byte("ASSENT-PLAINTEXT-MARKER-")
	pattern := bytes.Repeat(marker, 200) // ~4.8 KB, spans many chunks
	// A recording left open, one closed, one recovered after a crash, and
	// notes with the pattern in text and ink.
	open := f.startRecording(t, s.ID, 1)
	open.Write(pattern)
	f.record(t, s.ID, 2, pattern)
	crashed := f.startRecording(t, s.ID, 3)
	crashed.Write(pattern)
	storage.CrashWriter(crashed)
	if err := f.db.SaveNotes(s.ID, strings.Repeat(string(marker), 50), pattern); err != nil {
		t.Fatal(err)
	}

	scan := func(when string) {
		t.Helper()
		hits := 0
		filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			// Any 12-byte window of the marker would be enough to see it.
			if n := bytes.Count(b, marker[:12]); n > 0 {
				t.Errorf("%s: %s contains the plaintext pattern %d times", when, filepath.Base(p), n)
				hits++
			}
			return nil
		})
		if hits == 0 {
			t.Logf("%s: scanned, no plaintext", when)
		}
	}
	scan("while recording (WAL in use)")
	if names, _ := filepath.Glob(filepath.Join(f.dir, "*")); len(names) < 3 {
		t.Errorf("expected db, -wal and -shm in the scan, found %v", names)
	}
	f.db.Close() // closes the open recording; checkpoints the WAL
	scan("after close")
	f.db = openDB(t, f.dir, f.clock)
	f.db.Unlock(testPass)
	scan("after reopen and recovery")
}
