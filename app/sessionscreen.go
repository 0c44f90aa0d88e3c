package app

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
)

// sessionScreen is the therapist's view of a session: its state in words,
// the recording controls, and the typed notes.
type sessionScreen struct {
	ui  *UI
	run *session.Session

	state    *widget.Label
	timer    *widget.Label
	meter    *widget.ProgressBar
	level    *levelView // timer and meter, at the rate a person sees
	ask      *widget.Button
	notesBtn *widget.Button
	pause    *widget.Button
	resume   *widget.Button
	stop     *widget.Button
	join     *widget.Button
	end      *widget.Button
	problem  *widget.Label
	marks    *markBar

	// The session's notes, saved as they are typed.
	*notesEditor
}

func newSessionScreen(u *UI, run *session.Session) *sessionScreen {
	s := &sessionScreen{ui: u, run: run}
	s.state = boldWrapped("")
	s.timer = widget.NewLabel("")
	s.meter = widget.NewProgressBar()
	s.meter.TextFormatter = func() string { return "" }
	s.level = &levelView{timer: s.timer, meter: s.meter}
	s.ask = widget.NewButton("Ask for consent: turn the laptop to the client", s.askConsent)
	s.ask.Importance = widget.HighImportance
	s.notesBtn = widget.NewButton("Notes only", s.switchToNotes)
	s.pause = widget.NewButton("Pause", func() { s.do(consent.EventPause) })
	s.resume = widget.NewButton("Resume", func() { s.do(consent.EventResume) })
	s.stop = widget.NewButton(appText.StopText, s.stopRecording)
	s.stop.Importance = widget.DangerImportance
	s.join = widget.NewButton("Someone joined", s.someoneJoined)
	s.end = widget.NewButton("End the session", s.endSession)
	s.problem = newProblemLabel()
	s.notesEditor = newNotesEditor(u, run.ID(), s.problem)
	s.recordingTime = s.recordingNow
	s.marks = newMarkBar(s)
	s.notes.onMark, s.process.onMark = s.marks.mark, s.marks.mark
	u.run = run
	u.watch(run, appText, s.refresh, s.problem.SetText)
	s.refresh()
	return s
}

func (s *sessionScreen) content() fyne.CanvasObject {
	var names string
	for i, p := range s.run.Participants() {
		if i > 0 {
			names += ", "
		}
		names += p.Name
	}
	top := container.NewVBox(
		heading(s.run.Client().Label+": session of "+s.run.StartedAt().In(s.ui.opt.Location).Format("Monday 2 January 2006, 15:04")),
		widget.NewLabel("Present: "+names),
		micLine(s.ui.mic()),
		container.NewBorder(nil, nil, nil, s.timer, s.state),
		s.meter,
		container.NewHBox(s.ask, s.notesBtn, s.pause, s.resume, s.stop, s.join, s.end),
		s.marks.box,
		s.problem,
	)
	s.ui.win.Canvas().AddShortcut(markKey, func(fyne.Shortcut) { s.marks.mark() })
	return container.NewBorder(top, s.saved, nil, nil, s.notesEditor.content())
}

// leaving takes back the screen's Ctrl+M, which the window would
// otherwise keep, and with it this screen and its notes in memory after
// it is gone (a lock, say), and stops the notes editor's timer.
func (s *sessionScreen) leaving() {
	s.ui.win.Canvas().RemoveShortcut(markKey)
	s.notesEditor.leaving()
}

// focus offers the next step: asking, when the client has not been asked
// yet; otherwise the notes.
func (s *sessionScreen) focus() fyne.Focusable {
	if s.ask.Visible() && !s.run.Asked() {
		return s.ask
	}
	return s.notes
}

// refresh shows the session's state and enables what it allows.
func (s *sessionScreen) refresh() {
	st := s.run.State()
	l := s.run.Level()
	show := func(on bool, o fyne.CanvasObject) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	recording := st == consent.Recording && s.run.Recording()
	var state string
	switch {
	case recording:
		state = "● Recording. Deleted on " + consent.LongDate(s.run.DeleteOn(), s.ui.opt.Location) + "."
		s.level.show(l)
	case st == consent.AwaitingConsent:
		state = appText.MicOffText + ". Waiting for everyone's answer on the client screen."
	case st == consent.Paused:
		state = "Paused. " + appText.MicOffText + "."
	case st == consent.Ended:
		state = "The session has ended. " + appText.MicOffText + "."
	case st == consent.Confirming:
		state = "The session has ended. " + appText.MicOffText + ". Waiting for each person recorded to say on the client screen whether to keep it; until then nobody can listen to it."
	case st == consent.NotesOnly && s.run.NotToBeAsked():
		state = "Notes only. " + appText.MicOffText + ". The client asked not to be asked about recording; only they can change this, on the client screen."
	case st == consent.NotesOnly && s.run.MinorBarred():
		state = "Notes only. " + appText.MicOffText + ". The practice does not record sessions with a minor present (Settings)."
	default:
		state = "Notes only. " + appText.MicOffText + "."
	}
	// refresh runs with every level while recording: only what changed
	// is drawn again.
	if state != s.state.Text {
		s.state.SetText(state)
	}
	show(recording, s.meter)
	show(recording, s.marks.box)
	show(recording, s.timer)
	show(st == consent.AwaitingConsent || (st == consent.NotesOnly && !s.run.MinorBarred()), s.ask)
	show(st != consent.NotesOnly && st != consent.Ended, s.notesBtn)
	show(recording, s.pause)
	// A pause made on the client screen is lifted only there.
	show(st == consent.Paused && s.run.PausedBy().Kind != consent.ActorParticipant, s.resume)
	show(recording || st == consent.Paused, s.stop)
	show(st != consent.Ended && st != consent.Confirming, s.join)
	show(st != consent.Ended, s.end)
	if st == consent.Confirming {
		s.end.SetText(closeQuestionText(s.run.Policy().KeepUnconfirmed))
	}
}

// askConsent turns the laptop to the client: from notes only it asks
// everyone afresh.
func (s *sessionScreen) askConsent() {
	kind := consent.EventAsk
	if s.run.State() == consent.NotesOnly {
		kind = consent.EventReAsk
	}
	if err := s.run.Apply(consent.Event{Kind: kind, Actor: consent.Therapist()}); err != nil {
		s.ui.opt.Logf("ask: %v", err)
		switch {
		case !isRefusal(err):
			// The question is on screen; its step is not on disk.
			s.problem.SetText(s.ui.problemText(err))
			return
		case s.run.NotToBeAsked():
			// Only the client can lift it, on their screen.
			s.saveNotes()
			s.ui.show(newKioskScreen(s.ui, s.run))
			return
		case s.run.State() != consent.AwaitingConsent:
			s.problem.SetText("The client cannot be asked now.")
			return
		}
		// An ask while already awaiting answers is harmless: show the
		// question again.
	}
	s.saveNotes()
	s.ui.show(newKioskScreen(s.ui, s.run))
}

func (s *sessionScreen) do(kind consent.EventKind) {
	s.ui.touch()
	if err := s.run.Apply(consent.Event{Kind: kind, Actor: consent.Therapist()}); err != nil {
		s.ui.opt.Logf("%s: %v", kind, err)
		s.problem.SetText(s.ui.problemText(err))
	}
}

func (s *sessionScreen) switchToNotes() { s.do(consent.EventSwitchToNotes) }

// stopRecording is the therapist's stop: it keeps what was recorded (the
// client chooses otherwise on their screen, where stops normally happen).
func (s *sessionScreen) stopRecording() {
	if err := s.run.Apply(consent.Event{Kind: consent.EventWithdraw, Actor: consent.Therapist(), Withdrawal: consent.WithdrawKeep}); err != nil {
		s.ui.opt.Logf("stop: %v", err)
		s.run.StopCapture()
		if !isRefusal(err) {
			s.problem.SetText(s.ui.problemText(err))
		}
	}
}

// someoneJoined adds a person: capture stops until they, and everyone, say
// yes again on the client screen.
func (s *sessionScreen) someoneJoined() {
	// Capture stops before anything else: nobody new is recorded while
	// their name is typed, and a Cancel does not bring it back by itself.
	paused := false
	if s.run.State() == consent.Recording {
		err := s.run.Apply(consent.Event{Kind: consent.EventPause, Actor: consent.Therapist()})
		if err != nil {
			s.ui.opt.Logf("pause for a join: %v", err)
			s.run.StopCapture()
		}
		paused = s.run.State() == consent.Paused
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("Name")
	role := newRoleSelect(consent.RoleFamily)
	guardian := newGuardianChoice()
	var present []consent.Participant
	for _, p := range s.run.Participants() {
		if p.Role == consent.RoleGuardian {
			present = append(present, p)
		}
	}
	// A minor of a client marked to decide alone needs no guardian
	// (session.Join asks them alone).
	alone := s.run.Client().MinorDecidesAlone
	role.OnChanged = func(string) { guardian.offer(roleOf(role) == consent.RoleMinor && !alone, present) }
	add := func() {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			return
		}
		r, guardianID := roleOf(role), ""
		if r == consent.RoleMinor && !alone {
			var err error
			if guardianID, err = guardian.chosen(n); err != nil {
				s.problem.SetText(err.Error())
				return
			}
		}
		err := s.run.Join(n, r, guardianID)
		var p *session.Problem
		if err != nil && !(errors.As(err, &p) && p.Kind == session.KindStepOwed) {
			s.ui.opt.Logf("join: %v", err)
			if isRefusal(err) {
				s.problem.SetText("That person could not be added.")
			} else {
				s.problem.SetText(s.ui.problemText(err))
			}
			return
		}
		// Joined (its record perhaps still owed, which the client screen
		// then says): everyone is asked again.
		s.saveNotes()
		k := newKioskScreen(s.ui, s.run)
		s.ui.show(k)
		if err != nil {
			k.problem.SetText(s.ui.problemText(err))
		}
	}
	cancel := func() {
		if !paused || s.run.State() != consent.Paused {
			s.ui.show(s)
			return
		}
		// Recording was paused for the join: it comes back only through
		// everyone's yes on the client screen.
		if err := s.run.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); err != nil {
			s.ui.opt.Logf("asking again after a cancelled join: %v", err)
			s.problem.SetText(s.ui.problemText(err))
			s.ui.show(s)
			return
		}
		s.saveNotes()
		s.ui.show(newKioskScreen(s.ui, s.run))
	}
	name.OnSubmitted = func(string) { add() }
	s.problem.SetText("")
	intro, cancelText := "Recording starts only when everyone, including the new person, has said yes on the client screen.", "Cancel"
	if paused {
		intro = "Recording has stopped. It starts again only when everyone, including the new person, has said yes on the client screen."
		cancelText = "Cancel: ask everyone again"
	}
	s.ui.setContent(pageLayout("Someone joined", wrapped(intro),
		name, role, guardian.box, s.problem, newActionButton("Add and ask everyone", add).button,
		widget.NewButton(cancelText, cancel)))
	s.ui.win.Canvas().Focus(name)
	s.ui.opt.Logf("screen: join form")
}

// closeQuestionText is the therapist's End button while the question at
// the end is open: the people recorded left without answering, and the
// practice's rule (shown to them beforehand) decides.
func closeQuestionText(keepUnanswered bool) string {
	if keepUnanswered {
		return "They left: close the question (kept until its date)"
	}
	return "They left: close the question (the recording is deleted)"
}

func (s *sessionScreen) endSession() {
	s.saveNotes()
	err := s.run.End(consent.Therapist())
	if err != nil {
		// The microphone is off whatever happened; a session whose end
		// was not stored is ended at the next unlock, and the summary
		// says so first.
		s.ui.opt.Logf("end: %v", err)
	}
	if s.run.State() == consent.Confirming {
		// Something was recorded: the client screen asks each recorded
		// person whether to keep it, before the summary.
		s.ui.show(newKioskScreen(s.ui, s.run))
		return
	}
	s.ui.run = nil
	// The client sees what happened; "Done" then locks the practice.
	s.ui.show(newSummaryScreen(s.ui, s.run, err))
}

// recordingNow is the recording being made (its segment) and how much of
// it was captured, for stamping a line of the notes; ok is false when
// nothing is being recorded.
func (s *sessionScreen) recordingNow() (segment int, at time.Duration, ok bool) {
	segment = s.run.Segment()
	return segment, s.run.Level().Elapsed, segment > 0
}
