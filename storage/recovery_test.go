package storage_test

import (
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/assent-recorder/assent/storage"
	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// copyDir copies the files of a data folder (no subfolders but recordings/).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryAtEveryCut(t *testing.T) {
	const chunks = 6
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(chunks*testChunk+testChunk/3, 11) // the tail never reaches the disk
	w := f.startRecording(t, s.ID, 1)
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	id := w.ID()
	storage.CrashWriter(w)
	rel, _ := filepath.Rel(f.dir, storage.RecordingPath(f.db, id))
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	fs := recfile.FrameSize(testChunk)
	full := recfile.HeaderSize + chunks*fs
	for cut := full - 2*fs; cut <= full; cut++ {
		dir := t.TempDir()
		copyDir(t, f.dir, dir)
		if err := os.Truncate(filepath.Join(dir, rel), cut); err != nil {
			t.Fatal(err)
		}
		db := openDB(t, dir, f.clock)
		if rec, _ := db.Recording(id); rec.State != storage.StateRecording {
			t.Fatalf("cut %d: state before unlock = %s", cut, rec.State)
		}
		if err := db.Unlock(testPass); err != nil {
			t.Fatal(err)
		}
		kept := (cut - recfile.HeaderSize) / fs
		rs := db.LastRecovery()
		if len(rs) != 1 || rs[0].Outcome != storage.OutcomeRecovered || rs[0].Chunks != kept {
			t.Fatalf("cut %d: LastRecovery = %+v, want %d chunks recovered", cut, rs, kept)
		}
		rec, _ := db.Recording(id)
		if rec.State != storage.StateRecovered || rec.Bytes != kept*testChunk {
			t.Fatalf("cut %d: %s with %d bytes", cut, rec.State, rec.Bytes)
		}
		r, err := db.OpenRecording(id)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		equalBytes(t, got, plain[:kept*testChunk])
		entries := recordingFiles(t, dir)
		if len(entries) != 1 {
			t.Fatalf("cut %d: %d files in recordings/, want 1", cut, len(entries))
		}
		db.Close()
	}
}

func TestRecoveryOfCompleteFile(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(3*testChunk+5, 12)
	w := f.startRecording(t, s.ID, 1)
	w.Write(plain)
	storage.CrashAfterFinal(w)
	f.reopen(t)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if rs := f.db.LastRecovery(); len(rs) != 1 || rs[0].Outcome != storage.OutcomeRecovered || rs[0].Bytes != int64(len(plain)) {
		t.Fatalf("LastRecovery = %+v", rs)
	}
	equalBytes(t, f.readAll(t, w.ID()), plain)
	log, _ := f.db.AuditLog(0, 100, w.ID())
	var kinds []string
	for _, e := range log {
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) < 2 || kinds[0] != storage.AuditRecordingStarted || kinds[1] != storage.AuditRecordingRecovered {
		t.Errorf("audit rows about the recording: %v", kinds)
	}
}

func TestRecoveryWithNothingToKeep(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	w.Write(randomBytes(testChunk-1, 13)) // never a whole chunk
	storage.CrashWriter(w)
	f.reopen(t)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if rs := f.db.LastRecovery(); len(rs) != 1 || rs[0].Outcome != storage.OutcomeErased {
		t.Fatalf("LastRecovery = %+v", rs)
	}
	rec, _ := f.db.Recording(w.ID())
	if rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonNothingRecovered {
		t.Errorf("recording = %s %q", rec.State, rec.DeleteReason)
	}
	entries := recordingFiles(t, f.dir)
	if len(entries) != 0 {
		t.Errorf("%d files left", len(entries))
	}
}

// After a crash, the client withdraws with "delete all" before anyone
// unlocks: the fragment is erased with no key, never recovered.
func TestCrashThenWithdrawDeleteAll(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	w.Write(randomBytes(5*testChunk, 14))
	storage.CrashWriter(w)
	f.reopen(t)
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "withdrawn", At: f.clock.Now(),
		Actor: "participant", WithdrawDeleteAll: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if rs := f.db.LastRecovery(); len(rs) != 0 {
		t.Errorf("recovery ran on an erased recording: %+v", rs)
	}
	if rec, _ := f.db.Recording(w.ID()); rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
		t.Errorf("recording = %s %q", rec.State, rec.DeleteReason)
	}
}

// A withdrawal stored by something other than AppendConsentEvent (an older
// build, a hand repair) is still honoured: Open erases the fragment.
func TestOpenHonoursWithdrawalInDatabase(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	w := f.startRecording(t, s.ID, 1)
	w.Write(randomBytes(5*testChunk, 15))
	storage.CrashWriter(w)
	path := storage.RecordingPath(f.db, w.ID())
	f.db.Close()
	raw, err := sql.Open("sqlite", storage.DSN(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO consent_events (session_id, seq, kind, at, actor, participant, withdraw_delete_all, stored_at)
		VALUES (?, 1, 'withdrawn', 0, 'participant', '', 1, 0)`, s.ID); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	f.db = openDB(t, f.dir, f.clock) // no Unlock
	if rec, _ := f.db.Recording(w.ID()); rec.State != storage.StateDeleted {
		t.Errorf("state = %s, want deleted", rec.State)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file still there: %v", err)
	}
}

func TestRecoveryLeavesLiveWritersAlone(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(4*testChunk, 16)
	w := f.startRecording(t, s.ID, 1)
	w.Write(plain[:2*testChunk])

	t.Run("same process", func(t *testing.T) {
		f.db.Lock()
		if err := f.db.Unlock(testPass); err != nil {
			t.Fatal(err)
		}
		if rs := f.db.LastRecovery(); len(rs) != 0 {
			t.Fatalf("recovered a live recording: %+v", rs)
		}
	})
	t.Run("another DB on the same folder", func(t *testing.T) {
		other := openDB(t, f.dir, f.clock)
		if err := other.Unlock(testPass); err != nil {
			t.Fatal(err)
		}
		if rs := other.LastRecovery(); len(rs) != 0 {
			t.Fatalf("recovered a recording another writer holds: %+v", rs)
		}
		other.Close()
	})
	w.Write(plain[2*testChunk:])
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, w.ID()), plain)
}

// A recovery that crashed after writing part of its replacement file leaves
// the replacement's name in discard_file; the next recovery removes it and
// starts again.
func TestRecoveryAfterInterruptedRecovery(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	plain := randomBytes(3*testChunk, 17)
	w := f.startRecording(t, s.ID, 1)
	w.Write(plain)
	storage.CrashWriter(w)
	f.db.Close()
	half := w.ID() + ".0badf00d.rec"
	os.WriteFile(filepath.Join(f.dir, storage.RecordingsDir, half), []byte("half a file"), 0o600)
	raw, _ := sql.Open("sqlite", storage.DSN(f.dir))
	if _, err := raw.Exec("UPDATE recordings SET discard_file = ? WHERE id = ?", half, w.ID()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	f.db = openDB(t, f.dir, f.clock)
	if _, err := os.Stat(filepath.Join(f.dir, storage.RecordingsDir, half)); err != nil {
		t.Fatal("Open removed the discard file of a recording awaiting recovery (recovery owns it)")
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, f.readAll(t, w.ID()), plain)
	entries := recordingFiles(t, f.dir)
	if len(entries) != 1 {
		t.Errorf("%d files in recordings/, want 1", len(entries))
	}
}

func TestRecoverInterruptedNeedsKey(t *testing.T) {
	f := newVault(t)
	f.db.Lock()
	if _, err := f.db.RecoverInterrupted(); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("err = %v, want ErrLocked", err)
	}
}
