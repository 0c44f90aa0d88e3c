package storage_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/London wherever the tests run

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
	"github.com/assent-recorder/assent/storage/internal/recfile"
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

// After deletion, neither the wrapped key nor the audio (a known plaintext
// pattern, and the ciphertext) is anywhere in the data folder:
// secure_delete overwrote the row's old content and the WAL was
// checkpointed and truncated. TestPurgeKilledHalfway checks the same after
// a purge killed at each step and finished by the next run.
func TestDeletionLeavesNoKeyOnDisk(t *testing.T) {
	for _, how := range []string{"Purge", "DeleteNow", "withdrawal"} {
		t.Run(how, func(t *testing.T) {
			f := newVault(t)
			s := f.session(t)
			var ids []string
			var keys [][]byte
			for seg := 1; seg <= 3; seg++ {
				id := f.record(t, s.ID, seg, append(randomBytes(5*testChunk, uint64(seg)), marker...))
				ids = append(ids, id)
				keys = append(keys, storage.WrappedKey(f.db, id))
			}
			files := map[string][]byte{}
			for _, id := range ids {
				b, _ := os.ReadFile(storage.RecordingPath(f.db, id))
				files[id] = b[recfile.HeaderSize : recfile.HeaderSize+64]
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
				if bytes.Contains(b, marker[:24]) {
					t.Errorf("%s holds the plaintext", filepath.Base(p))
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

// recordUntil makes a complete recording of s that is to be deleted at
// deleteOn.
func (f *fixture) recordUntil(t *testing.T, sessionID string, segment int, deleteOn time.Time) string {
	t.Helper()
	w, err := f.db.NewRecording(sessionID, segment, deleteOn, []string{"reflection"})
	if err != nil {
		t.Fatalf("NewRecording: %v", err)
	}
	w.Write(randomBytes(3*testChunk, uint64(segment)))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.ID()
}

// purged runs Purge(now) and returns the IDs it deleted, in order.
func (f *fixture) purged(t *testing.T, now time.Time) []string {
	t.Helper()
	ds, err := f.db.Purge(now)
	if err != nil {
		t.Fatalf("Purge(%s): %v", now.Format(time.RFC3339), err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.RecordingID)
	}
	return ids
}

// sameIDs compares sets of recording IDs (Purge orders by deletion date,
// then ID).
func sameIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s deleted %v, want %v", what, got, want)
	}
}

// The boundaries, through the real database and the injected clock: a
// recording due exactly now is deleted, one due a second ago too, one due
// a second from now is not (until then).
func TestPurgeAtTheDeletionDate(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	due := f.clock.Now().Add(time.Hour)
	secondAgo := f.recordUntil(t, s.ID, 1, due.Add(-time.Second))
	exactlyNow := f.recordUntil(t, s.ID, 2, due)
	notYet := f.recordUntil(t, s.ID, 3, due.Add(time.Second))
	f.db.Lock() // Purge needs no passphrase

	sameIDs(t, "Purge a second before the first date", f.purged(t, due.Add(-2*time.Second)))
	f.clock.Add(time.Hour)
	sameIDs(t, "Purge at the date", f.purged(t, due), secondAgo, exactlyNow)
	for _, id := range []string{secondAgo, exactlyNow} {
		rec, _ := f.db.Recording(id)
		if rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonDeletionDate || !rec.DeletedAt.Equal(due) {
			t.Errorf("tombstone %+v", rec)
		}
	}
	if rec, _ := f.db.Recording(notYet); rec.State != storage.StateComplete {
		t.Errorf("not-yet-due recording is %s", rec.State)
	}
	sameIDs(t, "Purge a nanosecond before the last date", f.purged(t, due.Add(time.Second-1)))
	sameIDs(t, "Purge at the last date", f.purged(t, due.Add(time.Second)), notYet)
}

// A deletion date shown as "deleted on Monday 30 March 2026" in London is
// the start of that local day, whatever daylight saving did in between:
// the consent package computes the instant (calendar days, not 24-hour
// steps), storage keeps it and Purge deletes at it, not an hour early or
// late.
func TestPurgeAcrossDaylightSaving(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		grantedAt time.Time
		keepDays  int
		shown     string // the date the client saw
		wantUTC   time.Time
	}{
		// Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
		{"spring forward", time.Date(2026, 3, 28, 10, 0, 0, 0, london), 2, "Monday 30 March 2026",
			time.Date(2026, 3, 29, 23, 0, 0, 0, time.UTC)},
		// Clocks go back at 01:00 GMT on Sunday 25 October 2026.
		{"fall back", time.Date(2026, 10, 24, 10, 0, 0, 0, london), 2, "Monday 26 October 2026",
			time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			deleteOn := consent.DeletionDate(c.grantedAt, c.keepDays, false, london)
			if !deleteOn.Equal(c.wantUTC) || deleteOn.In(london).Format("Monday 2 January 2006 15:04") != c.shown+" 00:00" {
				t.Fatalf("DeletionDate = %s (%s), want %s at local midnight", deleteOn.UTC(), deleteOn.In(london), c.shown)
			}
			f := newVault(t)
			f.clock.Set(c.grantedAt.UTC())
			s := f.session(t)
			id := f.recordUntil(t, s.ID, 1, deleteOn)
			// Counting 48 hours from local midnight would be an hour off.
			y, m, d := c.grantedAt.Date()
			naive := time.Date(y, m, d, 0, 0, 0, 0, london).Add(time.Duration(c.keepDays) * 24 * time.Hour)
			if diff := naive.Sub(c.wantUTC); diff != time.Hour && diff != -time.Hour {
				t.Fatalf("the case does not cross a clock change (24-hour steps give %s)", naive)
			}
			sameIDs(t, "Purge a second before local midnight", f.purged(t, c.wantUTC.Add(-time.Second).In(london)))
			if naive.Before(c.wantUTC) {
				sameIDs(t, "Purge at the 24-hour-step time, an hour early", f.purged(t, naive))
			}
			if rec, _ := f.db.Recording(id); !rec.DeleteOn.Equal(c.wantUTC) {
				t.Errorf("stored deletion date %s, want %s", rec.DeleteOn.UTC(), c.wantUTC)
			}
			sameIDs(t, "Purge at local midnight", f.purged(t, c.wantUTC.In(london)), id)
		})
	}
}

// Deletion dates are instants, and Purge goes by the later of the clock
// and the latest time seen: a clock moved backwards brings back nothing
// deleted and delays nothing; moved forward again, it skips nothing. While
// it is behind by more than ClockTolerance no recording begins; within
// it, a new recording's date must be after the latest time seen.
func TestPurgeClockMovedBackwards(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	t0 := f.clock.Now()
	a := f.recordUntil(t, s.ID, 1, t0.Add(time.Hour))
	b := f.recordUntil(t, s.ID, 2, t0.Add(2*time.Hour))

	f.clock.Add(90 * time.Minute)
	sameIDs(t, "Purge at t0+1h30", f.purged(t, f.clock.Now()), a)

	f.clock.Add(-3 * 24 * time.Hour) // the clock is put back three days
	sameIDs(t, "Purge with the clock three days back", f.purged(t, f.clock.Now()))
	if rec, _ := f.db.Recording(a); rec.State != storage.StateDeleted {
		t.Errorf("a deleted recording came back: %s", rec.State)
	}
	var behind *storage.ClockBehindError
	if _, err := f.db.NewRecording(s.ID, 3, f.clock.Now().Add(time.Hour), []string{"reflection"}); !errors.As(err, &behind) ||
		!behind.Now.Equal(f.clock.Now()) || !behind.Latest.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("NewRecording three days back: %v, want a *ClockBehindError with both times", err)
	}

	f.clock.Set(t0.Add(-30 * time.Minute)) // two hours back: within the tolerance
	if _, err := f.db.NewRecording(s.ID, 3, t0.Add(time.Hour), []string{"reflection"}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("a date after the clock but before the latest time seen: %v, want ErrInvalid", err)
	}
	c := f.recordUntil(t, s.ID, 3, t0.Add(150*time.Minute))
	sameIDs(t, "Purge two hours back", f.purged(t, f.clock.Now()))

	f.clock.Set(t0.Add(3 * time.Hour)) // right again, past b's and c's dates
	sameIDs(t, "Purge once the clock is right", f.purged(t, f.clock.Now()), b, c)

	// And purging at a time before an earlier purge run changes nothing.
	sameIDs(t, "Purge at t0", f.purged(t, t0))
	if err := f.db.VerifyAudit(); err != nil {
		t.Errorf("audit chain across clock changes: %v", err)
	}
}

// A recording whose file is already gone (removed by hand, lost with a
// disk) is still deleted: the key is erased, the tombstone written, and
// nothing complains.
func TestPurgeFileAlreadyMissing(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	if err := os.Remove(storage.RecordingPath(f.db, id)); err != nil {
		t.Fatal(err)
	}
	f.db.Lock()
	sameIDs(t, "Purge", f.purged(t, f.deleteOn()), id)
	if rec, _ := f.db.Recording(id); rec.State != storage.StateDeleted {
		t.Errorf("state %s", rec.State)
	}
	if storage.WrappedKey(f.db, id) != nil {
		t.Error("the key is still there")
	}
	if p := storage.RecordingPath(f.db, id); p != "" {
		t.Errorf("the tombstone still names a file: %s", p)
	}
	sameIDs(t, "second Purge", f.purged(t, f.deleteOn()))
}
