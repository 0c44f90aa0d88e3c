package session_test

import (
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
)

// TestAnswersKeepTheStatementShown checks that a session of a client who
// reads Spanish shows the statement in Spanish, that the stored "yes"
// carries that statement's language and SHA-256 version, and that the
// history read back years later gives a receipt naming them.
func TestAnswersKeepTheStatementShown(t *testing.T) {
	f := newFixture(t)
	if err := f.db.SetClientLanguage(f.client.ID, "es"); err != nil {
		t.Fatal(err)
	}
	client, err := f.db.Client(f.client.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.client = client
	s := f.start("Anna")
	if s.Language() != "es" {
		t.Fatalf("session language %q, want es", s.Language())
	}
	if err := s.Apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	shown := s.Statement()
	if shown.Title != "Grabar la sesión de hoy" {
		t.Errorf("statement title %q, want the Spanish one", shown.Title)
	}
	p := s.Participants()[0]
	if err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(p.ID), Participant: p.ID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "recording", s.Recording)
	if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
		t.Fatal(err)
	}
	stored, err := f.db.ConsentEvents(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	var answered bool
	for _, se := range stored {
		ev, err := consent.UnmarshalEvent(se.Data)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind == consent.EventConfirm {
			answered = true
			if ev.Language != "es" || ev.Statement != shown.Version() {
				t.Errorf("stored yes carries %q %q, want es %q", ev.Language, ev.Statement, shown.Version())
			}
		}
	}
	if !answered {
		t.Fatal("no stored yes")
	}
	ss, err := f.db.Session(s.ID())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := session.Replay(f.db, ss, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	r := cs.Receipt(s.Method(), "Dr Jane Okafor")
	if r.Language != "es" || r.StatementLanguage != "es" || r.StatementVersion != shown.Version() {
		t.Errorf("replayed receipt: language %q, statement %q %q", r.Language, r.StatementLanguage, r.StatementVersion)
	}
}
