package storage_test

import (
	"database/sql"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// A re-key (DeleteAfter, crash recovery) killed at any step is finished
// by the next start (Open, then Unlock): one file is left, the row names
// no discard file, the recording reads as before the re-key or as after it
// (never neither), the audit chain holds one row for it if it happened,
// and the old key is on disk nowhere once the re-key has been done.
func TestRekeyKilledHalfway(t *testing.T) {
	plain := randomBytes(6*testChunk+testChunk/3, 51)
	const keep = 2*testChunk + 7
	recovered := plain[:6*testChunk] // what a crash leaves: the whole chunks
	for _, c := range []struct {
		name string
		// start makes the recording the re-key works on.
		start func(t *testing.T, f *fixture, sessionID string) string
		// rekey runs it on db (DeleteAfter, or the recovery of Unlock).
		rekey func(db *storage.DB, id string) error
		// before and after are the recording's bytes before and after the
		// re-key; auditKind is the row it writes.
		before, after []byte
		auditKind     string
	}{
		{
			name: "DeleteAfter",
			start: func(t *testing.T, f *fixture, sessionID string) string {
				w := f.startRecording(t, sessionID, 1)
				w.Write(plain)
				w.SetPeaks(storage.Peaks{Interval: time.Second, Levels: make([]byte, 60)})
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				return w.ID()
			},
			rekey: func(db *storage.DB, id string) error {
				return db.DeleteAfter(id, keep, "client asked to delete the last minutes")
			},
			before: plain, after: plain[:keep], auditKind: storage.AuditRecordingTrimmed,
		},
		{
			name: "recovery",
			start: func(t *testing.T, f *fixture, sessionID string) string {
				w := f.startRecording(t, sessionID, 1)
				w.Write(plain)
				storage.CrashWriter(w)
				return w.ID()
			},
			rekey: func(db *storage.DB, id string) error {
				_, err := db.RecoverInterrupted()
				return err
			},
			before: nil, after: recovered, auditKind: storage.AuditRecordingRecovered,
		},
	} {
		switched := false // from this step on, the row holds the new file and key
		for _, step := range storage.RekeySteps {
			switched = switched || step == storage.StepRekeySwitched
			t.Run(c.name+"/"+step, func(t *testing.T) {
				f := newVault(t)
				s := f.session(t)
				id := c.start(t, f, s.ID)
				oldKey := storage.WrappedKey(f.db, id)
				if len(filesContaining(t, f.dir, oldKey)) == 0 {
					t.Fatal("the old key is nowhere on disk before the re-key: the scan is blind")
				}

				storage.CrashAt(f.db, func(at string) error {
					if at == step {
						return errKilled
					}
					return nil
				})
				if err := c.rekey(f.db, id); !errors.Is(err, errKilled) {
					t.Fatalf("re-key killed %s: %v", step, err)
				}
				storage.CrashAt(f.db, nil)

				// In between, in the killed process: before or after, never neither.
				want := c.before
				if switched {
					want = c.after
				}
				checkContent(t, f.db, id, want, "killed "+step)

				// The next start: Open, then Unlock (which recovers).
				db := openDB(t, f.dir, f.clock)
				if err := db.Unlock(testPass); err != nil {
					t.Fatal(err)
				}
				if !switched && c.name == "DeleteAfter" {
					// Nothing happened: the client's request is asked again.
					checkContent(t, db, id, c.before, "after the restart")
					if err := c.rekey(db, id); err != nil {
						t.Fatalf("DeleteAfter again after the restart: %v", err)
					}
				}
				checkContent(t, db, id, c.after, "finished")
				if log, _ := db.AuditLog(0, 100, id); countKind(log, c.auditKind) != 1 {
					t.Errorf("%d %s rows in the audit log, want 1", countKind(log, c.auditKind), c.auditKind)
				}
				if err := db.VerifyAudit(); err != nil {
					t.Errorf("audit chain: %v", err)
				}
				if entries := recordingFiles(t, f.dir); len(entries) != 1 {
					t.Errorf("recordings/ holds %d files, want 1", len(entries))
				}
				if d := discardFile(t, f.dir, id); d != "" {
					t.Errorf("the row still names a discard file, %s", d)
				}
				if where := filesContaining(t, f.dir, oldKey); len(where) > 0 {
					t.Errorf("the old wrapped key is still in %v", where)
				}
			})
		}
	}
}

// checkContent checks that the recording reads as want; nil want means it
// must not be playable yet (a crashed recording before its recovery).
func checkContent(t *testing.T, db *storage.DB, id string, want []byte, when string) {
	t.Helper()
	r, err := db.OpenRecording(id)
	if want == nil {
		if !errors.Is(err, storage.ErrNotFinished) {
			t.Fatalf("%s: OpenRecording = %v, want ErrNotFinished", when, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: OpenRecording: %v", when, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: read: %v", when, err)
	}
	equalBytes(t, got, want)
	if rec, _ := db.Recording(id); rec.Bytes != int64(len(want)) {
		t.Errorf("%s: the row says %d bytes, the file holds %d", when, rec.Bytes, len(want))
	}
}

// discardFile reads a recording's discard_file with plain SQL.
func discardFile(t *testing.T, dir, id string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var d sql.NullString
	if err := raw.QueryRow("SELECT discard_file FROM recordings WHERE id = ?", id).Scan(&d); err != nil {
		t.Fatal(err)
	}
	return d.String
}

// Another process deletes the recording while "delete the last minutes"
// writes its new file, and is killed before it unlinks the files. The
// re-key must not switch the tombstone to the new file and key: the
// deletion stands, no key comes back, and the next start leaves no file.
func TestDeleteAfterLosesToADeletion(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(6*testChunk, 52))
	purge := openDB(t, f.dir, f.clock) // `assent purge`, say
	storage.CrashAt(purge, func(step string) error {
		if step == storage.StepBeforeUnlink {
			return errKilled
		}
		return nil
	})
	storage.CrashAt(f.db, func(step string) error {
		if step == storage.StepRekeyWritten {
			if err := purge.DeleteNow(id, "deleted by therapist"); err != nil {
				t.Errorf("DeleteNow meanwhile: %v", err)
			}
		}
		return nil
	})
	if err := f.db.DeleteAfter(id, testChunk, "last minutes"); err == nil {
		t.Fatal("DeleteAfter switched a recording deleted meanwhile")
	}
	rec, _ := f.db.Recording(id)
	if rec.State != storage.StateDeleted || storage.WrappedKey(f.db, id) != nil {
		t.Fatalf("after the race: state %s, key erased %v", rec.State, storage.WrappedKey(f.db, id) == nil)
	}
	if log, _ := f.db.AuditLog(0, 100, id); countKind(log, storage.AuditRecordingTrimmed) != 0 {
		t.Error("a trim was audited")
	}
	openDB(t, f.dir, f.clock) // the next start finishes the deletion
	if entries := recordingFiles(t, f.dir); len(entries) != 0 {
		t.Errorf("recordings/ holds %d files after the next start", len(entries))
	}
}
