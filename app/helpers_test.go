package app

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
)

// fyneKeyEvent is the Return key, as a keyboard user submits a field.
var fyneKeyEvent = fyne.KeyEvent{Name: fyne.KeyReturn}

// findButton returns the button labelled text on the UI's current screen.
func findButton(t *testing.T, u *UI, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q on %T", text, u.screen)
	return nil
}

// uiQueue stands in for fyne.Do in tests: work from other goroutines waits
// here until the test goroutine drains it, as the real driver's main loop
// would run it.
type uiQueue struct {
	mu   sync.Mutex
	jobs []func()
}

func (q *uiQueue) add(fn func()) {
	q.mu.Lock()
	q.jobs = append(q.jobs, fn)
	q.mu.Unlock()
}

// drain runs what is queued, on the caller's goroutine.
func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		jobs := q.jobs
		q.jobs = nil
		q.mu.Unlock()
		if len(jobs) == 0 {
			return
		}
		for _, fn := range jobs {
			fn()
		}
	}
}

// testQueues holds each test UI's queue.
var testQueues sync.Map // *UI → *uiQueue

// settle waits for the UI's background work and runs what it queued for
// the UI goroutine.
func settle(u *UI) {
	u.Wait()
	if q, ok := testQueues.Load(u); ok {
		q.(*uiQueue).drain()
	}
}

// longDate writes t as the screens do.
func longDate(u *UI, t time.Time) string { return consent.LongDate(t, u.opt.Location) }

// oneMicrophone is Microphones with a single microphone, the system's
// default: what a test passes when it needs no choice of device. (Set
// Options.Microphones to nil for a computer with no microphone.)
type oneMicrophone struct{ mic audio.Mic }

var _ Microphones = oneMicrophone{}

// oneMicrophoneName is the name oneMicrophone gives its microphone.
const oneMicrophoneName = "Test microphone"

// Inputs names the one microphone.
func (o oneMicrophone) Inputs() ([]string, error) { return []string{oneMicrophoneName}, nil }

// Mic is the one microphone, whatever the name.
func (o oneMicrophone) Mic(string) audio.Mic { return o.mic }

// Rescan finds nothing new.
func (o oneMicrophone) Rescan() error { return nil }

// unlockToPractice types the passphrase on the unlock screen and returns
// the practice screen it leads to.
func unlockToPractice(t *testing.T, u *UI) *practiceScreen {
	t.Helper()
	s := u.screen.(*unlockScreen)
	test.Type(s.pass, goodPassphrase)
	test.Tap(s.unlock.button)
	settle(u)
	p, ok := u.screen.(*practiceScreen)
	if !ok {
		t.Fatalf("after unlocking the screen is %T", u.screen)
	}
	return p
}
