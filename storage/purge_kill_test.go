package storage_test

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

var errKilled = errors.New("killed here by the test")

// The plaintext every recording of these tests holds: it must be found in
// no file of the data folder, at any point.
var marker = bytes.Repeat([]byte("ASSENT-PURGE-PLAINTEXT-"), 3*testChunk/23+1)

// killFixture is a vault with three complete recordings holding marker,
// whose keys are known to be on disk (so that a scan that does not find
// them later means something).
type killFixture struct {
	*fixture
	ids   []string
	keys  [][]byte
	paths []string
}

func newKillFixture(t *testing.T) *killFixture {
	t.Helper()
	k := &killFixture{fixture: newVault(t)}
	s := k.session(t)
	for seg := 1; seg <= 3; seg++ {
		id := k.record(t, s.ID, seg, marker)
		k.ids = append(k.ids, id)
		k.keys = append(k.keys, storage.WrappedKey(k.db, id))
		k.paths = append(k.paths, storage.RecordingPath(k.db, id))
	}
	for i, key := range k.keys {
		if len(filesContaining(t, k.dir, key)) == 0 {
			t.Fatalf("key %d is nowhere on disk before the purge: the scan is blind", i+1)
		}
	}
	return k
}

// assertGone checks that every recording is a tombstone with one deletion
// in the audit log, and that neither a key, nor the plaintext, nor a file
// is left anywhere in the data folder.
func (k *killFixture) assertGone(t *testing.T, db *storage.DB) {
	t.Helper()
	for i, id := range k.ids {
		rec, err := db.Recording(id)
		if err != nil || rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonDeletionDate {
			t.Errorf("recording %d: %+v, %v", i+1, rec, err)
		}
		if storage.RecordingPath(db, id) != "" {
			t.Errorf("recording %d: the tombstone still names its file", i+1)
		}
		log, _ := db.AuditLog(0, 100, id)
		n := 0
		for _, e := range log {
			if e.Kind == storage.AuditRecordingDeleted {
				n++
			}
		}
		if n != 1 {
			t.Errorf("recording %d: %d deletions in the audit log, want 1", i+1, n)
		}
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	if entries := recordingFiles(t, k.dir); len(entries) != 0 {
		t.Errorf("recordings/ still holds %d files", len(entries))
	}
	for i, key := range k.keys {
		if files := filesContaining(t, k.dir, key); len(files) > 0 {
			t.Errorf("the key of recording %d is still in %v", i+1, files)
		}
	}
	if files := filesContaining(t, k.dir, marker[:24]); len(files) > 0 {
		t.Errorf("the plaintext is in %v", files)
	}
}

// A purge killed at any step is finished by the next Purge or the next
// Open (the app's next start), and in between nothing is readable that
// was due: either the key is gone, or the file, or (killed before the
// erase commits) nothing changed at all.
func TestPurgeKilledHalfway(t *testing.T) {
	for _, c := range []struct {
		name      string
		step      string
		fileFirst bool // the reverse order: the file went first, then the kill
	}{
		{"after the key erase, before the unlink", storage.StepBeforeUnlink, false},
		{"after the unlink, before the key erase", storage.StepBeforeCommit, true},
		{"before the key erase commits", storage.StepBeforeCommit, false},
		{"after the unlink, before the names are cleared", storage.StepBeforeForget, false},
		{"after the names are cleared, before the checkpoint", storage.StepBeforeCheckpoint, false},
	} {
		for _, finish := range []string{"Purge again", "next Open"} {
			t.Run(c.name+"/"+finish, func(t *testing.T) {
				k := newKillFixture(t)
				if c.fileFirst {
					for _, p := range k.paths {
						os.Remove(p)
					}
				}
				storage.CrashAt(k.db, func(step string) error {
					if step == c.step {
						return errKilled
					}
					return nil
				})
				_, err := k.db.Purge(k.deleteOn())
				if c.step == storage.StepBeforeCommit && !errors.Is(err, errKilled) {
					t.Fatalf("Purge killed before commit: %v", err)
				}
				storage.CrashAt(k.db, nil)

				// In between: nothing due is readable, unless nothing happened.
				for i, id := range k.ids {
					r, err := k.db.OpenRecording(id)
					switch {
					case c.step == storage.StepBeforeCommit && !c.fileFirst:
						if err != nil {
							t.Fatalf("killed before commit, recording %d: %v (nothing should have changed)", i+1, err)
						}
						r.Close()
					case err == nil:
						r.Close()
						t.Fatalf("recording %d is readable after a kill %s", i+1, c.name)
					case c.step == storage.StepBeforeCommit && !errors.Is(err, storage.ErrNotInBackup):
						t.Errorf("recording %d, file gone, key not yet erased: %v, want a missing file", i+1, err)
					case c.step != storage.StepBeforeCommit && !errors.Is(err, storage.ErrDeleted):
						t.Errorf("recording %d, key erased: %v, want ErrDeleted", i+1, err)
					}
				}

				db := k.db
				if finish == "next Open" {
					// The killed process never closed its database (no final
					// checkpoint); another opens the folder.
					db = openDB(t, k.dir, k.clock)
				}
				if c.step == storage.StepBeforeCommit || finish == "Purge again" {
					if _, err := db.Purge(k.deleteOn()); err != nil {
						t.Fatalf("Purge after the kill: %v", err)
					}
				}
				k.assertGone(t, db)
			})
		}
	}
}

// makeDue adds n recordings of session to the folder, due at dueAt, each
// with a random 72-byte "wrapped key" and a file, with plain SQL
// (NewRecording fsyncs: 10,000 of them would take minutes). The files are
// hard links to one file of fileSize bytes: creating 10,000 inodes takes
// seconds on some file systems, and Purge unlinks names either way.
// BenchmarkPurge makes real files, as rm(1) would meet them.
func makeDue(tb testing.TB, dir, sessionID string, n, fileSize int, dueAt time.Time) []string {
	tb.Helper()
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`INSERT INTO recordings (id, session_id, segment, state, file, key_wrapped, chunk_size,
		purposes, consent_seq, started_at, ended_at, bytes, delete_on) VALUES (?, ?, ?, 'complete', ?, ?, 4096, '["reflection"]', 0, ?, ?, ?, ?)`)
	if err != nil {
		tb.Fatal(err)
	}
	content := make([]byte, fileSize)
	rand.Read(content)
	first := ""
	ids := make([]string, n)
	for i := range ids {
		id := fmt.Sprintf("%032x", i+1)
		path := filepath.Join(dir, storage.RecordingsDir, id+".rec")
		if first == "" {
			first = path
			err = os.WriteFile(path, content, 0o600)
		} else {
			err = os.Link(first, path)
		}
		if err != nil {
			tb.Fatal(err)
		}
		key := make([]byte, 72)
		rand.Read(key)
		at := dueAt.Add(-time.Hour).UnixNano()
		if _, err := stmt.Exec(id, sessionID, i+1, id+".rec", key, at, at, fileSize, dueAt.UnixNano()); err != nil {
			tb.Fatal(err)
		}
		ids[i] = id
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// 10,000 recordings due at once go in one Purge: every key erased, every
// file gone, one audit row each and the chain intact, the WAL truncated.
func TestPurgeTenThousandAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const n = 10000
	f := newVault(t)
	s := f.session(t)
	live := f.record(t, s.ID, n+1, randomBytes(100, 1)) // due in 30 days, stays
	due := f.clock.Now().Add(time.Hour)
	ids := makeDue(t, f.dir, s.ID, n, 2000, due)
	sample := [][]byte{storage.WrappedKey(f.db, ids[0]), storage.WrappedKey(f.db, ids[n/2]), storage.WrappedKey(f.db, ids[n-1])}
	f.db.Lock()

	t0 := time.Now()
	ds, err := f.db.Purge(due)
	took := time.Since(t0)
	if err != nil || len(ds) != n {
		t.Fatalf("Purge = %d deletions, %v; want %d", len(ds), err, n)
	}
	t.Logf("purged %d recordings in %v", n, took)
	seen := make(map[string]bool, n)
	for _, d := range ds {
		seen[d.RecordingID] = true
	}
	for _, id := range ids {
		if !seen[id] {
			t.Fatalf("recording %s not purged", id)
		}
	}
	st, err := f.db.Status()
	if err != nil || st.LiveRecordings != 1 || st.DeletedRecordings != n || st.RecordingFilesSeen != 1 {
		t.Errorf("Status = %+v, %v", st, err)
	}
	if rec, _ := f.db.Recording(live); rec.State != storage.StateComplete {
		t.Errorf("the recording not yet due is %s", rec.State)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Error(err)
	}
	if log, _ := f.db.AuditLog(0, 2*n, ""); countKind(log, storage.AuditRecordingDeleted) != n {
		t.Errorf("%d deletions in the audit log, want %d", countKind(log, storage.AuditRecordingDeleted), n)
	}
	if fi, err := os.Stat(filepath.Join(f.dir, storage.DBFile+"-wal")); err == nil && fi.Size() != 0 {
		t.Errorf("WAL holds %d bytes after purge", fi.Size())
	}
	for i, k := range sample {
		if files := filesContaining(t, f.dir, k); len(files) > 0 {
			t.Errorf("sample key %d still in %v", i, files)
		}
	}
	if ds, err := f.db.Purge(due); err != nil || len(ds) != 0 {
		t.Errorf("second Purge = %d, %v", len(ds), err)
	}
}

// Purge writes its audit rows many per statement: the chain must be as if
// written one by one, whatever the count (full statements, a remainder,
// several batches).
func TestPurgeAuditRows(t *testing.T) {
	for _, n := range []int{1, 99, 100, 101, 1234} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newVault(t)
			s := f.session(t)
			due := f.clock.Now().Add(time.Hour)
			ids := makeDue(t, f.dir, s.ID, n, 10, due)
			_, err := f.db.Purge(due)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.VerifyAudit(); err != nil {
				t.Fatal(err)
			}
			log, _ := f.db.AuditLog(0, 2*n+10, "")
			var subjects []string
			for _, e := range log {
				if e.Kind == storage.AuditRecordingDeleted {
					if e.Detail != storage.ReasonDeletionDate || !e.At.Equal(f.clock.Now()) {
						t.Fatalf("audit row %+v", e)
					}
					subjects = append(subjects, e.Subject)
				}
			}
			sameIDs(t, "audit log", subjects, ids...)
			if err := f.db.Audit("after.purge", ""); err != nil {
				t.Fatal(err)
			}
			if err := f.db.VerifyAudit(); err != nil {
				t.Fatalf("a row appended after the purge: %v", err)
			}
		})
	}
}

func countKind(log []storage.AuditEntry, kind string) int {
	n := 0
	for _, e := range log {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// `assent purge` from the OS scheduler runs while the app is open: two DBs
// on one folder stand for the two processes. The purge deletes what is
// due, leaves the recording being made alone (its writer keeps writing and
// closes normally), and a recording whose date passes while it is still
// being made is deleted like any other (the app's writer then learns it at
// Close). Unlocking in the second process (assent verify) does not take
// the live recording for a crashed one.
func TestPurgeWhileTheAppRecords(t *testing.T) {
	app := newVault(t)
	s := app.session(t)
	due := app.clock.Now().Add(time.Hour)
	old := app.recordUntil(t, s.ID, 1, due)
	plain := randomBytes(6*testChunk, 9)
	live := app.startRecording(t, s.ID, 2) // due in 30 days
	live.Write(plain[:3*testChunk])
	ending, err := app.db.NewRecording(s.ID, 3, due, nil) // its date passes mid-recording
	if err != nil {
		t.Fatal(err)
	}
	ending.Write(plain[:2*testChunk])
	app.clock.Add(time.Hour)

	cron := openDB(t, app.dir, app.clock) // another process: no passphrase
	ds, err := cron.Purge(app.clock.Now())
	if err != nil {
		t.Fatalf("Purge beside the app: %v", err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.RecordingID)
	}
	sameIDs(t, "Purge beside the app", got, old, ending.ID())

	if err := cron.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if rs := cron.LastRecovery(); len(rs) != 0 {
		t.Errorf("the other process recovered a live recording: %+v", rs)
	}
	if rec, _ := cron.Recording(live.ID()); rec.State != storage.StateRecording {
		t.Errorf("live recording is %s", rec.State)
	}
	cron.Close()

	if _, err := live.Write(plain[3*testChunk:]); err != nil {
		t.Fatalf("the app's recording after the purge: %v", err)
	}
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	equalBytes(t, app.readAll(t, live.ID()), plain)
	if err := ending.Close(); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("Close of the recording purged meanwhile: %v, want ErrDeleted", err)
	}
	if _, err := app.db.OpenRecording(ending.ID()); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording of the purged one: %v", err)
	}
	entries := recordingFiles(t, app.dir)
	if len(entries) != 1 {
		t.Errorf("recordings/ holds %d files, want 1 (the live one)", len(entries))
	}
}
