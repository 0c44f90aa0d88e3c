package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/schedule"
)

// Schedule is the operating system's hourly run of `assent purge`, which
// deletes each recording on its date even while Assent is closed:
// *schedule.Scheduler in the real program, whose doc gives the contracts
// (Install's errors, Status that never fails). Its methods run the
// system's tools and may take seconds: the UI calls them off its
// goroutine, one at a time.
type Schedule interface {
	Install() (schedule.Report, error)
	Remove() (schedule.Report, error)
	Status() schedule.Status
}

var _ Schedule = (*schedule.Scheduler)(nil)

// scheduleOffer labels the check that sets the schedule up.
const scheduleOffer = "Delete recordings on their date even when Assent is closed"

// scheduleSection offers the hourly deletion check and says how it
// stands: after set-up (scheduleOfferScreen) and in the settings.
type scheduleSection struct {
	ui *UI
	// on sets the schedule up when ticked and removes it when unticked;
	// it is ticked while the computer runs it for this practice.
	on *widget.Check
	// result says what the last tick did, or why it could not.
	result *widget.Label
	// state says whether the computer runs it, when it last ran, and
	// what is not right.
	state    *widget.Label
	progress *widget.ProgressBarInfinite
	// showing: on is being set to what Status found, not by a tap.
	showing bool
}

func newScheduleSection(u *UI) *scheduleSection {
	s := &scheduleSection{ui: u, result: wrapped(""), state: wrapped(""), progress: widget.NewProgressBarInfinite()}
	s.on = widget.NewCheck(scheduleOffer, s.changed)
	// Selectable, so that a command a note names can be copied.
	s.result.Selectable, s.state.Selectable = true, true
	s.progress.Stop()
	s.progress.Hide()
	if u.opt.Schedule == nil {
		s.on.Disable()
		s.state.SetText(deletedWhileOpen)
		return s
	}
	s.refresh()
	return s
}

func (s *scheduleSection) content() []fyne.CanvasObject {
	return []fyne.CanvasObject{s.on, s.progress, s.result, s.state}
}

// deletedWhileOpen is how deletion goes without the schedule.
const deletedWhileOpen = "Recordings are deleted on their date while Assent is open, and as soon as it opens after that."

// busy disables the check and runs the progress bar while on.
func (s *scheduleSection) busy(on bool) { busyWith(s.on, s.progress, on) }

// refresh asks, in the background, how the schedule stands.
func (s *scheduleSection) refresh() {
	s.busy(true)
	s.state.SetText("Looking whether this computer runs the hourly deletion check…")
	sched := s.ui.opt.Schedule
	var st schedule.Status
	s.ui.background(func() error { st = sched.Status(); return nil }, func(error) {
		s.busy(false)
		s.show(st)
	})
}

// changed is the therapist ticking or unticking the check: the schedule is
// set up or removed in the background, then looked at again.
func (s *scheduleSection) changed(on bool) {
	if s.showing {
		return
	}
	s.ui.touch()
	s.busy(true)
	s.result.SetText("")
	sched := s.ui.opt.Schedule
	var r schedule.Report
	var st schedule.Status
	s.ui.background(func() (err error) {
		if on {
			r, err = sched.Install()
		} else {
			r, err = sched.Remove()
		}
		st = sched.Status()
		return err
	}, func(err error) {
		s.busy(false)
		if err != nil {
			s.ui.opt.Logf("hourly deletion check (install %v): %v; done: %q", on, err, r.Steps)
		}
		s.result.Importance = widget.MediumImportance
		if err != nil {
			s.result.Importance = widget.DangerImportance
		}
		s.result.SetText(strings.Join(append([]string{scheduleResult(on, err)}, r.Notes...), " "))
		s.show(st)
	})
}

// show ticks the check if the computer runs the schedule for this binary
// and this practice, and says how it stands; notes already in the result
// are not said twice.
func (s *scheduleSection) show(st schedule.Status) {
	s.showing = true
	s.on.SetChecked(st.Installed && st.Running && st.Current)
	s.showing = false
	for _, d := range st.Details {
		s.ui.opt.Logf("hourly deletion check: %s", d)
	}
	lines := []string{scheduleState(st, s.ui.opt.Location), lastRunText(st.LastRun, s.ui.opt.Location)}
	for _, n := range st.Notes {
		if !strings.Contains(s.result.Text, n) && !slices.Contains(lines, n) {
			lines = append(lines, n)
		}
	}
	s.state.SetText(strings.Join(lines, "\n"))
}

// scheduleState says in one sentence whether the computer runs the check.
func scheduleState(st schedule.Status, loc *time.Location) string {
	switch {
	case !st.Installed:
		return "Off. " + deletedWhileOpen
	case !st.Current:
		return "The hourly check is set up for another copy of Assent or another data folder: tick the box to use it for this one."
	case !st.Running:
		return "The hourly check is set up, but this computer is not running it: tick the box to try again."
	case st.NextRun.IsZero():
		return "On: this computer runs Assent's deletion check every hour."
	}
	return "On: this computer runs Assent's deletion check every hour; next at " + atTime(st.NextRun, loc) + "."
}

// lastRunText says when the purge last ran and what it deleted: "Last
// run: Wednesday 3 June 2026 at 14:00 (2 recordings deleted)", or never.
func lastRunText(r schedule.Run, loc *time.Location) string {
	if r.Never() {
		return "Last run: never."
	}
	what := plural(r.Deleted, "recording") + " deleted"
	if !r.Finished {
		what += "; it stopped at a problem, and the next run deletes the rest"
	}
	return fmt.Sprintf("Last run: %s (%s).", atTime(r.At, loc), what)
}

// atTime writes t as "Wednesday 3 June 2026 at 14:00".
func atTime(t time.Time, loc *time.Location) string {
	return consent.LongDate(t, loc) + " at " + t.In(loc).Format("15:04")
}

// scheduleResult says what setting the schedule up (on) or removing it
// did; the detail of err goes to the log.
func scheduleResult(on bool, err error) string {
	switch {
	case err == nil && on:
		return "Done: this computer now checks every hour and deletes each recording on its date, even when Assent is closed."
	case err == nil:
		return "Turned off. " + deletedWhileOpen
	case !on:
		return "The hourly check could not be turned off; the details are in Assent's log."
	case errors.Is(err, schedule.ErrNotStarted):
		return "This computer did not start the hourly check, so recordings are still deleted only while Assent is open. " +
			"The details are in Assent's log; 'assent schedule install' in a terminal says what to run."
	case errors.Is(err, schedule.ErrUnsafePath):
		return "The hourly check cannot be set up for this copy of Assent and this data folder: a character in their names cannot be given to the computer's scheduler. Nothing was changed."
	case errors.Is(err, schedule.ErrUnsupported):
		return "Assent cannot set up an hourly check on this kind of computer, so recordings are deleted only while Assent is open."
	}
	return "The hourly check could not be set up, so recordings are still deleted only while Assent is open. The details are in Assent's log."
}
