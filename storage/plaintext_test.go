package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// Nothing readable on disk: a recognisable pattern written through
// recordings, peaks (SetPeaks and SavePeaks) and notes must occur in no
// file of the data folder (the database, -wal, -shm, recordings),
// whatever state the WAL is in.
func TestNoPlaintextOnDisk(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	marker := []byte("ASSENT-PLAINTEXT-MARKER-")
	pattern := bytes.Repeat(marker, 200) // ~4.8 KB, spans many chunks
	// A recording left open, one closed with peaks and a marker handed to its writer,
	// one whose peaks were saved after it closed, one recovered after a
	// crash, and notes with the pattern in both kinds of text and in the ink.
	open := f.startRecording(t, s.ID, 1)
	open.Write(pattern)
	peaks := storage.Peaks{Interval: 100 * time.Millisecond, Levels: bytes.Repeat(marker, 20)}
	closed := f.startRecording(t, s.ID, 2)
	closed.Write(pattern)
	closed.SetPeaks(peaks)
	if err := closed.AddMarker(storage.Marker{At: time.Second, Word: string(marker)}); err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	saved := f.record(t, s.ID, 4, pattern)
	if err := f.db.SavePeaks(saved, peaks); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.db.Markers(closed.ID()); err != nil || len(ms) != 1 || ms[0].Word != string(marker) {
		t.Fatalf("markers read back as %+v, %v", ms, err)
	}
	for _, id := range []string{closed.ID(), saved} {
		// The pattern really went in: a scan that finds nothing means something.
		if p, err := f.db.Peaks(id); err != nil || !bytes.Equal(p.Levels, peaks.Levels) {
			t.Fatalf("peaks of %s read back as %d levels, %v", id, len(p.Levels), err)
		}
	}
	crashed := f.startRecording(t, s.ID, 3)
	crashed.Write(pattern)
	storage.CrashWriter(crashed)
	if err := f.db.SaveNotes(s.ID, storage.Notes{Text: strings.Repeat(string(marker), 50), Process: strings.Repeat(string(marker), 50), Ink: pattern}); err != nil {
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
