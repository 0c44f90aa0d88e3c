package app

import (
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/clocktest"
	"github.com/assent-recorder/assent/storage"
)

// TestPurgeAtStart: a recording whose date passed while the app was closed
// is deleted when the app starts, without the passphrase.
func TestPurgeAtStart(t *testing.T) {
	clock := clocktest.New(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC))
	u, db := newUIWith(t, clock, nil)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	c, _ := db.CreateClient("C")
	s, _ := db.CreateSession(c.ID, storage.Participant{Name: "Anna", Role: "client"})
	due, err := db.NewRecording(s.ID, 1, clock.Now().Add(24*time.Hour), []string{"reflection"})
	if err != nil {
		t.Fatal(err)
	}
	due.Write([]byte(strings.Repeat("mp3", 1000)))
	due.Close()
	later, _ := db.NewRecording(s.ID, 2, clock.Now().Add(72*time.Hour), []string{"reflection"})
	later.Write([]byte(strings.Repeat("mp3", 1000)))
	later.Close()
	db.Lock()

	clock.Add(48 * time.Hour) // the app was closed for two days
	u.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := db.Recording(due.ID())
		if err != nil {
			t.Fatal(err)
		}
		if r.State == storage.StateDeleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the recording whose date had passed was not deleted at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r, _ := db.Recording(later.ID()); r.State == storage.StateDeleted {
		t.Error("a recording not yet due was deleted")
	}
	if _, ok := u.screen.(*unlockScreen); !ok {
		t.Errorf("the first screen is %T: the purge must not hold it up", u.screen)
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
