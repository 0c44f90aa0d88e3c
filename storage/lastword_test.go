package storage_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// TestUnconfirmedIsNeverPlayed: a session that promised the question at
// the end holds recordings nobody can open until a keeping answer is
// stored; a session that did not promise it plays as before.
func TestUnconfirmedIsNeverPlayed(t *testing.T) {
	f := newVault(t)
	c, err := f.db.CreateClient("Client A")
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.db.BeginSession(storage.Session{ClientID: c.ID, ConfirmAtEnd: true,
		Participants: []storage.Participant{{Name: "Alex", Role: "client"}}})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("mp3 "), 5000)
	id := f.record(t, s.ID, 1, data)

	rec, err := f.db.Recording(id)
	if err != nil || !rec.Unconfirmed {
		t.Fatalf("Recording: unconfirmed %v, %v", rec.Unconfirmed, err)
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrUnconfirmed) {
		t.Fatalf("OpenRecording of an unconfirmed recording: %v", err)
	}
	if rec, _ := f.db.Recording(id); rec.Plays != 0 {
		t.Errorf("a refused play was counted: %d", rec.Plays)
	}
	if err := f.db.ConfirmSession(s.ID, "maybe"); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("an unknown confirmation: %v", err)
	}
	if err := f.db.ConfirmSession(s.ID, storage.ConfirmationKept); err != nil {
		t.Fatal(err)
	}
	if err := f.db.ConfirmSession(s.ID, storage.ConfirmationDeleted); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("a confirmation changed afterwards: %v", err)
	}
	if got := f.readAll(t, id); !bytes.Equal(got, data) {
		t.Errorf("after keep: read %d bytes, wrote %d", len(got), len(data))
	}
	stored, err := f.db.Session(s.ID)
	if err != nil || !stored.ConfirmAtEnd || stored.Confirmation != storage.ConfirmationKept {
		t.Errorf("session as stored: %+v, %v", stored, err)
	}

	// Without the promise the question is never pending.
	plain := f.session(t)
	pid := f.record(t, plain.ID, 1, data)
	if got := f.readAll(t, pid); !bytes.Equal(got, data) {
		t.Error("a session without the question at the end does not play")
	}
	if err := f.db.ConfirmSession(plain.ID, storage.ConfirmationKept); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("confirming a session that did not ask: %v", err)
	}
}

// TestClientFlags: "don't ask me again" and a minor who decides alone are
// kept in the client's record, audited, and lifted.
func TestClientFlags(t *testing.T) {
	f := newVault(t)
	c, err := f.db.CreateClient("Client A")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetNotAsked(c.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetMinorDecidesAlone(c.ID, true); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Client(c.ID)
	if err != nil || got.NotAskedSince.IsZero() || !got.MinorDecidesAlone {
		t.Fatalf("client after setting: %+v, %v", got, err)
	}
	if err := f.db.SetNotAsked(c.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.db.Client(c.ID); !got.NotAskedSince.IsZero() {
		t.Error("lifting don't-ask-again did not stick")
	}
	log, err := f.db.AuditLog(0, 1000, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range log {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{storage.AuditClientNotAsked, storage.AuditClientMinorAlone, storage.AuditClientAskAgain}; !slices.Equal(kinds, want) {
		t.Errorf("audited about the client: %v, want %v", kinds, want)
	}
	if err := f.db.SetNotAsked("00000000000000000000000000000000", true); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown client: %v", err)
	}
	s, err := f.db.BeginSession(storage.Session{ClientID: c.ID, Participants: []storage.Participant{{Name: "Mia", Role: "minor", DecidesAlone: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if back, err := f.db.Session(s.ID); err != nil || !back.Participants[0].DecidesAlone {
		t.Errorf("participant decides alone not stored: %+v, %v", back.Participants, err)
	}
}
