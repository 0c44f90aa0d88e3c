package storage_test

import (
	"io"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
	"github.com/assent-recorder/assent/storage/internal/testtools"
)

// cheapKDF keeps tests fast; only TestDefaultKDFCost pays the real cost.
var cheapKDF = storage.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

const (
	testChunk = 64 // small chunks: many chunks from few bytes
	testPass  = "correct horse battery"
)

// clock is the tests' clock: it moves only when told to.
type clock = clocktest.Clock

func newClock() *clock {
	return clocktest.New(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
}

func testOptions(c *clock) storage.Options {
	return storage.Options{Now: c.Now, KDF: cheapKDF, ChunkSize: testChunk}
}

// openDB opens dir and closes it when the test ends.
func openDB(t testing.TB, dir string, c *clock) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, testOptions(c))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type fixture struct {
	tb          testing.TB // the test that owns the fixture (reopen closes with it)
	db          *storage.DB
	dir         string
	clock       *clock
	recoveryKey string
}

// newVault opens a fresh data folder with an unlocked vault.
func newVault(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{tb: t, dir: t.TempDir(), clock: newClock()}
	f.db = openDB(t, f.dir, f.clock)
	rk, err := f.db.CreateVault(testPass)
	if err != nil {
		t.Fatalf("CreateVault: %v", err)
	}
	f.recoveryKey = rk
	return f
}

// reopen closes the DB and opens the folder again (locked).
func (f *fixture) reopen(t testing.TB) {
	t.Helper()
	if err := f.db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f.db = openDB(f.tb, f.dir, f.clock)
}

func (f *fixture) session(t testing.TB) storage.Session {
	t.Helper()
	c, err := f.db.CreateClient("Client A")
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	s, err := f.db.CreateSession(c.ID, storage.Participant{Name: "Alex", Role: "client"})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return s
}

func (f *fixture) deleteOn() time.Time { return f.clock.Now().Add(30 * 24 * time.Hour) }

// record writes data as one complete recording and returns its ID.
func (f *fixture) record(t testing.TB, sessionID string, segment int, data []byte) string {
	t.Helper()
	w := f.startRecording(t, sessionID, segment)
	if _, err := w.Write(data); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return w.ID()
}

func (f *fixture) startRecording(t testing.TB, sessionID string, segment int) *storage.RecordingWriter {
	t.Helper()
	w, err := f.db.NewRecording(sessionID, segment, f.deleteOn(), []string{"reflection"})
	if err != nil {
		t.Fatalf("NewRecording: %v", err)
	}
	return w
}

func (f *fixture) readAll(t testing.TB, id string) []byte {
	t.Helper()
	r, err := f.db.OpenRecording(id)
	if err != nil {
		t.Fatalf("OpenRecording: %v", err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	return b
}

// Shared with the tests of storage's internal packages.
var (
	randomBytes = testtools.RandomBytes
	equalBytes  = testtools.EqualBytes
)
