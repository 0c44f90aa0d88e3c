package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/assent-recorder/assent/internal/schedule"
	"github.com/assent-recorder/assent/storage"
)

const scheduleHelp = `Usage: assent schedule install|remove|show [--data DIR]

Makes the operating system run 'assent purge --data DIR' every hour, so that
every recording is deleted on the date the client was shown even when the
app is not open that day. The app also purges when it starts and every
minute while it runs, and offers this same schedule on first run and in its
settings.

  install  Linux: writes a systemd user timer and service to
           $XDG_CONFIG_HOME/systemd/user (else ~/.config/systemd/user),
           enables it with 'systemctl --user', and turns lingering on
           ('loginctl enable-linger') so that it runs while you are logged
           out too, or says how to. Runs missed while the computer was off
           or asleep are made up at the next start.
           macOS: writes the launch agent
           ~/Library/LaunchAgents/org.assent.recorder.purge.plist and loads
           it ('launchctl bootstrap gui/UID', else 'launchctl load -w').
           Windows: creates the task "Assent purge" ('schtasks /Create /SC
           HOURLY') and lets it run on battery and after a missed start.
           Installing again replaces the schedule.
  remove   Stops the schedule and deletes its files or its task.
  show     Whether the schedule is installed and running, when it runs
           next, when 'assent purge' last ran on the data folder (by the
           schedule or by hand) and how many recordings it deleted, and
           the schedule's files.

The schedule runs this very binary (by its absolute path) on the data folder
given with --data (or the default one): install again after moving either.

Exit status: 0 done, 1 a problem (for install: what was done and what to
run is said), 2 wrong usage.
`

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
	s, err := newSchedule(dir, getenv)
	if err != nil {
		report(stderr, getenv, fs.Name(), err)
		return exitProblems
	}
	switch action {
	case "install":
		return scheduleInstall(s, getenv, stdout, stderr)
	case "remove":
		return scheduleRemove(s, getenv, stdout, stderr)
	}
	scheduleShow(s, stdout)
	return exitOK
}

// newSchedule is the schedule of this very binary for the data folder dir.
func newSchedule(dir string, getenv func(string) string) (*schedule.Scheduler, error) {
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return nil, newProblem(err, "could not find where this assent binary is")
	}
	return schedule.New(exe, dir, getenv)
}

// recordPurgeRun keeps when `assent purge` ran and how many recordings it
// deleted, for `assent schedule show` and the app's settings; a dry run is
// not a run. Not being able to record it is said on stderr and changes
// nothing else.
func recordPurgeRun(data string, getenv func(string) string, dryRun bool, at time.Time, deleted int, purgeErr error, stderr io.Writer) {
	if dryRun {
		return
	}
	dir, err := dataDir(data, getenv)
	if err == nil {
		err = schedule.RecordRun(dir, schedule.Run{At: at, Deleted: deleted, Finished: purgeErr == nil})
	}
	if err != nil {
		report(stderr, getenv, "assent purge", newProblem(err, "note: could not record this run for 'assent schedule show'"))
	}
}

func scheduleInstall(s *schedule.Scheduler, getenv func(string) string, stdout, stderr io.Writer) int {
	const cmd = "assent schedule"
	if _, err := os.Stat(filepath.Join(s.DataDir, storage.DBFile)); err != nil {
		fmt.Fprintf(stderr, "%s: note: there is no Assent data in %s yet; the schedule reports that until there is.\n", cmd, s.DataDir)
	}
	r, err := s.Install()
	printLines(stdout, "", r.Steps)
	var notStarted *schedule.NotStartedError
	switch {
	case err == nil:
		printLines(stdout, "Note: ", r.Notes)
		return exitOK
	case errors.As(err, &notStarted):
		fmt.Fprintf(stderr, "%s: %v, so the schedule is not running yet. What was done is listed above; in your desktop session, run:\n\n", cmd, notStarted)
		printLines(stderr, "  ", notStarted.Commands)
	case errors.Is(err, schedule.ErrUnsafePath):
		report(stderr, getenv, cmd, err)
	case errors.Is(err, schedule.ErrUnsupported):
		printLines(stderr, cmd+": ", r.Notes)
	default:
		report(stderr, getenv, cmd, newProblem(err, "could not install the schedule"))
	}
	return exitProblems
}

func scheduleRemove(s *schedule.Scheduler, getenv func(string) string, stdout, stderr io.Writer) int {
	r, err := s.Remove()
	printLines(stdout, "", r.Steps)
	printLines(stdout, "Note: ", r.Notes)
	if err != nil {
		report(stderr, getenv, "assent schedule", newProblem(err, "could not remove the schedule"))
		return exitProblems
	}
	fmt.Fprintln(stdout, "Recordings are now deleted on their date only while Assent is open.")
	return exitOK
}

// scheduleShow prints what Status found.
func scheduleShow(s *schedule.Scheduler, stdout io.Writer) {
	st := s.Status()
	fmt.Fprintf(stdout, "Schedule: %s\n", st.Where)
	switch {
	case !st.Installed:
		fmt.Fprintln(stdout, "Installed: no ('assent schedule install' installs it)")
	case st.Running && !st.NextRun.IsZero():
		fmt.Fprintf(stdout, "Installed: yes, running; next run %s\n", showTime(st.NextRun))
	case st.Running:
		fmt.Fprintln(stdout, "Installed: yes, running every hour")
	default:
		fmt.Fprintln(stdout, "Installed: yes, but not running")
	}
	fmt.Fprintf(stdout, "Runs: %s\n", st.Command)
	if st.Installed && !st.Current {
		fmt.Fprintf(stdout, "Note: it differs from what 'assent schedule install' would write now for this binary and %s: run install again to update it.\n", s.DataDir)
	}
	fmt.Fprintf(stdout, "Last run: %s\n", lastRunText(st.LastRun))
	printLines(stdout, "Note: ", st.Notes)
	printLines(stdout, "Asked the system: ", st.Details)
	if st.Log != "" {
		fmt.Fprintf(stdout, "What the runs printed: %s\n", st.Log)
	}
	for _, f := range st.Files {
		if f.Written {
			fmt.Fprintf(stdout, "\n--- %s\n%s", f.Path, f.Text)
		} else {
			fmt.Fprintf(stdout, "\n--- %s (would be written by install)\n%s", f.Path, f.Text)
		}
	}
}

// lastRunText is the last run of `assent purge` for `show`: "2026-06-03
// 14:00 UTC (2 recordings deleted)", or "never".
func lastRunText(r schedule.Run) string {
	if r.Never() {
		return "never"
	}
	what := plural(r.Deleted, "recording") + " deleted"
	if !r.Finished {
		what += "; it stopped at a problem, and the next run deletes the rest"
	}
	return fmt.Sprintf("%s (%s)", showTime(r.At), what)
}

// printLines prints each line after prefix.
func printLines(w io.Writer, prefix string, lines []string) {
	for _, l := range lines {
		fmt.Fprintf(w, "%s%s\n", prefix, strings.TrimRight(l, "\n"))
	}
}
