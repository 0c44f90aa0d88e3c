package schedule

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Linux: a systemd user timer and its service.

func (s *Scheduler) unitPath(ext string) string { return filepath.Join(s.UnitDir, UnitName+ext) }

// serviceUnit is the systemd user service: one purge, then done.
func (s *Scheduler) serviceUnit() string { return s.serviceUnitHeaded(writtenBy) }

// timerUnit runs the service every hour.
func (s *Scheduler) timerUnit() string { return timerUnitHeaded(writtenBy) }

// PackagedUnits returns the systemd user service and timer, named
// UnitName, that a distribution package installs in /usr/lib/systemd/user:
// the units Install writes, but running exe on the default data folder
// (no --data: `assent purge` finds it as the app does) and off until a user
// turns them on with `systemctl --user enable --now assent-purge.timer`.
// Units Install writes for a user have the same names and take their
// place for that user.
func PackagedUnits(exe string) (service, timer string) {
	s := &Scheduler{Exe: exe, GOOS: "linux"}
	return s.serviceUnitHeaded(packagedBy), timerUnitHeaded(packagedBy)
}

// packagedBy heads the units PackagedUnits returns.
const packagedBy = "Installed by the assent package; off until you run: systemctl --user enable --now " + UnitName + ".timer"

// serviceUnitHeaded is the service with the comment head on top.
func (s *Scheduler) serviceUnitHeaded(head string) string {
	q := make([]string, 0, 4)
	for _, a := range s.purgeArgs() {
		q = append(q, systemdQuote(a))
	}
	return "# " + head + `
[Unit]
Description=Assent: delete the recordings whose deletion date has come

[Service]
Type=oneshot
ExecStart=` + strings.Join(q, " ") + `
Nice=10
`
}

// timerUnitHeaded runs the service every hour, with the comment head on
// top; Persistent makes up, at the next start, a run missed while the
// computer was off or asleep.
func timerUnitHeaded(head string) string {
	return "# " + head + `
[Unit]
Description=Run 'assent purge' every hour

[Timer]
OnCalendar=hourly
Persistent=true
AccuracySec=1min

[Install]
WantedBy=timers.target
`
}

// systemctl runs `systemctl --user args...`.
func (s *Scheduler) systemctl(args ...string) (string, error) {
	return s.run("systemctl", append([]string{"--user"}, args...)...)
}

// systemctlSteps runs `systemctl --user` with each args in turn, stopping
// at the first failure, which it returns as a *NotStartedError whose
// Commands are all the steps.
func (s *Scheduler) systemctlSteps(steps ...[]string) error {
	for _, args := range steps {
		out, err := s.systemctl(args...)
		if err == nil {
			continue
		}
		e := &NotStartedError{Step: typed("systemctl", append([]string{"--user"}, args...)...), Output: firstLine(out, err), Err: err}
		if errors.Is(err, exec.ErrNotFound) {
			e.Step, e.Output = "", "systemctl was not found"
		}
		for _, st := range steps {
			e.Commands = append(e.Commands, typed("systemctl", append([]string{"--user"}, st...)...))
		}
		return e
	}
	return nil
}

func (s *Scheduler) installSystemd(r Report) (Report, error) {
	if err := os.MkdirAll(s.UnitDir, 0o755); err != nil {
		return r, fmt.Errorf("could not create %s: %w", s.UnitDir, err)
	}
	for _, f := range []struct{ path, text string }{{s.unitPath(".service"), s.serviceUnit()}, {s.unitPath(".timer"), s.timerUnit()}} {
		if err := writeFileAtomic(f.path, []byte(f.text), 0o644); err != nil {
			return r, fmt.Errorf("could not write %s: %w", f.path, err)
		}
		r.step("Wrote " + f.path)
	}
	if err := s.systemctlSteps([]string{"daemon-reload"}, []string{"enable", "--now", UnitName + ".timer"}); err != nil {
		return r, err
	}
	r.step(fmt.Sprintf("Enabled %s.timer: 'assent purge' runs every hour on %s, and at the next start when a run was missed.", UnitName, s.DataDir))
	s.enableLinger(&r)
	return r, nil
}

// linger is whether the user's services outlive their sessions.
type linger int

const (
	lingerUnknown linger = iota
	lingerOn
	lingerOff
)

// lingerState asks logind whether the user lingers; detail is what
// loginctl said when it could not tell.
func (s *Scheduler) lingerState() (state linger, detail string) {
	args := []string{"show-user"}
	if s.User != "" {
		args = append(args, s.User)
	}
	out, err := s.run("loginctl", append(args, "--property=Linger")...)
	switch v := strings.TrimSpace(out); {
	case err != nil:
		return lingerUnknown, typed("loginctl", append(args, "--property=Linger")...) + ": " + firstLine(out, err)
	case v == "Linger=yes":
		return lingerOn, ""
	case v == "Linger=no":
		return lingerOff, ""
	default:
		return lingerUnknown, "loginctl said " + firstLine(out, nil)
	}
}

// enableLingerCommand is the one command that keeps the user's timers
// running after logout.
func (s *Scheduler) enableLingerCommand() string {
	if s.User == "" {
		return "loginctl enable-linger"
	}
	return typed("loginctl", "enable-linger", s.User)
}

// lingerNote says that the timer stops at logout, and what keeps it.
func (s *Scheduler) lingerNote() string {
	return "The hourly check runs only while you are logged in: Linux stops it when you log out, and a recording due then is deleted when you log in again. " +
		"To have it run while you are logged out too, run this command once (it may need an administrator): " + s.enableLingerCommand()
}

// enableLinger turns lingering on for the user if it is off and they may;
// it never fails the install, and says what it found in r.
func (s *Scheduler) enableLinger(r *Report) {
	state, _ := s.lingerState()
	if state == lingerOn {
		r.step("Lingering is on for this user: the timer runs also while you are logged out.")
		return
	}
	args := []string{"--no-ask-password", "enable-linger"}
	if s.User != "" {
		args = append(args, s.User)
	}
	if _, err := s.run("loginctl", args...); err != nil {
		r.note(s.lingerNote())
		return
	}
	r.step("Turned lingering on (" + s.enableLingerCommand() + "): the timer runs also while you are logged out.")
}

func (s *Scheduler) removeSystemd() (Report, error) {
	var r Report
	service, timer := s.unitPath(".service"), s.unitPath(".timer")
	if !exists(service) && !exists(timer) {
		r.step(fmt.Sprintf("No schedule is installed (nothing in %s).", s.UnitDir))
		return r, nil
	}
	var stopErr error
	if exists(timer) {
		stopErr = s.systemctlSteps([]string{"disable", "--now", UnitName + ".timer"})
	}
	// What `systemctl enable` made, in case disable could not run.
	wants := filepath.Join(s.UnitDir, "timers.target.wants", UnitName+".timer")
	for _, p := range []string{timer, service, wants} {
		removed, err := removeIfThere(p)
		if err != nil {
			return r, fmt.Errorf("could not remove %s: %w", p, err)
		}
		if removed {
			r.step("Removed " + p)
		}
	}
	if stopErr == nil {
		stopErr = s.systemctlSteps([]string{"daemon-reload"})
	}
	if stopErr != nil {
		r.step(fmt.Sprintf("Note: %v.", stopErr))
		r.note(fmt.Sprintf("The timer may still be running in a session that could not be reached; stop it there with: systemctl --user stop %s.timer", UnitName))
	}
	return r, nil
}

func (s *Scheduler) statusSystemd() Status {
	service, timer := readFile(s.unitPath(".service"), s.serviceUnit()), readFile(s.unitPath(".timer"), s.timerUnit())
	st := Status{
		Installed: service.Written && timer.Written,
		Current:   service.Current && timer.Current,
		Where:     fmt.Sprintf("the systemd user timer %s.timer (%s)", UnitName, s.UnitDir),
		Command:   s.Command(),
		Log:       fmt.Sprintf("journalctl --user -u %s.service", UnitName),
		Files:     []File{timer, service},
	}
	props := []string{"show", UnitName + ".timer", "--property=ActiveState,NextElapseUSecRealtime"}
	out, err := s.systemctl(append(props, "--timestamp=unix")...)
	if err != nil && !errors.Is(err, exec.ErrNotFound) {
		out, err = s.systemctl(props...) // systemd before 247 has no --timestamp
	}
	switch {
	case errors.Is(err, exec.ErrNotFound):
		st.Notes = append(st.Notes, "systemctl was not found, so Assent cannot tell whether the timer runs.")
		return st
	case err != nil:
		st.Notes = append(st.Notes, "systemd could not be asked whether the timer runs (is this a desktop session?).")
		st.Details = append(st.Details, typed("systemctl", append([]string{"--user"}, props...)...)+": "+firstLine(out, err))
		return st
	}
	for _, line := range strings.Split(out, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "ActiveState":
			st.Running = v == "active"
		case "NextElapseUSecRealtime":
			st.NextRun = parseSystemdTime(v)
		}
	}
	if st.Installed && !st.Running {
		st.Notes = append(st.Notes, fmt.Sprintf("The timer is installed but not running: run systemctl --user enable --now %s.timer", UnitName))
	}
	if st.Installed {
		switch state, detail := s.lingerState(); state {
		case lingerOff:
			st.Notes = append(st.Notes, s.lingerNote())
		case lingerUnknown:
			st.Details = append(st.Details, detail)
		}
	}
	return st
}

// parseSystemdTime reads a timestamp systemctl show printed: "@1767787200"
// (--timestamp=unix) or "Mon 2026-01-05 14:00:00 CET" in the local zone;
// zero for "" and "n/a".
func parseSystemdTime(v string) time.Time {
	if secs, ok := strings.CutPrefix(v, "@"); ok {
		if n, err := strconv.ParseInt(secs, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0)
		}
		return time.Time{}
	}
	for _, layout := range []string{"Mon 2006-01-02 15:04:05 MST", "Mon 2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}
