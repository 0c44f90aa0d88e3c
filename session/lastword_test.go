package session_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

func answerAtEnd(s *session.Session, kind consent.EventKind, p consent.Participant) error {
	return s.Apply(consent.Event{Kind: kind, Actor: consent.ByParticipant(p.ID), Participant: p.ID})
}

// playable reports whether each recording of the session may be played,
// asked of session (MayPlay) and of storage (OpenRecording), which must
// agree.
func (f *fixture) playable(s *session.Session) (n int) {
	f.t.Helper()
	recs, err := f.db.Recordings(s.ID())
	if err != nil || len(recs) == 0 {
		f.t.Fatalf("recordings %v, %v", recs, err)
	}
	for _, rec := range recs {
		mayErr := session.MayPlay(f.db, rec)
		r, openErr := f.db.OpenRecording(rec.ID)
		if openErr == nil {
			io.Copy(io.Discard, r)
			r.Close()
		}
		if (mayErr == nil) != (openErr == nil) {
			f.t.Fatalf("MayPlay %v but OpenRecording %v", mayErr, openErr)
		}
		if mayErr == nil {
			n++
		}
	}
	return n
}

// TestEndQuestion: what was recorded is unconfirmed, in session and in
// storage, until everyone recorded says keep; one delete deletes it all;
// closed unanswered, the practice's rule decides.
func TestEndQuestion(t *testing.T) {
	t.Run("keep", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna", "Ben")
		f.record(s, time.Second)
		if err := s.End(consent.Therapist()); err != nil {
			t.Fatal(err)
		}
		if s.State() != consent.Confirming || s.Recording() || len(s.ToConfirm()) != 2 {
			t.Fatalf("after the end: %s, recording %v, to confirm %v", s.State(), s.Recording(), s.ToConfirm())
		}
		recs, _ := f.db.Recordings(s.ID())
		if err := session.MayPlay(f.db, recs[0]); !errors.Is(err, storage.ErrUnconfirmed) {
			t.Errorf("MayPlay before any answer: %v", err)
		}
		if err := session.MayExport(f.db, recs[0]); !errors.Is(err, storage.ErrUnconfirmed) {
			t.Errorf("MayExport before any answer: %v", err)
		}
		if n := f.playable(s); n != 0 {
			t.Fatalf("%d playable before anyone answered", n)
		}
		people := s.Participants()
		if err := answerAtEnd(s, consent.EventKeep, people[0]); err != nil {
			t.Fatal(err)
		}
		if n := f.playable(s); n != 0 {
			t.Fatalf("%d playable with one keep of two", n)
		}
		if err := answerAtEnd(s, consent.EventKeep, people[1]); err != nil {
			t.Fatal(err)
		}
		if s.State() != consent.Ended || s.Unconfirmed() || f.playable(s) != 1 {
			t.Fatalf("after both kept: %s, unconfirmed %v", s.State(), s.Unconfirmed())
		}
		if ss, _ := f.db.Session(s.ID()); ss.Confirmation != storage.ConfirmationKept {
			t.Errorf("stored confirmation %q", ss.Confirmation)
		}
	})
	t.Run("delete", func(t *testing.T) {
		f := newFixture(t)
		s := f.start("Anna", "Ben")
		f.record(s, time.Second)
		s.End(consent.Therapist())
		people := s.Participants()
		answerAtEnd(s, consent.EventKeep, people[0])
		if err := answerAtEnd(s, consent.EventDiscard, people[1]); err != nil {
			t.Fatal(err)
		}
		recs, _ := f.db.Recordings(s.ID())
		if len(recs) != 1 || recs[0].State != storage.StateDeleted {
			t.Fatalf("after one delete: %+v", recs)
		}
		if ss, _ := f.db.Session(s.ID()); ss.Confirmation != storage.ConfirmationDeleted {
			t.Errorf("stored confirmation %q", ss.Confirmation)
		}
	})
	for _, rule := range []string{"", session.UnansweredDelete, session.UnansweredKeep} {
		t.Run("unanswered-"+rule, func(t *testing.T) {
			f := newFixture(t)
			if rule != "" {
				if err := f.db.SetSetting(session.SettingUnanswered, rule); err != nil {
					t.Fatal(err)
				}
			}
			s := f.start("Anna")
			f.record(s, time.Second)
			s.End(consent.Therapist())
			if err := s.End(consent.System()); err != nil { // they left: the app closes the question
				t.Fatal(err)
			}
			recs, _ := f.db.Recordings(s.ID())
			ss, _ := f.db.Session(s.ID())
			if rule == session.UnansweredKeep {
				if recs[0].State == storage.StateDeleted || ss.Confirmation != storage.ConfirmationKeptUnanswered || f.playable(s) != 1 {
					t.Errorf("kept unanswered: %+v, %q", recs[0], ss.Confirmation)
				}
				return
			}
			if recs[0].State != storage.StateDeleted || ss.Confirmation != storage.ConfirmationDeletedUnanswered {
				t.Errorf("deleted unanswered: %s, %q", recs[0].State, ss.Confirmation)
			}
		})
	}
	t.Run("turned-off", func(t *testing.T) {
		f := newFixture(t)
		if err := f.db.SetSetting(session.SettingEndQuestion, "false"); err != nil {
			t.Fatal(err)
		}
		s := f.start("Anna")
		f.record(s, time.Second)
		s.End(consent.Therapist())
		if s.State() != consent.Ended || f.playable(s) != 1 {
			t.Errorf("without the end question: %s", s.State())
		}
	})
}

// TestClientPause: the client's pause closes the microphone as a stop
// does; only the client resumes it.
func TestClientPause(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	f.record(s, time.Second)
	g, _ := s.Grant()
	anna := s.Participants()[0]
	if err := s.Apply(consent.Event{Kind: consent.EventPause, Actor: consent.ByParticipant(anna.ID)}); err != nil {
		t.Fatal(err)
	}
	if s.Recording() || g.Valid() || s.State() != consent.Paused {
		t.Fatalf("paused: recording %v, grant %v, %s", s.Recording(), g.Valid(), s.State())
	}
	if err := s.Apply(consent.Event{Kind: consent.EventResume, Actor: consent.Therapist()}); !errors.Is(err, consent.ErrNotAuthorized) {
		t.Fatalf("the therapist resumed the client's pause: %v", err)
	}
	if s.Recording() {
		t.Fatal("recording after a refused resume")
	}
	if err := s.Apply(consent.Event{Kind: consent.EventResume, Actor: consent.ByParticipant(anna.ID)}); err != nil {
		t.Fatal(err)
	}
	if !s.Recording() {
		t.Fatal("the client's resume did not restart capture")
	}
	if recs, _ := f.db.Recordings(s.ID()); len(recs) != 2 {
		t.Errorf("%d recordings, want one per stretch", len(recs))
	}
	page := s.Receipt("practice").Page().String()
	if !contains(page, "Paused by Anna", "nothing captured") {
		t.Errorf("the receipt does not show the pause:\n%s", page)
	}
}

// TestDontAskAgain: the client's quiet third answer; the next session
// starts as notes only and the therapist cannot ask; only the client lifts
// it.
func TestDontAskAgain(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
	anna := s.Participants()[0]
	if err := s.Apply(consent.Event{Kind: consent.EventDecline, Actor: consent.ByParticipant(anna.ID), Participant: anna.ID, DontAskAgain: true}); err != nil {
		t.Fatal(err)
	}
	s.End(consent.Therapist())
	if c, _ := f.db.Client(f.client.ID); c.NotAskedSince.IsZero() {
		t.Fatal("not kept in the client's record")
	}

	next := f.start("Anna")
	if next.State() != consent.NotesOnly || !next.NotToBeAsked() {
		t.Fatalf("the next session: %s", next.State())
	}
	if err := next.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); !errors.Is(err, consent.ErrNotToBeAsked) {
		t.Fatalf("the therapist re-asked: %v", err)
	}
	if err := next.Apply(consent.Event{Kind: consent.EventAskAgain, Actor: consent.Therapist()}); !errors.Is(err, consent.ErrNotAuthorized) {
		t.Fatalf("the therapist lifted it: %v", err)
	}
	if !contains(next.Receipt("practice").Page().String(), "asked not to be asked again") {
		t.Error("the receipt does not say why")
	}
	p := next.Participants()[0]
	if err := next.Apply(consent.Event{Kind: consent.EventAskAgain, Actor: consent.ByParticipant(p.ID)}); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.db.Client(f.client.ID); !c.NotAskedSince.IsZero() {
		t.Fatal("lifting not kept in the client's record")
	}
	if err := next.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatalf("re-ask after the client lifted it: %v", err)
	}
	if third := f.start("Anna"); third.State() != consent.AwaitingConsent {
		t.Errorf("the session after: %s", third.State())
	}
}

// TestMinors: never record with a minor present; a minor client who
// decides alone is asked without a guardian.
func TestMinors(t *testing.T) {
	f := newFixture(t)
	if err := f.db.SetSetting(session.SettingNeverRecordMinors, "true"); err != nil {
		t.Fatal(err)
	}
	gid := storage.NewID()
	people := []consent.Participant{{ID: gid, Name: "Dana", Role: consent.RoleGuardian}, {Name: "Chris", Role: consent.RoleMinor, GuardianID: gid}}
	s, err := session.Start(f.opt, f.client, people, consent.CollectionOnScreen)
	if err != nil {
		t.Fatal(err)
	}
	if s.State() != consent.NotesOnly || !s.MinorBarred() {
		t.Fatalf("with a minor present under never-record: %s", s.State())
	}
	if err := s.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); !errors.Is(err, consent.ErrMinorPresent) {
		t.Errorf("re-ask: %v", err)
	}
	if !contains(s.Receipt("p").Page().String(), "does not record sessions with a minor present") {
		t.Error("the receipt does not say why")
	}
	s.End(consent.Therapist())

	if err := f.db.SetSetting(session.SettingNeverRecordMinors, "false"); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetMinorDecidesAlone(f.client.ID, true); err != nil {
		t.Fatal(err)
	}
	alone, err := session.Start(f.opt, f.client, []consent.Participant{{Name: "Mia", Role: consent.RoleMinor}}, consent.CollectionOnScreen)
	if err != nil {
		t.Fatalf("a minor who decides alone, without a guardian: %v", err)
	}
	if ps := alone.Participants(); !ps[0].DecidesAlone {
		t.Errorf("not marked as deciding alone: %+v", ps)
	}
	if ss, _ := f.db.Session(alone.ID()); !ss.Participants[0].DecidesAlone {
		t.Error("deciding alone not stored on the participant")
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestCrashWhileAsking: a session whose question at the end was open when
// the app died is closed at the next unlock by the practice's rule.
func TestCrashWhileAsking(t *testing.T) {
	for _, rule := range []string{session.UnansweredDelete, session.UnansweredKeep} {
		t.Run(rule, func(t *testing.T) {
			f := newFixture(t)
			if err := f.db.SetSetting(session.SettingUnanswered, rule); err != nil {
				t.Fatal(err)
			}
			s := f.start("Anna")
			f.record(s, time.Second)
			s.End(consent.Therapist())
			s.Silence() // the app died here, with the question on screen
			left, err := session.LeftOpen(f.db, "")
			if err != nil || len(left) != 1 {
				t.Fatalf("left open: %v, %v", left, err)
			}
			if n := session.EndLeftOpen(f.db, left, time.UTC, t.Logf, func() bool { return true }); n != 1 {
				t.Fatalf("closed %d", n)
			}
			recs, _ := f.db.Recordings(s.ID())
			ss, _ := f.db.Session(s.ID())
			if rule == session.UnansweredKeep {
				if recs[0].State == storage.StateDeleted || ss.Confirmation != storage.ConfirmationKeptUnanswered || f.playable(s) != 1 {
					t.Errorf("kept: %s, %q", recs[0].State, ss.Confirmation)
				}
			} else if recs[0].State != storage.StateDeleted || ss.Confirmation != storage.ConfirmationDeletedUnanswered {
				t.Errorf("deleted: %s, %q", recs[0].State, ss.Confirmation)
			}
			if left, _ := session.LeftOpen(f.db, ""); len(left) != 0 {
				t.Errorf("still left open: %v", left)
			}
		})
	}
}
