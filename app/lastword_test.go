package app

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// screenText is everything visible on the UI's current screen.
func screenText(f *sessionFixture) string { return strings.Join(visibleTexts(f.u.win), "\n") }

// TestEndQuestionOnTheClientScreen: after a recorded session ends, the
// client screen asks each recorded person; "Delete it now" deletes it,
// and a question closed unanswered follows the practice's rule, which the
// statement showed beforehand. (Keep is TestClientSaysYesThenStopsAndKeeps.)
func TestEndQuestionOnTheClientScreen(t *testing.T) {
	t.Run("delete", func(t *testing.T) {
		f := newSessionFixture(t)
		k := f.recording(t, time.Second)
		sum := f.endAndAnswer(t, k, consent.EventDiscard)
		recs, _ := f.db.Recordings(k.run.ID())
		if len(recs) != 1 || recs[0].State != storage.StateDeleted {
			t.Fatalf("after Delete it now: %+v", recs)
		}
		if !strings.Contains(sum.page.String(), "said delete it now") {
			t.Errorf("the receipt does not say what happened:\n%s", sum.page)
		}
	})
	for _, rule := range []string{"", session.UnansweredKeep} {
		t.Run("unanswered-"+rule, func(t *testing.T) {
			f := newSessionFixture(t)
			if rule != "" {
				if err := f.db.SetSetting(session.SettingUnanswered, rule); err != nil {
					t.Fatal(err)
				}
			}
			f.unlockPractice(t)
			k := f.startSession(t, "Anna")
			statement := screenText(f)
			wantRule := "the recording is deleted"
			if rule == session.UnansweredKeep {
				wantRule = "kept until its deletion date"
			}
			if !strings.Contains(statement, "asked again whether to keep it") || !strings.Contains(statement, wantRule) {
				t.Fatalf("the statement does not promise the question and its rule %q:\n%s", wantRule, statement)
			}
			test.Tap(k.yes[k.run.Participants()[0].ID])
			waitRecorded(t, k, time.Second)
			ss := newSessionScreen(f.u, k.run)
			f.u.show(ss)
			test.Tap(ss.end)
			if _, ok := f.u.screen.(*kioskScreen); !ok || !strings.Contains(screenText(f), appText.keepQuestion("Anna", longDate(f.u, k.run.DeleteOn()))) {
				t.Fatalf("the question at the end is not on the client screen:\n%s", screenText(f))
			}
			// Anna left. The therapist, behind the passphrase, closes it.
			ss = newSessionScreen(f.u, k.run)
			f.u.show(ss)
			if ss.end.Text != closeQuestionText(rule == session.UnansweredKeep) {
				t.Errorf("the therapist's button says %q", ss.end.Text)
			}
			test.Tap(ss.end)
			if _, ok := f.u.screen.(*summaryScreen); !ok {
				t.Fatalf("after closing the question: %T", f.u.screen)
			}
			recs, _ := f.db.Recordings(k.run.ID())
			_, openErr := f.db.OpenRecording(recs[0].ID)
			if rule == session.UnansweredKeep {
				if recs[0].State == storage.StateDeleted || openErr != nil {
					t.Errorf("kept unanswered: %s, open %v", recs[0].State, openErr)
				}
				return
			}
			if recs[0].State != storage.StateDeleted {
				t.Errorf("deleted unanswered: %s", recs[0].State)
			}
		})
	}
	t.Run("turned-off", func(t *testing.T) {
		f := newSessionFixture(t)
		if err := f.db.SetSetting(session.SettingEndQuestion, "false"); err != nil {
			t.Fatal(err)
		}
		f.unlockPractice(t)
		k := f.startSession(t, "Anna")
		if strings.Contains(screenText(f), "asked again whether to keep it") {
			t.Error("the statement promises a question the practice turned off")
		}
		test.Tap(k.yes[k.run.Participants()[0].ID])
		waitRecorded(t, k, 500*time.Millisecond)
		ss := newSessionScreen(f.u, k.run)
		f.u.show(ss)
		test.Tap(ss.end)
		if _, ok := f.u.screen.(*summaryScreen); !ok {
			t.Fatalf("without the question, End leads to %T", f.u.screen)
		}
	})
}

// TestClientPauseOnTheClientScreen: "Pause" beside "Stop recording"
// closes the microphone; the therapist cannot resume it; only a tap on
// the client screen does; the receipt shows the pause.
func TestClientPauseOnTheClientScreen(t *testing.T) {
	f := newSessionFixture(t)
	k := f.recording(t, 500*time.Millisecond)
	if k.pause == nil || !f.mic.isOpen() {
		t.Fatal("no Pause while recording, or the microphone is not open")
	}
	test.Tap(k.pause)
	if f.mic.isOpen() || k.run.Recording() {
		t.Fatal("the microphone is still open after Pause")
	}
	if k.status.Text != appText.PausedNowText || k.resume == nil {
		t.Fatalf("paused: status %q, resume %v", k.status.Text, k.resume != nil)
	}
	ss := newSessionScreen(f.u, k.run) // the therapist, after the passphrase
	f.u.show(ss)
	if ss.resume.Visible() {
		t.Error("the therapist's screen offers Resume for the client's pause")
	}
	ss.do(consent.EventResume) // even if it were reached
	if f.mic.isOpen() || k.run.State() != consent.Paused {
		t.Fatal("the therapist resumed the client's pause")
	}
	k = newKioskScreen(f.u, k.run)
	f.u.show(k)
	test.Tap(k.resume)
	if !f.mic.isOpen() || !k.run.Recording() {
		t.Fatalf("the client's Resume did not reopen the microphone (%s, problem %q)", k.run.State(), k.problem.Text)
	}
	if !strings.Contains(k.run.Receipt("").Page().String(), "Paused by Anna") {
		t.Error("the receipt does not show the pause")
	}
}

// TestDontAskAgainInTheApp: the client's quiet third answer; the next
// session starts as notes only without the question, the therapist's Ask
// only shows the client screen, and the client lifts it there.
func TestDontAskAgainInTheApp(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	k := f.startSession(t, "Anna", "Ben")
	anna := k.run.Participants()[0]
	if k.dontAsk[anna.ID] == nil || k.dontAsk[k.run.Participants()[1].ID] != nil {
		t.Fatal("the quiet third answer is not the client's alone")
	}
	test.Tap(k.dontAsk[anna.ID])
	if k.run.State() != consent.NotesOnly || f.mic.opened.Load() != 0 {
		t.Fatalf("after don't ask again: %s", k.run.State())
	}
	f.endNotesOnly(t, k)

	next := f.openSession(t, "Anna")
	if next.run.State() != consent.NotesOnly || !strings.Contains(next.state.Text, "asked not to be asked") {
		t.Fatalf("the next session: %s, %q", next.run.State(), next.state.Text)
	}
	test.Tap(next.ask)
	k, ok := f.u.screen.(*kioskScreen)
	if !ok || k.askAgain == nil || len(k.yes) != 0 || !strings.Contains(screenText(f), appText.NotAskedText) {
		t.Fatalf("Ask showed %T without the client's way back:\n%s", f.u.screen, screenText(f))
	}
	if err := k.run.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); !errors.Is(err, consent.ErrNotToBeAsked) {
		t.Fatalf("the therapist re-asked: %v", err)
	}
	test.Tap(k.askAgain)
	if k.run.NotToBeAsked() || !strings.Contains(screenText(f), appText.AskAgainDoneText) {
		t.Fatalf("the client's ask-again did not take: %q", k.problem.Text)
	}
	if c, _ := f.db.Client(k.run.Client().ID); !c.NotAskedSince.IsZero() {
		t.Error("the client's record still says don't ask")
	}
}

// TestRolesInStatementAndReceipt: an interpreter and a trainee are named
// as such in the statement and the receipt, and decide like everyone.
func TestRolesInStatementAndReceipt(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	st := f.startScreen(t)
	for i, p := range []struct {
		name string
		role consent.Role
	}{{"Anna", consent.RoleClient}, {"Maria", consent.RoleInterpreter}, {"Sam", consent.RoleTrainee}} {
		if i > 0 {
			test.Tap(st.more)
		}
		test.Type(st.rows[i].name, p.name)
		st.rows[i].role.SetSelected(p.role.String())
	}
	test.Tap(st.begin)
	ss := f.u.screen.(*sessionScreen)
	test.Tap(ss.ask)
	k := f.u.screen.(*kioskScreen)
	text := screenText(f)
	for _, want := range []string{"Maria is interpreting", "Sam, a trainee, is listening live", "Maria (interpreter)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q:\n%s", want, text)
		}
	}
	ps := k.run.Participants()
	test.Tap(k.yes[ps[0].ID])
	test.Tap(k.yes[ps[1].ID])
	if k.run.Recording() {
		t.Fatal("recording before the trainee said yes")
	}
	test.Tap(k.yes[ps[2].ID])
	waitRecorded(t, k, 300*time.Millisecond)
	sum := f.endAndAnswer(t, k, consent.EventKeep)
	page := sum.page.String()
	for _, want := range []string{"Maria (interpreter)", "Sam (trainee, listening live)", "everyone recorded said keep it"} {
		if !strings.Contains(page, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, page)
		}
	}
}

// TestMinorsOnTheStartScreen: a minor marked as deciding alone is asked
// without a guardian (kept in the client's record); with the practice's
// "never record with a minor present" the question is not shown.
func TestMinorsOnTheStartScreen(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	st := f.startScreen(t)
	test.Type(st.rows[0].name, "Mia")
	st.rows[0].role.SetSelected(consent.RoleMinor.String())
	if !st.minorAlone.Visible() {
		t.Fatal("no choice for a minor to decide alone")
	}
	st.minorAlone.SetChecked(true)
	test.Tap(st.begin)
	ss, ok := f.u.screen.(*sessionScreen)
	if !ok {
		t.Fatalf("a minor deciding alone was not started: %q", st.problem.Text)
	}
	if ps := ss.run.Participants(); !ps[0].DecidesAlone || ps[0].GuardianID != "" {
		t.Errorf("started with %+v", ps)
	}
	if c, _ := f.db.Client(ss.run.Client().ID); !c.MinorDecidesAlone {
		t.Error("not kept in the client's record")
	}
	test.Tap(ss.ask)
	if !strings.Contains(screenText(f), "Mia decides alone") {
		t.Errorf("the statement does not say so:\n%s", screenText(f))
	}
	ss = newSessionScreen(f.u, ss.run)
	f.u.show(ss)
	test.Tap(ss.end)
	test.Tap(f.u.screen.(*summaryScreen).done)

	if err := f.db.SetSetting(session.SettingNeverRecordMinors, "true"); err != nil {
		t.Fatal(err)
	}
	f.unlockPractice(t)
	st = f.startScreen(t)
	test.Type(st.rows[0].name, "Mia")
	st.rows[0].role.SetSelected(consent.RoleMinor.String())
	if !st.minorAlone.Checked {
		t.Error("the client's record did not come back on the start screen")
	}
	test.Tap(st.begin)
	next := f.u.screen.(*sessionScreen)
	if next.run.State() != consent.NotesOnly || next.ask.Visible() {
		t.Fatalf("never record minors: %s, ask visible %v", next.run.State(), next.ask.Visible())
	}
	if !strings.Contains(next.run.Receipt("").Page().String(), "does not record sessions with a minor present") {
		t.Error("the receipt does not say why")
	}
}

// TestLastWordSettings: the practice's settings are saved and make the
// policy new sessions are asked under.
func TestLastWordSettings(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	s := newSettingsScreen(f.u)
	f.u.show(s)
	if !s.endQuestion.Checked || s.unanswered.Selected != unansweredChoices[0].label || s.noMinors.Checked {
		t.Fatal("the defaults are not: ask at the end, delete unanswered, minors may be recorded")
	}
	s.unanswered.SetSelected(unansweredChoices[1].label)
	s.noMinors.SetChecked(true)
	test.Tap(s.save)
	p, err := session.PracticePolicy(f.db)
	if err != nil || !p.EndQuestion || !p.KeepUnconfirmed || !p.NeverRecordMinors {
		t.Fatalf("saved policy %+v, %v (problem %q)", p, err, s.problem.Text)
	}
	s.endQuestion.SetChecked(false)
	if !s.unanswered.Disabled() {
		t.Error("the rule for unanswered questions is offered without the question")
	}
	test.Tap(s.save)
	if p, _ := session.PracticePolicy(f.db); p.EndQuestion || p.KeepUnconfirmed {
		t.Errorf("turned off: %+v", p)
	}
}
