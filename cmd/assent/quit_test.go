package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// quitLimit is how soon the app must be gone after Ctrl+Q or SIGTERM, with
// a recording under way: the laptop is being shut down, or the therapist
// has to leave, and the recording must be sealed by then.
const quitLimit = 5 * time.Second

// TestQuitWhileRecording ends the real binary while it records from the
// unpaced test microphone, which delivers audio as fast as it is read, so
// the encoder and the disk are as far behind the microphone as they can
// be: five times by SIGTERM (a logout, `kill`), five times by Ctrl+Q. Each
// time the app must exit cleanly within quitLimit, and the recording must
// be sealed: complete in the database, or recovered at the next unlock.
//
// Each run unlocks (the real passphrase hashing, as the binary has no
// other), adds a client, starts a session, takes the client's yes as
// TestE2E does, records for about two seconds and ends the app. The
// practice is made directly with storage, to spare the first-run screens.
//
// It runs when ASSENT_E2E=1 and ASSENT_BIN names the binary, as `make e2e`
// sets them.
func TestQuitWhileRecording(t *testing.T) {
	bin := os.Getenv("ASSENT_BIN")
	if os.Getenv("ASSENT_E2E") != "1" || bin == "" {
		t.Skip("the quit test runs with ASSENT_E2E=1 and ASSENT_BIN naming the binary (make e2e)")
	}
	const passphrase = "correct horse battery staple"
	data := lockedPractice(t, passphrase)
	// Quitting while recording ends the session with the question at the
	// end unanswered; the next unlock closes it by the practice's rule.
	// This practice keeps unanswered recordings until their date, so that
	// what was sealed is there to check (the default, deleting them, is
	// tried in session.TestCrashWhileAsking).
	db, err := storage.Open(data, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(session.SettingUnanswered, session.UnansweredKeep); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mic := testmic.New(t, "Nobody here is in a hurry, but the laptop has to be closed now.")
	x := startXvfb(t, t.TempDir()) // it takes no screenshots

	const complete = "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0"
	took := map[string][]time.Duration{}
	sealedAtExit := 0
	for run := range 10 {
		how := "SIGTERM"
		if run >= 5 {
			how = "Ctrl+Q"
		}
		t.Run(fmt.Sprintf("%d %s", run+1, how), func(t *testing.T) {
			x.step(t, fmt.Sprintf("run %d: recording", run+1))
			a := x.startApp(t, bin, data, mic)
			x.unlock(t, a, passphrase)
			checkSealed(t, data, run) // the runs before, recovered if need be
			x.askConsent(t, a, data, fmt.Sprintf("Q%d", run+1), run+1)
			// The client's "Yes": Tab reaches it first, Space presses it.
			x.key(t, a.window, "Tab")
			x.key(t, a.window, "space")
			waitFor(t, 10*time.Second, "the recording to start", func() bool {
				n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
				return n == 1
			})
			// The row comes first (storage begins the recording), then
			// the device opens.
			waitFor(t, 5*time.Second, "the microphone's device to open", func() bool {
				return deviceOpen(t, a.cmd.Process.Pid, mic.Infile)
			})
			time.Sleep(2 * time.Second) // the recording itself
			before, err := countRows(data, complete)
			if err != nil {
				t.Fatal(err)
			}

			x.step(t, fmt.Sprintf("run %d: %s while recording", run+1, how))
			start := time.Now()
			if how == "SIGTERM" {
				if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			} else {
				// From the client screen, Ctrl+Q asks for the passphrase
				// first; the time counts from the passphrase's Return.
				mark := a.mark()
				x.key(t, a.window, "ctrl+q")
				a.waitScreen(t, mark, "passphrase dialog")
				if a.exited() {
					t.Fatal("Ctrl+Q on the client screen quit without the passphrase")
				}
				x.typeText(t, a.window, passphrase)
				start = time.Now()
				// The app quits on the key press, so the key release may
				// find the window gone: what counts is the exit.
				_, _ = x.output("windowfocus", "--sync", a.window, "key", "Return")
			}
			select {
			case <-a.done:
			case <-time.After(4 * quitLimit):
				// SIGQUIT has the Go runtime print every goroutine's
				// stack into the app's log: where is it stuck?
				_ = a.cmd.Process.Signal(syscall.SIGQUIT)
				<-a.done
				t.Fatalf("the app did not exit within %v of %s (its goroutines are in the log below)", 4*quitLimit, how)
			}
			d := time.Since(start)
			took[how] = append(took[how], d.Round(time.Millisecond))
			t.Logf("%s: the app exited %v after it, status %v", how, d.Round(time.Millisecond), a.err)
			if a.err != nil {
				t.Errorf("exit: %v", a.err)
			}
			if d > quitLimit {
				t.Errorf("the app took %v to exit after %s, want at most %v", d.Round(time.Millisecond), how, quitLimit)
			}
			for _, bad := range []string{"panic:", "fatal error:", "DATA RACE"} {
				if strings.Contains(a.log.String(), bad) {
					t.Errorf("the log contains %q", bad)
				}
			}
			if after, err := countRows(data, complete); err != nil {
				t.Fatal(err)
			} else if after == before+1 {
				sealedAtExit++
			} else {
				t.Logf("the recording was not complete at exit; the next unlock must recover it")
			}
		})
	}
	// The last run's recording, if the app left it unsealed, is recovered
	// when the practice is next unlocked.
	db, err = storage.Open(data, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	checkSealed(t, data, 10)
	t.Logf("exit while recording from the unpaced microphone: after SIGTERM %v, after Ctrl+Q %v; %d of 10 recordings complete at exit, the rest recovered at the next unlock",
		took["SIGTERM"], took["Ctrl+Q"], sealedAtExit)
}

// unlock types the passphrase on a's unlock screen and waits for the
// practice.
func (x *xvfb) unlock(t testing.TB, a *runningApp, passphrase string) {
	t.Helper()
	a.waitScreen(t, 0, "unlock")
	x.typeText(t, a.window, passphrase)
	mark := a.mark()
	x.key(t, a.window, "Return")
	a.waitScreen(t, mark, "practice")
}

// checkSealed checks that each of the first n runs left one recording,
// complete or recovered, with audio in it, and none still "recording".
// Call it after an unlock (the app's or storage's): an unlock recovers
// what an earlier run left unsealed.
func checkSealed(t testing.TB, data string, n int) {
	t.Helper()
	sealed, err := countRows(data, "SELECT count(*) FROM recordings WHERE state IN ('complete', 'recovered') AND bytes > 0")
	if err != nil {
		t.Fatal(err)
	}
	open, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
	if sealed != n || open != 0 {
		t.Errorf("after %d runs: %d recordings sealed, %d still recording", n, sealed, open)
	}
}

// lockedPractice makes a practice with passphrase set, directly with storage
// (sparing the first-run screens), and returns its data folder.
func lockedPractice(t testing.TB, passphrase string) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "practice")
	db, err := storage.Open(data, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateVault(passphrase); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return data
}

// askConsent, from the practice screen, adds a client labelled label (the
// practice's n-th), starts a session with Anna and turns the laptop to the
// client: it returns when the consent screen is up.
func (x *xvfb) askConsent(t testing.TB, a *runningApp, data, label string, n int) {
	t.Helper()
	x.typeText(t, a.window, label)
	x.key(t, a.window, "Return")
	waitFor(t, 10*time.Second, "the client to be added", func() bool {
		c, _ := countRows(data, "SELECT count(*) FROM clients")
		return c == n
	})
	mark := a.mark()
	x.key(t, a.window, "space") // "Start a session"
	a.waitScreen(t, mark, "start")
	x.typeText(t, a.window, "Anna")
	mark = a.mark()
	x.key(t, a.window, "Return")
	a.waitScreen(t, mark, "session")
	mark = a.mark()
	x.key(t, a.window, "space") // "Ask for consent"
	a.waitScreen(t, mark, "kiosk")
}
