package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

func TestDue(t *testing.T) {
	now := time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)
	recs := []storage.Recording{
		{ID: "due-now", State: storage.StateComplete, DeleteOn: now},
		{ID: "due-a-second-ago", State: storage.StateRecovered, DeleteOn: now.Add(-time.Second)},
		{ID: "not-yet", State: storage.StateComplete, DeleteOn: now.Add(time.Nanosecond)},
		{ID: "already-deleted", State: storage.StateDeleted, DeleteOn: now.Add(-time.Hour)},
		{ID: "interrupted-and-due", State: storage.StateRecording, DeleteOn: now.Add(-time.Hour)},
		// The same instant written in another zone is the same instant.
		{ID: "due-in-another-zone", State: storage.StateComplete, DeleteOn: now.In(time.FixedZone("UTC+1", 3600))},
	}
	var got []string
	for _, d := range storage.Due(recs, now) {
		if d.Reason != storage.ReasonDeletionDate {
			t.Errorf("%s: reason %q", d.RecordingID, d.Reason)
		}
		got = append(got, d.RecordingID)
	}
	want := []string{"due-now", "due-a-second-ago", "interrupted-and-due", "due-in-another-zone"}
	if len(got) != len(want) {
		t.Fatalf("Due = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Due = %v, want %v", got, want)
		}
	}
}

func TestPurge(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	soon, err := f.db.NewRecording(s.ID, 1, f.clock.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	soon.Write(randomBytes(200, 1))
	soon.Close()
	later := f.record(t, s.ID, 2, randomBytes(200, 2)) // in 30 days
	f.db.Lock()                                        // purge needs no passphrase

	if ds, err := f.db.Purge(f.clock.Now().Add(59 * time.Minute)); err != nil || len(ds) != 0 {
		t.Fatalf("Purge before the date = %v, %v", ds, err)
	}
	path := storage.RecordingPath(f.db, soon.ID())
	ds, err := f.db.Purge(f.clock.Now().Add(time.Hour))
	if err != nil || len(ds) != 1 || ds[0].RecordingID != soon.ID() {
		t.Fatalf("Purge at the date = %+v, %v", ds, err)
	}
	if rec, _ := f.db.Recording(soon.ID()); rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonDeletionDate {
		t.Errorf("purged recording: %+v", rec)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file not removed: %v", err)
	}
	if ds, _ := f.db.Purge(f.clock.Now().Add(time.Hour)); len(ds) != 0 {
		t.Errorf("second Purge deleted again: %v", ds)
	}
	if rec, _ := f.db.Recording(later); rec.State != storage.StateComplete {
		t.Errorf("later recording: %s", rec.State)
	}
	// The WAL was checkpointed: no frame still holds the erased key.
	if fi, err := os.Stat(filepath.Join(f.dir, storage.DBFile+"-wal")); err == nil && fi.Size() != 0 {
		t.Errorf("WAL holds %d bytes after purge", fi.Size())
	}
}

// After deletion, neither the wrapped key nor the audio is anywhere in the
// data folder: secure_delete overwrote the row's old content and the WAL
// was checkpointed and truncated.
func TestDeletionLeavesNoKeyOnDisk(t *testing.T) {
	for _, how := range []string{"Purge", "DeleteNow", "withdrawal"} {
		t.Run(how, func(t *testing.T) {
			f := newVault(t)
			s := f.session(t)
			var ids []string
			var keys [][]byte
			for seg := 1; seg <= 3; seg++ {
				id := f.record(t, s.ID, seg, randomBytes(5*testChunk, uint64(seg)))
				ids = append(ids, id)
				keys = append(keys, storage.WrappedKey(f.db, id))
			}
			files := map[string][]byte{}
			for _, id := range ids {
				b, _ := os.ReadFile(storage.RecordingPath(f.db, id))
				files[id] = b[storage.HeaderSize : storage.HeaderSize+64]
			}
			// The scan below can see a key: before deletion, each one is there.
			for i, k := range keys {
				if len(filesContaining(t, f.dir, k)) == 0 {
					t.Fatalf("wrapped key %d not found on disk before deletion: the scan is blind", i+1)
				}
			}
			f.db.Lock()
			switch how {
			case "Purge":
				if _, err := f.db.Purge(f.deleteOn()); err != nil {
					t.Fatal(err)
				}
			case "DeleteNow":
				for _, id := range ids {
					f.db.DeleteNow(id, "test")
				}
			case "withdrawal":
				f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "withdrawn", At: f.clock.Now(), Actor: "participant", WithdrawDeleteAll: true})
			}
			filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, _ := os.ReadFile(p)
				for i, k := range keys {
					if bytes.Contains(b, k) {
						t.Errorf("%s still holds the wrapped key of recording %d", filepath.Base(p), i+1)
					}
				}
				for id, c := range files {
					if bytes.Contains(b, c) {
						t.Errorf("%s still holds ciphertext of %s", filepath.Base(p), id)
					}
				}
				return nil
			})
		})
	}
}

func filesContaining(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, needle) {
			out = append(out, filepath.Base(p))
		}
		return nil
	})
	return out
}

func TestStatus(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	a := f.record(t, s.ID, 1, randomBytes(100, 1))
	f.record(t, s.ID, 2, randomBytes(100, 2))
	w := f.startRecording(t, s.ID, 3)
	defer w.Close()
	f.db.DeleteNow(a, "test")
	f.db.Lock()
	st, err := f.db.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Clients != 1 || st.Sessions != 1 || st.LiveRecordings != 2 || st.DeletedRecordings != 1 ||
		st.Interrupted != 0 || !st.NextDeletion.Equal(f.deleteOn()) || !st.HasVault ||
		st.SchemaVersion != storage.SchemaVersion() || st.FormatVersion != storage.FormatVersion ||
		st.RecordingFilesSeen != 2 || st.BytesOnDisk == 0 {
		t.Errorf("Status = %+v", st)
	}
}
