package app

import (
	"strconv"
	"sync"
	"time"
)

// purgeInterval is how often the running app deletes what is due: the
// client was shown a date, and a recording must be gone by the start of it
// even if the app stays open across midnight.
const purgeInterval = time.Minute

// Settings keys read by the UI.
const (
	settingAutoLockMinutes = "autolock_minutes"
	defaultAutoLock        = 10 * time.Minute
)

// housekeeping is the UI's background work: the purge every minute and the
// auto-lock. Stop ends it.
type housekeeping struct {
	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
	mu       sync.Mutex
	active   time.Time // last action by the therapist
}

// startHousekeeping runs a purge now, in the background so the first window
// is never delayed, and then every purgeInterval; and locks the practice
// after the auto-lock time without any action.
func (u *UI) startHousekeeping() {
	u.house = &housekeeping{stop: make(chan struct{}), active: u.opt.Now()}
	purgeEvery, idleEvery := purgeInterval, min(15*time.Second, u.autoLockAfter()/4)
	if u.houseTick > 0 {
		purgeEvery, idleEvery = u.houseTick, u.houseTick
	}
	u.house.done.Add(1)
	go func() {
		defer u.house.done.Done()
		u.purge()
		purge := time.NewTicker(purgeEvery)
		defer purge.Stop()
		idle := time.NewTicker(idleEvery)
		defer idle.Stop()
		for {
			select {
			case <-u.house.stop:
				return
			case <-purge.C:
				u.purge()
			case <-idle.C:
				u.do(u.lockIfIdle)
			}
		}
	}()
}

// stopHousekeeping ends the background work and waits for a purge under
// way to finish; it is idempotent.
func (u *UI) stopHousekeeping() {
	if u.house != nil {
		u.house.stopOnce.Do(func() { close(u.house.stop) })
		u.house.done.Wait()
	}
}

// purge deletes every recording whose date has come. It needs no
// passphrase and runs whether the practice is locked or not.
func (u *UI) purge() {
	deleted, err := u.db.Purge(u.opt.Now())
	if err != nil {
		u.opt.Logf("purge: %v", err)
		return
	}
	if len(deleted) > 0 {
		u.opt.Logf("purge: deleted %d recording(s) whose deletion date had come", len(deleted))
	}
}

// touch notes an action by the therapist, which postpones the auto-lock.
func (u *UI) touch() {
	if u.house == nil {
		return
	}
	u.house.mu.Lock()
	u.house.active = u.opt.Now()
	u.house.mu.Unlock()
}

// autoLockAfter is the auto-lock time from the settings (minutes), or the
// default; Options.AutoLock overrides both (tests).
func (u *UI) autoLockAfter() time.Duration {
	if u.opt.AutoLock > 0 {
		return u.opt.AutoLock
	}
	if v, ok, err := u.db.Setting(settingAutoLockMinutes); err == nil && ok {
		if m, err := strconv.Atoi(v); err == nil && m > 0 {
			return time.Duration(m) * time.Minute
		}
	}
	return defaultAutoLock
}

// lockIfIdle locks the practice when nothing was done for the auto-lock
// time. The client screen is left as it is: it shows nothing of the
// practice, and the client's recording and "Stop" must go on.
func (u *UI) lockIfIdle() {
	u.house.mu.Lock()
	idle := u.opt.Now().Sub(u.house.active)
	u.house.mu.Unlock()
	if idle < u.autoLockAfter() || !u.db.Unlocked() {
		return
	}
	switch u.screen.(type) {
	case *kioskScreen, *unlockScreen, *setupScreen, *recoverScreen, *recoveryKeyScreen:
		return
	}
	u.opt.Logf("locking after %v without activity", idle.Round(time.Second))
	u.Lock()
}
