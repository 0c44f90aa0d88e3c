package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
		// The client taps "Yes" (left of the two answer buttons at the
		// foot of the 960×680 window; see e2e-5-consent.png).
		x.click(t, a.window, 290, 536)
		waitFor(t, 10*time.Second, "the recording to start", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'recording'")
			return n == 1
		})
		time.Sleep(1500 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-6-recording.png"))
		// "Stop recording" has the focus while recording; then "Keep".
		x.key(t, a.window, "Return")
		waitFor(t, 10*time.Second, "the recording to be sealed", func() bool {
			n, _ := countRows(data, "SELECT count(*) FROM recordings WHERE state = 'complete' AND bytes > 0")
			return n == 1
		})
		time.Sleep(300 * time.Millisecond)
		x.screenshot(t, filepath.Join(artefacts, "e2e-7-stopped.png"))
		x.key(t, a.window, "Return")
		time.Sleep(300 * time.Millisecond)
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
		if kinds != "ask,confirm,withdraw" {
			t.Errorf("consent history %q, want ask,confirm,withdraw", kinds)
		}
	})
}

// xvfb is a virtual display for the test.
type xvfb struct {
	display string
}

func startXvfb(t *testing.T) *xvfb {
	t.Helper()
	for n := 90 + os.Getpid()%400; ; n++ {
		display := fmt.Sprintf(":%d", n)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		cmd := exec.Command("Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting Xvfb: %v", err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		x := &xvfb{display: display}
		waitFor(t, 20*time.Second, "Xvfb to start", func() bool {
			return x.run("getdisplaygeometry") == nil
		})
		return x
	}
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
