package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mp3 "github.com/hajimehoshi/go-mp3"

	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/storage"

	_ "modernc.org/sqlite"
)

// TestE2E starts the real binary under Xvfb with a fresh data folder and
// drives it with xdotool as a therapist would: set the passphrase on first
// run, quit with Ctrl+Q, start again, unlock, quit. It saves screenshots as
// artefacts and checks the exit codes and the log.
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
	x := startXvfb(t)
	data := filepath.Join(t.TempDir(), "practice") // does not exist yet
	const passphrase = "correct horse battery staple"

	t.Run("first run sets the passphrase", func(t *testing.T) {
		a := x.startApp(t, bin, data, nil)
		x.screenshot(t, filepath.Join(artefacts, "e2e-1-setup.png"))
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		waitFor(t, 30*time.Second, "the vault to be written", func() bool { return hasVault(data) })
		time.Sleep(500 * time.Millisecond) // let the recovery key screen draw
		x.screenshot(t, filepath.Join(artefacts, "e2e-2-recovery-key.png"))
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
		a := x.startApp(t, bin, data, nil)
		x.screenshot(t, filepath.Join(artefacts, "e2e-3-locked.png"))
		before := unlockCount(t, data)
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		waitFor(t, 30*time.Second, "the unlock to be audited", func() bool { return unlockCount(t, data) > before })
		time.Sleep(500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-4-unlocked.png"))

		// A second window on the same data is refused, in words, and
		// leaves the first alone.
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
		time.Sleep(1500 * time.Millisecond) // its window with the sentence
		x.screenshot(t, filepath.Join(artefacts, "e2e-4b-second-window.png"))
		second.Process.Kill()
		second.Wait()
		a.quit(t, x)
	})
	t.Run("a session recorded with the client's yes", func(t *testing.T) {
		// The real microphone path: PortAudio → ALSA's file device
		// reading the speech fixture.
		mic := testmic.New(t, "Today we talked about sleep, and about the week ahead.")
		a := x.startApp(t, bin, data, mic)
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		waitFor(t, 30*time.Second, "the unlock", func() bool { return unlockCount(t, data) >= 2 })
		time.Sleep(500 * time.Millisecond)
		// Before the client comes in: the microphone test in the settings.
		x.click(t, a.window, 481, 657) // "Settings"
		time.Sleep(500 * time.Millisecond)
		x.scroll(t, a.window, 6, 400, 150) // to the end: the microphone part
		time.Sleep(500 * time.Millisecond)
		x.click(t, a.window, 88, 137) // "Test the microphone"
		waitFor(t, 20*time.Second, "the microphone test to be audited", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM audit WHERE kind = 'microphone.checked'")
			return n == 1
		})
		time.Sleep(500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-4c-microphone-test.png"))
		if fixtureOpen(t, a.cmd.Process.Pid, mic.Fixture) {
			t.Error("the microphone is still open after its test")
		}
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
		x.click(t, a.window, 29, 657) // "Back"
		time.Sleep(500 * time.Millisecond)
		// Practice: the new client's label, Enter; focus moves to "Start a
		// session"; Space presses it; the first person's name, Enter.
		x.typeText(t, a.window, "A.B.")
		x.key(t, a.window, "Return")
		time.Sleep(300 * time.Millisecond)
		x.key(t, a.window, "space")
		time.Sleep(300 * time.Millisecond)
		x.typeText(t, a.window, "Anna")
		x.key(t, a.window, "Return")
		time.Sleep(300 * time.Millisecond)
		// The session screen offers "Ask for consent": Space turns the
		// laptop to the client.
		x.key(t, a.window, "space")
		time.Sleep(700 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-5-consent.png"))
		if n, _ := countRows(data, "SELECT count(*) FROM recordings"); n != 0 {
			t.Fatalf("%d recordings before anyone said yes", n)
		}
		if fixtureOpen(t, a.cmd.Process.Pid, mic.Fixture) {
			t.Fatal("the microphone's device was open before anyone said yes")
		}
		// The client taps "Yes" (left of the two answer buttons at the
		// foot of the 960×680 window; see e2e-5-consent.png).
		x.click(t, a.window, 290, 536)
		waitFor(t, 10*time.Second, "the recording to start", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
			return n == 1
		})
		if !fixtureOpen(t, a.cmd.Process.Pid, mic.Fixture) {
			t.Error("recording, but the microphone's device is not open: the check above proves nothing")
		}
		time.Sleep(5 * time.Second)
		x.screenshot(t, filepath.Join(artefacts, "e2e-6-recording.png"))
		// "Stop recording" has the focus while recording; then "Keep".
		x.key(t, a.window, "Return")
		waitFor(t, 10*time.Second, "the recording to be sealed", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0")
			return n == 1
		})
		if fixtureOpen(t, a.cmd.Process.Pid, mic.Fixture) {
			t.Error("the microphone's device is still open after Stop")
		}
		time.Sleep(300 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-7-stopped.png"))
		x.key(t, a.window, "Return")
		time.Sleep(300 * time.Millisecond)
		// The therapist takes the laptop back: "For the therapist" (bottom
		// left), the passphrase, then "End the session".
		x.click(t, a.window, 100, 652)
		time.Sleep(500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-8-passphrase.png"))
		x.typeText(t, a.window, passphrase)
		x.key(t, a.window, "Return")
		time.Sleep(2500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-9-therapist.png"))
		x.click(t, a.window, endButtonX, endButtonY)
		waitFor(t, 10*time.Second, "the session to end", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL")
			return n == 1
		})
		time.Sleep(500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-10-summary.png"))
		x.key(t, a.window, "Return") // "Done" locks
		time.Sleep(500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-11-locked-again.png"))
		a.quit(t, x)
		var kinds string
		db, err := sql.Open("sqlite", "file:"+filepath.Join(data, storage.DBFile)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow("SELECT group_concat(kind, ',') FROM (SELECT kind FROM consent_events ORDER BY seq)").Scan(&kinds); err != nil {
			t.Fatal(err)
		}
		if kinds != "ask,confirm,withdraw,end" {
			t.Errorf("consent history %q, want ask,confirm,withdraw,end", kinds)
		}
		checkRecording(t, data, passphrase)
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
}

// Where "End the session" is on the therapist's screen in notes only (see
// e2e-9-therapist.png).
const endButtonX, endButtonY = 528, 218

// fixtureOpen reports whether process pid has the test microphone's
// fixture open: ALSA's file device opens it when capture starts.
func fixtureOpen(t *testing.T, pid int, fixture string) bool {
	t.Helper()
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && target == fixture {
			return true
		}
	}
	return false
}

// checkRecording opens the practice as the app would, and checks the one
// recording: it decrypts and decodes to the duration in its row, and no
// stretch of its MP3 appears in the file on disk.
func checkRecording(t *testing.T, data, passphrase string) {
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
	recs, err := db.Recordings(sessions[0].ID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %v, %v", recs, err)
	}
	rec := recs[0]
	rc, err := db.OpenRecording(rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	plain, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := mp3.NewDecoder(bytes.NewReader(plain))
	if err != nil {
		t.Fatalf("the recording does not decode as MP3: %v", err)
	}
	n, err := io.Copy(io.Discard, dec)
	if err != nil {
		t.Fatal(err)
	}
	decoded := time.Duration(n/4) * time.Second / time.Duration(dec.SampleRate())
	// ALSA's file device is not paced in real time, so five seconds on
	// the clock capture minutes of audio (the fixture, then silence): the
	// check is that every captured second was kept and decodes.
	if decoded < 5*time.Second || (decoded-rec.Duration).Abs() > time.Second {
		t.Errorf("decoded %v of audio; the recording's row says %v", decoded, rec.Duration)
	}
	var onDisk []byte
	files, _ := filepath.Glob(filepath.Join(data, storage.RecordingsDir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		onDisk = append(onDisk, b...)
	}
	if len(onDisk) < len(plain) {
		t.Fatalf("%d bytes on disk for %d bytes of MP3", len(onDisk), len(plain))
	}
	for off := 0; off+64 <= len(plain); off += len(plain)/16 + 1 {
		if bytes.Contains(onDisk, plain[off:off+64]) {
			t.Fatalf("the MP3's bytes at %d are readable in the file on disk", off)
		}
	}
	t.Logf("recording %s: %v of audio, %d bytes of MP3, sealed on disk", rec.ID, decoded, len(plain))
}

// xvfb is a virtual display for the test.
type xvfb struct {
	display string
}

func startXvfb(t *testing.T) *xvfb {
	t.Helper()
	// -displayfd lets Xvfb pick a free display and tell us which.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -noreset: by default the server resets when its last client (the
	// xdotool probe below) disconnects, and a client connecting during the
	// reset is refused ("Failed to open display"): a flake seen under load.
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
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
	x := &xvfb{display: display}
	waitFor(t, 20*time.Second, "Xvfb to answer", func() bool { return x.run("getdisplaygeometry") == nil })
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

func (x *xvfb) typeText(t *testing.T, window, text string) {
	t.Helper()
	if out, err := x.output("type", "--window", window, "--delay", "30", text); err != nil {
		t.Fatalf("xdotool type: %v: %s", err, out)
	}
}

func (x *xvfb) click(t *testing.T, window string, px, py int) {
	t.Helper()
	if out, err := x.output("mousemove", "--window", window, strconv.Itoa(px), strconv.Itoa(py), "click", "1"); err != nil {
		t.Fatalf("xdotool click: %v: %s", err, out)
	}
}

// scroll turns the mouse wheel down n notches at (px, py).
func (x *xvfb) scroll(t *testing.T, window string, px, py, n int) {
	t.Helper()
	if out, err := x.output("mousemove", "--window", window, strconv.Itoa(px), strconv.Itoa(py), "click", "--repeat", strconv.Itoa(n), "--delay", "10", "5"); err != nil {
		t.Fatalf("xdotool scroll: %v: %s", err, out)
	}
}

func (x *xvfb) key(t *testing.T, window, key string) {
	t.Helper()
	if out, err := x.output("key", "--window", window, key); err != nil {
		t.Fatalf("xdotool key %s: %v: %s", key, err, out)
	}
}

func (x *xvfb) screenshot(t *testing.T, path string) {
	t.Helper()
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, out)
	}
	t.Logf("screenshot: %s", path)
}

// runningApp is the binary under test.
type runningApp struct {
	cmd    *exec.Cmd
	log    *syncBuffer
	window string
	done   chan error
}

// startApp starts the binary on the display; with mic, ALSA's default
// capture device is the test microphone.
func (x *xvfb) startApp(t *testing.T, bin, data string, mic *testmic.Mic) *runningApp {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	a := &runningApp{log: &syncBuffer{}, done: make(chan error, 1)}
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
	go func() { a.done <- a.cmd.Wait() }()
	t.Cleanup(func() {
		if a.cmd.ProcessState == nil {
			_ = a.cmd.Process.Kill()
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
	time.Sleep(700 * time.Millisecond) // first frame
	return a
}

// quit presses Ctrl+Q and checks that the app exits cleanly.
func (a *runningApp) quit(t *testing.T, x *xvfb) {
	t.Helper()
	select {
	case err := <-a.done:
		t.Fatalf("the app ended before Ctrl+Q: %v", err)
	default:
	}
	if out, err := x.output("search", "--onlyvisible", "--name", "^Assent$"); err == nil {
		a.window = strings.Fields(out)[0]
	}
	// The app quits on the key press, so xdotool's key release may find
	// the window gone (BadWindow): what counts is the exit below.
	_, _ = x.output("key", "--window", a.window, "ctrl+q")
	select {
	case err := <-a.done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the app did not exit within 20 s of Ctrl+Q")
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
func unlockCount(t *testing.T, data string) int {
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

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(200 * time.Millisecond)
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
