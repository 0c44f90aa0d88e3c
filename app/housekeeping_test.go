package app

import (
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
)

// storeDue stores a small recording of a new session of client c, to be
// deleted at deleteOn, and returns its ID. Storage does not look inside
// the bytes.
func storeDue(t *testing.T, db *storage.DB, c storage.Client, deleteOn time.Time) string {
	t.Helper()
	s, err := db.CreateSession(c.ID, storage.Participant{Name: "Anna", Role: "client"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := db.NewRecording(s.ID, 1, deleteOn, []string{"reflection"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(strings.Repeat("mp3", 1000))); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.ID()
}

// waitUntil settles the UI until done reports true, or fails after 10 s
// saying what did not happen.
func waitUntil(t *testing.T, u *UI, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		settle(u)
		if done() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// deleted reports whether recording id is deleted.
func deleted(t *testing.T, db *storage.DB, id string) bool {
	t.Helper()
	r, err := db.Recording(id)
	if err != nil {
		t.Fatal(err)
	}
	return r.State == storage.StateDeleted
}

// TestPurgeAtStart: a recording whose date passed while the app was closed
// is deleted when the app starts, without the passphrase.
func TestPurgeAtStart(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	c, _ := db.CreateClient("C")
	due := storeDue(t, db, c, clock.Now().Add(24*time.Hour))
	later := storeDue(t, db, c, clock.Now().Add(72*time.Hour))
	db.Lock()

	clock.Add(48 * time.Hour) // the app was closed for two days
	u.Start()
	waitUntil(t, u, "the recording whose date had passed was not deleted at start", func() bool { return deleted(t, db, due) })
	if deleted(t, db, later) {
		t.Error("a recording not yet due was deleted")
	}
	if _, ok := u.screen.(*unlockScreen); !ok {
		t.Errorf("the first screen is %T: the purge must not hold it up", u.screen)
	}
}

// TestHousekeepingRuns: the housekeeping's own loop, with its tick made
// short, deletes a recording whose date comes while the app is open and
// unlocked, and later locks the practice after the auto-lock time without
// any action; nothing calls purge or lockIfIdle but the loop.
func TestHousekeepingRuns(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 23, 50, 0, 0, time.UTC))
	u, db := unlockedClockUI(t, clock)
	c, _ := db.CreateClient("C")
	atMidnight := storeDue(t, db, c, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	tomorrow := storeDue(t, db, c, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	db.Lock()

	u.houseTick = 5 * time.Millisecond
	u.Start()
	unlockToPractice(t, u)
	time.Sleep(50 * time.Millisecond) // ten ticks: nothing is due yet
	settle(u)
	if deleted(t, db, atMidnight) || !db.Unlocked() {
		t.Fatalf("before anything was due: deleted %v, unlocked %v", deleted(t, db, atMidnight), db.Unlocked())
	}

	// Midnight passes while the app is open: the next tick's purge deletes
	// the recording due then, and only that one. Eight minutes without
	// action are less than the default auto-lock of ten.
	clock.Add(8 * time.Minute)
	u.touch()
	clock.Add(8 * time.Minute)
	waitUntil(t, u, "the recording due at midnight was not deleted while the app was open", func() bool { return deleted(t, db, atMidnight) })
	if deleted(t, db, tomorrow) {
		t.Error("a recording due tomorrow was deleted")
	}
	if !db.Unlocked() {
		t.Fatal("locked after 8 minutes without action; the default is 10")
	}
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Fatalf("before the auto-lock the screen is %T", u.screen)
	}

	// Three minutes more without action: eleven in all, and the next tick
	// locks.
	clock.Add(3 * time.Minute)
	waitUntil(t, u, "not locked 11 minutes after the last action", func() bool { return !db.Unlocked() })
	if _, ok := u.screen.(*unlockScreen); !ok {
		t.Errorf("after the auto-lock the screen is %T", u.screen)
	}
}

// TestAutoLock: after the auto-lock time without any action the practice
// locks; any action postpones it; the client screen is never locked away.
func TestAutoLock(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := newUIWith(t, clock, nil)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	u.showPractice()
	u.house = &housekeeping{stop: make(chan struct{}), active: clock.Now()}

	clock.Add(9 * time.Minute)
	u.lockIfIdle()
	if !db.Unlocked() {
		t.Fatal("locked after 9 minutes; the default is 10")
	}
	u.touch()
	clock.Add(9 * time.Minute)
	u.lockIfIdle()
	if !db.Unlocked() {
		t.Fatal("an action did not postpone the auto-lock")
	}
	clock.Add(2 * time.Minute)
	u.lockIfIdle()
	if db.Unlocked() {
		t.Fatal("not locked after 11 minutes without action")
	}
	if _, ok := u.screen.(*unlockScreen); !ok {
		t.Errorf("after auto-lock the screen is %T", u.screen)
	}

	t.Run("setting", func(t *testing.T) {
		if err := db.SetSetting(settingAutoLockMinutes, "3"); err != nil {
			t.Fatal(err)
		}
		if got := u.autoLockAfter(); got != 3*time.Minute {
			t.Errorf("auto-lock after %v, want the setting's 3 minutes", got)
		}
	})
}
