package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mp3 "github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"

	_ "modernc.org/sqlite"
)

// TestE2E starts the real binary under Xvfb with a fresh data folder and
// drives it with xdotool as a therapist and a client would: set the
// passphrase on first run, quit with Ctrl+Q, start again, unlock, test the
// microphone, start a session, the client's yes, record, stop, end. It
// saves screenshots as artefacts and checks the exit codes, the log, the
// database and the recording.
//
// It waits on real conditions, never on time alone: the app logs each
// screen it shows ("screen: kiosk"), storage's rows say what was stored,
// and a screenshot is taken once the picture has stopped changing. When
// it fails it says at which step, the name of the last screenshot, and
// the app's log.
//
// It runs when ASSENT_E2E=1 (`make test` sets it); ASSENT_BIN names the
// binary (else it is built) and ASSENT_ARTEFACTS the screenshot folder.
func TestE2E(t *testing.T) {
	if os.Getenv("ASSENT_E2E") != "1" {
		t.Skip("the end-to-end test runs with ASSENT_E2E=1 (make e2e)")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run `make test`, which installs it", tool)
		}
	}
	bin := os.Getenv("ASSENT_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "assent")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	artefacts := os.Getenv("ASSENT_ARTEFACTS")
	if artefacts == "" {
		artefacts = t.TempDir()
	}
	x := startXvfb(t, artefacts)
	data := filepath.Join(t.TempDir(), "practice") // does not exist yet
	const passphrase = "correct horse battery staple"

	t.Run("first run sets the passphrase", func(t *testing.T) {
		x.step(t, "first run")
		a := x.startApp(t, bin, data, nil)
		a.waitScreen(t, 0, "setup")
		x.screenshot(t, "e2e-1-setup.png")
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		x.typeText(t, a.window, passphrase)
		mark := a.mark()
		x.key(t, a.window, "Return")
		waitFor(t, 30*time.Second, "the vault to be written", func() bool { return hasVault(data) })
		a.waitScreen(t, mark, "recoveryKey")
		x.screenshot(t, "e2e-2-recovery-key.png")
		a.quit(t, x)
	})
	t.Run("data folder is private", func(t *testing.T) {
		fi, err := os.Stat(data)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("data folder mode %o, want 700", perm)
		}
	})
	t.Run("later runs unlock", func(t *testing.T) {
		x.step(t, "unlock")
		a := x.startApp(t, bin, data, nil)
		a.waitScreen(t, 0, "unlock")
		x.screenshot(t, "e2e-3-locked.png")
		before := unlockCount(t, data)
		x.typeText(t, a.window, passphrase)
		mark := a.mark()
		x.key(t, a.window, "Return")
		waitFor(t, 30*time.Second, "the unlock to be audited", func() bool { return unlockCount(t, data) > before })
		a.waitScreen(t, mark, "practice")
		x.screenshot(t, "e2e-4-unlocked.png")

		// A second window on the same data is refused, in words, and
		// leaves the first alone.
		x.step(t, "a second window")
		second := exec.Command(bin, "--data", data)
		second.Env = append(os.Environ(), "DISPLAY="+x.display, "LANG=en_US.UTF-8", "HOME="+t.TempDir(), "XDG_DATA_HOME=", "ASSENT_DATA=")
		log := &syncBuffer{}
		second.Stdout, second.Stderr = log, log
		if err := second.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, "the second window to be refused", func() bool {
			return strings.Contains(log.String(), "open in another Assent window")
		})
		waitFor(t, 30*time.Second, "the second window to be mapped", func() bool {
			out, err := x.output("search", "--onlyvisible", "--name", "^Assent$")
			return err == nil && len(strings.Fields(out)) >= 2
		})
		x.screenshot(t, "e2e-4b-second-window.png")
		second.Process.Kill()
		second.Wait()
		a.quit(t, x)
	})
	t.Run("a session recorded with the client's yes", func(t *testing.T) {
		// The real microphone path: PortAudio → ALSA's file device reading
		// a named pipe that this test fills with speech at wall-clock pace.
		mic := testmic.NewPaced(t, "Today we talked about sleep, and about the week ahead.")
		x.step(t, "unlock with the microphone")
		a := x.startUnlocked(t, bin, data, mic, passphrase)

		// Before the client comes in: the microphone test in the settings.
		x.step(t, "the microphone test")
		mark := a.mark()
		x.click(t, a.window, 481, 657) // "Settings"
		a.waitScreen(t, mark, "settings")
		// To the end, then 4 notches (100 px) back up: the microphone
		// part, just above the deletion part (see e2e-4c-settings.png).
		x.scroll(t, a.window, 6, 400, 150)
		x.scroll(t, a.window, 6, 400, -4)
		x.screenshot(t, "e2e-4c-settings.png")
		x.click(t, a.window, 88, 120) // "Test the microphone"
		waitFor(t, 20*time.Second, "the microphone test to be audited", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM audit WHERE kind = 'microphone.checked'")
			return n == 1
		})
		x.screenshot(t, "e2e-4d-microphone-test.png")
		waitFor(t, 5*time.Second, "the microphone to be closed after its test", func() bool {
			return !deviceOpen(t, a.cmd.Process.Pid, mic.Infile)
		})
		var detail string
		if db, err := sql.Open("sqlite", "file:"+filepath.Join(data, storage.DBFile)+"?mode=ro"); err == nil {
			db.QueryRow("SELECT detail FROM audit WHERE kind = 'microphone.checked'").Scan(&detail)
			db.Close()
		}
		if !strings.Contains(detail, "loudest") || !strings.Contains(detail, "nothing kept") {
			t.Errorf("the test's audit row: %q, want the speech heard and nothing kept", detail)
		}
		if n, _ := countRows(data, "SELECT count(*) FROM recordings"); n != 0 {
			t.Errorf("%d recordings after the microphone test", n)
		}
		mark = a.mark()
		x.click(t, a.window, 29, 657) // "Back"
		a.waitScreen(t, mark, "practice")

		// Practice: the new client's label, Enter; focus moves to "Start a
		// session"; Space presses it; the first person's name, Enter.
		x.step(t, "a new client and session")
		x.typeText(t, a.window, "A.B.")
		x.key(t, a.window, "Return")
		waitFor(t, 10*time.Second, "the client to be added", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM clients")
			return n == 1
		})
		mark = a.mark()
		x.key(t, a.window, "space")
		a.waitScreen(t, mark, "start")
		x.typeText(t, a.window, "Anna")
		mark = a.mark()
		x.key(t, a.window, "Return")
		a.waitScreen(t, mark, "session")
		// The session screen offers "Ask for consent": Space turns the
		// laptop to the client.
		x.step(t, "the client is asked")
		mark = a.mark()
		x.key(t, a.window, "space")
		a.waitScreen(t, mark, "kiosk")
		x.screenshot(t, "e2e-5-consent.png")
		if n, _ := countRows(data, "SELECT count(*) FROM recordings"); n != 0 {
			t.Fatalf("%d recordings before anyone said yes", n)
		}
		if deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
			t.Fatal("the microphone's device was open before anyone said yes")
		}
		x.step(t, "the client screen is the whole screen")
		if w, h := x.windowSize(t, a.window); w != x.width || h != x.height {
			t.Errorf("the client screen is %d×%d on a %d×%d screen", w, h, x.width, x.height)
		}
		// Tab reaches the first Yes before anything else; Space presses it.
		x.step(t, "the client says yes")
		x.key(t, a.window, "Tab")
		x.key(t, a.window, "space")
		waitFor(t, 10*time.Second, "the recording to start", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
			return n == 1
		})
		if !mic.Feeder.WaitReading(10 * time.Second) {
			t.Fatal("recording, but nothing reads the microphone")
		}
		if !deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
			t.Error("recording, but the microphone's device is not open: the check above proves nothing")
		}
		started := mic.Feeder.FirstBlock()
		// The session goes on for five seconds of the clock.
		time.Sleep(time.Until(started.Add(5 * time.Second)))
		x.screenshot(t, "e2e-6-recording.png")

		// The therapist takes the laptop back while it records: "For the
		// therapist" (bottom left), the passphrase.
		x.step(t, "the therapist takes the laptop back while recording")
		x.forTherapist(t, a, passphrase)
		x.screenshot(t, "e2e-8-therapist-recording.png")
		// Someone joins: capture stops before the form is drawn.
		x.step(t, "someone joins")
		mark = a.mark()
		stopped := time.Now()
		x.click(t, a.window, joinButtonX, joinButtonY)
		a.waitScreen(t, mark, "join form")
		if deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
			t.Error("the microphone's device is open while the newcomer's name is typed")
		}
		waitFor(t, 10*time.Second, "the first recording to be sealed", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0")
			return n == 1
		})
		wall := stopped.Sub(started)
		x.screenshot(t, "e2e-9-someone-joined.png")
		// Cancel: everyone is asked again, and nothing records meanwhile.
		x.step(t, "the join is cancelled")
		mark = a.mark()
		x.click(t, a.window, joinCancelX, joinCancelY)
		a.waitScreen(t, mark, "kiosk")
		if deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
			t.Error("the microphone's device is open after Cancel, before anyone said yes again")
		}
		x.step(t, "the client says yes again")
		x.key(t, a.window, "Tab")
		x.key(t, a.window, "space")
		a.waitCapturing(t, data, mic, "the second recording")
		// "Pause" is beside "Stop recording", which has the focus: Tab,
		// Space. The device closes, and stays closed until the client
		// resumes on their screen.
		x.step(t, "the client pauses")
		x.key(t, a.window, "Tab")
		x.key(t, a.window, "space")
		waitFor(t, 10*time.Second, "the client's pause to be stored", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM consent_events WHERE kind = 'pause' AND actor = 'participant'")
			return n == 1
		})
		waitFor(t, 5*time.Second, "the device to close on the pause", func() bool {
			return !deviceOpen(t, a.cmd.Process.Pid, mic.Infile)
		})
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
				t.Fatal("the microphone's device opened again while paused")
			}
		}
		x.screenshot(t, "e2e-6b-paused.png")
		x.step(t, "the client resumes on their screen")
		x.key(t, a.window, "Tab") // "Resume recording", the first button
		x.key(t, a.window, "space")
		a.waitCapturing(t, data, mic, "the third recording, after the resume,")
		// "Stop recording" has the focus while recording; then nothing is
		// focused: Tab reaches "Keep it", Return presses it.
		x.step(t, "the client stops")
		pressed := time.Now()
		x.key(t, a.window, "Return")
		// The device closed: how long after the key was sent (xdotool's
		// own start and delivery included), polled every 2 ms.
		for deviceOpen(t, a.cmd.Process.Pid, mic.Infile) && time.Since(pressed) < 5*time.Second {
			time.Sleep(2 * time.Millisecond)
		}
		t.Logf("Stop recording: the microphone's device closed %v after the key was sent", time.Since(pressed).Round(time.Millisecond))
		waitFor(t, 10*time.Second, "the third recording to be sealed", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0")
			return n == 3
		})
		if deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
			t.Error("the microphone's device is still open after Stop")
		}
		x.screenshot(t, "e2e-7-stopped.png")
		x.key(t, a.window, "Tab")
		x.key(t, a.window, "Return")
		x.step(t, "the session ends")
		x.forTherapist(t, a, passphrase)
		x.screenshot(t, "e2e-10-therapist.png")
		mark = a.mark()
		x.click(t, a.window, endButtonX, endButtonY)
		waitFor(t, 10*time.Second, "the session to end", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL")
			return n == 1
		})
		// The client screen asks at the end: keep it, or delete it now.
		x.step(t, "the question at the end")
		a.waitScreen(t, mark, "kiosk")
		x.screenshot(t, "e2e-10b-end-question.png")
		if n, _ := countRows(data, "SELECT count(*) FROM sessions WHERE confirm_at_end = 1 AND confirmation IS NULL"); n != 1 {
			t.Errorf("%d sessions waiting for the answer at the end, want 1", n)
		}
		mark = a.mark()
		x.key(t, a.window, "Tab") // "Keep it": nothing is preselected
		x.key(t, a.window, "space")
		waitFor(t, 10*time.Second, "the answer at the end to be stored", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM sessions WHERE confirmation = 'kept'")
			return n == 1
		})
		a.waitScreen(t, mark, "summary")
		x.screenshot(t, "e2e-11-summary.png")
		mark = a.mark()
		x.key(t, a.window, "Return") // "Done" locks
		a.waitScreen(t, mark, "unlock")
		x.screenshot(t, "e2e-12-locked-again.png")
		a.quit(t, x)

		x.step(t, "what was stored")
		rec := checkSession(t, data, passphrase)
		// The microphone is paced at real time: what was recorded is what
		// the clock says, give or take a second (the device opening, the
		// encoder's delay, the last piece).
		if diff := (rec.Duration - wall).Abs(); diff > time.Second {
			t.Errorf("recorded %v in %v of the clock: %v apart, want within 1 s", rec.Duration, wall, diff)
		}
		t.Logf("recorded %v of audio in %v of the clock", rec.Duration, wall.Round(time.Millisecond))
		// The client's label and the participant's name are sealed too.
		filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			for _, name := range []string{"A.B.", "Anna"} {
				if bytes.Contains(b, []byte(name)) {
					t.Errorf("%q is readable in %s", name, p)
				}
			}
			return nil
		})
	})
	t.Run("the client screen in each language", func(t *testing.T) {
		// For each language but English (the run above), a new client
		// whose language is chosen on the start screen by keyboard, asked
		// on the client screen: a screenshot of each, e2e-13-consent-<tag>.
		for i, tag := range []string{"de", "es", "fr"} { // after "en", in the order the start screen offers them
			x.step(t, "the client screen in "+tag)
			a := x.startUnlocked(t, bin, data, nil, passphrase)
			label := "Client " + tag
			x.typeText(t, a.window, label)
			x.key(t, a.window, "Return")
			waitFor(t, 10*time.Second, "the client to be added", func() bool {
				n, _ := countRows(data, "SELECT count(*) FROM clients")
				return n == 2+i
			})
			mark := a.mark()
			x.key(t, a.window, "space")
			a.waitScreen(t, mark, "start")
			x.typeText(t, a.window, "Ana")
			// Name, role, "Add another person", the two ways of asking,
			// then the language: Right moves through English, Deutsch,
			// Español, Français.
			for range 5 {
				x.key(t, a.window, "Tab")
			}
			for range i + 1 {
				x.key(t, a.window, "Right")
			}
			x.screenshot(t, "e2e-13-start-"+tag+".png")
			x.key(t, a.window, "Tab") // "Start the session"
			mark = a.mark()
			x.key(t, a.window, "space")
			a.waitScreen(t, mark, "session")
			if n, _ := countRows(data, "SELECT count(*) FROM clients WHERE language = '"+tag+"'"); n != 1 {
				t.Fatalf("no client stored with language %s after the start screen", tag)
			}
			mark = a.mark()
			x.key(t, a.window, "space") // "Ask for consent"
			a.waitScreen(t, mark, "kiosk")
			waitFor(t, 5*time.Second, "the client screen to fill the screen", func() bool {
				w, h := x.windowSize(t, a.window)
				return w == x.width && h == x.height
			})
			x.screenshot(t, "e2e-13-consent-"+tag+".png")
			x.readsTitle(t, tag)
			x.forTherapist(t, a, passphrase)
			a.quit(t, x)
		}
	})
}

// Where buttons are on the therapist's 960×680 screens: "End the session"
// in notes only (e2e-10-therapist.png), "Someone joined" while recording
// (e2e-8-therapist-recording.png), and the join form's Cancel
// (e2e-9-someone-joined.png).
const (
	endButtonX, endButtonY   = 528, 218
	joinButtonX, joinButtonY = 346, 258
	joinCancelX, joinCancelY = 480, 488
)

// startUnlocked starts the app on data (with mic, which may be nil) and
// unlocks it with passphrase: the practice screen is up.
func (x *xvfb) startUnlocked(t testing.TB, bin, data string, mic *testmic.Mic, passphrase string) *runningApp {
	t.Helper()
	a := x.startApp(t, bin, data, mic)
	x.unlock(t, a, passphrase)
	return a
}

// forTherapist presses "For the therapist" at the foot of the client
// screen (bottom left, whatever the screen's size) and types the
// passphrase; it returns when the therapist's session screen is up.
func (x *xvfb) forTherapist(t testing.TB, a *runningApp, passphrase string) {
	t.Helper()
	_, h := x.windowSize(t, a.window)
	mark := a.mark()
	x.click(t, a.window, 100, h-28)
	a.waitScreen(t, mark, "passphrase dialog")
	x.typeText(t, a.window, passphrase)
	mark = a.mark()
	x.key(t, a.window, "Return")
	a.waitScreen(t, mark, "session")
}

// windowSize is window's size in pixels.
func (x *xvfb) windowSize(t testing.TB, window string) (w, h int) {
	t.Helper()
	out, err := x.output("getwindowgeometry", "--shell", window)
	if err != nil {
		t.Fatalf("xdotool getwindowgeometry: %v: %s", err, out)
	}
	for _, l := range strings.Fields(out) {
		if v, ok := strings.CutPrefix(l, "WIDTH="); ok {
			w, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(l, "HEIGHT="); ok {
			h, _ = strconv.Atoi(v)
		}
	}
	return w, h
}

// deviceOpen reports whether process pid has the test microphone's infile
// open: ALSA's file device opens it when capture starts.
func deviceOpen(t testing.TB, pid int, infile string) bool {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && target == infile {
			return true
		}
	}
	return false
}

// waitCapturing waits until a recording is being written and the
// microphone's device is open and read.
func (a *runningApp) waitCapturing(t *testing.T, data string, mic *testmic.Mic, what string) {
	t.Helper()
	waitFor(t, 10*time.Second, what+" to start", func() bool {
		n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
		return n == 1
	})
	if !mic.Feeder.WaitReading(10*time.Second) || !deviceOpen(t, a.cmd.Process.Pid, mic.Infile) {
		t.Errorf("%s started, but the microphone's device is not open", what)
	}
}

// checkSession opens the practice as the app would and checks the one
// session: its consent history, replayed by package session as the client's
// record does, is ask, yes, the pause for someone joining, asked again,
// yes, the client's pause and resume, stop, end, keep at the end; each of
// its three recordings decrypts and decodes to the
// duration in its row; and no stretch of their MP3 appears in any file on
// disk. It returns the first recording.
func checkSession(t testing.TB, data, passphrase string) storage.Recording {
	t.Helper()
	db, err := storage.Open(data, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	clients, err := db.Clients()
	if err != nil || len(clients) != 1 {
		t.Fatalf("clients: %v, %v", clients, err)
	}
	sessions, err := db.Sessions(clients[0].ID)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions: %v, %v", sessions, err)
	}
	cs, err := session.Replay(db, sessions[0], time.UTC)
	if err != nil {
		t.Fatalf("replaying the session: %v", err)
	}
	var kinds []string
	for _, e := range cs.Events() {
		kinds = append(kinds, e.Kind.String())
	}
	if got, want := strings.Join(kinds, ","), "ask,confirm,pause,re-ask,confirm,pause,resume,withdraw,end,keep"; got != want {
		t.Errorf("consent history %q, want %q", got, want)
	}
	if r := cs.Receipt(session.MethodOf(sessions[0]), ""); r.Outcome != consent.OutcomeWithdrawn || r.Method != consent.CollectionOnScreen {
		t.Errorf("receipt: outcome %v, method %v; want withdrawn (stopped by the client), on screen", r.Outcome, r.Method)
	}
	recs, err := db.Recordings(sessions[0].ID)
	if err != nil || len(recs) != 3 {
		t.Fatalf("recordings: %v, %v; want the three segments", recs, err)
	}
	var onDisk []byte
	files, _ := filepath.Glob(filepath.Join(data, storage.RecordingsDir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		onDisk = append(onDisk, b...)
	}
	for _, rec := range recs {
		rc, err := db.OpenRecording(rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		dec, err := mp3.NewDecoder(bytes.NewReader(plain))
		if err != nil {
			t.Fatalf("recording %d does not decode as MP3: %v", rec.Segment, err)
		}
		n, err := io.Copy(io.Discard, dec)
		if err != nil {
			t.Fatal(err)
		}
		decoded := time.Duration(n/4) * time.Second / time.Duration(dec.SampleRate())
		if (decoded - rec.Duration).Abs() > time.Second {
			t.Errorf("recording %d: decoded %v of audio; its row says %v", rec.Segment, decoded, rec.Duration)
		}
		for off := 0; off+64 <= len(plain); off += len(plain)/16 + 1 {
			if bytes.Contains(onDisk, plain[off:off+64]) {
				t.Fatalf("recording %d: the MP3's bytes at %d are readable in a file on disk", rec.Segment, off)
			}
		}
		t.Logf("recording %d (%s): %v of audio, %d bytes of MP3, sealed on disk", rec.Segment, rec.ID, decoded, len(plain))
	}
	return recs[0]
}

// xvfb is a virtual display for the test, and where the test is.
type xvfb struct {
	display       string
	artefacts     string
	width, height int // the screen's
	// appLimit is how long startApp lets an app run before killing it:
	// 2 minutes unless set (the benchmark runs longer).
	appLimit time.Duration

	mu       sync.Mutex
	now      string // the step under way
	lastShot string // the last screenshot's name
}

// step names what the test does next, for the failure message.
func (x *xvfb) step(t testing.TB, what string) {
	x.mu.Lock()
	x.now = what
	x.mu.Unlock()
	t.Logf("step: %s", what)
}

func startXvfb(t testing.TB, artefacts string) *xvfb {
	t.Helper()
	// -displayfd lets Xvfb pick a free display and tell us which.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -noreset: by default the server resets when its last client (the
	// xdotool probe below) disconnects, and a client connecting during the
	// reset is refused ("Failed to open display"): a flake seen under load.
	const width, height = 1280, 800
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", width, height), "-nolisten", "tcp", "-noreset")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 16))
		line <- strings.TrimSpace(string(b))
	}()
	var display string
	select {
	case n := <-line:
		display = ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb did not report its display within 30 s")
	}
	x := &xvfb{display: display, artefacts: artefacts, width: width, height: height}
	waitFor(t, 20*time.Second, "Xvfb to answer", func() bool { return x.run("getdisplaygeometry") == nil })
	t.Cleanup(func() {
		if t.Failed() {
			x.mu.Lock()
			defer x.mu.Unlock()
			t.Logf("FAILED at step %q; the last screenshot is %s (the app's log is above)", x.now, x.lastShot)
		}
	})
	return x
}

// run runs xdotool on this display.
func (x *xvfb) run(args ...string) error {
	_, err := x.output(args...)
	return err
}

func (x *xvfb) output(args ...string) (string, error) {
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// typeText types text into window as a keyboard would: through the XTEST
// extension, to the window given the input focus. (xdotool's --window
// sends synthetic events instead; one in ten Ctrl+Q sent that way after a
// session never arrived.)
func (x *xvfb) typeText(t testing.TB, window, text string) {
	t.Helper()
	if out, err := x.output("windowfocus", "--sync", window, "type", "--delay", "30", text); err != nil {
		t.Fatalf("xdotool type: %v: %s", err, out)
	}
}

func (x *xvfb) click(t testing.TB, window string, px, py int) {
	t.Helper()
	if out, err := x.output("mousemove", "--window", window, strconv.Itoa(px), strconv.Itoa(py), "click", "1"); err != nil {
		t.Fatalf("xdotool click: %v: %s", err, out)
	}
}

// scroll turns the mouse wheel down n notches at (px, py), or up -n when
// n is negative.
func (x *xvfb) scroll(t testing.TB, window string, px, py, n int) {
	t.Helper()
	button := "5"
	if n < 0 {
		button, n = "4", -n
	}
	if out, err := x.output("mousemove", "--window", window, strconv.Itoa(px), strconv.Itoa(py), "click", "--repeat", strconv.Itoa(n), "--delay", "10", button); err != nil {
		t.Fatalf("xdotool scroll: %v: %s", err, out)
	}
}

// key presses key in window, as typeText types.
func (x *xvfb) key(t testing.TB, window, key string) {
	t.Helper()
	if out, err := x.output("windowfocus", "--sync", window, "key", key); err != nil {
		t.Fatalf("xdotool key %s: %v: %s", key, err, out)
	}
}

// screenshot saves the screen as name in the artefacts folder once the
// picture has stopped changing (see stable).
func (x *xvfb) screenshot(t testing.TB, name string) {
	t.Helper()
	path := filepath.Join(x.artefacts, name)
	if err := os.WriteFile(path, x.stable(t), 0o644); err != nil {
		t.Fatal(err)
	}
	x.mu.Lock()
	x.lastShot = path
	x.mu.Unlock()
	t.Logf("screenshot: %s", path)
}

// readsTitle reads the last screenshot with tesseract and fails unless
// the consent statement's title in language tag (from consent's language
// file) is on it: the screenshot shows the client screen, in that
// language. Words are compared without accents, and one letter may be
// misread ("sesi6n" for "sesión").
func (x *xvfb) readsTitle(t testing.TB, tag string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "consent", "lang", tag+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var words struct {
		StatementTitle string `json:"statementTitle"`
	}
	if err := json.Unmarshal(b, &words); err != nil {
		t.Fatal(err)
	}
	x.mu.Lock()
	shot := x.lastShot
	x.mu.Unlock()
	out, err := exec.Command("tesseract", shot, "stdout").Output()
	if err != nil {
		t.Fatalf("tesseract %s: %v", shot, err)
	}
	seen := plainWords(string(out))
	for _, w := range plainWords(words.StatementTitle) {
		if !slices.ContainsFunc(seen, func(s string) bool { return nearly(s, w) }) {
			t.Fatalf("the client screen in %s does not read %q (no %q); tesseract read:\n%s", tag, words.StatementTitle, w, out)
		}
	}
}

// plainWords are the words of s of four letters or more, lower case, with
// accented letters reduced to their base letter.
func plainWords(s string) []string {
	base := strings.NewReplacer("á", "a", "à", "a", "â", "a", "ä", "a", "é", "e", "è", "e", "ê", "e", "í", "i", "î", "i", "ó", "o", "ô", "o", "ö", "o", "ú", "u", "û", "u", "ü", "u", "ñ", "n", "ç", "c", "ß", "ss")
	var out []string
	for _, w := range strings.FieldsFunc(base.Replace(strings.ToLower(s)), func(r rune) bool { return (r < 'a' || r > 'z') && (r < '0' || r > '9') }) {
		if len(w) >= 4 {
			out = append(out, w)
		}
	}
	return out
}

// nearly reports whether a and b, of the same length, differ in at most
// one letter.
func nearly(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff <= 1
}

// stable waits until two captures of the screen in a row are the same
// (the frame after a change is drawn), for at most 2 s, and returns the
// last capture as PNG. Nothing on Assent's screens moves by itself but
// the level meter while recording (no cursor blinks: calm.go), so two
// quick captures are nearly always the same frame.
func (x *xvfb) stable(t testing.TB) []byte {
	t.Helper()
	var last []byte
	deadline := time.Now().Add(2 * time.Second) // the level meter never rests while recording
	for {
		cmd := exec.Command("import", "-window", "root", "png:-")
		cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("screenshot: %v: %s", err, errb.String())
		}
		if bytes.Equal(out.Bytes(), last) || time.Now().After(deadline) {
			return out.Bytes()
		}
		last = out.Bytes()
	}
}

// runningApp is the binary under test.
type runningApp struct {
	cmd    *exec.Cmd
	log    *syncBuffer
	window string
	done   chan struct{} // closed when the process has ended, with err
	err    error
}

// startApp starts the binary on the display; with mic, ALSA's default
// capture device is the test microphone.
func (x *xvfb) startApp(t testing.TB, bin, data string, mic *testmic.Mic) *runningApp {
	t.Helper()
	limit := x.appLimit
	if limit == 0 {
		limit = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	a := &runningApp{log: &syncBuffer{}, done: make(chan struct{})}
	a.cmd = exec.CommandContext(ctx, bin, "--data", data)
	home := t.TempDir()
	if mic != nil {
		home = mic.Home
	}
	a.cmd.Env = append(os.Environ(), "DISPLAY="+x.display, "LANG=en_US.UTF-8", "HOME="+home, "XDG_DATA_HOME=", "ASSENT_DATA=")
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() { a.err = a.cmd.Wait(); close(a.done) }()
	t.Cleanup(func() {
		// An app a failed step left running is killed, and gone before
		// the next step starts one (it holds the folder's lock).
		_ = a.cmd.Process.Kill()
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			t.Errorf("the app did not end within 10 s of SIGKILL")
		}
		t.Logf("app log:\n%s", a.log.String())
	})
	waitFor(t, 60*time.Second, "the Assent window to be mapped", func() bool {
		out, err := x.output("search", "--onlyvisible", "--name", "^Assent$")
		if err != nil {
			return false
		}
		a.window = strings.Fields(out)[0]
		return true
	})
	// With no window manager, keyboard input goes where the pointer is.
	if out, err := x.output("mousemove", "--window", a.window, "5", "5"); err != nil {
		t.Fatalf("xdotool mousemove: %v: %s", err, out)
	}
	_ = x.run("windowfocus", "--sync", a.window)
	return a
}

// exited reports whether the app has ended.
func (a *runningApp) exited() bool {
	select {
	case <-a.done:
		return true
	default:
		return false
	}
}

// mark is where the app's log is now: waitScreen looks for screens shown
// after it.
func (a *runningApp) mark() int { return len(a.log.String()) }

// waitScreen waits until the app logs that it shows the screen called name
// ("screen: kiosk"; see app's UI.show) after the log's mark.
func (a *runningApp) waitScreen(t testing.TB, mark int, name string) {
	t.Helper()
	waitFor(t, 30*time.Second, "the "+name+" screen", func() bool {
		for _, l := range strings.Split(a.log.String()[mark:], "\n") {
			if strings.HasSuffix(l, "screen: "+name) {
				return true
			}
		}
		return false
	})
}

// quit presses Ctrl+Q and checks that the app exits cleanly.
func (a *runningApp) quit(t testing.TB, x *xvfb) {
	t.Helper()
	select {
	case <-a.done:
		t.Fatalf("the app ended before Ctrl+Q: %v", a.err)
	default:
	}
	if out, err := x.output("search", "--onlyvisible", "--name", "^Assent$"); err == nil {
		a.window = strings.Fields(out)[0]
	}
	// The app quits on the key press, so xdotool's key release may find
	// the window gone (BadWindow): what counts is the exit below.
	_, _ = x.output("windowfocus", "--sync", a.window, "key", "ctrl+q")
	select {
	case <-a.done:
		if a.err != nil {
			t.Fatalf("exit: %v", a.err)
		}
	case <-time.After(20 * time.Second):
		// Where is it stuck? SIGQUIT has the Go runtime print every
		// goroutine's stack into the app's log before it exits.
		_ = a.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-a.done:
		case <-time.After(5 * time.Second):
		}
		t.Fatal("the app did not exit within 20 s of Ctrl+Q (its goroutines are in the log below)")
	}
	log := a.log.String()
	for _, bad := range []string{"panic:", "Error in Fyne call thread", "fatal error:", "DATA RACE"} {
		if strings.Contains(log, bad) {
			t.Errorf("the log contains %q", bad)
		}
	}
}

// hasVault reports whether the practice in data has its passphrase set. It
// reads the database read-only, beside the running app, as a backup tool
// would.
func hasVault(data string) bool {
	n, err := countRows(data, "SELECT count(*) FROM vault")
	return err == nil && n > 0
}

// unlockCount counts the successful unlocks in the practice's audit log.
func unlockCount(t testing.TB, data string) int {
	t.Helper()
	n, err := countRows(data, "SELECT count(*) FROM audit WHERE kind = ?", storage.AuditUnlocked)
	if err != nil {
		t.Fatalf("reading the audit log: %v", err)
	}
	return n
}

func countRows(data, query string, args ...any) (int, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, storage.DBFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRow(query, args...).Scan(&n)
	return n, err
}

func waitFor(t testing.TB, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond) // polling the condition, not waiting for time
	}
}

// syncBuffer is a bytes.Buffer safe for the child's two output pipes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
