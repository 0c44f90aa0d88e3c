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
	// tx is the client's language.
	tx *clientText

	// body holds what is read (it scrolls); actions what is pressed and
	// the state of the microphone, always in view at the bottom.
	body    *fyne.Container
	actions *fyne.Container
	// large is the large type over the whole screen, refreshed after a
	// rebuild so that new widgets take it too.
	large *container.ThemeOverride
	shown consent.State // the state body was built for
	// choosing is set after a stop, until the client has chosen what
	// happens to what was recorded.
	choosing bool
	// answered holds who has said yes in this round, to show it.
	problem *widget.Label
	// whenDone is the sentence to say once an owed withdrawal is finished
	// ("Everything recorded today has been deleted."): not before.
	whenDone string

	// Widgets a test (or the level callback) reaches.
	yes, no  map[string]*bigButton
	dontAsk  map[string]*widget.Button // the client's quiet third answer
	keepIt   map[string]*bigButton     // at the end, by person
	deleteIt map[string]*bigButton
	copyOK   map[string]*widget.Check // at the end: the client may have a copy
	// copyChosen keeps each person's tick across rebuilds (another
	// person's answer rebuilds the screen).
	copyChosen map[string]bool
	pause      *bigButton
	resume     *bigButton
	askAgain   *widget.Button
	sooner     *widget.RadioGroup
	soonerBy   []soonerOption // sooner's options, in order
	status     *widget.Label
	timer      *widget.Label
	meter      *widget.ProgressBar
	level      *levelView // timer and meter, at the rate a person sees
	stop       *bigButton
	keep       *bigButton
	dropLast   *bigButton
	dropAll    *bigButton
	therapist  *widget.Button
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
	s := &kioskScreen{ui: u, run: run, tx: clientTextOf(run.Language()), body: container.NewVBox(), actions: container.NewVBox(), shown: -1, copyChosen: map[string]bool{}}
	s.problem = newProblemLabel()
	s.therapist = widget.NewButton(s.tx.ForTherapistText, s.leave)
	s.therapist.Importance = widget.LowImportance
	u.run = run
	u.watch(run, s.tx, s.changed, s.problem.SetText)
	s.rebuild()
	return s
}

func (s *kioskScreen) content() fyne.CanvasObject {
	bottom := container.NewVBox(clientColumn(container.NewVBox(s.problem, s.actions)), container.NewHBox(s.therapist))
	page := container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(clientColumn(s.body)))
	s.large = inLargeType(s.ui.app, page)
	return s.large
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
		s.restyle()
	}
}

// rebuild lays the screen out for the session's state.
func (s *kioskScreen) rebuild() {
	st := s.run.State()
	s.shown = st
	s.yes, s.no = map[string]*bigButton{}, map[string]*bigButton{}
	s.dontAsk, s.keepIt, s.deleteIt = map[string]*widget.Button{}, map[string]*bigButton{}, map[string]*bigButton{}
	s.copyOK = map[string]*widget.Check{}
	s.pause, s.resume, s.askAgain = nil, nil, nil
	var parts, actions []fyne.CanvasObject
	switch {
	case st == consent.AwaitingConsent:
		parts, actions = s.askParts()
	case st == consent.Recording:
		parts, actions = s.recordingParts()
	case s.choosing:
		parts, actions = s.choiceParts()
	case st == consent.Paused && s.run.PausedBy().Kind == consent.ActorParticipant:
		// The client's own pause: only a tap here ends it.
		s.resume = newBigButton(s.tx.ResumeText, s.resumeRecording)
		parts = []fyne.CanvasObject{heading(s.tx.PausedNowText), wrapped(s.tx.PausedOnlyHereText)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.PausedNowText), container.NewGridWithColumns(2, s.resume, s.stopButton())}
	case st == consent.Paused:
		parts = []fyne.CanvasObject{heading(s.tx.PausedHeading)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.PausedStatus), s.stopButton()}
	case st == consent.Confirming:
		parts, actions = s.endQuestionParts()
	case st == consent.Ended:
		parts = []fyne.CanvasObject{heading(s.tx.EndedHeading)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.MicOffText + ".")}
	case s.run.NotToBeAsked():
		s.askAgain = widget.NewButton(s.tx.AskAgainText, s.liftNotAsked)
		s.askAgain.Importance = widget.LowImportance
		parts = []fyne.CanvasObject{heading(s.tx.NotesOnlyHeading), wrapped(s.tx.NotAskedText), wrapped(s.tx.NotesOnlyText)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.MicOffText + "."), container.NewHBox(s.askAgain)}
	case s.run.MinorBarred():
		parts = []fyne.CanvasObject{heading(s.tx.NotesOnlyHeading), wrapped(s.tx.MinorNotRecordedText), wrapped(s.tx.NotesOnlyText)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.MicOffText + ".")}
	default:
		parts = []fyne.CanvasObject{heading(s.tx.NotesOnlyHeading), wrapped(s.tx.NotesOnlyText)}
		actions = []fyne.CanvasObject{s.statusLabel(s.tx.MicOffText + ".")}
	}
	s.body.Objects = parts
	s.body.Refresh()
	s.actions.Objects = actions
	s.actions.Refresh()
	s.restyle()
}

// restyle gives widgets added since the screen was shown the large type.
func (s *kioskScreen) restyle() {
	if s.large != nil {
		s.large.Refresh()
	}
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
		parts = append(parts, wrapped(s.tx.ReadAloudText))
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
			parts = append(parts, wrapped(s.tx.saidYesText(p.Name)))
			continue
		}
		p := p
		yes := newBigButton(s.tx.YesText, func() { s.answer(p.ID, true) })
		no := newBigButton(s.tx.NoText, func() { s.answer(p.ID, false) })
		yes.Importance, no.Importance = widget.MediumImportance, widget.MediumImportance
		s.yes[p.ID], s.no[p.ID] = yes, no
		name := boldWrapped(s.tx.personLabel(p.Name, p.Role))
		parts = append(parts, name, container.NewGridWithColumns(2, yes, no))
		if p.Role == consent.RoleClient && s.run.Method() == consent.CollectionOnScreen {
			// The quiet third answer, the client's own: smaller than the
			// two, so that it is never taken for one of them.
			quiet := widget.NewButton(s.tx.DontAskText, func() { s.notAskAgain(p.ID) })
			quiet.Importance = widget.LowImportance
			s.dontAsk[p.ID] = quiet
			parts = append(parts, container.NewHBox(quiet))
		}
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
		parts = append(parts, boldWrapped(s.tx.DeleteSoonerHeading), s.sooner)
	}
	var acts []fyne.CanvasObject
	if s.ui.mic().mic == nil {
		acts = append(acts, wrapped(s.tx.NoMicText))
	}
	return parts, append(acts, s.statusLabel(s.tx.MicOffText))
}

// soonerOptions are the deletion choices: the date shown, and each earlier
// date a yes may ask for (after 7 days, the end of today), only where it
// is earlier than the date shown. A yes with any of them is never refused.
func (s *kioskScreen) soonerOptions() []soonerOption {
	loc := s.ui.opt.Location
	shown := s.run.DeleteOn()
	opts := []soonerOption{{label: s.tx.deleteOnChoice(s.tx.longDate(shown, loc))}}
	if policy := s.run.Policy(); 7 < policy.DefaultKeepDays {
		if d := s.run.ChoiceDate(7, false); d.Before(shown) {
			opts = append(opts, soonerOption{label: s.tx.deleteSoonerDaysChoice(7, s.tx.longDate(d, loc)), keepDays: 7})
		}
	}
	if d := s.run.ChoiceDate(0, true); d.Before(shown) {
		opts = append(opts, soonerOption{label: s.tx.DeleteSoonerToday, endOfToday: true})
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
			s.problem.SetText(s.tx.AnswerNotTakenText)
			return
		}
		s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
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
	// The bar carries no text: text over a bar half filled cannot
	// contrast with both halves, and the bar would draw it afresh with
	// every level. Its words stand beside it, drawn once.
	s.meter.TextFormatter = func() string { return "" }
	s.level = &levelView{timer: s.timer, meter: s.meter}
	grant, _ := s.run.Grant()
	deleteOn := wrapped(s.tx.recordingDeletedOnText(s.tx.longDate(grant.DeleteOn(), s.ui.opt.Location)))
	s.refreshLevel()
	return []fyne.CanvasObject{
			container.NewHBox(dotBox, headingLine(s.tx.RecordingHeading), s.timer),
			container.NewBorder(nil, nil, widget.NewLabel(s.tx.MeterText), nil, s.meter),
			deleteOn,
			wrapped(s.tx.StopAnyMomentText),
		}, []fyne.CanvasObject{
			container.NewGridWithColumns(2, s.stopButton(), s.pauseButton()),
		}
}

// pauseButton is the client's own pause, beside "Stop recording".
func (s *kioskScreen) pauseButton() fyne.CanvasObject {
	s.pause = newBigButton(s.tx.PauseText, s.pauseRecording)
	return s.pause
}

// pauseRecording closes the microphone as a stop does (consent revokes
// the Grant), in the client's name: only the client screen resumes.
func (s *kioskScreen) pauseRecording() {
	s.step(consent.Event{Kind: consent.EventPause, Actor: s.clientActor()}, true)
}

// resumeRecording ends the client's pause, under a new Grant.
func (s *kioskScreen) resumeRecording() {
	s.step(consent.Event{Kind: consent.EventResume, Actor: s.clientActor()}, false)
}

// step applies a tap of the client screen and shows what is true after
// it, in the client's language; stopping makes sure the microphone is off
// whatever happened. It returns Apply's error: nil once storage has
// taken the step.
func (s *kioskScreen) step(ev consent.Event, stopping bool) error {
	err := s.run.Apply(ev)
	if err != nil {
		s.ui.opt.Logf("%s: %v", ev.Kind, err)
		if stopping {
			s.run.StopCapture()
		}
		if isRefusal(err) {
			s.problem.SetText(s.tx.NotPossibleText)
		} else {
			s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
		}
	}
	s.rebuild()
	if f := s.focus(); f != nil {
		s.ui.win.Canvas().Focus(f)
	} else {
		// The button pressed is gone; nothing is chosen for the client:
		// Tab reaches the first button of the new screen.
		s.ui.win.Canvas().Unfocus()
	}
	return err
}

// clientActor is the person the client screen's own controls (pause,
// resume) act for: the client, when one is present, so that nobody but
// them lifts their pause; else whoever is in the room.
func (s *kioskScreen) clientActor() consent.Actor {
	for _, p := range s.run.Participants() {
		if p.Role == consent.RoleClient {
			return consent.ByParticipant(p.ID)
		}
	}
	return s.roomActor()
}

// notAskAgain is the client's "please don't ask me again": no for today,
// and later sessions start as notes only.
func (s *kioskScreen) notAskAgain(participant string) {
	s.step(consent.Event{Kind: consent.EventDecline, Actor: consent.ByParticipant(participant), Participant: participant, DontAskAgain: true}, false)
}

// liftNotAsked is the client's "I'd like to be asked again".
func (s *kioskScreen) liftNotAsked() {
	// Said only once storage holds it: a flag it failed to clear would
	// start the next session as notes only again.
	if err := s.step(consent.Event{Kind: consent.EventAskAgain, Actor: s.clientActor()}, false); err == nil {
		s.body.Add(wrapped(s.tx.AskAgainDoneText))
	}
}

// endQuestionParts asks each recorded person, at the end: keep it until
// its date, or delete it now; two equal buttons, nothing preselected.
func (s *kioskScreen) endQuestionParts() (text, actions []fyne.CanvasObject) {
	date := s.tx.longDate(s.run.DeleteOn(), s.ui.opt.Location)
	parts := []fyne.CanvasObject{heading(s.tx.EndQuestionHeading), wrapped(s.tx.EndQuestionText)}
	clientRecorded := false
	for _, p := range s.run.Recorded() {
		clientRecorded = clientRecorded || p.Role == consent.RoleClient
	}
	pending := map[string]bool{}
	for _, p := range s.run.ToConfirm() {
		pending[p.ID] = true
	}
	for _, p := range s.run.Recorded() {
		if !pending[p.ID] {
			// Said only once storage holds every answer; until then the
			// problem line says what could not be saved.
			if !s.run.Owed() {
				parts = append(parts, wrapped(s.tx.saidKeepText(p.Name)))
			}
			continue
		}
		p := p
		keep := newBigButton(s.tx.KeepItText, func() { s.answerAtEnd(p.ID, consent.EventKeep) })
		drop := newBigButton(s.tx.DeleteItNowText, func() { s.answerAtEnd(p.ID, consent.EventDiscard) })
		keep.Importance, drop.Importance = widget.MediumImportance, widget.MediumImportance
		s.keepIt[p.ID], s.deleteIt[p.ID] = keep, drop
		parts = append(parts, boldWrapped(s.tx.keepQuestion(p.Name, date)), container.NewGridWithColumns(2, keep, drop))
		if clientRecorded && p.Role != consent.RoleClient {
			// Their voice is in it too: a copy for the client only with
			// their own agreement, never assumed.
			ok := widget.NewCheck(s.tx.CopyAgreeText, func(on bool) { s.copyChosen[p.ID] = on })
			ok.SetChecked(s.copyChosen[p.ID])
			s.copyOK[p.ID] = ok
			parts = append(parts, ok)
		}
	}
	return parts, []fyne.CanvasObject{s.statusLabel(s.tx.MicOffText + ".")}
}

// answerAtEnd takes one recorded person's answer at the end; once the
// question is settled, the client sees the summary.
func (s *kioskScreen) answerAtEnd(participant string, kind consent.EventKind) {
	actor := consent.ByParticipant(participant)
	if s.run.Method() == consent.CollectionReadAloud {
		actor = consent.Therapist() // entering the answer given aloud
	}
	ev := consent.Event{Kind: kind, Actor: actor, Participant: participant}
	if kind == consent.EventKeep {
		ev.ClientCopy = s.copyChosen[participant]
	}
	err := s.run.Apply(ev)
	if err != nil {
		s.ui.opt.Logf("answer at the end: %v", err)
		if isRefusal(err) {
			s.problem.SetText(s.tx.AnswerNotTakenText)
			return
		}
		s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
	}
	if s.run.State() != consent.Ended {
		s.rebuild()
		return
	}
	if s.ui.run == s.run {
		s.ui.run = nil
	}
	s.ui.show(newSummaryScreen(s.ui, s.run, err))
}

func (s *kioskScreen) stopButton() fyne.CanvasObject {
	s.stop = newBigButton(s.tx.StopText, s.stopRecording)
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
			s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
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
	s.keep = newBigButton(s.tx.keepUntilChoice(s.tx.longDate(deleteOn, s.ui.opt.Location)), func() { s.choose(consent.WithdrawKeep) })
	s.dropLast = newBigButton(s.tx.deleteLastChoice(deleteLastMin), func() { s.choose(consent.WithdrawDeleteLast) })
	s.dropAll = newBigButton(s.tx.DeleteAllNowText, func() { s.choose(consent.WithdrawDeleteAll) })
	// The choices come under the question, never where "Stop recording"
	// was: the second tap of a double tap on Stop lands on no choice.
	return []fyne.CanvasObject{
			heading(s.tx.StoppedHeading),
			wrapped(s.tx.WhatHappensText),
			s.keep, s.dropLast, s.dropAll,
		}, []fyne.CanvasObject{
			s.statusLabel(s.tx.MicOffText + "."),
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
				s.problem.SetText(s.tx.ChoiceNotDoneText)
				return
			case errors.As(err, &p) && p.Kind == session.KindWithdrawalOwed:
				// Stored on disk, not done yet: say so, and say it was
				// deleted only once it was (changed, when Owed turns
				// false).
				s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
				s.whenDone = s.choiceDone(w)
				s.choosing = false
				s.rebuild()
				return
			default:
				s.problem.SetText(s.tx.problemText(err, s.ui.opt.Location))
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
		return s.tx.AllDeletedText
	case consent.WithdrawDeleteLast:
		return s.tx.lastDeletedText(deleteLastMin)
	}
	return s.tx.keptUntilText(s.tx.longDate(s.run.DeleteOn(), s.ui.opt.Location))
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
