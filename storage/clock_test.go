package storage_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// The clock is moved back a year, then forward past the deletion dates:
// nothing is deleted late (a purge by the earlier clock still deletes what
// the latest time seen says is due), nothing is played while the clock is
// behind, and the latest time seen survives a restart and is raised by a
// purge without the key.
func TestClockMovedBackAYear(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	t0 := f.clock.Now()
	a := f.recordUntil(t, s.ID, 1, t0.Add(30*24*time.Hour))
	b := f.recordUntil(t, s.ID, 2, t0.Add(60*24*time.Hour))

	f.clock.Set(t0.Add(45 * 24 * time.Hour))
	f.readAll(t, b) // a write: the latest time seen is now
	if _, err := f.db.OpenRecording(a); !errors.Is(err, storage.ErrPastDeletionDate) {
		t.Errorf("a, past its date, no purge yet: %v", err)
	}
	seen := f.clock.Now()

	f.clock.Add(-365 * 24 * time.Hour)
	var behind *storage.ClockBehindError
	if _, err := f.db.OpenRecording(b); !errors.As(err, &behind) || !errors.Is(err, storage.ErrClockBehind) ||
		!behind.Now.Equal(f.clock.Now()) || !behind.Latest.Equal(seen) {
		t.Errorf("OpenRecording a year back: %v, want a *ClockBehindError with both times", err)
	}
	f.reopen(t)
	if latest, err := f.db.LatestSeen(); err != nil || !latest.Equal(seen) {
		t.Errorf("LatestSeen after a restart = %v, %v; want %v", latest, err, seen)
	}
	sameIDs(t, "a locked Purge a year back", f.purged(t, f.clock.Now()), a)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.OpenRecording(b); !errors.As(err, &behind) {
		t.Errorf("OpenRecording a year back, after a restart: %v", err)
	}
	f.db.Lock()

	// Within ClockTolerance the clock is believed, and the latest time
	// seen still decides what is due.
	f.clock.Set(seen.Add(-storage.ClockTolerance + time.Minute))
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	f.readAll(t, b)
	f.db.Lock()

	// `assent purge` (no key) at a later time raises the latest time seen.
	f.clock.Set(t0.Add(61 * 24 * time.Hour))
	sameIDs(t, "a locked Purge past b's date", f.purged(t, f.clock.Now()), b)
	if latest, _ := f.db.LatestSeen(); !latest.Equal(f.clock.Now()) {
		t.Errorf("LatestSeen after a purge = %v, want %v", latest, f.clock.Now())
	}
	if st, _ := f.db.Status(); !st.LatestSeen.Equal(f.clock.Now()) {
		t.Errorf("Status.LatestSeen = %v", st.LatestSeen)
	}
}

// Purge and DueForDeletion go by the latest time seen when the clock
// reads earlier; a recording due by it goes even if the clock never reads
// its date.
func TestPurgeByTheLatestTimeSeen(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	t0 := f.clock.Now()
	id := f.recordUntil(t, s.ID, 1, t0.Add(time.Hour))
	f.clock.Add(2 * time.Hour)
	if err := f.db.Audit("test.event", "the time is noted"); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0)
	if ds, err := f.db.DueForDeletion(t0); err != nil || len(ds) != 1 || ds[0].RecordingID != id {
		t.Errorf("DueForDeletion(t0) = %+v, %v", ds, err)
	}
	sameIDs(t, "Purge(t0)", f.purged(t, t0), id)
}
