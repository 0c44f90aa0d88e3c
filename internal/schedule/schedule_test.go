package schedule_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/internal/schedule"
)

// The OS's tools cannot run here for macOS and Windows, nor for systemd
// without a user session: fakeOS stands in for them, recording every
// command and answering as a test tells it. The files are real, in the
// test's folders. TestRealSystemd runs the Linux path for real where it
// can.

// answer is what a fake tool prints and how it exits.
type answer struct {
	out string
	err error
}

var (
	failed   = errors.New("exit status 1")
	notFound = &exec.Error{Name: "tool", Err: exec.ErrNotFound}
)

// fakeOS is a schedule.Runner that records each command and answers by the
// whole command line, else by the program's name, else with success and
// no output.
type fakeOS struct {
	calls   []string   // each command line, joined by spaces
	argv    [][]string // and as arguments
	answers map[string]answer
}

var _ schedule.Runner = (*fakeOS)(nil)

func (f *fakeOS) Run(name string, args ...string) (string, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	f.calls = append(f.calls, line)
	f.argv = append(f.argv, append([]string{name}, args...))
	if a, ok := f.answers[line]; ok {
		return a.out, a.err
	}
	if a, ok := f.answers[name]; ok {
		return a.out, a.err
	}
	return "", nil
}

// took empties the record and checks it held exactly want.
func (f *fakeOS) took(t *testing.T, want ...string) {
	t.Helper()
	if strings.Join(f.calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands run:\n  %s\nwant:\n  %s", strings.Join(f.calls, "\n  "), strings.Join(want, "\n  "))
	}
	f.calls, f.argv = nil, nil
}

// newScheduler is a Scheduler for goos over the fake, with a home and a
// unit folder of the test's own.
func newScheduler(t *testing.T, goos, exe, data string) (*schedule.Scheduler, *fakeOS) {
	t.Helper()
	home := t.TempDir()
	f := &fakeOS{answers: map[string]answer{}}
	return &schedule.Scheduler{
		Exe: exe, DataDir: data, GOOS: goos,
		Home: home, UnitDir: filepath.Join(home, ".config", "systemd", "user"),
		User: "robin", UID: "501", Run: f,
	}, f
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func gone(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there (%v)", p, err)
		}
	}
}

const (
	linuxExe  = "/opt/Assent 1.0/assent"
	linuxData = `/home/robin/100% "sure" $HOME`
)

// On Linux, Install writes a systemd user timer and service that run this
// very binary's purge on the data folder, hourly and persistently, enables
// it, and turns lingering on; Status reads the timer's state back; Remove
// undoes all of it.
func TestLinux(t *testing.T) {
	s, f := newScheduler(t, "linux", linuxExe, linuxData)
	service, timer := filepath.Join(s.UnitDir, "assent-purge.service"), filepath.Join(s.UnitDir, "assent-purge.timer")
	f.answers["loginctl show-user robin --property=Linger"] = answer{out: "Linger=no\n"}

	r, err := s.Install()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "systemctl --user daemon-reload", "systemctl --user enable --now assent-purge.timer",
		"loginctl show-user robin --property=Linger", "loginctl --no-ask-password enable-linger robin")
	contains(t, "steps", strings.Join(r.Steps, "\n"), "Wrote "+service, "Wrote "+timer, "Enabled assent-purge.timer",
		"Turned lingering on (loginctl enable-linger robin)")
	if len(r.Notes) != 0 {
		t.Errorf("notes: %q", r.Notes)
	}
	contains(t, "the service", read(t, service), "Type=oneshot",
		`ExecStart="/opt/Assent 1.0/assent" "purge" "--data" "/home/robin/100%% \"sure\" $$HOME"`)
	contains(t, "the timer", read(t, timer), "OnCalendar=hourly", "Persistent=true", "WantedBy=timers.target")

	f.answers["systemctl --user show assent-purge.timer --property=ActiveState,NextElapseUSecRealtime --timestamp=unix"] =
		answer{out: "ActiveState=active\nNextElapseUSecRealtime=@1767790800\n"}
	f.answers["loginctl show-user robin --property=Linger"] = answer{out: "Linger=yes\n"}
	st := s.Status()
	f.took(t, "systemctl --user show assent-purge.timer --property=ActiveState,NextElapseUSecRealtime --timestamp=unix",
		"loginctl show-user robin --property=Linger")
	if !st.Installed || !st.Running || !st.Current || !st.NextRun.Equal(time.Unix(1767790800, 0)) || len(st.Notes) != 0 {
		t.Errorf("status %+v", st)
	}
	if len(st.Files) != 2 || !st.Files[0].Written || !st.Files[0].Current || st.Files[0].Path != timer {
		t.Errorf("files %+v", st.Files)
	}
	if st.Log != "journalctl --user -u assent-purge.service" || st.Command != `'/opt/Assent 1.0/assent' purge --data '/home/robin/100% "sure" $HOME'` {
		t.Errorf("log %q, command %q", st.Log, st.Command)
	}

	t.Run("another folder", func(t *testing.T) {
		other := *s
		other.DataDir = "/home/robin/elsewhere"
		st := other.Status()
		if !st.Installed || st.Current || !st.Files[0].Current || st.Files[1].Current || len(st.Notes) != 0 {
			t.Errorf("status %+v", st)
		}
		f.took(t, f.calls...)
	})

	// As `systemctl enable` would have made it (the fake does not).
	wants := filepath.Join(s.UnitDir, "timers.target.wants", "assent-purge.timer")
	os.MkdirAll(filepath.Dir(wants), 0o755)
	os.Symlink(timer, wants)
	r, err = s.Remove()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "systemctl --user disable --now assent-purge.timer", "systemctl --user daemon-reload")
	contains(t, "steps", strings.Join(r.Steps, "\n"), "Removed "+timer, "Removed "+service, "Removed "+wants)
	gone(t, timer, service, wants)

	r, err = s.Remove()
	if err != nil || len(r.Steps) != 1 || !strings.HasPrefix(r.Steps[0], "No schedule is installed") {
		t.Errorf("remove again: %+v, %v", r, err)
	}
	f.took(t)
	f.answers["systemctl --user show assent-purge.timer --property=ActiveState,NextElapseUSecRealtime --timestamp=unix"] =
		answer{out: "ActiveState=inactive\nNextElapseUSecRealtime=\n"}
	if st := s.Status(); st.Installed || st.Running || st.Current || !st.NextRun.IsZero() || len(st.Notes) != 0 || st.Files[0].Written {
		t.Errorf("status once removed %+v", st)
	}
}

// Lingering: already on, or off where the user may not turn it on: a
// note with the one command, never a failed install. Status says it too.
func TestLinuxLinger(t *testing.T) {
	t.Run("on", func(t *testing.T) {
		s, f := newScheduler(t, "linux", linuxExe, linuxData)
		f.answers["loginctl show-user robin --property=Linger"] = answer{out: "Linger=yes\n"}
		r, err := s.Install()
		if err != nil || len(r.Notes) != 0 || !strings.Contains(strings.Join(r.Steps, "\n"), "Lingering is on") {
			t.Errorf("install: %+v, %v", r, err)
		}
		f.took(t, "systemctl --user daemon-reload", "systemctl --user enable --now assent-purge.timer", "loginctl show-user robin --property=Linger")
	})
	for name, a := range map[string]answer{
		"refused":  {out: "Could not enable linger: Access denied\n", err: failed},
		"no login": {err: notFound},
	} {
		t.Run(name, func(t *testing.T) {
			s, f := newScheduler(t, "linux", linuxExe, linuxData)
			f.answers["loginctl"] = a
			r, err := s.Install()
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Notes) != 1 {
				t.Fatalf("notes %q", r.Notes)
			}
			contains(t, "the note", r.Notes[0], "runs only while you are logged in", "loginctl enable-linger robin")
			if strings.Contains(r.Notes[0], "Access denied") {
				t.Errorf("the note shows the tool's words: %s", r.Notes[0])
			}
			f.answers["systemctl"] = answer{out: "ActiveState=active\nNextElapseUSecRealtime=@1767790800\n"}
			f.answers["loginctl"] = answer{out: "Linger=no\n"}
			if st := s.Status(); !strings.Contains(strings.Join(st.Notes, " "), "loginctl enable-linger robin") {
				t.Errorf("status notes %q", st.Notes)
			}
		})
	}
}

// Without systemctl, or without a user session for it to reach, Install
// still writes the files and says exactly what to run.
func TestLinuxNotStarted(t *testing.T) {
	steps := []string{"systemctl --user daemon-reload", "systemctl --user enable --now assent-purge.timer"}
	for name, tc := range map[string]struct {
		answer answer
		says   string
	}{
		"no systemctl":    {answer{err: notFound}, "systemctl was not found"},
		"no user session": {answer{out: "Failed to connect to bus: No medium found\n", err: failed}, "'systemctl --user daemon-reload' failed (Failed to connect to bus: No medium found)"},
	} {
		t.Run(name, func(t *testing.T) {
			s, f := newScheduler(t, "linux", linuxExe, linuxData)
			f.answers["systemctl"] = tc.answer
			r, err := s.Install()
			var ns *schedule.NotStartedError
			if !errors.Is(err, schedule.ErrNotStarted) || !errors.As(err, &ns) {
				t.Fatalf("err = %v", err)
			}
			if ns.Error() != tc.says || strings.Join(ns.Commands, "\n") != strings.Join(steps, "\n") {
				t.Errorf("error %q, commands %q", ns.Error(), ns.Commands)
			}
			if len(r.Steps) != 2 {
				t.Errorf("steps %q", r.Steps)
			}
			if _, err := os.Stat(filepath.Join(s.UnitDir, "assent-purge.timer")); err != nil {
				t.Errorf("timer not written: %v", err)
			}
			st := s.Status()
			if !st.Installed || st.Running || len(st.Notes) != 1 {
				t.Errorf("status %+v", st)
			}
			// Remove still removes the files, and says the timer may run on.
			r, err = s.Remove()
			if err != nil || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "systemctl --user stop assent-purge.timer") {
				t.Errorf("remove: %+v, %v", r, err)
			}
			gone(t, filepath.Join(s.UnitDir, "assent-purge.timer"))
		})
	}
}

// systemd before 247 has no --timestamp: Status asks again without it and
// reads the local time it prints.
func TestLinuxStatusOldSystemd(t *testing.T) {
	s, f := newScheduler(t, "linux", linuxExe, linuxData)
	if _, err := s.Install(); err != nil {
		t.Fatal(err)
	}
	f.took(t, f.calls...)
	show := "systemctl --user show assent-purge.timer --property=ActiveState,NextElapseUSecRealtime"
	f.answers[show+" --timestamp=unix"] = answer{out: "Unknown option --timestamp\n", err: failed}
	f.answers[show] = answer{out: "ActiveState=active\nNextElapseUSecRealtime=Mon 2026-01-05 14:00:00\n"}
	f.answers["loginctl"] = answer{out: "Linger=yes\n"}
	st := s.Status()
	if want := time.Date(2026, 1, 5, 14, 0, 0, 0, time.Local); !st.Running || !st.NextRun.Equal(want) {
		t.Errorf("status %+v, want next run %v", st, want)
	}
}

const (
	macExe  = "/Applications/Assent.app/Contents/MacOS/assent"
	macData = "/Users/robin/Library/Application Support/assent & co <1>"
)

// On macOS, Install writes a launch agent and loads it into the user's GUI
// domain (replacing one loaded before), falling back to launchctl load;
// Remove unloads and deletes it.
func TestMacOS(t *testing.T) {
	s, f := newScheduler(t, "darwin", macExe, macData)
	plist := filepath.Join(s.Home, "Library", "LaunchAgents", "org.assent.recorder.purge.plist")
	if s.PlistPath() != plist {
		t.Fatalf("PlistPath = %s", s.PlistPath())
	}
	f.answers["launchctl bootout gui/501/org.assent.recorder.purge"] = answer{out: "Boot-out failed: 3: No such process\n", err: failed}
	r, err := s.Install()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "launchctl bootout gui/501/org.assent.recorder.purge", "launchctl bootstrap gui/501 "+plist)
	contains(t, "steps", strings.Join(r.Steps, "\n"), "Wrote "+plist, "Loaded it into gui/501")
	contains(t, "notes", strings.Join(r.Notes, "\n"), "while you are logged in")

	text := read(t, plist)
	contains(t, "the plist", text, "<key>StartInterval</key>", "<integer>3600</integer>", "<key>RunAtLoad</key>",
		"<string>"+macExe+"</string>", "<string>purge</string>", "<string>--data</string>",
		"<string>/Users/robin/Library/Application Support/assent &amp; co &lt;1&gt;</string>",
		"<string>"+filepath.Join(s.Home, "Library", "Logs", "assent-purge.log")+"</string>")
	// It is well-formed XML, and gives back the arguments as they were.
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	var args []string
	inArray := false
	for {
		tok, err := d.Token()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("plist: %v", err)
			}
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inArray = inArray || tok.Name.Local == "array"
		case xml.EndElement:
			inArray = inArray && tok.Name.Local != "array"
		case xml.CharData:
			if inArray && strings.TrimSpace(string(tok)) != "" {
				args = append(args, string(tok))
			}
		}
	}
	if strings.Join(args, "|") != strings.Join([]string{macExe, "purge", "--data", macData}, "|") {
		t.Errorf("ProgramArguments %q", args)
	}

	f.answers["launchctl print gui/501/org.assent.recorder.purge"] = answer{out: "gui/501/org.assent.recorder.purge = {\n\tstate = not running\n"}
	st := s.Status()
	if !st.Installed || !st.Running || !st.Current || !st.NextRun.IsZero() || len(st.Notes) != 0 || st.Log == "" {
		t.Errorf("status %+v", st)
	}
	f.took(t, "launchctl print gui/501/org.assent.recorder.purge")

	f.answers["launchctl bootout gui/501/org.assent.recorder.purge"] = answer{}
	r, err = s.Remove()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "launchctl print gui/501/org.assent.recorder.purge", "launchctl bootout gui/501/org.assent.recorder.purge")
	contains(t, "steps", strings.Join(r.Steps, "\n"), "Unloaded org.assent.recorder.purge", "Removed "+plist)
	gone(t, plist)

	f.answers["launchctl print gui/501/org.assent.recorder.purge"] = answer{out: "Could not find service\n", err: failed}
	if r, err := s.Remove(); err != nil || !strings.HasPrefix(r.Steps[0], "No schedule is installed") {
		t.Errorf("remove again: %+v, %v", r, err)
	}
	if st := s.Status(); st.Installed || st.Running || len(st.Notes) != 0 {
		t.Errorf("status once removed %+v", st)
	}
}

func TestMacOSLoadFallback(t *testing.T) {
	s, f := newScheduler(t, "darwin", macExe, macData)
	plist := s.PlistPath()
	f.answers["launchctl bootstrap gui/501 "+plist] = answer{out: "Bootstrap failed: 125: Domain does not support specified action\n", err: failed}
	r, err := s.Install()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "launchctl bootout gui/501/org.assent.recorder.purge", "launchctl bootstrap gui/501 "+plist, "launchctl load -w "+plist)
	contains(t, "steps", strings.Join(r.Steps, "\n"), "Loaded it with launchctl load -w")

	f.answers["launchctl load -w "+plist] = answer{err: failed}
	_, err = s.Install()
	var ns *schedule.NotStartedError
	if !errors.As(err, &ns) || !errors.Is(err, schedule.ErrNotStarted) {
		t.Fatalf("both failing: %v", err)
	}
	if ns.Output != "Bootstrap failed: 125: Domain does not support specified action" || ns.Commands[0] != "launchctl bootstrap gui/501 "+plist {
		t.Errorf("%+v", ns)
	}
	// Not loaded: Status says how to load it.
	f.answers["launchctl print gui/501/org.assent.recorder.purge"] = answer{err: failed}
	if st := s.Status(); !st.Installed || st.Running || !strings.Contains(strings.Join(st.Notes, ""), "launchctl bootstrap gui/501") {
		t.Errorf("status %+v", st)
	}
}

const (
	winExe  = `C:\Program Files\Assent\assent.exe`
	winData = `C:\Users\Robin Smith\AppData\Roaming\assent\`
)

// On Windows, Install creates the hourly task, its command quoted so that
// Task Scheduler and assent read the paths back whole, and lets it run on
// battery and after a missed start; Remove deletes it.
func TestWindows(t *testing.T) {
	s, f := newScheduler(t, "windows", winExe, winData)
	r, err := s.Install()
	if err != nil {
		t.Fatal(err)
	}
	tr := `"C:\Program Files\Assent\assent.exe" purge --data "C:\Users\Robin Smith\AppData\Roaming\assent\\"`
	if len(f.argv) != 2 || strings.Join(f.argv[0], "|") != strings.Join([]string{"schtasks", "/Create", "/SC", "HOURLY", "/TN", "Assent purge", "/TR", tr, "/F"}, "|") {
		t.Fatalf("ran %q", f.argv)
	}
	// What the task runs gives assent its arguments as they were.
	if got := windowsArgv(tr); strings.Join(got, "|") != strings.Join([]string{winExe, "purge", "--data", winData}, "|") {
		t.Errorf("the task would run %q", got)
	}
	if ps := f.argv[1]; ps[0] != "powershell" || !strings.Contains(ps[len(ps)-1], "-StartWhenAvailable -AllowStartIfOnBatteries") {
		t.Errorf("then ran %q", ps)
	}
	contains(t, "steps", strings.Join(r.Steps, "\n"), `Created the task "Assent purge"`, "run on battery power too")
	if len(r.Notes) != 1 {
		t.Errorf("notes %q", r.Notes)
	}
	f.took(t, f.calls...)

	f.answers["schtasks /Query /TN Assent purge /V /FO LIST"] = answer{out: "\r\nFolder: \\\r\nHostName:                             ROBIN-PC\r\n" +
		"TaskName:                             \\Assent purge\r\nNext Run Time:                        1/5/2026 3:00:00 PM\r\nStatus:                               Ready\r\n" +
		"Task To Run:                          " + tr + "\r\nScheduled Task State:                 Enabled\r\n"}
	st := s.Status()
	if want := time.Date(2026, 1, 5, 15, 0, 0, 0, time.Local); !st.Installed || !st.Running || !st.Current || !st.NextRun.Equal(want) || len(st.Notes) != 0 {
		t.Errorf("status %+v", st)
	}
	if st.Command != tr {
		t.Errorf("command %s", st.Command)
	}
	f.took(t, "schtasks /Query /TN Assent purge /V /FO LIST")

	r, err = s.Remove()
	if err != nil {
		t.Fatal(err)
	}
	f.took(t, "schtasks /Query /TN Assent purge", "schtasks /Delete /TN Assent purge /F")
	f.answers = map[string]answer{"schtasks": {out: "ERROR: The system cannot find the file specified.\r\n", err: failed}}
	if r, err := s.Remove(); err != nil || !strings.HasPrefix(r.Steps[0], "No schedule is installed") {
		t.Errorf("remove again: %+v, %v", r, err)
	}
	f.took(t, "schtasks /Query /TN Assent purge")
	if st := s.Status(); st.Installed || st.Running || len(st.Notes) != 0 {
		t.Errorf("status once removed %+v", st)
	}
}

func TestWindowsProblems(t *testing.T) {
	t.Run("no PowerShell", func(t *testing.T) {
		s, f := newScheduler(t, "windows", winExe, winData)
		f.answers["powershell"] = answer{err: notFound}
		r, err := s.Install()
		if err != nil || len(r.Notes) != 2 {
			t.Fatalf("install: %+v, %v", r, err)
		}
		contains(t, "the note", r.Notes[0], "only on mains power", "Run task as soon as possible after a scheduled start is missed")
	})
	t.Run("schtasks fails", func(t *testing.T) {
		s, f := newScheduler(t, "windows", winExe, winData)
		f.answers["schtasks"] = answer{out: "ERROR: Access is denied.\r\n", err: failed}
		_, err := s.Install()
		var ns *schedule.NotStartedError
		if !errors.As(err, &ns) {
			t.Fatalf("err = %v", err)
		}
		want := `schtasks /Create /SC HOURLY /TN "Assent purge" /TR "\"C:\Program Files\Assent\assent.exe\" purge --data \"C:\Users\Robin Smith\AppData\Roaming\assent\\\\\"" /F`
		if ns.Output != "ERROR: Access is denied." || ns.Commands[0] != want {
			t.Errorf("output %q, command\n%s\nwant\n%s", ns.Output, ns.Commands[0], want)
		}
		f.took(t, f.calls[0]) // nothing after the failure
	})
	t.Run("disabled, another binary", func(t *testing.T) {
		s, f := newScheduler(t, "windows", winExe, winData)
		f.answers["schtasks"] = answer{out: "Task To Run: \"D:\\old\\assent.exe\" purge\r\nScheduled Task State: Disabled\r\nNext Run Time: N/A\r\n"}
		st := s.Status()
		if !st.Installed || st.Running || st.Current || !st.NextRun.IsZero() || len(st.Notes) != 1 {
			t.Errorf("status %+v", st)
		}
	})
}

// windowsArgv splits a command line as Windows programs do
// (CommandLineToArgvW): a test's own reading, to check the quoting.
func windowsArgv(cmd string) []string {
	var args []string
	var b strings.Builder
	quoted, started := false, false
	for i := 0; i < len(cmd); {
		switch c := cmd[i]; {
		case (c == ' ' || c == '\t') && !quoted:
			if started {
				args = append(args, b.String())
				b.Reset()
				started = false
			}
			i++
		case c == '\\':
			n := 0
			for i < len(cmd) && cmd[i] == '\\' {
				n++
				i++
			}
			if i < len(cmd) && cmd[i] == '"' {
				b.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					b.WriteByte('"')
					i++
				}
			} else {
				b.WriteString(strings.Repeat(`\`, n))
			}
			started = true
		case c == '"':
			quoted, started = !quoted, true
			i++
		default:
			b.WriteByte(c)
			started = true
			i++
		}
	}
	if started {
		args = append(args, b.String())
	}
	return args
}

// A path that a unit file, a plist or a command line cannot carry is
// refused before anything is written or run.
func TestUnsafePaths(t *testing.T) {
	for _, tc := range []struct{ goos, exe, data string }{
		{"linux", "/usr/bin/assent", "/home/robin/evil\nExecStartPre=/bin/rm"},
		{"darwin", "/usr/bin/assent\x7f", "/Users/robin"},
		{"windows", winExe, `C:\Users\"quoted"`},
	} {
		s, f := newScheduler(t, tc.goos, tc.exe, tc.data)
		if _, err := s.Install(); !errors.Is(err, schedule.ErrUnsafePath) {
			t.Errorf("%s: err = %v", tc.goos, err)
		}
		f.took(t)
		if entries, _ := os.ReadDir(s.Home); len(entries) != 0 {
			t.Errorf("%s: wrote %d files", tc.goos, len(entries))
		}
	}
}

func TestUnsupported(t *testing.T) {
	s, f := newScheduler(t, "plan9", "/bin/assent", "/usr/robin/assent")
	r, err := s.Install()
	if !errors.Is(err, schedule.ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("err = %v", err)
	}
	contains(t, "notes", strings.Join(r.Notes, ""), "every hour: /bin/assent purge --data /usr/robin/assent")
	if st := s.Status(); st.Installed || len(st.Notes) != 1 {
		t.Errorf("status %+v", st)
	}
	if _, err := s.Remove(); err != nil {
		t.Error(err)
	}
	f.took(t)
}

// RecordRun keeps the last run where Status, with no passphrase, finds it.
func TestLastRun(t *testing.T) {
	dir := t.TempDir()
	if r, err := schedule.LastRun(dir); err != nil || !r.Never() {
		t.Fatalf("before any run: %+v, %v", r, err)
	}
	at := time.Date(2026, 6, 3, 14, 0, 5, 0, time.UTC)
	for _, r := range []schedule.Run{{At: at, Deleted: 0, Finished: true}, {At: at.Add(time.Hour), Deleted: 3, Finished: false}} {
		if err := schedule.RecordRun(dir, r); err != nil {
			t.Fatal(err)
		}
		got, err := schedule.LastRun(dir)
		if err != nil || !got.At.Equal(r.At) || got.Deleted != r.Deleted || got.Finished != r.Finished || got.Never() {
			t.Errorf("recorded %+v, read %+v, %v", r, got, err)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, schedule.LastRunFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the file: %v, %v", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left %d files behind", len(entries))
	}

	s, _ := newScheduler(t, "linux", "/usr/bin/assent", dir)
	if st := s.Status(); st.LastRun.Deleted != 3 || !st.LastRun.At.Equal(at.Add(time.Hour)) {
		t.Errorf("Status's last run %+v", st.LastRun)
	}
	os.WriteFile(filepath.Join(dir, schedule.LastRunFile), []byte("garbage"), 0o600)
	if _, err := schedule.LastRun(dir); err == nil {
		t.Error("garbage read without an error")
	}
	if st := s.Status(); !st.LastRun.Never() || !strings.Contains(strings.Join(st.Notes, ""), "cannot be read") {
		t.Errorf("status over garbage %+v", st)
	}
	if err := schedule.RecordRun(filepath.Join(dir, "missing"), schedule.Run{At: at}); err == nil {
		t.Error("recorded into a folder that is not there")
	}
}

// TestRealSystemd runs Install, Status and Remove against this user's
// systemd, where `systemctl --user` reaches it (not in a container
// without a user session: there it is skipped, and the fake stands in).
// The schedule it installs runs /bin/true, for an hour at most, never
// assent.
func TestRealSystemd(t *testing.T) {
	if out, err := exec.Command("systemctl", "--user", "show-environment").CombinedOutput(); err != nil {
		t.Skipf("systemctl --user does not work here: %v %s", err, strings.TrimSpace(string(out)))
	}
	truePath, err := exec.LookPath("true")
	if err != nil {
		t.Skip(err)
	}
	s, err := schedule.New(truePath, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Installed {
		t.Skipf("a schedule is installed in %s already: leaving it alone", s.UnitDir)
	}
	r, err := s.Install()
	t.Cleanup(func() { s.Remove() })
	if err != nil {
		t.Fatalf("install: %v (%+v)", err, r)
	}
	t.Logf("install: %+v", r)
	st := s.Status()
	now := time.Now()
	if !st.Installed || !st.Running || !st.Current || st.NextRun.Before(now) || st.NextRun.After(now.Add(62*time.Minute)) {
		t.Errorf("status %+v", st)
	}
	if _, err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Installed || st.Running {
		t.Errorf("status once removed %+v", st)
	}
}

func ExampleRecordRun() {
	dir, _ := os.MkdirTemp("", "assent")
	defer os.RemoveAll(dir)
	// What `assent purge` does after each run:
	schedule.RecordRun(dir, schedule.Run{At: time.Date(2026, 12, 27, 9, 0, 0, 0, time.UTC), Deleted: 2, Finished: true})
	// What the settings and `assent schedule show` read, with no passphrase:
	last, _ := schedule.LastRun(dir)
	fmt.Printf("Last run: %s (%d recordings deleted)\n", last.At.Format("2006-01-02 15:04 MST"), last.Deleted)
	// Output: Last run: 2026-12-27 09:00 UTC (2 recordings deleted)
}

// The quoting of each kind of command line gives back what went in.
func TestQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/assent":             `"/usr/bin/assent"`,
		"/home/r/My Data":             `"/home/r/My Data"`,
		`/home/r/100% "sure" \ $HOME`: `"/home/r/100%% \"sure\" \\ $$HOME"`,
	} {
		if got := schedule.SystemdQuote(in); got != want {
			t.Errorf("systemdQuote(%q) = %s, want %s", in, got, want)
		}
	}
	if schedule.ShellQuote("/usr/bin/assent") != "/usr/bin/assent" || schedule.ShellQuote("/a b/it's") != `'/a b/it'\''s'` || schedule.ShellQuote("") != "''" {
		t.Error("shellQuote")
	}
	for _, in := range []string{"", "plain", `C:\Program Files\x`, `C:\`, `C:\dir\\`, `a"b`, `a\"b`, `a\\"b c`, ` lead`, "tab\there", `\\server\share\`} {
		q := schedule.WindowsArg(in)
		if got := windowsArgv(q + " next"); len(got) != 2 || got[0] != in || got[1] != "next" {
			t.Errorf("windowsArg(%q) = %s, read back as %q", in, q, got)
		}
	}
}

// The units a Debian package installs are the units Install writes, but
// for the installed binary on the default data folder, and say how to
// turn them on.
func TestPackagedUnits(t *testing.T) {
	service, timer := schedule.PackagedUnits("/usr/bin/assent")
	s, _ := newScheduler(t, "linux", "/usr/bin/assent", linuxData)
	if _, err := s.Install(); err != nil {
		t.Fatal(err)
	}
	written := map[string]string{
		"service": read(t, filepath.Join(s.UnitDir, "assent-purge.service")),
		"timer":   read(t, filepath.Join(s.UnitDir, "assent-purge.timer")),
	}
	for name, packaged := range map[string]string{"service": service, "timer": timer} {
		head, body, _ := strings.Cut(packaged, "\n")
		if !strings.Contains(head, "systemctl --user enable --now assent-purge.timer") {
			t.Errorf("the packaged %s's head %q does not say how to turn it on", name, head)
		}
		_, want, _ := strings.Cut(written[name], "\n")
		want = strings.Replace(want, `ExecStart="/usr/bin/assent" "purge" "--data" "/home/robin/100%% \"sure\" $$HOME"`, `ExecStart="/usr/bin/assent" "purge"`, 1)
		if body != want {
			t.Errorf("the packaged %s differs from the one Install writes beyond its ExecStart:\n%s\nwant\n%s", name, body, want)
		}
	}
}
