package consent_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on any machine

	"github.com/assent-recorder/assent/consent"
)

var update = flag.Bool("update", false, "rewrite golden files and the committed fuzz seed corpus")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	london   = mustLoad("Europe/London")
	santiago = mustLoad("America/Santiago")
)

// The people of the tests.
var (
	anna  = consent.Participant{ID: "a", Name: "Anna", Role: consent.RoleClient}
	ben   = consent.Participant{ID: "b", Name: "Ben", Role: consent.RolePartner}
	cleo  = consent.Participant{ID: "c", Name: "Cleo", Role: consent.RoleFamily}
	dana  = consent.Participant{ID: "g", Name: "Dana", Role: consent.RoleGuardian}
	chris = consent.Participant{ID: "m", Name: "Chris", Role: consent.RoleMinor, GuardianID: "g"}
	// Mia is a minor the practice judged able to decide alone.
	mia   = consent.Participant{ID: "n", Name: "Mia", Role: consent.RoleMinor, DecidesAlone: true}
	maria = consent.Participant{ID: "i", Name: "Maria", Role: consent.RoleInterpreter}
	sam   = consent.Participant{ID: "t", Name: "Sam", Role: consent.RoleTrainee}
)

// t0 is 10:00 on Tuesday 20 October 2026 in London (BST), five days before
// the clocks go back.
var t0 = time.Date(2026, 10, 20, 10, 0, 0, 0, london)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func newSession(t testing.TB, ps ...consent.Participant) *consent.Session {
	t.Helper()
	s, err := consent.NewSession("s1", "client-7", ps, consent.DefaultPolicy(), london)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	return s
}

// Event constructors, each at minute m after t0.
func ask(m int) consent.Event {
	return consent.Event{Kind: consent.EventAsk, At: at(m), Actor: consent.Therapist()}
}

func yes(m int, id string) consent.Event {
	return consent.Event{Kind: consent.EventConfirm, At: at(m), Actor: consent.ByParticipant(id), Participant: id}
}

func no(m int, id string) consent.Event {
	return consent.Event{Kind: consent.EventDecline, At: at(m), Actor: consent.ByParticipant(id), Participant: id}
}

// keep and discard are a participant's answers at the end.
func keep(m int, id string) consent.Event {
	return consent.Event{Kind: consent.EventKeep, At: at(m), Actor: consent.ByParticipant(id), Participant: id}
}

func discard(m int, id string) consent.Event {
	return consent.Event{Kind: consent.EventDiscard, At: at(m), Actor: consent.ByParticipant(id), Participant: id}
}

// dontAsk is the client's quiet third answer.
func dontAsk(m int, id string) consent.Event {
	e := no(m, id)
	e.DontAskAgain = true
	return e
}

func by(kind consent.EventKind, m int, a consent.Actor) consent.Event {
	return consent.Event{Kind: kind, At: at(m), Actor: a}
}

func withdraw(m int, a consent.Actor, w consent.Withdrawal, minutes int) consent.Event {
	return consent.Event{Kind: consent.EventWithdraw, At: at(m), Actor: a, Withdrawal: w, DeleteMinutes: minutes}
}

func join(m int, p consent.Participant) consent.Event {
	return consent.Event{Kind: consent.EventJoin, At: at(m), Actor: consent.Therapist(), Joiner: &p}
}

// apply applies events that must all be accepted.
func apply(t testing.TB, s *consent.Session, events ...consent.Event) consent.Effects {
	t.Helper()
	var eff consent.Effects
	for _, e := range events {
		var err error
		if eff, err = s.Apply(e); err != nil {
			t.Fatalf("Apply(%s at %s): %v", e.Kind, e.At.Format(time.Kitchen), err)
		}
	}
	return eff
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./consent -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (go test ./consent -update rewrites it after review)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// sentinels are every refusal the package promises.
var sentinels = []error{
	consent.ErrNotEveryoneConfirmed, consent.ErrSessionEnded, consent.ErrDeclined,
	consent.ErrUnknownParticipant, consent.ErrInvalidTransition, consent.ErrGuardianRequired,
	consent.ErrKeepDaysOutOfRange, consent.ErrNotAuthorized, consent.ErrBadEvent,
	consent.ErrNotAsked, consent.ErrInvalidParticipant, consent.ErrInvalidPolicy,
	consent.ErrInvalidSession, consent.ErrBadReceipt,
	consent.ErrMinorPresent, consent.ErrNotToBeAsked, consent.ErrNotRecorded,
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
