package consent_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/assent-recorder/assent/consent"
)

// setups bring a session of Anna and Ben to a state, by a named path.
var setups = map[string]func(t *testing.T) *consent.Session{
	"awaiting": func(t *testing.T) *consent.Session {
		return newSession(t, anna, ben)
	},
	"awaiting-asked": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0))
		return s
	},
	"awaiting-anna-said-yes": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"))
		return s
	},
	"awaiting-after-join": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(1, "b"), join(20, cleo))
		return s
	},
	"recording": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"))
		return s
	},
	"paused": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventPause, 10, consent.Therapist()))
		return s
	},
	"paused-by-ben": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventPause, 10, consent.ByParticipant("b")))
		return s
	},
	"notes": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, by(consent.EventSwitchToNotes, 0, consent.Therapist()))
		return s
	},
	"notes-declined": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), no(2, "b"))
		return s
	},
	"notes-after-recording": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventSwitchToNotes, 30, consent.Therapist()))
		return s
	},
	"confirming": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventEnd, 50, consent.Therapist()))
		return s
	},
	"confirming-anna-kept": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventEnd, 50, consent.Therapist()), keep(51, "a"))
		return s
	},
	"ended": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), yes(1, "a"), yes(2, "b"), by(consent.EventEnd, 50, consent.Therapist()), keep(51, "a"), keep(52, "b"))
		return s
	},
	"notes-not-to-be-asked": func(t *testing.T) *consent.Session {
		s := newSession(t, anna, ben)
		apply(t, s, ask(0), dontAsk(1, "a"))
		return s
	},
	"notes-started-not-asked": func(t *testing.T) *consent.Session {
		s := newSession(t, anna)
		apply(t, s, consent.Event{Kind: consent.EventSwitchToNotes, At: at(0), Actor: system, Reason: consent.ReasonNotAsked})
		return s
	},
	"awaiting-minor-barred": func(t *testing.T) *consent.Session {
		p := consent.DefaultPolicy()
		p.NeverRecordMinors = true
		s, err := consent.NewSession("s1", "client-7", []consent.Participant{dana, chris}, p, london)
		if err != nil {
			t.Fatal(err)
		}
		return s
	},
}

// effects is the part of consent.Effects a row states.
type effects struct {
	start, stop   bool
	serial        int // of the new Grant
	revoked       int
	withdrawal    consent.Withdrawal
	deleteMinutes int
	confirmed     bool // Effects.Confirmed
	dontAsk       bool // Effects.DontAskAgain
	askAgain      bool // Effects.AskAgain
}

func summarize(e consent.Effects) effects {
	return effects{
		start: e.StartCapture, stop: e.StopCapture, serial: e.Grant.Serial(), revoked: e.Revoked,
		withdrawal: e.Withdrawal, deleteMinutes: e.DeleteMinutes,
		confirmed: e.Confirmed, dontAsk: e.DontAskAgain, askAgain: e.AskAgain,
	}
}

var (
	therapist = consent.Therapist()
	system    = consent.System()
	byAnna    = consent.ByParticipant("a")
	byBen     = consent.ByParticipant("b")
	askAgain  = consent.Event{Kind: consent.EventAskAgain, Actor: byAnna}
)

// askAgainAt is Anna lifting her "don't ask me again" at minute m.
func askAgainAt(m int) consent.Event { e := askAgain; e.At = at(m); return e }

// TestTransitions is the state machine as a table: every state × every event
// kind, with extra rows where the outcome depends on how the state was
// reached or who acts. A refused event must leave the state unchanged and
// the log untouched.
func TestTransitions(t *testing.T) {
	started := func(serial int) effects { return effects{start: true, serial: serial} }
	stopped := func(serial int) effects { return effects{stop: true, revoked: serial} }
	var none effects

	rows := []struct {
		setup string
		event consent.Event
		want  consent.State
		eff   effects
		err   []error // every sentinel the error must wrap; nil means accepted
	}{
		// AwaitingConsent
		{"awaiting", ask(5), consent.AwaitingConsent, none, nil},
		{"awaiting-asked", ask(5), consent.AwaitingConsent, none, nil},
		{"awaiting", yes(5, "a"), consent.AwaitingConsent, none, []error{consent.ErrNotAsked}},
		{"awaiting-asked", yes(5, "a"), consent.AwaitingConsent, none, nil},
		{"awaiting-anna-said-yes", yes(5, "b"), consent.Recording, started(1), nil},
		{"awaiting-anna-said-yes", yes(5, "a"), consent.AwaitingConsent, none, nil},
		{"awaiting", no(5, "b"), consent.NotesOnly, none, nil},
		{"awaiting-anna-said-yes", no(5, "a"), consent.NotesOnly, none, nil},
		{"awaiting-asked", by(consent.EventPause, 5, byAnna), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-anna-said-yes", by(consent.EventResume, 5, therapist), consent.AwaitingConsent, none, []error{consent.ErrNotEveryoneConfirmed}},
		{"awaiting-asked", withdraw(5, byAnna, consent.WithdrawKeep, 0), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-after-join", withdraw(25, byAnna, consent.WithdrawDeleteAll, 0), consent.NotesOnly, effects{withdrawal: consent.WithdrawDeleteAll}, nil},
		{"awaiting-asked", by(consent.EventSwitchToNotes, 5, therapist), consent.NotesOnly, none, nil},
		{"awaiting-anna-said-yes", join(5, cleo), consent.AwaitingConsent, none, nil},
		{"awaiting-asked", by(consent.EventReAsk, 5, therapist), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-asked", by(consent.EventEnd, 5, therapist), consent.Ended, none, nil},
		{"awaiting-asked", keep(5, "a"), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-asked", discard(5, "a"), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-asked", askAgainAt(5), consent.AwaitingConsent, none, []error{consent.ErrInvalidTransition}},
		{"awaiting-asked", dontAsk(5, "a"), consent.NotesOnly, effects{dontAsk: true}, nil},
		{"awaiting-asked", dontAsk(5, "b"), consent.AwaitingConsent, none, []error{consent.ErrNotAuthorized}}, // Ben is a partner, not the client
		{"awaiting-minor-barred", ask(5), consent.AwaitingConsent, none, []error{consent.ErrMinorPresent}},
		{"awaiting-minor-barred", consent.Event{Kind: consent.EventSwitchToNotes, At: at(5), Actor: system, Reason: consent.ReasonMinorPresent}, consent.NotesOnly, none, nil},

		// Recording
		{"recording", ask(5), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", yes(5, "a"), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", no(5, "b"), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", by(consent.EventPause, 5, byBen), consent.Paused, stopped(1), nil},
		{"recording", by(consent.EventPause, 5, system), consent.Paused, stopped(1), nil},
		{"recording", by(consent.EventResume, 5, therapist), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", withdraw(5, byAnna, consent.WithdrawDeleteLast, 5), consent.NotesOnly, effects{stop: true, revoked: 1, withdrawal: consent.WithdrawDeleteLast, deleteMinutes: 5}, nil},
		{"recording", withdraw(5, therapist, consent.WithdrawKeep, 0), consent.NotesOnly, effects{stop: true, revoked: 1, withdrawal: consent.WithdrawKeep}, nil},
		{"recording", by(consent.EventSwitchToNotes, 5, therapist), consent.NotesOnly, stopped(1), nil},
		{"recording", by(consent.EventSwitchToNotes, 5, system), consent.NotesOnly, stopped(1), nil},
		{"recording", join(5, cleo), consent.AwaitingConsent, stopped(1), nil},
		{"recording", by(consent.EventReAsk, 5, therapist), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", by(consent.EventEnd, 5, therapist), consent.Confirming, stopped(1), nil},
		{"recording", keep(5, "a"), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", discard(5, "a"), consent.Recording, none, []error{consent.ErrInvalidTransition}},
		{"recording", askAgainAt(5), consent.Recording, none, []error{consent.ErrInvalidTransition}},

		// Paused
		{"paused", ask(15), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", yes(15, "a"), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", no(15, "b"), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", by(consent.EventPause, 15, byAnna), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", by(consent.EventResume, 15, therapist), consent.Recording, started(2), nil},
		{"paused", by(consent.EventResume, 15, byAnna), consent.Recording, started(2), nil},
		{"paused-by-ben", by(consent.EventResume, 15, therapist), consent.Paused, none, []error{consent.ErrNotAuthorized}},
		{"paused-by-ben", by(consent.EventResume, 15, byAnna), consent.Paused, none, []error{consent.ErrNotAuthorized}},
		{"paused-by-ben", by(consent.EventResume, 15, byBen), consent.Recording, started(2), nil},
		{"paused", withdraw(15, byBen, consent.WithdrawKeep, 0), consent.NotesOnly, effects{withdrawal: consent.WithdrawKeep}, nil},
		{"paused", by(consent.EventSwitchToNotes, 15, therapist), consent.NotesOnly, none, nil},
		{"paused", join(15, cleo), consent.AwaitingConsent, none, nil},
		{"paused", by(consent.EventReAsk, 15, therapist), consent.AwaitingConsent, none, nil},
		{"paused", by(consent.EventEnd, 15, system), consent.Confirming, none, nil},
		{"paused", keep(15, "a"), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", discard(15, "a"), consent.Paused, none, []error{consent.ErrInvalidTransition}},
		{"paused", askAgainAt(15), consent.Paused, none, []error{consent.ErrInvalidTransition}},

		// NotesOnly
		{"notes", ask(5), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-declined", ask(5), consent.NotesOnly, none, []error{consent.ErrInvalidTransition, consent.ErrDeclined}},
		{"notes-declined", yes(5, "b"), consent.NotesOnly, none, []error{consent.ErrInvalidTransition, consent.ErrDeclined}},
		{"notes", no(5, "b"), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes", by(consent.EventPause, 5, byAnna), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-after-recording", by(consent.EventResume, 35, therapist), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-declined", by(consent.EventResume, 5, therapist), consent.NotesOnly, none, []error{consent.ErrInvalidTransition, consent.ErrDeclined}},
		{"notes", withdraw(5, byAnna, consent.WithdrawDeleteAll, 0), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-after-recording", withdraw(35, byAnna, consent.WithdrawDeleteAll, 0), consent.NotesOnly, effects{withdrawal: consent.WithdrawDeleteAll}, nil},
		{"notes", by(consent.EventSwitchToNotes, 5, therapist), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes", join(5, cleo), consent.NotesOnly, none, nil},
		{"notes-declined", by(consent.EventReAsk, 5, therapist), consent.AwaitingConsent, none, nil},
		{"notes-after-recording", by(consent.EventReAsk, 35, therapist), consent.AwaitingConsent, none, nil},
		{"notes", by(consent.EventEnd, 5, therapist), consent.Ended, none, nil},
		{"notes-after-recording", by(consent.EventEnd, 35, therapist), consent.Confirming, none, nil},
		{"notes-after-recording", keep(35, "a"), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-after-recording", discard(35, "a"), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes", askAgainAt(5), consent.NotesOnly, none, []error{consent.ErrInvalidTransition}},
		{"notes-not-to-be-asked", by(consent.EventReAsk, 5, therapist), consent.NotesOnly, none, []error{consent.ErrNotToBeAsked}},
		{"notes-started-not-asked", by(consent.EventReAsk, 5, therapist), consent.NotesOnly, none, []error{consent.ErrNotToBeAsked}},
		{"notes-started-not-asked", by(consent.EventAskAgain, 5, therapist), consent.NotesOnly, none, []error{consent.ErrNotAuthorized}},
		{"notes-not-to-be-asked", by(consent.EventAskAgain, 5, byBen), consent.NotesOnly, none, []error{consent.ErrNotAuthorized}},
		{"notes-not-to-be-asked", askAgainAt(5), consent.NotesOnly, effects{askAgain: true}, nil},
		{"notes-started-not-asked", askAgainAt(5), consent.NotesOnly, effects{askAgain: true}, nil},

		// Confirming: the question at the end.
		{"confirming", ask(55), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", yes(55, "a"), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", no(55, "a"), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", by(consent.EventPause, 55, byAnna), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", by(consent.EventResume, 55, byAnna), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", withdraw(55, byAnna, consent.WithdrawDeleteAll, 0), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", by(consent.EventSwitchToNotes, 55, therapist), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", join(55, cleo), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", by(consent.EventReAsk, 55, therapist), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", askAgainAt(55), consent.Confirming, none, []error{consent.ErrInvalidTransition}},
		{"confirming", keep(55, "a"), consent.Confirming, none, nil},
		{"confirming-anna-kept", keep(55, "a"), consent.Confirming, none, []error{consent.ErrNotRecorded}},
		{"confirming-anna-kept", keep(55, "b"), consent.Ended, effects{confirmed: true}, nil},
		{"confirming-anna-kept", discard(55, "b"), consent.Ended, effects{withdrawal: consent.WithdrawDeleteAll}, nil},
		{"confirming", discard(55, "a"), consent.Ended, effects{withdrawal: consent.WithdrawDeleteAll}, nil},
		{"confirming", consent.Event{Kind: consent.EventKeep, At: at(55), Actor: byAnna, Participant: "b"}, consent.Confirming, none, []error{consent.ErrNotAuthorized}},
		{"confirming", consent.Event{Kind: consent.EventKeep, At: at(55), Actor: system, Participant: "b"}, consent.Confirming, none, []error{consent.ErrNotAuthorized}},
		{"confirming", consent.Event{Kind: consent.EventKeep, At: at(55), Actor: therapist, Participant: "b"}, consent.Confirming, none, nil}, // answered aloud
		{"confirming-anna-kept", by(consent.EventEnd, 55, therapist), consent.Ended, effects{withdrawal: consent.WithdrawDeleteAll}, nil},     // unanswered: deleted by default
		{"confirming", by(consent.EventEnd, 55, system), consent.Ended, effects{withdrawal: consent.WithdrawDeleteAll}, nil},
		{"confirming", by(consent.EventEnd, 55, byAnna), consent.Confirming, none, []error{consent.ErrNotAuthorized}},

		// Ended accepts nothing.
		{"ended", ask(60), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", yes(60, "a"), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", no(60, "a"), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", by(consent.EventPause, 60, byAnna), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", by(consent.EventResume, 60, therapist), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", withdraw(60, byAnna, consent.WithdrawDeleteAll, 0), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", by(consent.EventSwitchToNotes, 60, therapist), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", join(60, cleo), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", by(consent.EventReAsk, 60, therapist), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", by(consent.EventEnd, 60, therapist), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", keep(60, "a"), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", discard(60, "a"), consent.Ended, none, []error{consent.ErrSessionEnded}},
		{"ended", askAgainAt(60), consent.Ended, none, []error{consent.ErrSessionEnded}},
	}

	covered := map[[2]string]bool{}
	for _, r := range rows {
		s := setups[r.setup](t)
		from := s.State()
		covered[[2]string{from.String(), r.event.Kind.String()}] = true
		name := fmt.Sprintf("%s/%s_by_%s", r.setup, r.event.Kind, r.event.Actor.Kind)
		t.Run(name, func(t *testing.T) {
			before := s.Events()
			grantBefore, _ := s.Grant()
			eff, err := s.Apply(r.event)
			if got := s.State(); got != r.want {
				t.Errorf("state %s → %s, want %s", from, got, r.want)
			}
			if got := summarize(eff); got != r.eff {
				t.Errorf("effects %+v, want %+v", got, r.eff)
			}
			if eff.State != s.State() && err == nil {
				t.Errorf("Effects.State = %s, session is %s", eff.State, s.State())
			}
			if r.err == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if n := len(s.Events()); n != len(before)+1 {
					t.Errorf("log has %d events after an accepted one, had %d", n, len(before))
				}
			} else {
				for _, want := range r.err {
					if !errors.Is(err, want) {
						t.Errorf("err = %v, want it to wrap %v", err, want)
					}
				}
				if n := len(s.Events()); n != len(before) {
					t.Errorf("a refused event changed the log: %d → %d events", len(before), n)
				}
				if g, _ := s.Grant(); g != grantBefore || (g.Valid() != grantBefore.Valid()) {
					t.Errorf("a refused event changed the grant")
				}
			}
			// Capture is allowed exactly while Recording, with a Grant for this session.
			g, ok := s.Grant()
			if ok != (s.State() == consent.Recording) || ok != g.Valid() {
				t.Errorf("Grant() = valid %v, ok %v in state %s", g.Valid(), ok, s.State())
			}
			if eff.StartCapture && (eff.Grant != g || g.SessionID() != "s1") {
				t.Errorf("StartCapture with a Grant that is not the session's current one")
			}
			if grantBefore.Valid() && s.State() != consent.Recording {
				t.Errorf("the Grant of the previous segment is still valid in %s", s.State())
			}
		})
	}
	for _, st := range consent.States() {
		for _, k := range consent.EventKinds() {
			if !covered[[2]string{st.String(), k.String()}] {
				t.Errorf("no row for %s × %s", st, k)
			}
		}
	}
}

// TestAuthorization: who may cause which event, in a state where it would
// otherwise be accepted.
func TestAuthorization(t *testing.T) {
	rows := []struct {
		setup string
		event consent.Event
		ok    bool
	}{
		{"awaiting", by(consent.EventAsk, 5, byAnna), false},
		{"awaiting", by(consent.EventAsk, 5, system), false},
		{"awaiting", by(consent.EventAsk, 5, therapist), true},
		{"awaiting-asked", consent.Event{Kind: consent.EventConfirm, At: at(5), Actor: byBen, Participant: "a"}, false},
		{"awaiting-asked", consent.Event{Kind: consent.EventConfirm, At: at(5), Actor: system, Participant: "a"}, false},
		{"awaiting-asked", consent.Event{Kind: consent.EventConfirm, At: at(5), Actor: therapist, Participant: "a"}, true}, // read aloud
		{"awaiting-asked", consent.Event{Kind: consent.EventDecline, At: at(5), Actor: byAnna, Participant: "b"}, false},
		{"awaiting-asked", consent.Event{Kind: consent.EventDecline, At: at(5), Actor: system, Participant: "b"}, false},
		{"awaiting-asked", consent.Event{Kind: consent.EventDecline, At: at(5), Actor: therapist, Participant: "b"}, true},
		{"recording", by(consent.EventPause, 5, therapist), true},
		{"recording", by(consent.EventPause, 5, byAnna), true},
		{"paused", by(consent.EventResume, 15, system), false},
		{"recording", withdraw(5, system, consent.WithdrawKeep, 0), false},
		{"recording", withdraw(5, byBen, consent.WithdrawDeleteAll, 0), true},
		{"recording", by(consent.EventSwitchToNotes, 5, byAnna), false},
		{"recording", join(5, cleo), true},
		{"recording", consent.Event{Kind: consent.EventJoin, At: at(5), Actor: byAnna, Joiner: &cleo}, false},
		{"recording", consent.Event{Kind: consent.EventJoin, At: at(5), Actor: system, Joiner: &cleo}, false},
		{"notes", by(consent.EventReAsk, 5, byAnna), false},
		{"notes", by(consent.EventReAsk, 5, system), false},
		{"recording", by(consent.EventEnd, 5, byAnna), false},
		{"recording", by(consent.EventEnd, 5, system), true},
	}
	for _, r := range rows {
		t.Run(fmt.Sprintf("%s/%s_by_%s", r.setup, r.event.Kind, r.event.Actor.Kind), func(t *testing.T) {
			s := setups[r.setup](t)
			_, err := s.Apply(r.event)
			if r.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !r.ok && !errors.Is(err, consent.ErrNotAuthorized) {
				t.Errorf("err = %v, want ErrNotAuthorized", err)
			}
		})
	}
}

func TestOneNoIsNo(t *testing.T) {
	s := newSession(t, anna, ben, cleo)
	apply(t, s, ask(0), yes(1, "a"), yes(2, "b"))
	eff := apply(t, s, no(3, "c"))
	if s.State() != consent.NotesOnly || eff.StartCapture {
		t.Fatalf("after a no: %s, start %v", s.State(), eff.StartCapture)
	}
	if _, ok := s.Grant(); ok {
		t.Fatal("a Grant exists after a no")
	}
	if _, err := s.Apply(yes(4, "c")); !errors.Is(err, consent.ErrDeclined) {
		t.Fatalf("changing one's mind without a re-ask: %v, want ErrDeclined", err)
	}
	// Re-asked, the earlier yeses do not count: everyone answers afresh.
	apply(t, s, by(consent.EventReAsk, 10, therapist), yes(11, "c"), yes(12, "a"))
	if s.State() != consent.AwaitingConsent {
		t.Fatalf("recording with Ben's yes from before the no: %s", s.State())
	}
	if got := s.Pending(); len(got) != 1 || got[0].ID != "b" {
		t.Fatalf("Pending = %v, want Ben", got)
	}
	eff = apply(t, s, yes(13, "b"))
	if !eff.StartCapture || !slices.Equal(eff.Grant.ConfirmedBy(), []string{"a", "b", "c"}) {
		t.Fatalf("after everyone said yes again: start %v, confirmed by %v", eff.StartCapture, eff.Grant.ConfirmedBy())
	}
}

func TestMinorNeedsGuardian(t *testing.T) {
	t.Run("ErrGuardianRequired", func(t *testing.T) {
		cases := map[string][]consent.Participant{
			"no guardian named":       {anna, {ID: "m", Name: "Chris", Role: consent.RoleMinor}},
			"guardian not present":    {anna, chris},
			"guardian is not a guard": {{ID: "g", Name: "Dana", Role: consent.RoleFamily}, chris},
			"own guardian":            {anna, {ID: "m", Name: "Chris", Role: consent.RoleMinor, GuardianID: "m"}},
		}
		for name, ps := range cases {
			if _, err := consent.NewSession("s1", "c", ps, consent.DefaultPolicy(), london); !errors.Is(err, consent.ErrGuardianRequired) {
				t.Errorf("%s: err = %v", name, err)
			}
		}
		s := newSession(t, anna)
		if _, err := s.Apply(join(5, chris)); !errors.Is(err, consent.ErrGuardianRequired) {
			t.Errorf("a minor joins without their guardian: %v", err)
		}
		apply(t, s, join(6, dana), join(7, chris))
		if n := len(s.Participants()); n != 3 {
			t.Errorf("after the guardian and then the minor joined: %d participants", n)
		}
	})
	t.Run("both must say yes", func(t *testing.T) {
		s := newSession(t, dana, chris)
		apply(t, s, ask(0), yes(1, "m"))
		if s.State() != consent.AwaitingConsent {
			t.Fatalf("recording on a minor's assent alone: %s", s.State())
		}
		eff := apply(t, s, yes(2, "g"))
		if !eff.StartCapture || !slices.Equal(eff.Grant.ConfirmedBy(), []string{"g", "m"}) {
			t.Fatalf("confirmed by %v", eff.Grant.ConfirmedBy())
		}
	})
	t.Run("the minor's no is no", func(t *testing.T) {
		s := newSession(t, dana, chris)
		apply(t, s, ask(0), yes(1, "g"), no(2, "m"))
		if s.State() != consent.NotesOnly {
			t.Fatalf("state %s after the minor said no", s.State())
		}
	})
	t.Run("a guardian cannot answer for the minor", func(t *testing.T) {
		s := newSession(t, dana, chris)
		apply(t, s, ask(0))
		e := yes(1, "m")
		e.Actor = consent.ByParticipant("g")
		if _, err := s.Apply(e); !errors.Is(err, consent.ErrNotAuthorized) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestJoinStopsCaptureUntilEveryoneConfirms(t *testing.T) {
	s := newSession(t, anna, ben)
	first := apply(t, s, ask(0), yes(1, "a"), yes(2, "b")).Grant
	copyHeldByRecorder := first
	eff := apply(t, s, join(20, cleo))
	if !eff.StopCapture || eff.Revoked != 1 || copyHeldByRecorder.Valid() || s.State() != consent.AwaitingConsent {
		t.Fatalf("join: stop %v revoked %d valid %v state %s", eff.StopCapture, eff.Revoked, copyHeldByRecorder.Valid(), s.State())
	}
	if _, err := s.Apply(by(consent.EventResume, 21, therapist)); !errors.Is(err, consent.ErrNotEveryoneConfirmed) {
		t.Fatalf("resume with a newcomer who has not answered: %v", err)
	}
	if _, err := s.Apply(yes(21, "c")); !errors.Is(err, consent.ErrNotAsked) {
		t.Fatalf("a yes before the question was put to the newcomer: %v", err)
	}
	apply(t, s, ask(22), yes(23, "c"), yes(24, "a"))
	if s.State() != consent.AwaitingConsent {
		t.Fatalf("recording before Ben answered again: %s", s.State())
	}
	eff = apply(t, s, yes(25, "b"))
	g := eff.Grant
	if g.Serial() != 2 || !slices.Equal(g.ConfirmedBy(), []string{"a", "b", "c"}) || !g.Valid() || first.Valid() {
		t.Fatalf("second grant: serial %d by %v valid %v; first valid %v", g.Serial(), g.ConfirmedBy(), g.Valid(), first.Valid())
	}
}

func TestResumeMakesANewGrant(t *testing.T) {
	s := newSession(t, anna)
	g1 := apply(t, s, ask(0), yes(1, "a")).Grant
	apply(t, s, by(consent.EventPause, 10, byAnna))
	if g1.Valid() {
		t.Fatal("paused, yet the Grant is valid")
	}
	g2 := apply(t, s, by(consent.EventResume, 12, byAnna)).Grant
	if !g2.Valid() || g1.Valid() || g2.Serial() != 2 || g2 == g1 {
		t.Fatalf("g1 valid %v; g2 valid %v serial %d", g1.Valid(), g2.Valid(), g2.Serial())
	}
	if !g2.DeleteOn().Equal(g1.DeleteOn()) || !slices.Equal(g2.ConfirmedBy(), g1.ConfirmedBy()) {
		t.Fatalf("resume changed what the consent was: %v/%v, %v/%v", g1.DeleteOn(), g2.DeleteOn(), g1.ConfirmedBy(), g2.ConfirmedBy())
	}
	if !g2.GrantedAt().Equal(at(12)) || !g1.GrantedAt().Equal(at(1)) {
		t.Fatalf("granted at %v and %v", g1.GrantedAt(), g2.GrantedAt())
	}
}

func TestGrantCarriesTheConsent(t *testing.T) {
	p := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 14, SupervisionExport: true}
	s, err := consent.NewSession("s9", "client", []consent.Participant{anna}, p, london)
	if err != nil {
		t.Fatal(err)
	}
	g := apply(t, s, ask(0), yes(1, "a")).Grant
	if g.SessionID() != "s9" || !g.Covers(consent.PurposeSupervision) || !g.ExportAllowed() || g.Covers("marketing") {
		t.Fatalf("session %q, covers supervision %v, export %v", g.SessionID(), g.Covers(consent.PurposeSupervision), g.ExportAllowed())
	}
	if got := g.Purposes(); len(got) != 3 || got[2].ID != consent.PurposeTraining {
		t.Fatalf("purposes %v", got)
	}
	// The Grant's slices are its own.
	g.Purposes()[0].Text = "changed"
	g.ConfirmedBy()[0] = "changed"
	if g.Purposes()[0].Text == "changed" || g.ConfirmedBy()[0] == "changed" {
		t.Fatal("a Grant's contents can be changed through its accessors")
	}

	noExport := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 14}
	s, _ = consent.NewSession("s10", "client", []consent.Participant{anna}, noExport, london)
	if g := apply(t, s, ask(0), yes(1, "a")).Grant; g.ExportAllowed() {
		t.Fatal("export allowed though the policy did not offer it")
	}
}

func TestZeroGrantIsInvalid(t *testing.T) {
	var g consent.Grant
	if g.Valid() || g.Serial() != 0 || g.SessionID() != "" || g.ConfirmedBy() != nil || g.Purposes() != nil ||
		!g.DeleteOn().IsZero() || !g.GrantedAt().IsZero() || g.Covers(consent.PurposeReflection) || g.ExportAllowed() {
		t.Fatal("the zero Grant grants something")
	}
}

// TestGrantRevocationIsSeenByAnotherGoroutine is the audio path: a recorder
// polls Valid on every frame while the session is paused from the UI.
func TestGrantRevocationIsSeenByAnotherGoroutine(t *testing.T) {
	s := newSession(t, anna)
	g := apply(t, s, ask(0), yes(1, "a")).Grant
	stopped := make(chan int)
	go func(g consent.Grant) {
		frames := 0
		for g.Valid() {
			frames++
		}
		stopped <- frames
	}(g)
	apply(t, s, by(consent.EventPause, 2, byAnna))
	<-stopped // hangs (and the test times out) if the revocation is not seen
}

func TestRefusedEventLeavesNoTrace(t *testing.T) {
	s := newSession(t, anna, ben)
	apply(t, s, ask(0), yes(1, "a"))
	before, deleteOn, pending := s.Events(), s.DeleteOn(), s.Pending()
	bad := []consent.Event{
		{Kind: consent.EventConfirm, At: at(2), Actor: consent.ByParticipant("x"), Participant: "x"}, // unknown
		{Kind: consent.EventConfirm, At: at(2), Actor: therapist, Participant: "x"},                  // unknown
		{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", KeepDays: 29},        // longer than the default
		{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", KeepDays: 91},        // out of range
		{Kind: consent.EventConfirm, Actor: byBen, Participant: "b"},                                 // no time
		{Kind: consent.EventPause, At: at(2), Actor: byBen},                                          // nothing to pause
		{Kind: consent.EventJoin, At: at(2), Actor: therapist, Joiner: &anna},                        // already present
		{Kind: 0, At: at(2), Actor: therapist},
	}
	for _, e := range bad {
		if _, err := s.Apply(e); err == nil || !isSentinel(err) {
			t.Errorf("%+v: err = %v", e, err)
		}
	}
	if !slices.EqualFunc(before, s.Events(), eventsEqual) || !s.DeleteOn().Equal(deleteOn) || len(s.Pending()) != len(pending) || s.State() != consent.AwaitingConsent {
		t.Fatal("refused events changed the session")
	}
	if _, err := s.Apply(bad[2]); !errors.Is(err, consent.ErrKeepDaysOutOfRange) {
		t.Errorf("keep longer than the default: %v", err)
	}
	if _, err := s.Apply(bad[0]); !errors.Is(err, consent.ErrUnknownParticipant) {
		t.Errorf("unknown participant: %v", err)
	}
	if _, err := s.Apply(bad[6]); !errors.Is(err, consent.ErrInvalidParticipant) {
		t.Errorf("duplicate joiner: %v", err)
	}
}

func eventsEqual(a, b consent.Event) bool {
	x, err1 := consent.MarshalEvent(a)
	y, err2 := consent.MarshalEvent(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

func TestEventsIsACopy(t *testing.T) {
	s := newSession(t, anna)
	apply(t, s, join(0, ben))
	got := s.Events()
	got[0].Kind = consent.EventEnd
	got[0].Joiner.Name = "Mallory"
	again := s.Events()
	if again[0].Kind != consent.EventJoin || again[0].Joiner.Name != "Ben" {
		t.Fatal("the log changed through the slice Events returned")
	}
	ps := s.Participants()
	ps[0].Name = "Mallory"
	if s.Participants()[0].Name != "Anna" {
		t.Fatal("participants changed through the slice Participants returned")
	}
	// And the joiner given to Apply is copied too.
	j := cleo
	e := join(1, j)
	apply(t, s, e)
	e.Joiner.Name = "Mallory"
	if s.Participants()[2].Name != "Cleo" || s.Events()[1].Joiner.Name != "Cleo" {
		t.Fatal("the caller's Joiner is aliased by the session")
	}
}

func TestReplay(t *testing.T) {
	s := newSession(t, anna, ben)
	apply(t, s, ask(0), yes(1, "a"), consent.Event{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", KeepDays: 7},
		by(consent.EventPause, 10, byBen), by(consent.EventResume, 11, byBen), join(20, cleo), ask(21))
	r, err := consent.Replay("s1", "client-7", []consent.Participant{anna, ben}, consent.DefaultPolicy(), london, s.Events())
	if err != nil {
		t.Fatal(err)
	}
	if r.State() != s.State() || !r.DeleteOn().Equal(s.DeleteOn()) || len(r.Participants()) != 3 || !slices.EqualFunc(r.Events(), s.Events(), eventsEqual) {
		t.Fatalf("replayed: %s %v %d; original: %s %v", r.State(), r.DeleteOn(), len(r.Participants()), s.State(), s.DeleteOn())
	}
	// A log that was not produced by the machine is refused, with its index.
	bad := append(s.Events(), by(consent.EventResume, 30, therapist))
	if _, err := consent.Replay("s1", "client-7", []consent.Participant{anna, ben}, consent.DefaultPolicy(), london, bad); !errors.Is(err, consent.ErrNotEveryoneConfirmed) {
		t.Fatalf("replaying a resume while awaiting consent: %v", err)
	}
}

func TestNewSessionRefuses(t *testing.T) {
	p := consent.DefaultPolicy()
	cases := []struct {
		name   string
		id     string
		client string
		ps     []consent.Participant
		policy consent.Policy
		loc    bool
		want   error
	}{
		{"no ID", "", "c", []consent.Participant{anna}, p, true, consent.ErrInvalidSession},
		{"no client", "s", " ", []consent.Participant{anna}, p, true, consent.ErrInvalidSession},
		{"no location", "s", "c", []consent.Participant{anna}, p, false, consent.ErrInvalidSession},
		{"nobody", "s", "c", nil, p, true, consent.ErrInvalidSession},
		{"duplicate", "s", "c", []consent.Participant{anna, anna}, p, true, consent.ErrInvalidParticipant},
		{"no name", "s", "c", []consent.Participant{{ID: "x", Role: consent.RoleClient}}, p, true, consent.ErrInvalidParticipant},
		{"no role", "s", "c", []consent.Participant{{ID: "x", Name: "X"}}, p, true, consent.ErrInvalidParticipant},
		{"non-UTF-8", "s", "c", []consent.Participant{{ID: "x\xff", Name: "X", Role: consent.RoleClient}}, p, true, consent.ErrInvalidParticipant},
		{"guardian on a non-minor", "s", "c", []consent.Participant{dana, {ID: "a", Name: "A", Role: consent.RoleClient, GuardianID: "g"}}, p, true, consent.ErrInvalidParticipant},
		{"bad policy", "s", "c", []consent.Participant{anna}, consent.Policy{DefaultKeepDays: 91, Purposes: p.Purposes}, true, consent.ErrKeepDaysOutOfRange},
	}
	for _, c := range cases {
		loc := london
		if !c.loc {
			loc = nil
		}
		s, err := consent.NewSession(c.id, c.client, c.ps, c.policy, loc)
		if !errors.Is(err, c.want) || s != nil {
			t.Errorf("%s: session %v, err %v, want %v", c.name, s != nil, err, c.want)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	std := consent.StandardPurposes()
	custom := consent.Purpose{ID: consent.PurposeCustom, Text: "to write a case study", Listeners: "your therapist"}
	cases := []struct {
		name string
		p    consent.Policy
		want error
	}{
		{"default", consent.DefaultPolicy(), nil},
		{"all standard and two custom", consent.Policy{Purposes: append(slices.Clone(std), custom, custom), DefaultKeepDays: 90, SupervisionExport: true}, nil},
		{"one day", consent.Policy{Purposes: std[:1], DefaultKeepDays: 1}, nil},
		{"zero days", consent.Policy{Purposes: std[:1]}, consent.ErrKeepDaysOutOfRange},
		{"91 days", consent.Policy{Purposes: std[:1], DefaultKeepDays: 91}, consent.ErrKeepDaysOutOfRange},
		{"no purpose", consent.Policy{DefaultKeepDays: 28}, consent.ErrInvalidPolicy},
		{"unknown purpose", consent.Policy{Purposes: []consent.Purpose{{ID: "marketing", Text: "t", Listeners: "l"}}, DefaultKeepDays: 28}, consent.ErrInvalidPolicy},
		{"twice reflection", consent.Policy{Purposes: []consent.Purpose{std[0], std[0]}, DefaultKeepDays: 28}, consent.ErrInvalidPolicy},
		{"no listeners", consent.Policy{Purposes: []consent.Purpose{{ID: consent.PurposeCustom, Text: "t", Listeners: "  "}}, DefaultKeepDays: 28}, consent.ErrInvalidPolicy},
		{"export without supervision", consent.Policy{Purposes: std[:1], DefaultKeepDays: 28, SupervisionExport: true}, consent.ErrInvalidPolicy},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if d := consent.DefaultPolicy(); d.DefaultKeepDays != 28 || len(d.Purposes) != 1 || d.Purposes[0].ID != "reflection" || d.SupervisionExport {
		t.Errorf("DefaultPolicy = %+v", d)
	}
}

func TestPolicyIsCopied(t *testing.T) {
	p := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 28}
	s, err := consent.NewSession("s", "c", []consent.Participant{anna}, p, london)
	if err != nil {
		t.Fatal(err)
	}
	p.Purposes[0].Listeners = "everyone on the internet"
	s.Policy().Purposes[0].Listeners = "everyone on the internet"
	if got := s.Policy().Purposes[0].Listeners; got != "only your therapist" {
		t.Fatalf("the session's policy changed from outside: %q", got)
	}
}

func TestNilSessionIsSafe(t *testing.T) {
	var s *consent.Session
	if _, err := s.Apply(ask(0)); !errors.Is(err, consent.ErrInvalidSession) {
		t.Errorf("Apply on nil: %v", err)
	}
	if _, ok := s.Grant(); ok || s.Events() != nil || s.Participants() != nil || !s.DeleteOn().IsZero() || s.ID() != "" || s.Pending() != nil {
		t.Error("a nil session has content")
	}
	_ = s.State()
	_ = s.Statement()
	_ = s.Receipt(consent.CollectionOnScreen, "x").Page()
	if _, err := s.Receipt(consent.CollectionOnScreen, "x").KantaraJSON(); !errors.Is(err, consent.ErrBadReceipt) {
		t.Errorf("receipt of nothing: %v", err)
	}
}

func TestNames(t *testing.T) {
	roles := map[consent.Role]string{
		consent.RoleClient: "client", consent.RolePartner: "partner", consent.RoleFamily: "family member",
		consent.RoleGuardian: "guardian", consent.RoleMinor: "minor", consent.RoleInterpreter: "interpreter",
		consent.RoleTrainee: "trainee, listening live", consent.RoleObserver: "observer, listening live",
	}
	if len(consent.Roles()) != len(roles) {
		t.Errorf("%d roles, %d named here", len(consent.Roles()), len(roles))
	}
	for r, want := range roles {
		if r.String() != want {
			t.Errorf("%d: %q, want %q", int(r), r.String(), want)
		}
	}
	kinds := []string{"ask", "confirm", "decline", "pause", "resume", "withdraw", "switch-to-notes", "join", "re-ask", "end", "keep", "discard", "ask-again"}
	got := consent.EventKinds()
	if len(got) != len(kinds) {
		t.Fatalf("%d kinds", len(got))
	}
	for i, k := range got {
		if k.String() != kinds[i] {
			t.Errorf("kind %d is %q, want %q", i, k, kinds[i])
		}
		if p, err := consent.ParseEventKind(kinds[i]); err != nil || p != k {
			t.Errorf("ParseEventKind(%q) = %v, %v", kinds[i], p, err)
		}
	}
	for _, s := range []string{"", "Confirm", "confirm ", "EventConfirm", "0"} {
		if _, err := consent.ParseEventKind(s); !errors.Is(err, consent.ErrBadEvent) {
			t.Errorf("ParseEventKind(%q): %v", s, err)
		}
	}
	if consent.CollectionOnScreen.String() != "on screen, in the room" || consent.CollectionReadAloud.String() != "read aloud by the therapist, answered aloud" {
		t.Error("collection method words")
	}
	states := []string{"awaiting-consent", "recording", "paused", "notes-only", "ended", "confirming"}
	for i, st := range consent.States() {
		if st.String() != states[i] {
			t.Errorf("state %d is %q", i, st)
		}
	}
}

// TestMinorsNoAlwaysWins: a minor who decides alone is asked without a
// guardian; a guardian present decides for their own voice only; the
// minor's no, before or at the end, wins over every yes and keep.
func TestMinorsNoAlwaysWins(t *testing.T) {
	if _, err := consent.NewSession("s", "c", []consent.Participant{mia}, consent.DefaultPolicy(), london); err != nil {
		t.Fatalf("a minor who decides alone needs no guardian: %v", err)
	}
	withGuardian := mia
	withGuardian.GuardianID = "g"
	if _, err := consent.NewSession("s", "c", []consent.Participant{dana, withGuardian}, consent.DefaultPolicy(), london); !errors.Is(err, consent.ErrInvalidParticipant) {
		t.Errorf("a minor who decides alone with a guardian to ask: %v", err)
	}
	if _, err := consent.NewSession("s", "c", []consent.Participant{{ID: "x", Name: "X", Role: consent.RoleClient, DecidesAlone: true}}, consent.DefaultPolicy(), london); !errors.Is(err, consent.ErrInvalidParticipant) {
		t.Errorf("an adult marked as deciding alone: %v", err)
	}

	s := newSession(t, dana, mia)
	apply(t, s, ask(0), yes(1, "g"))
	if _, err := s.Apply(consent.Event{Kind: consent.EventConfirm, At: at(2), Actor: consent.ByParticipant("g"), Participant: "n"}); !errors.Is(err, consent.ErrNotAuthorized) {
		t.Errorf("the guardian answered for the minor: %v", err)
	}
	apply(t, s, no(2, "n"))
	if s.State() != consent.NotesOnly {
		t.Fatalf("after the minor's no: %s", s.State())
	}

	s = newSession(t, dana, chris) // needs a guardian: both asked
	apply(t, s, ask(0), yes(1, "g"))
	if s.State() != consent.AwaitingConsent {
		t.Fatalf("the guardian's yes alone started %s", s.State())
	}
	apply(t, s, yes(2, "m"), by(consent.EventEnd, 30, therapist), keep(31, "g"))
	eff := apply(t, s, discard(32, "m"))
	if eff.Withdrawal != consent.WithdrawDeleteAll || eff.Confirmed || s.Unconfirmed() {
		t.Errorf("the minor's delete at the end after the guardian's keep: %+v", eff)
	}

	if err := dontAsk(1, "a").Validate(); err != nil {
		t.Errorf("the client's own don't-ask-again: %v", err)
	}
	aloud := dontAsk(1, "a")
	aloud.Actor = therapist
	if err := aloud.Validate(); !errors.Is(err, consent.ErrBadEvent) {
		t.Errorf("don't-ask-again entered by the therapist: %v", err)
	}
}

// TestClientCopyAgreed: a copy for the client only once confirmed, and
// only when every other voice recorded agreed to it at the end.
func TestClientCopyAgreed(t *testing.T) {
	alone := newSession(t, anna)
	apply(t, alone, ask(0), yes(1, "a"), by(consent.EventEnd, 30, therapist))
	if alone.ClientCopyAgreed() {
		t.Error("a copy before the client kept it")
	}
	apply(t, alone, keep(31, "a"))
	if !alone.ClientCopyAgreed() {
		t.Error("no copy for a client recorded alone")
	}
	for _, benAgrees := range []bool{false, true} {
		s := newSession(t, anna, ben)
		benKeeps := keep(32, "b")
		benKeeps.ClientCopy = benAgrees
		apply(t, s, ask(0), yes(1, "a"), yes(1, "b"), by(consent.EventEnd, 30, therapist), keep(31, "a"), benKeeps)
		if s.ClientCopyAgreed() != benAgrees {
			t.Errorf("Ben agreed %v, copy %v", benAgrees, s.ClientCopyAgreed())
		}
	}
	bad := keep(1, "a")
	bad.Kind = consent.EventConfirm
	bad.ClientCopy = true
	if err := bad.Validate(); !errors.Is(err, consent.ErrBadEvent) {
		t.Errorf("a copy agreed on a yes: %v", err)
	}
}
