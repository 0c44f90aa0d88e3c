// Package schedule has the operating system run `assent purge` every hour,
// so that every recording is deleted on the date the client was shown even
// when the app is not open that day (DESIGN.md, rule 4). The app offers it
// on first run and in its settings; `assent schedule install|remove|show`
// does the same from a terminal. Both go through a Scheduler.
//
// # What it installs
//
// One schedule per user, named the same on every computer, that runs
// `<Exe> purge --data <DataDir>` every hour:
//
//   - Linux: a systemd user timer and service, assent-purge.timer and
//     assent-purge.service, in $XDG_CONFIG_HOME/systemd/user (else
//     ~/.config/systemd/user), enabled with `systemctl --user enable --now`.
//     The timer is Persistent: a run missed while the computer was off or
//     asleep is made up when it is back. User timers stop when the user
//     logs out unless the user "lingers"; Install turns lingering on where
//     the user may (`loginctl enable-linger`, allowed for oneself by
//     default on systemd 230 and later), and otherwise says so in a Note
//     with the one command that does it.
//   - macOS: a launch agent, ~/Library/LaunchAgents/org.assent.recorder.purge.plist,
//     loaded with `launchctl bootstrap gui/<uid>` (else `launchctl load -w`).
//     launchd runs an interval job missed during sleep on wake.
//   - Windows: the task "Assent purge" of Task Scheduler, made with
//     `schtasks /Create /SC HOURLY`, then set to run when a start was missed
//     and on battery power (PowerShell's Set-ScheduledTask, where it can).
//
// On macOS and Windows the schedule runs while the user is logged in; a
// recording due while nobody is logged in is deleted at the next login (and
// the app deletes what is due whenever it starts).
//
// # The last run
//
// `assent purge` calls RecordRun after every run that deleted, or tried to;
// Status reads it back (LastRun) with no passphrase, from the small file
// LastRunFile in the data folder, so the settings and `assent schedule show`
// can say when deletion last ran and whether the schedule works.
//
// # Testing
//
// Every OS's path is plain Go that builds everywhere: GOOS is a field, and
// the OS's programs (systemctl, loginctl, launchctl, schtasks, PowerShell)
// are run through a Runner, which tests replace with a fake that records
// the commands. Files are real, in the folders the Scheduler is given.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The schedule's names, the same on every computer: one schedule per user.
const (
	// UnitName is the systemd timer's and service's name, without suffix.
	UnitName = "assent-purge"
	// LaunchdLabel is the launch agent's label and the plist's name.
	LaunchdLabel = "org.assent.recorder.purge"
	// TaskName is the Task Scheduler task.
	TaskName = "Assent purge"
)

// writtenBy heads the files Install writes.
const writtenBy = "Written by 'assent schedule install' (or Assent's settings); undo with 'assent schedule remove'."

// Runner runs the operating system's tools.
type Runner interface {
	// Run runs the program name with args, with no input, and returns what
	// it printed (standard output and error together). err is non-nil when
	// the program could not be run (wrapping exec.ErrNotFound when there is
	// no such program) or exited with a status other than 0; output then
	// says why, when the program said.
	Run(name string, args ...string) (output string, err error)
}

// RunFunc is a function that is a Runner.
type RunFunc func(name string, args ...string) (string, error)

// Run calls f.
func (f RunFunc) Run(name string, args ...string) (string, error) { return f(name, args...) }

// runTimeout bounds each program Exec runs: systemctl waits up to 25 s
// for a bus that does not answer.
const runTimeout = 40 * time.Second

// Exec is the Runner of the real computer: os/exec, each program for at
// most 40 seconds.
var Exec Runner = RunFunc(func(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
})

// Errors Install returns; check them with errors.Is.
var (
	// ErrNotStarted: what makes the schedule is in place (Linux, macOS:
	// the files are written) or was tried (Windows), but the OS did not
	// start it. The error is a *NotStartedError, which says what to run.
	ErrNotStarted = errors.New("the schedule is not running")
	// ErrUnsafePath: the binary's or the data folder's path holds a
	// character that a unit file, a plist or a command line cannot carry
	// safely. Nothing was written.
	ErrUnsafePath = errors.New("the path cannot be scheduled")
	// ErrUnsupported: Assent knows no scheduler on this OS. Nothing was
	// done; Report.Notes say what to have the system run.
	ErrUnsupported = fmt.Errorf("no scheduler known on this system: %w", errors.ErrUnsupported)
)

// NotStartedError says which step of starting the schedule failed, and
// what to run instead. It matches ErrNotStarted.
type NotStartedError struct {
	// Step is the command that failed, as one would type it.
	Step string
	// Output is the first line it printed, else its exit status, for a
	// terminal or a log (not for a screen).
	Output string
	// Commands are what to run, in order, where the OS can be reached,
	// to start the schedule by hand.
	Commands []string
	// Err is the error the Runner returned.
	Err error
}

func (e *NotStartedError) Error() string {
	if e.Step == "" {
		return e.Output
	}
	return fmt.Sprintf("'%s' failed (%s)", e.Step, e.Output)
}

// Is makes errors.Is(err, ErrNotStarted) true.
func (e *NotStartedError) Is(target error) bool { return target == ErrNotStarted }

// Unwrap is the Runner's error.
func (e *NotStartedError) Unwrap() error { return e.Err }

// Report says what Install or Remove did.
type Report struct {
	// Steps are what was done, one line each, for a terminal ("Wrote …").
	Steps []string
	// Notes are plain sentences the user should read: what the schedule
	// cannot do on this computer, with the one command that fixes it.
	// They name no tool's raw output.
	Notes []string
}

// File is one file of the schedule.
type File struct {
	// Path is where it is, or would be.
	Path string
	// Text is what it holds, or what Install would write when it is not
	// there.
	Text string
	// Written: it is there.
	Written bool
	// Current: it holds what Install would write now (false when it is
	// not there).
	Current bool
}

// Status is what Status found out.
type Status struct {
	// Installed: the schedule's files (Linux, macOS) or task (Windows) are
	// there.
	Installed bool
	// Running: the OS says it runs the schedule (the timer is active, the
	// agent loaded, the task enabled). False also when the OS could not
	// be asked; a Note then says so.
	Running bool
	// Current: the schedule runs this Exe on this DataDir, as Install
	// would write it now. False when not installed. (No Note says so:
	// the caller says what installing again means for it.)
	Current bool
	// NextRun is when the OS will run it next; zero when not known
	// (launchd does not say).
	NextRun time.Time
	// LastRun is the last run of `assent purge` on DataDir (RecordRun);
	// its At is zero when it never ran.
	LastRun Run
	// Where names the schedule for a person: "the systemd user timer …".
	Where string
	// Command is the command line the schedule runs.
	Command string
	// Log says where what the runs printed can be read; may be empty.
	Log string
	// Files are the schedule's files, written or to be written (none for
	// Windows).
	Files []File
	// Notes are plain sentences on what is not right and how to fix it.
	Notes []string
	// Details are what the OS's tools said when asked, for a terminal or
	// a log, not a screen.
	Details []string
}

// Scheduler installs, removes and reports the hourly purge of one data
// folder by one binary, on one OS. Its methods may take seconds (they run
// the OS's tools); a Scheduler holds no state between calls and may be used
// from any goroutine.
type Scheduler struct {
	// Exe is the absolute path of the assent binary the schedule runs.
	Exe string
	// DataDir is the absolute path of the data folder it purges.
	DataDir string
	// GOOS picks the scheduler: "linux", "darwin" or "windows"; any other
	// has none (ErrUnsupported).
	GOOS string
	// Home is the user's home folder (macOS: the launch agent is in
	// Home/Library/LaunchAgents).
	Home string
	// UnitDir is the folder of systemd user units (Linux).
	UnitDir string
	// User is the login name, for loginctl (Linux); empty means the
	// caller's.
	User string
	// UID is the numeric user ID, for launchctl's gui/<uid> (macOS).
	UID string
	// Run runs the OS's tools; nil means Exec.
	Run Runner
}

// New returns the Scheduler of this computer for the binary exe and the
// data folder dataDir: this OS, the home and systemd unit folders from
// getenv (HOME, XDG_CONFIG_HOME; nil means os.Getenv), this user, and the
// real tools. exe and dataDir are made absolute.
func New(exe, dataDir string, getenv func(string) string) (*Scheduler, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var err error
	if exe, err = filepath.Abs(exe); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	config := getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	name := getenv("USER")
	if u, err := user.Current(); err == nil && name == "" {
		name = u.Username
	}
	return &Scheduler{
		Exe:     exe,
		DataDir: dataDir,
		GOOS:    runtime.GOOS,
		Home:    home,
		UnitDir: filepath.Join(config, "systemd", "user"),
		User:    name,
		UID:     strconv.Itoa(os.Getuid()),
	}, nil
}

// Install makes the OS run the purge every hour, replacing a schedule
// installed before (for another binary or folder too). A problem that
// does not keep the schedule from running (lingering off, a setting that
// could not be made) is a Note, never an error. The errors: ErrUnsafePath,
// ErrNotStarted (a *NotStartedError), ErrUnsupported, or one from writing
// the files.
func (s *Scheduler) Install() (Report, error) {
	var r Report
	if err := s.checkPaths(); err != nil {
		return r, err
	}
	if strings.Contains(s.Exe, "go-build") {
		r.note(fmt.Sprintf("%s looks like a temporary build (go run): the schedule needs an installed binary, or it stops working when the build is cleaned away.", s.Exe))
	}
	switch s.GOOS {
	case "linux":
		return s.installSystemd(r)
	case "darwin":
		return s.installLaunchd(r)
	case "windows":
		return s.installTask(r)
	}
	r.note(s.unsupported())
	return r, ErrUnsupported
}

// Remove undoes Install: the OS stops running the purge and the files or
// the task are gone. With nothing installed it does nothing and says so in
// Steps. An error means something is left; Steps say what was done.
func (s *Scheduler) Remove() (Report, error) {
	switch s.GOOS {
	case "linux":
		return s.removeSystemd()
	case "darwin":
		return s.removeLaunchd()
	case "windows":
		return s.removeTask()
	}
	var r Report
	r.note(fmt.Sprintf("Assent has no schedule on %s: remove the entry you made for %s.", s.GOOS, s.Command()))
	return r, nil
}

// Status says whether the schedule is installed and running, when it runs
// next and when the purge last ran. It never fails: what it could not find
// out is said in Notes.
func (s *Scheduler) Status() Status {
	var st Status
	switch s.GOOS {
	case "linux":
		st = s.statusSystemd()
	case "darwin":
		st = s.statusLaunchd()
	case "windows":
		st = s.statusTask()
	default:
		st = Status{Where: "no schedule (Assent knows none on " + s.GOOS + ")", Command: s.Command(), Notes: []string{s.unsupported()}}
	}
	last, err := LastRun(s.DataDir)
	if err != nil {
		st.Notes = append(st.Notes, "When deletion last ran cannot be read.")
		st.Details = append(st.Details, err.Error())
	}
	st.LastRun = last
	return st
}

// Command is the command line the schedule runs, quoted for a POSIX shell
// (for Windows, as Task Scheduler is given it).
func (s *Scheduler) Command() string {
	if s.GOOS == "windows" {
		return s.taskRun()
	}
	q := make([]string, 0, 4)
	for _, a := range s.purgeArgs() {
		q = append(q, shellQuote(a))
	}
	return strings.Join(q, " ")
}

func (s *Scheduler) unsupported() string {
	return fmt.Sprintf("Assent cannot schedule itself on %s. Have the system run this every hour: %s", s.GOOS, s.Command())
}

// purgeArgs is the command the schedule runs; without a DataDir (only
// PackagedUnits makes such a Scheduler) it purges the default data folder.
func (s *Scheduler) purgeArgs() []string {
	if s.DataDir == "" {
		return []string{s.Exe, "purge"}
	}
	return []string{s.Exe, "purge", "--data", s.DataDir}
}

// checkPaths refuses paths that a unit file, a plist or a command line
// cannot carry safely.
func (s *Scheduler) checkPaths() error {
	for _, p := range []string{s.Exe, s.DataDir} {
		if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return fmt.Errorf("the path %q holds a control character: %w", p, ErrUnsafePath)
		}
		if s.GOOS == "windows" && strings.Contains(p, `"`) {
			return fmt.Errorf("the path %q holds a double quote: %w", p, ErrUnsafePath)
		}
	}
	return nil
}

func (s *Scheduler) run(name string, args ...string) (string, error) {
	if s.Run == nil {
		return Exec.Run(name, args...)
	}
	return s.Run.Run(name, args...)
}

func (r *Report) step(line string) { r.Steps = append(r.Steps, line) }
func (r *Report) note(line string) { r.Notes = append(r.Notes, line) }

// firstLine is the first line a tool printed, else its error.
func firstLine(out string, err error) string {
	if line, _, _ := strings.Cut(strings.TrimSpace(out), "\n"); line != "" {
		return strings.TrimSpace(line)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// typed writes a command as one would type it in a POSIX shell.
func typed(name string, args ...string) string {
	q := []string{name}
	for _, a := range args {
		q = append(q, shellQuote(a))
	}
	return strings.Join(q, " ")
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// removeIfThere removes path and says whether it was there.
func removeIfThere(path string) (bool, error) {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// readFile is what file holds; want is what Install would write there.
func readFile(path, want string) File {
	f := File{Path: path, Text: want}
	if b, err := os.ReadFile(path); err == nil {
		f.Text, f.Written, f.Current = string(b), true, string(b) == want
	}
	return f
}

// writeFileAtomic writes a file whole or not at all, and to the disk: a
// temporary file in the same folder, synced, renamed over the old one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
