package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Windows: a task of Task Scheduler, made with schtasks.

// taskRun is the task's command line (schtasks /TR): the program in
// quotes (Windows takes a program's name up to the closing quote), then
// the arguments, the data folder quoted as programs read their command
// line (windowsArg).
func (s *Scheduler) taskRun() string {
	return `"` + s.Exe + `" purge --data ` + windowsArg(s.DataDir)
}

// createTask is schtasks' arguments that make the task.
func (s *Scheduler) createTask() []string {
	return []string{"/Create", "/SC", "HOURLY", "/TN", TaskName, "/TR", s.taskRun(), "/F"}
}

// taskSettings is the PowerShell that lets the task run on battery power
// and as soon as possible after a start it missed (schtasks cannot say
// either; a laptop on battery would otherwise skip every run).
const taskSettings = "Set-ScheduledTask -TaskName '" + TaskName + "' -Settings (New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries)"

// typedWindows writes a command as one would type it in a Command Prompt.
func typedWindows(name string, args ...string) string {
	q := []string{name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"") {
			a = windowsArg(a)
		}
		q = append(q, a)
	}
	return strings.Join(q, " ")
}

func (s *Scheduler) installTask(r Report) (Report, error) {
	create := s.createTask()
	out, err := s.run("schtasks", create...)
	if err != nil {
		return r, &NotStartedError{
			Step: typedWindows("schtasks", create...), Output: firstLine(out, err), Err: err,
			Commands: []string{typedWindows("schtasks", create...)},
		}
	}
	r.step(fmt.Sprintf("Created the task %q: 'assent purge' runs every hour on %s.", TaskName, s.DataDir))
	ps := []string{"-NoProfile", "-NonInteractive", "-Command", taskSettings}
	if _, err := s.run("powershell", ps...); err != nil {
		r.note(fmt.Sprintf("Windows runs the task only on mains power and skips a run missed while the computer was off. To change that, open Task Scheduler, then the task %q: on Conditions, untick \"Start the task only if the computer is on AC power\"; on Settings, tick \"Run task as soon as possible after a scheduled start is missed\".", TaskName))
	} else {
		r.step("Set it to run on battery power too, and as soon as possible after a start it missed.")
	}
	r.note(loggedInOnlyNote)
	return r, nil
}

func (s *Scheduler) removeTask() (Report, error) {
	var r Report
	if _, err := s.run("schtasks", "/Query", "/TN", TaskName); err != nil {
		r.step(fmt.Sprintf("No schedule is installed (no task %q).", TaskName))
		return r, nil
	}
	del := []string{"/Delete", "/TN", TaskName, "/F"}
	if out, err := s.run("schtasks", del...); err != nil {
		return r, fmt.Errorf("'%s' failed (%s): %w", typedWindows("schtasks", del...), firstLine(out, err), err)
	}
	r.step(fmt.Sprintf("Deleted the task %q.", TaskName))
	return r, nil
}

func (s *Scheduler) statusTask() Status {
	st := Status{
		Where:   fmt.Sprintf("the task %q of Task Scheduler", TaskName),
		Command: s.Command(),
		Log:     fmt.Sprintf("Task Scheduler, task %q, History", TaskName),
	}
	query := []string{"/Query", "/TN", TaskName, "/V", "/FO", "LIST"}
	out, err := s.run("schtasks", query...)
	if err != nil {
		st.Details = append(st.Details, typedWindows("schtasks", query...)+": "+firstLine(out, err))
		return st
	}
	st.Installed, st.Running, st.Current = true, true, true
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Task To Run":
			st.Current = v == s.taskRun()
		case "Scheduled Task State":
			st.Running = !strings.EqualFold(v, "Disabled")
		case "Next Run Time":
			st.NextRun = parseTaskTime(v)
		}
	}
	if !st.Running {
		st.Notes = append(st.Notes, fmt.Sprintf("The task %q is disabled: enable it in Task Scheduler.", TaskName))
	}
	return st
}

// parseTaskTime reads schtasks' "Next Run Time" in the forms of English
// Windows; zero for any other ("N/A", another language's).
func parseTaskTime(v string) time.Time {
	for _, layout := range []string{"1/2/2006 3:04:05 PM", "02/01/2006 15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}
