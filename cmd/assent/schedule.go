package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/assent-recorder/assent/storage"
)

const scheduleHelp = `Usage: assent schedule install|remove|show [--data DIR]

Makes the operating system run 'assent purge --data DIR' every hour, so that
every recording is deleted on the date the client was shown even when the
app is not open that day. The app also purges when it starts and every
minute while it runs.

  install  Linux: writes a systemd user timer and service to
           $XDG_CONFIG_HOME/systemd/user (else ~/.config/systemd/user)
           and enables it with 'systemctl --user'. Runs missed while the
           computer was off or asleep are made up at the next start.
           macOS, Windows: prints the launchd agent or the Task Scheduler
           command to use.
  remove   Linux: disables the timer and deletes both files.
           macOS, Windows: prints the commands that undo install.
  show     Whether the schedule is installed, when it runs next, and the
           text of its unit files (or what install would write).

The schedule runs this very binary (by its absolute path) on the data folder
given with --data (or the default one): install again after moving either.

Exit status: 0 done, 1 a problem (for install: the files are written but
the timer could not be started; what to run is said), 2 wrong usage.
`

// The systemd units, the launchd agent and the scheduled task are named the
// same on every computer: one schedule per user.
const (
	unitName      = "assent-purge"
	launchdLabel  = appID + ".purge"
	windowsTask   = "Assent purge"
	scheduleNotes = "# Written by 'assent schedule install'; undo with 'assent schedule remove'.\n"
)

// scheduler holds what `assent schedule` needs from the world, so tests can
// run it for any OS with a fake systemctl.
type scheduler struct {
	goos      string
	exe       string // absolute path of the binary the schedule runs
	dataDir   string // absolute
	unitDir   string // where systemd user units go (Linux)
	home      string
	getenv    func(string) string
	lookPath  func(file string) (string, error)
	systemctl func(args ...string) (output string, err error) // runs systemctl --user args...
	stdout    io.Writer
	stderr    io.Writer
}

// runSchedule is `assent schedule`.
func runSchedule(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("schedule", stderr)
	data := dataFlag(fs)
	var action string
	if len(args) > 0 && !isFlag(args[0]) {
		action, args = args[0], args[1:]
	}
	if code, ok := parseArgs(fs, args, scheduleHelp, stdout, stderr); !ok {
		return code
	}
	rest := fs.Args()
	if action == "" && len(rest) > 0 { // assent schedule --data DIR install
		action, rest = rest[0], rest[1:]
		if code, ok := parseArgs(fs, rest, scheduleHelp, stdout, stderr); !ok {
			return code
		}
		rest = fs.Args()
	}
	switch {
	case action == "":
		usageError(stderr, fs.Name(), "say what to do: install, remove or show")
		return exitUsage
	case action != "install" && action != "remove" && action != "show":
		usageError(stderr, fs.Name(), fmt.Sprintf("unknown action %q: use install, remove or show", action))
		return exitUsage
	case len(rest) > 0:
		usageError(stderr, fs.Name(), fmt.Sprintf("unexpected argument %q", rest[0]))
		return exitUsage
	}
	dir, err := dataDir(*data, getenv)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitUsage
	}
	s, err := newScheduler(dir, getenv, stdout, stderr)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	}
	var code int
	switch action {
	case "install":
		code = s.install()
	case "remove":
		code = s.remove()
	default:
		code = s.show()
	}
	return code
}

// newScheduler finds this binary and the unit folder for the real computer.
func newScheduler(dir string, getenv func(string) string, stdout, stderr io.Writer) (*scheduler, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return nil, newProblem(err, "could not find where this assent binary is")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	config := getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	return &scheduler{
		goos:     runtime.GOOS,
		exe:      exe,
		dataDir:  dir,
		unitDir:  filepath.Join(config, "systemd", "user"),
		home:     home,
		getenv:   getenv,
		lookPath: exec.LookPath,
		systemctl: func(args ...string) (string, error) {
			out, err := exec.Command("systemctl", append([]string{"--user"}, args...)...).CombinedOutput()
			return string(out), err
		},
		stdout: stdout,
		stderr: stderr,
	}, nil
}

func (s *scheduler) install() int {
	if err := s.checkPaths(); err != nil {
		report(s.stderr, s.getenv, "assent schedule", err)
		return exitProblems
	}
	if strings.Contains(s.exe, "go-build") {
		fmt.Fprintf(s.stderr, "assent schedule: note: %s looks like a temporary build (go run); the schedule needs an installed binary.\n", s.exe)
	}
	if _, err := os.Stat(filepath.Join(s.dataDir, storage.DBFile)); err != nil {
		fmt.Fprintf(s.stderr, "assent schedule: note: there is no Assent data in %s yet; the schedule reports that until there is.\n", s.dataDir)
	}
	switch s.goos {
	case "linux":
		return s.installSystemd()
	case "darwin":
		fmt.Fprintf(s.stdout, "On macOS, Assent does not install the schedule itself. Save this as\n%s:\n\n%s\nthen load it (it runs at once and every hour, and after sleep):\n\n  launchctl bootstrap gui/$(id -u) %s\n",
			s.plistPath(), s.plist(), shellQuote(s.plistPath()))
		return exitOK
	case "windows":
		fmt.Fprintf(s.stdout, "On Windows, Assent does not install the schedule itself. In a Command Prompt, run:\n\n  %s\n\n"+
			"Then, in Task Scheduler, open the task %q and tick \"Run task as soon as possible after a scheduled start is missed\" (Settings), so that a run missed while the computer was off is made up.\n",
			s.schtasksCreate(), windowsTask)
		return exitOK
	}
	fmt.Fprintf(s.stdout, "Assent has no schedule for %s. Have your system run this every hour:\n\n  %s\n", s.goos, s.purgeCommand())
	return exitOK
}

func (s *scheduler) installSystemd() int {
	service, timer := s.unitPath(".service"), s.unitPath(".timer")
	if err := os.MkdirAll(s.unitDir, 0o755); err != nil {
		report(s.stderr, s.getenv, "assent schedule", newProblem(err, "could not create "+s.unitDir))
		return exitProblems
	}
	for _, f := range []struct{ path, text string }{{service, s.serviceUnit()}, {timer, s.timerUnit()}} {
		if err := writeFileAtomic(f.path, []byte(f.text), 0o644); err != nil {
			report(s.stderr, s.getenv, "assent schedule", newProblem(err, "could not write "+f.path))
			return exitProblems
		}
		fmt.Fprintf(s.stdout, "Wrote %s\n", f.path)
	}
	steps := [][]string{{"daemon-reload"}, {"enable", "--now", unitName + ".timer"}}
	if err := s.runSystemctl(steps); err != nil {
		fmt.Fprintf(s.stderr, "assent schedule: %s, so the timer is not running yet. The files are written; in your desktop session, run:\n\n", err)
		for _, st := range steps {
			fmt.Fprintf(s.stderr, "  systemctl --user %s\n", strings.Join(st, " "))
		}
		return exitProblems
	}
	fmt.Fprintf(s.stdout, "Enabled %s.timer: 'assent purge' runs every hour on %s,\nand at the next start when a run was missed.\n", unitName, s.dataDir)
	fmt.Fprintf(s.stdout, "User timers run while you are logged in; to have them run also when you are not:\n\n  loginctl enable-linger\n")
	return exitOK
}

func (s *scheduler) remove() int {
	switch s.goos {
	case "darwin":
		fmt.Fprintf(s.stdout, "On macOS, run:\n\n  launchctl bootout gui/$(id -u)/%s\n  rm %s\n", launchdLabel, shellQuote(s.plistPath()))
		return exitOK
	case "windows":
		fmt.Fprintf(s.stdout, "On Windows, run:\n\n  schtasks /Delete /TN %q /F\n", windowsTask)
		return exitOK
	case "linux":
	default:
		fmt.Fprintf(s.stdout, "Assent has no schedule for %s: remove the entry you made for '%s'.\n", s.goos, s.purgeCommand())
		return exitOK
	}
	service, timer := s.unitPath(".service"), s.unitPath(".timer")
	if !exists(service) && !exists(timer) {
		fmt.Fprintf(s.stdout, "No schedule is installed (nothing in %s).\n", s.unitDir)
		return exitOK
	}
	var stopErr error
	if exists(timer) {
		stopErr = s.runSystemctl([][]string{{"disable", "--now", unitName + ".timer"}})
	}
	// What `systemctl enable` made, in case disable could not run.
	wants := filepath.Join(s.unitDir, "timers.target.wants", unitName+".timer")
	for _, p := range []string{timer, service, wants} {
		if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			report(s.stderr, s.getenv, "assent schedule", newProblem(err, "could not remove "+p))
			return exitProblems
		}
		fmt.Fprintf(s.stdout, "Removed %s\n", p)
	}
	if stopErr == nil {
		stopErr = s.runSystemctl([][]string{{"daemon-reload"}})
	}
	if stopErr != nil {
		fmt.Fprintf(s.stdout, "Note: %s. If the timer is running in a session that could not be reached, stop it there with:\n\n  systemctl --user stop %s.timer\n  systemctl --user daemon-reload\n\n", stopErr, unitName)
	}
	fmt.Fprintln(s.stdout, "Recordings are now deleted on their date only while Assent is open.")
	return exitOK
}

func (s *scheduler) show() int {
	switch s.goos {
	case "darwin":
		fmt.Fprintf(s.stdout, "On macOS the schedule is the launch agent %s. See whether it is loaded with:\n\n  launchctl print gui/$(id -u)/%s\n\n'assent schedule install' suggests this agent:\n\n%s",
			s.plistPath(), launchdLabel, s.plist())
		return exitOK
	case "windows":
		fmt.Fprintf(s.stdout, "On Windows the schedule is the task %q. See it with:\n\n  schtasks /Query /TN %q /V /FO LIST\n\n'assent schedule install' suggests:\n\n  %s\n",
			windowsTask, windowsTask, s.schtasksCreate())
		return exitOK
	case "linux":
	default:
		fmt.Fprintf(s.stdout, "Assent has no schedule for %s. The command to run every hour is:\n\n  %s\n", s.goos, s.purgeCommand())
		return exitOK
	}
	service, timer := s.unitPath(".service"), s.unitPath(".timer")
	installed := exists(service) && exists(timer)
	if installed {
		fmt.Fprintf(s.stdout, "Installed: %s and %s\n", timer, service)
	} else {
		fmt.Fprintf(s.stdout, "Not installed (no %s.timer in %s).\n", unitName, s.unitDir)
	}
	if _, err := s.lookPath("systemctl"); err != nil {
		fmt.Fprintln(s.stdout, "systemctl was not found: cannot tell whether the timer is running.")
	} else if out, err := s.systemctl("list-timers", "--all", "--no-pager", unitName+".timer"); err != nil {
		fmt.Fprintf(s.stdout, "systemctl --user could not tell whether the timer is running (%s).\n", firstLine(out, err))
	} else {
		fmt.Fprintf(s.stdout, "\n%s\n", strings.TrimRight(out, "\n"))
		if active, _ := s.systemctl("is-active", unitName+".timer"); strings.TrimSpace(active) != "active" && installed {
			fmt.Fprintf(s.stdout, "The timer is installed but not active: run 'systemctl --user enable --now %s.timer'.\n", unitName)
		}
		fmt.Fprintf(s.stdout, "What the last runs printed: journalctl --user -u %s.service\n", unitName)
	}
	for _, f := range []struct{ path, want string }{{timer, s.timerUnit()}, {service, s.serviceUnit()}} {
		text := f.want
		b, err := os.ReadFile(f.path)
		if err == nil {
			text = string(b)
			fmt.Fprintf(s.stdout, "\n--- %s\n%s", f.path, text)
			if text != f.want {
				fmt.Fprintf(s.stdout, "(differs from what 'assent schedule install' would write now for this binary and %s: run install again to update it)\n", s.dataDir)
			}
		} else {
			fmt.Fprintf(s.stdout, "\n--- %s (would be written by install)\n%s", f.path, text)
		}
	}
	return exitOK
}

// runSystemctl runs `systemctl --user` with each args in turn, stopping at
// the first failure, which it words as one sentence.
func (s *scheduler) runSystemctl(steps [][]string) error {
	if _, err := s.lookPath("systemctl"); err != nil {
		return errors.New("systemctl was not found")
	}
	for _, args := range steps {
		if out, err := s.systemctl(args...); err != nil {
			return fmt.Errorf("'systemctl --user %s' failed (%s)", strings.Join(args, " "), firstLine(out, err))
		}
	}
	return nil
}

// firstLine is the first line systemctl printed, else its exit error.
func firstLine(out string, err error) string {
	if line, _, _ := strings.Cut(strings.TrimSpace(out), "\n"); line != "" {
		return strings.TrimSpace(line)
	}
	return err.Error()
}

func (s *scheduler) unitPath(ext string) string { return filepath.Join(s.unitDir, unitName+ext) }

// checkPaths refuses paths that a unit file, a plist or a command line
// cannot carry safely.
func (s *scheduler) checkPaths() error {
	for _, p := range []string{s.exe, s.dataDir} {
		if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("the path %q holds a control character; a schedule cannot run it", p)
		}
	}
	return nil
}

// purgeArgs is the command the schedule runs.
func (s *scheduler) purgeArgs() []string { return []string{s.exe, "purge", "--data", s.dataDir} }

func (s *scheduler) purgeCommand() string {
	q := make([]string, 0, 4)
	for _, a := range s.purgeArgs() {
		q = append(q, shellQuote(a))
	}
	return strings.Join(q, " ")
}

// serviceUnit is the systemd user service: one purge, then done.
func (s *scheduler) serviceUnit() string {
	q := make([]string, 0, 4)
	for _, a := range s.purgeArgs() {
		q = append(q, systemdQuote(a))
	}
	return scheduleNotes + `[Unit]
Description=Assent: delete the recordings whose deletion date has come

[Service]
Type=oneshot
ExecStart=` + strings.Join(q, " ") + `
Nice=10
`
}

// timerUnit runs the service every hour; Persistent makes up, at the next
// start, a run missed while the computer was off or asleep.
func (s *scheduler) timerUnit() string {
	return scheduleNotes + `[Unit]
Description=Run 'assent purge' every hour

[Timer]
OnCalendar=hourly
Persistent=true
AccuracySec=1min

[Install]
WantedBy=timers.target
`
}

func (s *scheduler) plistPath() string {
	return filepath.Join(s.home, "Library", "LaunchAgents", launchdLabel+".plist")
}

// plist is a launchd agent that runs the purge at load and every hour
// (launchd runs a StartInterval job missed during sleep when the Mac wakes).
func (s *scheduler) plist() string {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>` + launchdLabel + `</string>
  <key>ProgramArguments</key>
  <array>
`)
	for _, a := range s.purgeArgs() {
		fmt.Fprintf(&b, "    <string>%s</string>\n", xmlEscape(a))
	}
	log := filepath.Join(s.home, "Library", "Logs", "assent-purge.log")
	fmt.Fprintf(&b, `  </array>
  <key>StartInterval</key>
  <integer>3600</integer>
  <key>RunAtLoad</key>
  <true/>
  <key>StandardOutPath</key>
  <string>%s</string>
  <key>StandardErrorPath</key>
  <string>%s</string>
</dict>
</plist>
`, xmlEscape(log), xmlEscape(log))
	return b.String()
}

// schtasksCreate is the Task Scheduler command for Windows. Inside /TR,
// quotes around paths are escaped with a backslash.
func (s *scheduler) schtasksCreate() string {
	tr := fmt.Sprintf(`\"%s\" purge --data \"%s\"`, s.exe, s.dataDir)
	return fmt.Sprintf(`schtasks /Create /TN "%s" /SC HOURLY /TR "%s" /F`, windowsTask, tr)
}

// systemdQuote quotes one ExecStart argument: C-style escapes inside double
// quotes, % doubled (specifiers) and $ doubled (variable expansion).
func systemdQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `%`, `%%`, `$`, `$$`)
	return `"` + r.Replace(s) + `"`
}

// shellQuote quotes for a POSIX shell when needed.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '+' || r == ',' || r == '=' || r == '@' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9'))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// writeFileAtomic writes a file whole or not at all: a temporary file in the
// same folder, renamed over the old one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
