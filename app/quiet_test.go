package app

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/consent"
)

// animationApp is Fyne's test app with a driver that counts the
// animations running (a focused entry's blinking cursor, an infinite
// progress bar): the test driver itself runs none, so this is how a test
// sees one that a replaced screen leaves behind.
type animationApp struct {
	fyne.App
	driver *animationDriver
}

func (a *animationApp) Driver() fyne.Driver { return a.driver }

// animationDriver is the test driver, keeping which animations that never
// end by themselves run.
type animationDriver struct {
	fyne.Driver
	mu      sync.Mutex
	running map[*fyne.Animation]string // where each was started
}

// StartAnimation keeps a that repeats for ever (a button's tap runs its
// course and ends by itself; the test driver never ends it).
func (d *animationDriver) StartAnimation(a *fyne.Animation) {
	if a.RepeatCount == fyne.AnimationRepeatForever {
		d.mu.Lock()
		d.running[a] = string(debug.Stack())
		d.mu.Unlock()
	}
	d.Driver.StartAnimation(a)
}

func (d *animationDriver) StopAnimation(a *fyne.Animation) {
	d.mu.Lock()
	delete(d.running, a)
	d.mu.Unlock()
	d.Driver.StopAnimation(a)
}

// started says where the animations running were started.
func (d *animationDriver) started() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var all string
	for _, stack := range d.running {
		all += stack + "\n"
	}
	return all
}

func (d *animationDriver) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.running)
}

// newAnimationApp returns a test app whose animations are counted; it is
// the current app (fyne.CurrentApp), which is where widgets start them.
func newAnimationApp(t *testing.T) *animationApp {
	a := &animationApp{App: test.NewTempApp(t)}
	a.driver = &animationDriver{Driver: a.App.Driver(), running: map[*fyne.Animation]string{}}
	fyne.SetCurrentApp(a)
	return a
}

// quietLeaveWait is how long a screen's goroutines may take to end after
// it is replaced (a capture goroutine closing its device: Stop's 100 ms
// with room for a busy machine).
const quietLeaveWait = 2 * time.Second

// leavesNothing checks that what visit shows, and leaves, runs nothing
// afterwards: as many goroutines and animations as before it.
func leavesNothing(t *testing.T, u *UI, a *animationApp, what string, visit func()) {
	t.Helper()
	settle(u)
	goroutines, animations := runtime.NumGoroutine(), a.driver.count()
	visit()
	settle(u)
	deadline := time.Now().Add(quietLeaveWait)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		settle(u)
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		var stacks bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Errorf("%s: %d goroutines %v after, %d before; they are:\n%s", what, n, quietLeaveWait, goroutines, stacks.String())
	}
	if n := a.driver.count(); n > animations {
		t.Errorf("%s: %d animations running after, %d before (a focused entry's cursor, a progress bar); started at:\n%s", what, n, animations, a.driver.started())
	}
	if t.Failed() {
		t.FailNow()
	}
}

// TestReplacedScreensLeaveNothingRunning shows each screen and leaves it,
// as a therapist and a client would, and checks that nothing it started
// (a ticker, a goroutine, an animation such as a blinking cursor) runs on
// after it: the count of each is back where it was. The session records
// from the test microphone through real LAME into real storage.
func TestReplacedScreensLeaveNothingRunning(t *testing.T) {
	a := newAnimationApp(t)
	f := newSessionFixtureOn(t, a)
	u := f.u
	u.opt.Speaker = pacedSpeaker{}

	leavesNothing(t, u, a, "unlocking, then locking", func() {
		f.unlockPractice(t)
		u.Lock()
	})
	f.unlockPractice(t)
	home := func() { u.show(newPracticeScreen(u)) }
	leavesNothing(t, u, a, "the lock screen, then unlocking", func() {
		u.Lock()
		f.unlockPractice(t)
	})
	leavesNothing(t, u, a, "the recovery key screen", func() {
		u.Lock()
		// (Not a tap on its button: test.LaidOutObjects, which finds
		// one, makes the focused entry's renderer anew, and Fyne then
		// loses track of the old one's cursor animation.)
		u.show(newRecoverScreen(u))
		u.show(newUnlockScreen(u))
		f.unlockPractice(t)
	})
	leavesNothing(t, u, a, "the settings", func() {
		u.show(newSettingsScreen(u))
		home()
	})
	leavesNothing(t, u, a, "a client's record", func() {
		p := u.screen.(*practiceScreen)
		p.list.Select(0)
		p.showRecord()
		home()
	})
	leavesNothing(t, u, a, "a new session's screen", func() {
		f.startScreen(t)
		home()
	})

	// A session: asked, recorded, stopped and kept, ended, kept at the end;
	// Done locks.
	leavesNothing(t, u, a, "a recorded session", func() {
		k := f.startSession(t, "Anna")
		test.Tap(k.yes[k.run.Participants()[0].ID])
		waitRecorded(t, k, time.Second)
		// The therapist takes the laptop back while it records.
		u.show(newSessionScreen(u, k.run))
		ss := u.screen.(*sessionScreen)
		test.Type(ss.notes, "Slept better.")
		u.show(newKioskScreen(u, k.run))
		k = u.screen.(*kioskScreen)
		test.Tap(k.stop)
		test.Tap(k.keep)
		u.show(newSessionScreen(u, k.run))
		test.Tap(u.screen.(*sessionScreen).end)
		// The question at the end, on the client screen.
		k = u.screen.(*kioskScreen)
		test.Tap(k.keepIt[k.run.Participants()[0].ID])
		test.Tap(u.screen.(*summaryScreen).done)
		f.unlockPractice(t)
	})

	// The library, with its player playing when the practice locks.
	rec := storeRecording(t, f.db, "C.D.", []string{consent.PurposeReflection}, time.Now().Add(72*time.Hour))
	leavesNothing(t, u, a, "the library, playing", func() {
		s := playInLibrary(t, u, rec.ID)
		u.Lock()
		// Closed by leaving, at once; not by the player's next tick.
		if s.player.audio != nil {
			t.Error("the player is open after the library was left")
		}
		f.unlockPractice(t)
	})
}
