package storage_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// recordings/ carries a CACHEDIR.TAG with the specification's signature,
// and a backup tool that honours it (tar --exclude-caches, as restic and
// borg do) leaves the recordings out and keeps the database.
func TestCacheDirTag(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	id := f.record(t, ss.ID, 1, randomBytes(5*testChunk, 1))
	b, err := os.ReadFile(filepath.Join(f.dir, storage.RecordingsDir, storage.CacheDirTag))
	if err != nil || !strings.HasPrefix(string(b), "Signature: 8a477f597d28d172789f06886806bc55") {
		t.Fatalf("CACHEDIR.TAG = %q, %v; want the Cache Directory Tagging signature", b, err)
	}
	if st, err := f.db.Status(); err != nil || st.RecordingFilesSeen != 1 {
		t.Errorf("Status counts %d recording files (%v), want 1: the tag is not a recording", st.RecordingFilesSeen, err)
	}

	// Removed by hand: the next Open writes it again.
	os.Remove(filepath.Join(f.dir, storage.RecordingsDir, storage.CacheDirTag))
	f.reopen(t)
	if _, err := os.Stat(filepath.Join(f.dir, storage.RecordingsDir, storage.CacheDirTag)); err != nil {
		t.Errorf("the next Open did not write the tag again: %v", err)
	}

	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("no tar here")
	}
	archive := filepath.Join(t.TempDir(), "backup.tar")
	if out, err := exec.Command("tar", "--exclude-caches", "-cf", archive, "-C", f.dir, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	out, err := exec.Command("tar", "-tf", archive).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -t: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), storage.DBFile) {
		t.Errorf("the backup lacks the database:\n%s", out)
	}
	if strings.Contains(string(out), id) {
		t.Errorf("the backup holds the recording:\n%s", out)
	}
}

// A backup holds the database and not the recordings. Restored on a new
// machine, the practice opens; its recordings read as not in the backup,
// nothing is erased because of it, a purge on the date deletes as usual,
// and the audit log is intact. A file that comes back plays again.
func TestRestoredBackupWithoutRecordings(t *testing.T) {
	f := newVault(t)
	ss := f.session(t)
	data := randomBytes(5*testChunk, 2)
	soon := f.recordUntil(t, ss.ID, 1, f.clock.Now().Add(time.Hour))
	later := f.record(t, ss.ID, 2, data)
	f.db.Close()

	// The backup: assent.db* only (recordings/ is tagged out).
	restored := filepath.Join(t.TempDir(), "restored")
	if err := os.Mkdir(restored, 0o700); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(f.dir, storage.DBFile+"*"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(restored, filepath.Base(name)), b, 0o600)
	}

	// Read-only first (`assent status` on the new machine), then as the app.
	ro, err := storage.OpenReadOnly(restored, testOptions(f.clock))
	if err != nil {
		t.Fatalf("OpenReadOnly of the restored copy: %v", err)
	}
	if st, err := ro.Status(); err != nil || st.FilesMissing != 2 || st.LiveRecordings != 2 {
		t.Errorf("read-only Status = %+v, %v; want 2 live recordings, 2 not in the backup", st, err)
	}
	ro.Close()

	db, err := storage.Open(restored, testOptions(f.clock))
	if err != nil {
		t.Fatalf("Open of the restored copy: %v", err)
	}
	defer db.Close()
	if err := db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{soon, later} {
		rec, err := db.Recording(id)
		if err != nil || !rec.FileMissing || rec.State != storage.StateComplete {
			t.Errorf("recording %s = %+v, %v; want complete and FileMissing", id, rec, err)
		}
		_, err = db.OpenRecording(id)
		if !errors.Is(err, storage.ErrNotInBackup) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("OpenRecording(%s) = %v, want ErrNotInBackup", id, err)
		}
		if err := db.VerifyRecording(id); !errors.Is(err, storage.ErrNotInBackup) {
			t.Errorf("VerifyRecording(%s) = %v, want ErrNotInBackup", id, err)
		}
	}
	if recs, err := db.Recordings(ss.ID); err != nil || len(recs) != 2 || !recs[0].FileMissing || !recs[1].FileMissing {
		t.Errorf("Recordings = %+v, %v; want both FileMissing", recs, err)
	}

	// The date comes: purge tombstones it as any other.
	f.clock.Add(2 * time.Hour)
	if ds, err := db.Purge(f.clock.Now()); err != nil || len(ds) != 1 || ds[0].RecordingID != soon {
		t.Errorf("Purge = %+v, %v; want %s deleted", ds, err, soon)
	}
	if rec, _ := db.Recording(soon); rec.State != storage.StateDeleted || rec.FileMissing {
		t.Errorf("after purge: %+v, want a tombstone (not \"missing\")", rec)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit log of the restored copy: %v", err)
	}

	// The recordings folder copied across after all: the key is in the
	// row, so it plays.
	b, err := os.ReadFile(filepath.Join(f.dir, storage.RecordingsDir, later+".rec"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(restored, storage.RecordingsDir, later+".rec"), b, 0o600)
	if rec, _ := db.Recording(later); rec.FileMissing {
		t.Error("the file is back but the recording still reads as missing")
	}
	r, err := db.OpenRecording(later)
	if err != nil {
		t.Fatalf("OpenRecording after the file came back: %v", err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	equalBytes(t, got, data)
}
