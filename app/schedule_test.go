package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/internal/schedule"
)

// The computer's scheduler cannot run in a test: fakeSchedule stands in
// for it where a test wants each outcome by name, and a real
// schedule.Scheduler over fakeSystemd where it wants what the package
// really says.

// fakeSchedule is a Schedule whose state is status, and whose Install and
// Remove fail with installErr and removeErr (else change that state).
type fakeSchedule struct {
	mu         sync.Mutex
	status     schedule.Status
	installErr error
	removeErr  error
	notes      []string // Install's and Remove's Report.Notes
	calls      []string
}

var _ Schedule = (*fakeSchedule)(nil)

func (f *fakeSchedule) Install() (schedule.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "install")
	if f.installErr == nil {
		f.status.Installed, f.status.Running, f.status.Current = true, true, true
	}
	return schedule.Report{Steps: []string{"Wrote the timer"}, Notes: f.notes}, f.installErr
}

func (f *fakeSchedule) Remove() (schedule.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "remove")
	if f.removeErr == nil {
		f.status.Installed, f.status.Running, f.status.Current = false, false, false
	}
	return schedule.Report{Notes: f.notes}, f.removeErr
}

func (f *fakeSchedule) Status() schedule.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "status")
	return f.status
}

func (f *fakeSchedule) took() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	calls := strings.Join(f.calls, " ")
	f.calls = nil
	return calls
}

// fakeSystemd is a schedule.Runner for a Linux computer whose systemd
// timer runs next on 7 January 2026 at 13:00 UTC, and whose user does not
// linger and may not start to.
var fakeSystemd = schedule.RunFunc(func(name string, args ...string) (string, error) {
	line := name + " " + strings.Join(args, " ")
	switch {
	case strings.HasPrefix(line, "systemctl --user show "):
		return "ActiveState=active\nNextElapseUSecRealtime=@1767790800\n", nil
	case strings.HasPrefix(line, "loginctl show-user"):
		return "Linger=no\n", nil
	case strings.HasPrefix(line, "loginctl"):
		return "Could not enable linger: Access denied\n", errors.New("exit status 1")
	}
	return "", nil
})

// linuxSchedule is the real Scheduler for Linux over fakeSystemd, its
// units in the test's folder.
func linuxSchedule(t *testing.T, dataDir string) *schedule.Scheduler {
	home := t.TempDir()
	return &schedule.Scheduler{Exe: "/usr/bin/assent", DataDir: dataDir, GOOS: "linux", Home: home,
		UnitDir: filepath.Join(home, "systemd", "user"), User: "robin", UID: "1000", Run: fakeSystemd}
}

// shown reports whether o is on the UI's current screen.
func shown(u *UI, o fyne.CanvasObject) bool {
	for _, c := range test.LaidOutObjects(u.win.Content()) {
		if c == o {
			return true
		}
	}
	return false
}

// After the recovery key, the first run offers the hourly deletion check;
// ticking it sets it up and says what the therapist should know; Continue
// goes on to the practice.
func TestFirstRunOffersSchedule(t *testing.T) {
	u, _ := newUIWith(t, nil, time.UTC)
	u.opt.Schedule = linuxSchedule(t, u.opt.DataDir)
	u.Start()
	setup := u.screen.(*setupScreen)
	setup.newPass.pass.SetText(goodPassphrase)
	setup.newPass.repeat.SetText(goodPassphrase)
	test.Tap(setup.create.button)
	settle(u)
	key := u.screen.(*recoveryKeyScreen)
	test.Tap(key.written)
	test.Tap(key.next)

	s, ok := u.screen.(*scheduleOfferScreen)
	if !ok {
		t.Fatalf("after the recovery key the screen is %T", u.screen)
	}
	if !s.schedule.on.Disabled() {
		t.Error("the check can be ticked before Assent knows whether it is on")
	}
	settle(u)
	if s.schedule.on.Checked || s.schedule.on.Disabled() || s.schedule.on.Text != scheduleOffer {
		t.Errorf("check %q: ticked %v, disabled %v", s.schedule.on.Text, s.schedule.on.Checked, s.schedule.on.Disabled())
	}
	if want := "Off. " + deletedWhileOpen + "\nLast run: never."; s.schedule.state.Text != want {
		t.Errorf("state %q, want %q", s.schedule.state.Text, want)
	}
	if !containsText(u.win.Content(), "needs no passphrase") || !shown(u, s.schedule.on) {
		t.Error("the screen does not say what the check does")
	}

	test.Tap(s.schedule.on)
	settle(u)
	result := s.schedule.result.Text
	for _, want := range []string{"Done: this computer now checks every hour", "runs only while you are logged in", "loginctl enable-linger robin"} {
		if !strings.Contains(result, want) {
			t.Errorf("result lacks %q: %q", want, result)
		}
	}
	if strings.Contains(result, "Access denied") {
		t.Errorf("result shows loginctl's words: %q", result)
	}
	if !s.schedule.on.Checked {
		t.Error("the check is not ticked once set up")
	}
	if want := "On: this computer runs Assent's deletion check every hour; next at Wednesday 7 January 2026 at 13:00.\nLast run: never."; s.schedule.state.Text != want {
		t.Errorf("state %q, want %q (the linger note said once, in the result)", s.schedule.state.Text, want)
	}
	if st := u.opt.Schedule.Status(); !st.Installed || !st.Current {
		t.Errorf("not installed: %+v", st)
	}

	test.Tap(s.next)
	if _, ok := u.screen.(*practiceScreen); !ok {
		t.Fatalf("after Continue the screen is %T", u.screen)
	}
}

// The settings say how the check stands and when deletion last ran, set
// it up and remove it, and say in a sentence why they could not.
func TestSettingsSchedule(t *testing.T) {
	lastRun := time.Date(2026, 6, 3, 14, 0, 5, 0, time.UTC)
	f := &fakeSchedule{status: schedule.Status{LastRun: schedule.Run{At: lastRun, Deleted: 2, Finished: true}}}
	u, db := newUIWith(t, nil, time.UTC)
	if _, err := db.CreateVault(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	var logged []string
	u.opt.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	u.opt.Schedule = f
	open := func() *scheduleSection {
		t.Helper()
		s := newSettingsScreen(u)
		u.show(s)
		settle(u)
		f.took()
		return s.schedule
	}

	s := open()
	if s.on.Checked || s.on.Disabled() || !shown(u, s.on) {
		t.Errorf("check: ticked %v, disabled %v", s.on.Checked, s.on.Disabled())
	}
	if want := "Off. " + deletedWhileOpen + "\nLast run: Wednesday 3 June 2026 at 14:00 (2 recordings deleted)."; s.state.Text != want {
		t.Errorf("state %q, want %q", s.state.Text, want)
	}

	t.Run("set up", func(t *testing.T) {
		test.Tap(s.on)
		if !s.on.Disabled() || s.progress.Hidden {
			t.Error("the check stays usable while the schedule is being set up")
		}
		settle(u)
		if got := f.took(); got != "install status" {
			t.Errorf("calls %q", got)
		}
		if !s.on.Checked || s.on.Disabled() || !strings.HasPrefix(s.result.Text, "Done:") || s.result.Importance == widget.DangerImportance {
			t.Errorf("ticked %v, result %q", s.on.Checked, s.result.Text)
		}
		if !strings.HasPrefix(s.state.Text, "On: this computer runs Assent's deletion check every hour.") {
			t.Errorf("state %q", s.state.Text)
		}
	})
	t.Run("turned off", func(t *testing.T) {
		test.Tap(s.on)
		settle(u)
		if got := f.took(); got != "remove status" {
			t.Errorf("calls %q", got)
		}
		if s.on.Checked || s.result.Text != "Turned off. "+deletedWhileOpen {
			t.Errorf("ticked %v, result %q", s.on.Checked, s.result.Text)
		}
	})
	t.Run("could not start", func(t *testing.T) {
		f.installErr = &schedule.NotStartedError{Step: "systemctl --user daemon-reload", Output: "Failed to connect to bus: No medium found"}
		f.status.Installed, f.status.Current = true, true // the files are written
		s := open()
		if s.on.Checked || !strings.HasPrefix(s.state.Text, "The hourly check is set up, but this computer is not running it") {
			t.Errorf("ticked %v, state %q", s.on.Checked, s.state.Text)
		}
		logged = nil
		test.Tap(s.on)
		settle(u)
		if s.on.Checked || !strings.HasPrefix(s.result.Text, "This computer did not start the hourly check") || s.result.Importance != widget.DangerImportance {
			t.Errorf("ticked %v, result %q", s.on.Checked, s.result.Text)
		}
		if strings.Contains(s.result.Text, "bus") || len(logged) != 1 || !strings.Contains(logged[0], "No medium found") {
			t.Errorf("result %q; logged %q", s.result.Text, logged)
		}
	})
	for name, tc := range map[string]struct {
		err  error
		says string
	}{
		"unsafe path": {fmt.Errorf("the path: %w", schedule.ErrUnsafePath), "a character in their names cannot be given"},
		"unsupported": {schedule.ErrUnsupported, "cannot set up an hourly check on this kind of computer"},
		"other":       {errors.New("could not write: disk full"), "could not be set up"},
	} {
		t.Run(name, func(t *testing.T) {
			f.installErr, f.status.Installed = tc.err, false
			s := open()
			test.Tap(s.on)
			settle(u)
			if s.on.Checked || !strings.Contains(s.result.Text, tc.says) || strings.Contains(s.result.Text, "disk full") {
				t.Errorf("ticked %v, result %q", s.on.Checked, s.result.Text)
			}
		})
	}
	t.Run("could not remove", func(t *testing.T) {
		f.installErr, f.removeErr = nil, errors.New("permission denied")
		f.status.Installed, f.status.Running, f.status.Current = true, true, true
		s := open()
		if !s.on.Checked {
			t.Fatal("not ticked while on")
		}
		test.Tap(s.on)
		settle(u)
		if !s.on.Checked || s.result.Text != "The hourly check could not be turned off; the details are in Assent's log." {
			t.Errorf("ticked %v, result %q", s.on.Checked, s.result.Text)
		}
	})
	t.Run("another folder", func(t *testing.T) {
		f.status.Current = false
		f.status.Notes = []string{"Linux stops it when you log out: run loginctl enable-linger robin"}
		s := open()
		if s.on.Checked || !strings.HasPrefix(s.state.Text, "The hourly check is set up for another copy of Assent or another data folder") ||
			!strings.HasSuffix(s.state.Text, "\nLinux stops it when you log out: run loginctl enable-linger robin") {
			t.Errorf("ticked %v, state %q", s.on.Checked, s.state.Text)
		}
	})
	t.Run("stopped at a problem", func(t *testing.T) {
		f.status.LastRun.Finished = false
		s := open()
		if !strings.Contains(s.state.Text, "Last run: Wednesday 3 June 2026 at 14:00 (2 recordings deleted; it stopped at a problem, and the next run deletes the rest).") {
			t.Errorf("state %q", s.state.Text)
		}
	})
	t.Run("none offered", func(t *testing.T) {
		u.opt.Schedule = nil
		s := open()
		if !s.on.Disabled() || s.state.Text != deletedWhileOpen {
			t.Errorf("disabled %v, state %q", s.on.Disabled(), s.state.Text)
		}
		if got := f.took(); got != "" {
			t.Errorf("calls %q", got)
		}
	})
}
