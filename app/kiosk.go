package app

import (
	"errors"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
)

// deleteLastMin is how many minutes "Delete the last minutes" deletes.
const deleteLastMin = 5

// kioskScreen is the client screen: the laptop turned to the client. It
// shows this session's consent question, then the recording with its
// "Stop recording", and nothing of other clients or of the practice.
// Leaving it for the therapist's screens needs the passphrase.
type kioskScreen struct {
	ui  *UI
	run *session.Session

	// body holds what is read (it scrolls); actions what is pressed and
	// the state of the microphone, always in view at the bottom.
	body    *fyne.Container
	actions *fyne.Container
	shown   consent.State // the state body was built for
	// choosing is set after a stop, until the client has chosen what
	// happens to what was recorded.
	choosing bool
	// answered holds who has said yes in this round, to show it.
	problem *widget.Label
	// whenDone is the sentence to say once an owed withdrawal is finished
	// ("Everything recorded today has been deleted."): not before.
	whenDone string

	// Widgets a test (or the level callback) reaches.
	yes, no   map[string]*bigButton
	sooner    *widget.RadioGroup
	soonerBy  []soonerOption // sooner's options, in order
	status    *widget.Label
	timer     *widget.Label
	meter     *widget.ProgressBar
	level     *levelView // timer and meter, at the rate a person sees
	stop      *bigButton
	keep      *bigButton
	dropLast  *bigButton
	dropAll   *bigButton
	therapist *widget.Button
}

// soonerOption is one choice of the "delete sooner" control: the date the
// client is shown, or an earlier one.
type soonerOption struct {
	label      string
	keepDays   int // 0: the policy's default
	endOfToday bool
}

// clientFacing: the client screen is a kiosk.
func (s *kioskScreen) clientFacing() bool { return true }

func newKioskScreen(u *UI, run *session.Session) *kioskScreen {
	s := &kioskScreen{ui: u, run: run, body: container.NewVBox(), actions: container.NewVBox(), shown: -1}
	s.problem = newProblemLabel()
	s.therapist = widget.NewButton(forTherapistText, s.leave)
	s.therapist.Importance = widget.LowImportance
	u.run = run
	u.watch(run, s.changed, s.problem.SetText)
	s.rebuild()
	return s
}

func (s *kioskScreen) content() fyne.CanvasObject {
	bottom := container.NewVBox(clientColumn(container.NewVBox(s.problem, s.actions)), container.NewHBox(s.therapist))
	page := container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(clientColumn(s.body)))
	return inLargeType(s.ui.app, page)
}

// focus puts the keyboard on "Stop recording" while recording. While
// asking it focuses nothing, so that neither answer is preselected: Tab
// reaches Yes, then No, for each person.
func (s *kioskScreen) focus() fyne.Focusable {
	if s.stop != nil && s.run.Recording() {
		return s.stop
	}
	return nil
}

// changed is the session's callback: rebuild when the state moved, else
// only refresh the timer and meter.
func (s *kioskScreen) changed() {
	if s.run.State() != s.shown {
		s.rebuild()
		if f := s.focus(); f != nil {
			s.ui.win.Canvas().Focus(f)
		}
	} else {
		s.refreshLevel()
	}
	if s.whenDone != "" && !s.run.Owed() {
		// The owed withdrawal is done now: only now is it said.
		s.problem.SetText("")
		s.body.Add(wrapped(s.whenDone))
		s.whenDone = ""
	}
}

// rebuild lays the screen out for the session's state.
func (s *kioskScreen) rebuild() {
	st := s.run.State()
	s.shown = st
	s.yes, s.no = map[string]*bigButton{}, map[string]*bigButton{}
	var parts, actions []fyne.CanvasObject
	switch {
	case st == consent.AwaitingConsent:
		parts, actions = s.askParts()
	case st == consent.Recording:
		parts, actions = s.recordingParts()
	case s.choosing:
		parts, actions = s.choiceParts()
	case st == consent.Paused:
		parts = []fyne.CanvasObject{heading(pausedHeading)}
		actions = []fyne.CanvasObject{s.statusLabel(pausedStatus), s.stopButton()}
	case st == consent.Ended:
		parts = []fyne.CanvasObject{heading(endedHeading)}
		actions = []fyne.CanvasObject{s.statusLabel(micOffText + ".")}
	default:
		parts = []fyne.CanvasObject{heading(notesOnlyHeading), wrapped(notesOnlyText)}
		actions = []fyne.CanvasObject{s.statusLabel(micOffText + ".")}
	}
	s.body.Objects = parts
	s.body.Refresh()
	s.actions.Objects = actions
	s.actions.Refresh()
}

// askParts is the consent question, in one column that scrolls: the
// statement, then for each person their two equal buttons, then the
// "delete sooner" choice. The answers come after the whole statement, and
// Tab reaches the first Yes before anything else. The state of the
// microphone in words stays in view at the bottom.
func (s *kioskScreen) askParts() (text, actions []fyne.CanvasObject) {
	page := s.run.Statement()
	parts := []fyne.CanvasObject{heading(page.Title)}
	if s.run.Method() == consent.CollectionReadAloud {
		parts = append(parts, wrapped(readAloudText))
	}
	for _, p := range page.Paragraphs {
		parts = append(parts, wrapped(p))
	}
	pending := map[string]bool{}
	for _, p := range s.run.Pending() {
		pending[p.ID] = true
	}
	for _, p := range s.run.Participants() {
		if !pending[p.ID] {
			parts = append(parts, wrapped(saidYesText(p.Name)))
			continue
		}
		p := p
		yes := newBigButton(yesText, func() { s.answer(p.ID, true) })
		no := newBigButton(noText, func() { s.answer(p.ID, false) })
		yes.Importance, no.Importance = widget.MediumImportance, widget.MediumImportance
		s.yes[p.ID], s.no[p.ID] = yes, no
		name := bold(personLabel(p.Name, p.Role.String()))
		parts = append(parts, name, container.NewGridWithColumns(2, yes, no))
	}
	if s.sooner == nil {
		s.soonerBy = s.soonerOptions()
		var labels []string
		for _, o := range s.soonerBy {
			labels = append(labels, o.label)
		}
		s.sooner = widget.NewRadioGroup(labels, nil)
		s.sooner.SetSelected(labels[0])
		s.sooner.Required = true
	}
	if len(s.soonerBy) > 1 {
		parts = append(parts, bold(deleteSoonerHeading), s.sooner)
	}
	var acts []fyne.CanvasObject
	if s.ui.mic().mic == nil {
		acts = append(acts, wrapped(noMicText))
	}
	return parts, append(acts, s.statusLabel(micOffText))
}

// soonerOptions are the deletion choices: the date shown, and each earlier
// date a yes may ask for (after 7 days, the end of today), only where it
// is earlier than the date shown. A yes with any of them is never refused.
func (s *kioskScreen) soonerOptions() []soonerOption {
	loc := s.ui.opt.Location
	shown := s.run.DeleteOn()
	opts := []soonerOption{{label: deleteOnChoice(consent.LongDate(shown, loc))}}
	if policy := s.run.Policy(); 7 < policy.DefaultKeepDays {
		if d := s.run.ChoiceDate(7, false); d.Before(shown) {
			opts = append(opts, soonerOption{label: deleteSoonerDaysChoice(7, consent.LongDate(d, loc)), keepDays: 7})
		}
	}
	if d := s.run.ChoiceDate(0, true); d.Before(shown) {
		opts = append(opts, soonerOption{label: deleteSoonerToday, endOfToday: true})
	}
	return opts
}

// answer records one person's yes or no.
func (s *kioskScreen) answer(participant string, yes bool) {
	actor := consent.ByParticipant(participant)
	if s.run.Method() == consent.CollectionReadAloud {
		actor = consent.Therapist() // entering the answer given aloud
	}
	ev := consent.Event{Kind: consent.EventDecline, Actor: actor, Participant: participant}
	if yes {
		ev.Kind = consent.EventConfirm
		c := s.soonerChoice()
		ev.KeepDays, ev.EndOfToday = c.keepDays, c.endOfToday
	}
	if err := s.run.Apply(ev); err != nil {
		s.ui.opt.Logf("answer: %v", err)
		if isRefusal(err) {
			s.problem.SetText(answerNotTakenText)
			return
		}
		s.problem.SetText(s.ui.problemText(err))
	}
	if s.run.State() == consent.AwaitingConsent {
		s.rebuild() // show who has answered
		if f := s.focus(); f != nil {
			s.ui.win.Canvas().Focus(f)
		}
	}
}

// soonerChoice is the deletion choice selected, the date shown if none.
func (s *kioskScreen) soonerChoice() soonerOption {
	if s.sooner != nil {
		for _, o := range s.soonerBy {
			if o.label == s.sooner.Selected {
				return o
			}
		}
	}
	return soonerOption{}
}

// recordingParts is what the room sees while recording: a red dot with the
// word, the time, the level, the deletion date, and "Stop recording".
func (s *kioskScreen) recordingParts() (text, actions []fyne.CanvasObject) {
	dot := canvas.NewCircle(recordingRed)
	dot.Resize(fyne.NewSize(28, 28))
	dotBox := container.NewGridWrap(fyne.NewSize(28, 28), dot)
	s.timer = widget.NewLabelWithStyle("0:00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	s.timer.SizeName = "headingText"
	s.meter = widget.NewProgressBar()
	// The words stand beside the bar, drawn once: inside it, the bar
	// would draw them afresh with every level.
	s.meter.TextFormatter = func() string { return "" }
	s.level = &levelView{timer: s.timer, meter: s.meter}
	grant, _ := s.run.Grant()
	deleteOn := wrapped(recordingDeletedOnText(consent.LongDate(grant.DeleteOn(), s.ui.opt.Location)))
	s.refreshLevel()
	return []fyne.CanvasObject{
			container.NewHBox(dotBox, headingLine(recordingHeading), s.timer),
			container.NewBorder(nil, nil, widget.NewLabel(meterText), nil, s.meter),
			deleteOn,
			wrapped(stopAnyMomentText),
		}, []fyne.CanvasObject{
			s.stopButton(),
		}
}

func (s *kioskScreen) stopButton() fyne.CanvasObject {
	s.stop = newBigButton(stopText, s.stopRecording)
	s.stop.Importance = widget.DangerImportance
	return s.stop
}

// stopRecording is the client's one tap: capture stops at once (consent
// revokes the Grant), what was recorded is kept until the client chooses.
func (s *kioskScreen) stopRecording() {
	ev := consent.Event{Kind: consent.EventWithdraw, Actor: s.roomActor(), Withdrawal: consent.WithdrawKeep}
	if err := s.run.Apply(ev); err != nil {
		s.ui.opt.Logf("stop: %v", err)
		// Even if consent or the history could not take it, the
		// microphone is off: make sure of it.
		s.run.StopCapture()
		if !isRefusal(err) {
			s.problem.SetText(s.ui.problemText(err))
		}
	}
	s.choosing = true
	s.rebuild()
	// Nothing is chosen for the client: the focus leaves "Stop recording"
	// for no answer; Tab reaches "Keep it", then the others.
	s.ui.win.Canvas().Unfocus()
}

// roomActor is who pressed a button on the client screen: the participant
// when there is one, else the therapist entering what the room said (the
// button cannot tell which of several people pressed it).
func (s *kioskScreen) roomActor() consent.Actor {
	if ps := s.run.Participants(); len(ps) == 1 {
		return consent.ByParticipant(ps[0].ID)
	}
	return consent.Therapist()
}

// choiceParts asks what happens to what was recorded.
func (s *kioskScreen) choiceParts() (text, actions []fyne.CanvasObject) {
	deleteOn := s.run.DeleteOn()
	s.keep = newBigButton(keepUntilChoice(consent.LongDate(deleteOn, s.ui.opt.Location)), func() { s.choose(consent.WithdrawKeep) })
	s.dropLast = newBigButton(deleteLastChoice(deleteLastMin), func() { s.choose(consent.WithdrawDeleteLast) })
	s.dropAll = newBigButton(deleteAllNowText, func() { s.choose(consent.WithdrawDeleteAll) })
	return []fyne.CanvasObject{
			heading(stoppedHeading),
			wrapped(whatHappensText),
		}, []fyne.CanvasObject{
			s.statusLabel(micOffText + "."),
			s.keep, s.dropLast, s.dropAll,
		}
}

// choose carries out the client's choice after a stop.
func (s *kioskScreen) choose(w consent.Withdrawal) {
	if w != consent.WithdrawKeep {
		ev := consent.Event{Kind: consent.EventWithdraw, Actor: s.roomActor(), Withdrawal: w}
		if w == consent.WithdrawDeleteLast {
			ev.DeleteMinutes = deleteLastMin
		}
		if err := s.run.Apply(ev); err != nil {
			s.ui.opt.Logf("withdraw %v: %v", w, err)
			var p *session.Problem
			switch {
			case isRefusal(err):
				s.problem.SetText(choiceNotDoneText)
				return
			case errors.As(err, &p) && p.Kind == session.KindWithdrawalOwed:
				// Stored on disk, not done yet: say so, and say it was
				// deleted only once it was (changed, when Owed turns
				// false).
				s.problem.SetText(s.ui.problemText(err))
				s.whenDone = s.choiceDone(w)
				s.choosing = false
				s.rebuild()
				return
			default:
				s.problem.SetText(s.ui.problemText(err))
				return
			}
		}
	}
	s.choosing = false
	s.rebuild()
	s.body.Add(wrapped(s.choiceDone(w)))
}

// choiceDone is the sentence confirming the client's choice after a stop,
// once storage has done it.
func (s *kioskScreen) choiceDone(w consent.Withdrawal) string {
	switch w {
	case consent.WithdrawDeleteAll:
		return allDeletedText
	case consent.WithdrawDeleteLast:
		return lastDeletedText(deleteLastMin)
	}
	return keptUntilText(consent.LongDate(s.run.DeleteOn(), s.ui.opt.Location))
}

// refreshLevel updates the timer and meter from the latest level.
func (s *kioskScreen) refreshLevel() {
	if s.level == nil {
		return
	}
	s.level.show(s.run.Level())
}

// leave asks for the passphrase before showing the therapist's screens.
func (s *kioskScreen) leave() {
	s.ui.askPassphrase(func() { s.ui.show(newSessionScreen(s.ui, s.run)) })
}

func (s *kioskScreen) statusLabel(text string) *widget.Label {
	s.status = boldWrapped(text)
	return s.status
}
