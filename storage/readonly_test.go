package storage_test

import (
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/foldertest"
	"github.com/assent-recorder/assent/storage"
)

// readOnlyPractice is a data folder as the app leaves it while open:
// committed steps still in the write-ahead log, a recording being made,
// a withdrawal whose erasing is owed, a recording file that no row names,
// and a live recording under a stored "delete all" (as an older Assent,
// or a hand edit, could leave it).
func readOnlyPractice(t *testing.T) (f *fixture, kept, withdrawn, orphan string, w *storage.RecordingWriter) {
	f = newVault(t)
	f.reopen(t) // Open checkpoints: from here on, writes stay in the log
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	kept = f.record(t, f.session(t).ID, 1, randomBytes(5*testChunk, 1))
	ss := f.session(t)
	f.record(t, ss.ID, 2, randomBytes(3*testChunk, 2)) // erased by the withdrawal
	if _, err := f.db.AppendConsentEvent(f.withdrawal(ss.ID, 1)); err != nil {
		t.Fatal(err)
	}
	withdrawn = f.record(t, ss.ID, 3, randomBytes(3*testChunk, 3))
	raw, err := sql.Open("sqlite", storage.DSN(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE recordings SET consent_seq = 0 WHERE id = ?", withdrawn); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	other := f.session(t)
	if err := f.db.OweConsentEvent(f.withdrawal(other.ID, 1)); err != nil {
		t.Fatal(err)
	}
	orphan = "0123456789abcdef0123456789abcdef.rec"
	os.WriteFile(filepath.Join(f.dir, storage.RecordingsDir, orphan), randomBytes(700, 4), 0o600)
	w = f.startRecording(t, ss.ID, 4)
	w.Write(randomBytes(4*testChunk, 5))
	if fi, err := os.Stat(filepath.Join(f.dir, storage.DBFile+"-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("the log holds nothing (%v): the test would not read through it", err)
	}
	return f, kept, withdrawn, orphan, w
}

// OpenReadOnly changes nothing: not in a folder nobody has open (no log),
// not in one a power cut left (the log and its index, no writer), not
// with the passphrase, right or wrong. It sees what was committed, and
// Pending says what the next start would change.
func TestOpenReadOnlyChangesNothing(t *testing.T) {
	f, kept, withdrawn, orphan, w := readOnlyPractice(t)
	crashed := filepath.Join(t.TempDir(), "crashed")
	foldertest.Copy(t, f.dir, crashed)
	w.Close()
	f.db.Close()
	clean := f.dir // closed: the log checkpointed and removed
	if _, err := os.Stat(filepath.Join(clean, storage.DBFile+"-wal")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the closed folder still has its log (%v): the test would not read it as nobody has it open", err)
	}

	for _, c := range []struct {
		name, dir   string
		interrupted bool
	}{{"closed", clean, false}, {"left by a power cut", crashed, true}} {
		t.Run(c.name, func(t *testing.T) {
			before := foldertest.Snapshot(t, c.dir)
			db, err := storage.OpenReadOnly(c.dir, testOptions(f.clock))
			if err != nil {
				t.Fatalf("OpenReadOnly: %v", err)
			}
			st, err := db.Status()
			if err != nil || st.Sessions != 3 || st.Owed != 1 {
				t.Errorf("Status = %+v, %v; want 3 sessions, 1 owed step (committed, in the log)", st, err)
			}
			p, err := db.Pending()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Withdrawn, []string{withdrawn}) || !slices.Equal(p.Orphans, []string{orphan}) ||
				p.OrphanProblem != nil || p.Owed != 1 || (len(p.Interrupted) == 1) != c.interrupted {
				t.Errorf("Pending = %+v; want %s withdrawn, %s without a record, 1 owed, interrupted %v", p, withdrawn, orphan, c.interrupted)
			}
			if _, err := db.DueForDeletion(f.clock.Now().Add(365 * 24 * time.Hour)); err != nil {
				t.Error(err)
			}
			if err := db.VerifyAudit(); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}
			for range storage.MaxAttempts + 1 {
				if err := db.Unlock("not the passphrase"); !errors.Is(err, storage.ErrWrongPassphrase) {
					t.Fatalf("Unlock with a wrong passphrase: %v", err)
				}
			}
			if err := db.Unlock(testPass); err != nil {
				t.Fatalf("Unlock after %d wrong ones: %v, want no back-off (nothing is counted)", storage.MaxAttempts+1, err)
			}
			if err := db.VerifyRecording(kept); err != nil {
				t.Errorf("VerifyRecording: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			foldertest.Unchanged(t, "OpenReadOnly", before, foldertest.Snapshot(t, c.dir))

			// The next start does what Pending said.
			rw := openDB(t, c.dir, f.clock)
			if rec, _ := rw.Recording(withdrawn); rec.State != storage.StateDeleted {
				t.Errorf("the next Open left the withdrawn recording %s", rec.State)
			}
			if got := rw.RemovedOrphans(); !slices.Equal(got, []string{orphan}) {
				t.Errorf("the next Open removed %v, want %s", got, orphan)
			}
		})
	}
}

// What cannot be read as it is is refused, with nothing changed: an
// older schema (Open would upgrade it) and a log without its index.
func TestOpenReadOnlyErrWouldChange(t *testing.T) {
	t.Run("older schema", func(t *testing.T) {
		dir := t.TempDir()
		if err := storage.MigrateTo(dir, storage.SchemaVersion()-1); err != nil {
			t.Fatal(err)
		}
		before := foldertest.Snapshot(t, dir)
		if _, err := storage.OpenReadOnly(dir, storage.Options{}); !errors.Is(err, storage.ErrWouldChange) {
			t.Errorf("OpenReadOnly = %v, want ErrWouldChange", err)
		}
		foldertest.Unchanged(t, "OpenReadOnly", before, foldertest.Snapshot(t, dir))
	})
	t.Run("log without its index", func(t *testing.T) {
		f, _, _, _, w := readOnlyPractice(t)
		dir := filepath.Join(t.TempDir(), "copy")
		foldertest.Copy(t, f.dir, dir)
		w.Close()
		os.Remove(filepath.Join(dir, storage.DBFile+"-shm"))
		before := foldertest.Snapshot(t, dir)
		if _, err := storage.OpenReadOnly(dir, storage.Options{}); !errors.Is(err, storage.ErrWouldChange) {
			t.Errorf("OpenReadOnly = %v, want ErrWouldChange", err)
		}
		foldertest.Unchanged(t, "OpenReadOnly", before, foldertest.Snapshot(t, dir))
	})
	t.Run("no database", func(t *testing.T) {
		if _, err := storage.OpenReadOnly(t.TempDir(), storage.Options{}); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenReadOnly = %v, want fs.ErrNotExist", err)
		}
	})
}
