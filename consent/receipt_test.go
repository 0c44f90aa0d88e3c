package consent_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/assent-recorder/assent/consent"
)

// receiptSessions are three sessions a client's record must tell apart.
func receiptSessions(t testing.TB) (recorded, declined, withdrawn *consent.Session) {
	recorded = newSession(t, anna, ben)
	apply(t, recorded,
		ask(0), yes(1, "a"),
		consent.Event{Kind: consent.EventConfirm, At: at(2), Actor: byBen, Participant: "b", KeepDays: 7},
		by(consent.EventPause, 20, byBen), by(consent.EventResume, 22, byBen),
		join(30, cleo), ask(31), yes(32, "c"), yes(32, "a"), yes(33, "b"),
		by(consent.EventEnd, 50, therapist), keep(51, "a"), keep(51, "b"), keep(52, "c"))

	declined = newSession(t, anna)
	apply(t, declined, ask(0),
		consent.Event{Kind: consent.EventDecline, At: at(1), Actor: therapist, Participant: "a"},
		by(consent.EventEnd, 50, therapist))

	withdrawn = newSession(t, anna)
	apply(t, withdrawn, ask(0), yes(1, "a"),
		withdraw(25, byAnna, consent.WithdrawDeleteAll, 0),
		by(consent.EventEnd, 24*60+5, system)) // ended after midnight
	return recorded, declined, withdrawn
}

// rolesSession: Anna with an interpreter and a trainee; Anna pauses on
// her screen; at the end the trainee says delete.
func rolesSession(t testing.TB) *consent.Session {
	s := newSession(t, anna, maria, sam)
	apply(t, s, ask(0), yes(1, "a"), yes(1, "i"), yes(2, "t"),
		by(consent.EventPause, 4, byAnna), by(consent.EventResume, 9, byAnna),
		by(consent.EventEnd, 50, therapist), keep(51, "a"), keep(51, "i"), discard(52, "t"))
	return s
}

// notAskedSession: Anna said "please don't ask me again" last week; this
// session starts as notes only without the question.
func notAskedSession(t testing.TB) *consent.Session {
	s := newSession(t, anna)
	apply(t, s, consent.Event{Kind: consent.EventSwitchToNotes, At: at(0), Actor: system, Reason: consent.ReasonNotAsked},
		by(consent.EventEnd, 50, therapist))
	return s
}

func TestReceiptGolden(t *testing.T) {
	recorded, declined, withdrawn := receiptSessions(t)
	for name, r := range map[string]consent.Receipt{
		"receipt_roles_deleted_at_end": rolesSession(t).Receipt(consent.CollectionOnScreen, "Dr Jane Okafor, Counselling Practice"),
		"receipt_not_asked":            notAskedSession(t).Receipt(consent.CollectionOnScreen, "Dr Jane Okafor, Counselling Practice"),
		"receipt_recorded":             recorded.Receipt(consent.CollectionOnScreen, "Dr Jane Okafor, Counselling Practice"),
		"receipt_declined":             declined.Receipt(consent.CollectionReadAloud, "Dr Jane Okafor, Counselling Practice"),
		"receipt_withdrawn":            withdrawn.Receipt(consent.CollectionOnScreen, "Dr Jane Okafor, Counselling Practice"),
	} {
		r.Jurisdiction = "GB"
		r.PolicyURL = "https://example.org/privacy"
		t.Run(name, func(t *testing.T) {
			golden(t, name+".golden", []byte(r.Page().String()))
			b, err := r.KantaraJSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".kantara.json", b)
		})
	}
}

func TestReceiptOutcome(t *testing.T) {
	recorded, declined, withdrawn := receiptSessions(t)
	cases := []struct {
		s        *consent.Session
		outcome  consent.Outcome
		segments int
		w        consent.Withdrawal
	}{
		{recorded, consent.OutcomeRecorded, 3, consent.WithdrawNone},
		{declined, consent.OutcomeDeclined, 0, consent.WithdrawNone},
		{withdrawn, consent.OutcomeWithdrawn, 1, consent.WithdrawDeleteAll},
	}
	for _, c := range cases {
		r := c.s.Receipt(consent.CollectionOnScreen, "practice")
		if r.Outcome != c.outcome || len(r.Segments) != c.segments || r.Withdrawal != c.w {
			t.Errorf("%s: outcome %s, %d segments, %s; want %s, %d, %s", c.s.ID(), r.Outcome, len(r.Segments), r.Withdrawal, c.outcome, c.segments, c.w)
		}
		if len(r.Events) != len(c.s.Events()) {
			t.Errorf("receipt has %d events, session %d", len(r.Events), len(c.s.Events()))
		}
	}
	notes := newSession(t, anna)
	apply(t, notes, by(consent.EventSwitchToNotes, 0, therapist))
	if r := notes.Receipt(consent.CollectionOnScreen, "p"); r.Outcome != consent.OutcomeNotesOnly || !r.DeleteOn.IsZero() {
		t.Errorf("notes only: %s, %v", r.Outcome, r.DeleteOn)
	}
	// Withdrawn, then asked again and recorded: the latest recording stands.
	again := newSession(t, anna)
	apply(t, again, ask(0), yes(1, "a"), withdraw(5, byAnna, consent.WithdrawKeep, 0), by(consent.EventReAsk, 10, therapist), yes(11, "a"))
	if r := again.Receipt(consent.CollectionOnScreen, "p"); r.Outcome != consent.OutcomeRecorded {
		t.Errorf("re-recorded after a withdrawal: %s", r.Outcome)
	}
}

var uuidV8 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestReceiptID(t *testing.T) {
	s := newSession(t, anna)
	apply(t, s, ask(0), yes(1, "a"))
	r1 := s.Receipt(consent.CollectionOnScreen, "p")
	r2 := s.Receipt(consent.CollectionOnScreen, "p")
	if r1.ID != r2.ID || !uuidV8.MatchString(r1.ID) {
		t.Fatalf("IDs %q and %q", r1.ID, r2.ID)
	}
	other := newSession(t, anna)
	apply(t, other, ask(0), yes(1, "a"))
	if other.Receipt(consent.CollectionOnScreen, "p").ID != r1.ID {
		t.Fatal("the same history gave a different ID")
	}
	if s.Receipt(consent.CollectionReadAloud, "p").ID == r1.ID || s.Receipt(consent.CollectionOnScreen, "q").ID == r1.ID {
		t.Fatal("the ID ignores the method or the controller")
	}
	apply(t, s, by(consent.EventEnd, 2, therapist))
	if s.Receipt(consent.CollectionOnScreen, "p").ID == r1.ID {
		t.Fatal("another event, same ID")
	}
}

// TestKantaraFields reads the JSON as any other tool would, field by field.
func TestKantaraFields(t *testing.T) {
	recorded, declined, _ := receiptSessions(t)
	r := recorded.Receipt(consent.CollectionOnScreen, "Dr Okafor")
	b, err := r.KantaraJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"version":          "KI-CR-v1.1.0",
		"consentTimestamp": float64(at(33).Unix()), // the last answer
		"collectionMethod": "on screen, in the room",
		"consentReceiptID": r.ID,
		"language":         "en",
		"piiPrincipalId":   "client-7",
		"sensitive":        true,
		"jurisdiction":     "",
		"policyUrl":        "",
	}
	for k, v := range want {
		if !reflect.DeepEqual(m[k], v) {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	ctrl := m["piiControllers"].([]any)[0].(map[string]any)
	if ctrl["piiController"] != "Dr Okafor" {
		t.Errorf("controller %v", ctrl)
	}
	purpose := m["services"].([]any)[0].(map[string]any)["purposes"].([]any)[0].(map[string]any)
	// Ben chose 7 days from 20 October: gone at the start of 27 October,
	// which is midnight GMT after the clocks went back.
	if purpose["termination"] != "2026-10-27T00:00:00Z" || purpose["thirdPartyDisclosure"] != false || purpose["consentType"] != "EXPLICIT" {
		t.Errorf("purpose %v", purpose)
	}
	if got := m["spiCat"].([]any); len(got) != 1 || got[0] != "health" {
		t.Errorf("spiCat %v", got)
	}
	if a := m["assent"].(map[string]any); a["outcome"] != "recorded" || a["segments"] != float64(3) || a["sessionId"] != "s1" {
		t.Errorf("extension %v", a)
	}

	d, err := declined.Receipt(consent.CollectionReadAloud, "Dr Okafor").Kantara()
	if err != nil {
		t.Fatal(err)
	}
	if d.Services[0].Purposes[0].Termination != "not recorded" || d.Assent.Outcome != "declined" || d.CollectionMethod != "read aloud by the therapist, answered aloud" {
		t.Errorf("declined: %+v %+v", d.Services[0].Purposes[0], d.Assent)
	}
}

func TestKantaraSupervisionIsDisclosed(t *testing.T) {
	p := consent.Policy{Purposes: consent.StandardPurposes(), DefaultKeepDays: 28, SupervisionExport: true}
	s, _ := consent.NewSession("s", "c", []consent.Participant{anna}, p, london)
	apply(t, s, ask(0), yes(1, "a"))
	k, err := s.Receipt(consent.CollectionOnScreen, "p").Kantara()
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range k.Services[0].Purposes {
		sup := u.PurposeCategory[0] == consent.PurposeSupervision
		if u.ThirdPartyDisclosure != sup || (sup && u.ThirdPartyName == "") {
			t.Errorf("%v: disclosure %v to %q", u.PurposeCategory, u.ThirdPartyDisclosure, u.ThirdPartyName)
		}
	}
}

func TestKantaraRefuses(t *testing.T) {
	s := newSession(t, anna)
	if _, err := s.Receipt(consent.CollectionOnScreen, "p").KantaraJSON(); !errors.Is(err, consent.ErrBadReceipt) {
		t.Errorf("no event yet: %v", err)
	}
	apply(t, s, ask(0))
	if _, err := s.Receipt(consent.CollectionOnScreen, " ").KantaraJSON(); !errors.Is(err, consent.ErrBadReceipt) {
		t.Errorf("no controller: %v", err)
	}
	if _, err := s.Receipt(0, "p").KantaraJSON(); !errors.Is(err, consent.ErrBadReceipt) {
		t.Errorf("no method: %v", err)
	}
	good, err := s.Receipt(consent.CollectionOnScreen, "p").KantaraJSON()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consent.ParseKantaraJSON(good); err != nil {
		t.Fatalf("our own receipt: %v", err)
	}
	edits := map[string]func(m map[string]any){
		"wrong version":    func(m map[string]any) { m["version"] = "KI-CR-v1.0.0" },
		"no timestamp":     func(m map[string]any) { delete(m, "consentTimestamp") },
		"no receipt ID":    func(m map[string]any) { m["consentReceiptID"] = "" },
		"no principal":     func(m map[string]any) { delete(m, "piiPrincipalId") },
		"no controllers":   func(m map[string]any) { m["piiControllers"] = []any{} },
		"no services":      func(m map[string]any) { m["services"] = nil },
		"unknown field":    func(m map[string]any) { m["extra"] = 1 },
		"string timestamp": func(m map[string]any) { m["consentTimestamp"] = "yesterday" },
		"bad outcome":      func(m map[string]any) { m["assent"].(map[string]any)["outcome"] = "maybe" },
		"no termination": func(m map[string]any) {
			m["services"].([]any)[0].(map[string]any)["purposes"].([]any)[0].(map[string]any)["termination"] = ""
		},
	}
	for name, edit := range edits {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if _, err := consent.ParseKantaraJSON(b); !errors.Is(err, consent.ErrBadReceipt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, in := range []string{"", "null", "{}", "[]", string(good) + "{}", strings.Repeat("[", 10000)} {
		if _, err := consent.ParseKantaraJSON([]byte(in)); !errors.Is(err, consent.ErrBadReceipt) {
			t.Errorf("%.20q: %v", in, err)
		}
	}
}

// FuzzParseKantaraJSON: any bytes give a receipt or ErrBadReceipt, never a
// panic; an accepted receipt encodes to JSON that parses to the same value.
func FuzzParseKantaraJSON(f *testing.F) {
	recorded, declined, withdrawn := receiptSessions(f)
	for _, s := range []*consent.Session{recorded, declined, withdrawn} {
		b, err := s.Receipt(consent.CollectionOnScreen, "p").KantaraJSON()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"KI-CR-v1.1.0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := consent.ParseKantaraJSON(data)
		if err != nil {
			if !errors.Is(err, consent.ErrBadReceipt) {
				t.Fatalf("error does not wrap ErrBadReceipt: %v", err)
			}
			return
		}
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := consent.ParseKantaraJSON(b)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", b, err)
		}
		if !reflect.DeepEqual(k, k2) {
			t.Fatalf("not stable:\n%+v\n%+v", k, k2)
		}
	})
}
