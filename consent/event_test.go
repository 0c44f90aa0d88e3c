package consent_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// validEvents is one well-formed event of every kind and field.
func validEvents() []consent.Event {
	minor := chris
	return []consent.Event{
		ask(0),
		yes(1, "a"),
		{Kind: consent.EventConfirm, At: at(2), Actor: therapist, Participant: "b", KeepDays: 7, EndOfToday: true},
		no(3, "b"),
		by(consent.EventPause, 4, system),
		by(consent.EventResume, 5, byAnna),
		withdraw(6, byAnna, consent.WithdrawDeleteLast, 5),
		withdraw(7, therapist, consent.WithdrawDeleteAll, 0),
		withdraw(8, byBen, consent.WithdrawKeep, 0),
		by(consent.EventSwitchToNotes, 9, system),
		{Kind: consent.EventJoin, At: at(10), Actor: therapist, Joiner: &minor},
		by(consent.EventReAsk, 11, therapist),
		by(consent.EventEnd, 12, therapist),
		{Kind: consent.EventAsk, At: time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.FixedZone("", -9*3600-30*60)), Actor: therapist},
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	for _, e := range validEvents() {
		b, err := consent.MarshalEvent(e)
		if err != nil {
			t.Fatalf("%s: %v", e.Kind, err)
		}
		got, err := consent.UnmarshalEvent(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", e.Kind, err, b)
		}
		if !got.At.Equal(e.At) || got.Kind != e.Kind || got.Actor != e.Actor || got.Participant != e.Participant ||
			got.KeepDays != e.KeepDays || got.EndOfToday != e.EndOfToday || got.Withdrawal != e.Withdrawal ||
			got.DeleteMinutes != e.DeleteMinutes || (got.Joiner == nil) != (e.Joiner == nil) || (got.Joiner != nil && *got.Joiner != *e.Joiner) {
			t.Errorf("%s: round trip gave %+v from %+v", e.Kind, got, e)
		}
		// Plain encoding/json gives the same bytes: storage may use either.
		plain, err := json.Marshal(e)
		if err != nil || string(plain) != string(b) {
			t.Errorf("%s: json.Marshal %s differs from MarshalEvent %s (%v)", e.Kind, plain, b, err)
		}
	}
}

// TestEventJSONFieldNames pins the stored form: changing it breaks every
// database already written.
func TestEventJSONFieldNames(t *testing.T) {
	e := consent.Event{Kind: consent.EventWithdraw, At: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC),
		Actor: consent.ByParticipant("a"), Withdrawal: consent.WithdrawDeleteLast, DeleteMinutes: 5}
	b, _ := consent.MarshalEvent(e)
	want := `{"kind":"withdraw","at":"2026-10-20T10:00:00Z","actor":{"kind":"participant","participant":"a"},"withdrawal":"delete-last","deleteMinutes":5}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	j := consent.Event{Kind: consent.EventJoin, At: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC), Actor: consent.Therapist(), Joiner: &chris}
	b, _ = consent.MarshalEvent(j)
	want = `{"kind":"join","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"joiner":{"id":"m","name":"Chris","role":"minor","guardianId":"g"}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	c := consent.Event{Kind: consent.EventConfirm, At: time.Date(2026, 10, 20, 10, 0, 0, 0, time.UTC), Actor: consent.ByParticipant("a"), Participant: "a", KeepDays: 7, EndOfToday: true}
	b, _ = consent.MarshalEvent(c)
	want = `{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"participant","participant":"a"},"participant":"a","keepDays":7,"endOfToday":true}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestUnmarshalEventRefuses(t *testing.T) {
	const ok = `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`
	if _, err := consent.UnmarshalEvent([]byte(ok)); err != nil {
		t.Fatalf("the reference event is refused: %v", err)
	}
	bad := map[string]string{
		"empty":                   ``,
		"null":                    `null`,
		"not JSON":                `pause`,
		"array":                   `[]`,
		"unknown kind":            `{"kind":"start","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`,
		"numeric kind":            `{"kind":1,"at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`,
		"no time":                 `{"kind":"pause","actor":{"kind":"therapist"}}`,
		"bad time":                `{"kind":"pause","at":"yesterday","actor":{"kind":"therapist"}}`,
		"no actor":                `{"kind":"pause","at":"2026-10-20T10:00:00Z"}`,
		"unknown actor":           `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"supervisor"}}`,
		"participant without ID":  `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"participant"}}`,
		"therapist with ID":       `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist","participant":"a"}}`,
		"unknown field":           `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"grant":true}`,
		"trailing data":           ok + `{}`,
		"two values":              ok + ok,
		"keep on a pause":         `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"keepDays":3}`,
		"confirm for nobody":      `{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`,
		"keep 91 days":            `{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"participant":"a","keepDays":91}`,
		"keep -1 days":            `{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"participant":"a","keepDays":-1}`,
		"withdraw without choice": `{"kind":"withdraw","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`,
		"withdraw none":           `{"kind":"withdraw","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"withdrawal":"none"}`,
		"delete-last 0 minutes":   `{"kind":"withdraw","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"withdrawal":"delete-last"}`,
		"minutes with keep":       `{"kind":"withdraw","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"withdrawal":"keep","deleteMinutes":3}`,
		"statement on a keep":     `{"kind":"keep","at":"2026-10-20T10:00:00Z","actor":{"kind":"participant","participant":"a"},"participant":"a","language":"en","statement":"sha256:` + strings.Repeat("ab", 32) + `"}`,
		"join without joiner":     `{"kind":"join","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"}}`,
		"joiner without role":     `{"kind":"join","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"joiner":{"id":"x","name":"X"}}`,
		"minor without guardian":  `{"kind":"join","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"joiner":{"id":"x","name":"X","role":"minor"}}`,
		"joiner on a pause":       `{"kind":"pause","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"joiner":{"id":"x","name":"X","role":"client"}}`,
		"huge number":             `{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"therapist"},"participant":"a","keepDays":1e400}`,
	}
	for name, in := range bad {
		if _, err := consent.UnmarshalEvent([]byte(in)); !errors.Is(err, consent.ErrBadEvent) {
			t.Errorf("%s: err = %v, want ErrBadEvent", name, err)
		}
	}
	if _, err := consent.UnmarshalEvent([]byte(bad["keep 91 days"])); !errors.Is(err, consent.ErrKeepDaysOutOfRange) {
		t.Errorf("keep 91 days: %v, want ErrKeepDaysOutOfRange too", err)
	}
	if _, err := consent.MarshalEvent(consent.Event{Kind: consent.EventAsk}); !errors.Is(err, consent.ErrBadEvent) {
		t.Errorf("MarshalEvent of an event without time: %v", err)
	}
}

func TestEventTimesThatCannotBeStored(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 25*3600)),
		time.Date(1800, 1, 1, 12, 0, 0, 0, london), // local mean time, -00:01:15
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 90)),
	} {
		if err := (consent.Event{Kind: consent.EventAsk, At: tm, Actor: therapist}).Validate(); !errors.Is(err, consent.ErrBadEvent) {
			t.Errorf("%v: %v", tm, err)
		}
	}
}

// FuzzUnmarshalEvent: any bytes give an event or an ErrBadEvent, never a
// panic; an accepted event encodes back to bytes that decode to the same
// encoding.
func FuzzUnmarshalEvent(f *testing.F) {
	for _, e := range validEvents() {
		b, _ := consent.MarshalEvent(e)
		f.Add(b)
	}
	f.Add([]byte(`{"kind":"confirm","at":"2026-10-20T10:00:00Z","actor":{"kind":"participant","participant":"a"},"participant":"a","keepDays":91}`))
	f.Add([]byte(`{"kind":"join","at":"0000-01-01T00:00:00Z","actor":{"kind":"therapist"},"joiner":{"id":"\ud800","name":"X","role":"minor","guardianId":"g"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := consent.UnmarshalEvent(data)
		if err != nil {
			if !errors.Is(err, consent.ErrBadEvent) {
				t.Fatalf("error does not wrap ErrBadEvent: %v", err)
			}
			return
		}
		b, err := consent.MarshalEvent(e)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", data, err)
		}
		e2, err := consent.UnmarshalEvent(b)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		b2, _ := consent.MarshalEvent(e2)
		if string(b) != string(b2) || !e2.At.Equal(e.At) {
			t.Fatalf("not stable:\n%s\n%s", b, b2)
		}
		if !strings.HasPrefix(string(b), `{"kind":`) {
			t.Fatalf("unexpected encoding %s", b)
		}
	})
}
