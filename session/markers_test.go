package session_test

import (
	"errors"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
)

// TestMarkersGoWithTheDeletedPart: moments marked while recording are
// sealed with the recording at the time captured; when the client deletes
// the last 5 minutes, a marker in them is deleted with them, and one
// before them stays. Marking needs a recording under way.
func TestMarkersGoWithTheDeletedPart(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	if _, _, err := s.Mark("too soon"); !errors.Is(err, session.ErrNotRecording) {
		t.Errorf("Mark before recording: %v", err)
	}
	f.record(s, time.Second)
	early, seg, err := s.Mark("early")
	if err != nil || seg != 1 || early.At < time.Second || s.Segment() != 1 {
		t.Fatalf("Mark: %+v in segment %d, %v", early, seg, err)
	}
	waitFor(t, "7 minutes recorded", func() bool { return s.Level().Elapsed >= 7*time.Minute })
	late, _, err := s.Mark("")
	if err != nil {
		t.Fatal(err)
	}
	if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Mark("after"); !errors.Is(err, session.ErrNotRecording) || s.Segment() != 0 {
		t.Errorf("Mark after the stop: %v", err)
	}
	recs, _ := f.db.Recordings(s.ID())
	ms, err := f.db.Markers(recs[0].ID)
	if err != nil || len(ms) != 2 || ms[0] != early || ms[1] != late {
		t.Fatalf("sealed markers %+v, %v; want %+v and %+v", ms, err, early, late)
	}
	if err := withdraw(s, consent.WithdrawDeleteLast, 5); err != nil {
		t.Fatal(err)
	}
	if ms, err := f.db.Markers(recs[0].ID); err != nil || len(ms) != 1 || ms[0] != early {
		t.Errorf("after deleting the last 5 minutes: %+v, %v", ms, err)
	}
}
