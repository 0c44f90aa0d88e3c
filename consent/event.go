package consent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// EventKind says what happened. The zero EventKind is invalid.
type EventKind int

// Event kinds. Their String names are stable: they are stored.
const (
	// EventAsk: the therapist shows the consent statement to the room. It
	// opens a round of answers and fixes the day the deletion date counts
	// from. Confirmations need it; a "no" does not.
	EventAsk EventKind = iota + 1
	// EventConfirm: Participant says yes (optionally keeping it for fewer
	// days, or only until the end of today).
	EventConfirm
	// EventDecline: Participant says no. One "no" is no.
	EventDecline
	// EventPause: capture stops for a moment; Resume needs no new consent.
	EventPause
	// EventResume: capture restarts after a pause, under a new Grant.
	EventResume
	// EventWithdraw: recording stops and the person who stopped it chooses
	// what happens to what was recorded (Withdrawal, DeleteMinutes).
	EventWithdraw
	// EventSwitchToNotes: the therapist (or the app, when recording is no
	// longer possible) continues the session as notes only.
	EventSwitchToNotes
	// EventJoin: someone new (Joiner) is now present; capture stops until
	// everyone has confirmed again.
	EventJoin
	// EventReAsk: the therapist asks again after notes only or a "no".
	EventReAsk
	// EventEnd: the session is over. After a recorded session whose policy
	// asks at the end, it leads to Confirming; given there, it closes the
	// question unanswered (they left) and the policy decides.
	EventEnd
	// EventKeep: at the end (Confirming), Participant, who was recorded,
	// says "keep it" until its date.
	EventKeep
	// EventDiscard: at the end (Confirming), Participant says "delete it
	// now": every recording of the session is deleted. One "delete" is
	// enough; a minor's always wins.
	EventDiscard
	// EventAskAgain: the client, on the client screen, lifts their earlier
	// "please don't ask me again". Only they can.
	EventAskAgain
)

// NotesReason says why a session went to notes only without anyone being
// asked, for EventSwitchToNotes. The zero value is no particular reason.
type NotesReason string

// Reasons for notes only without the question.
const (
	// ReasonNotAsked: the client asked not to be asked again (an earlier
	// decline with DontAskAgain); the question is not shown, and only the
	// client lifts it (EventAskAgain).
	ReasonNotAsked NotesReason = "client-asked-not-to-be-asked"
	// ReasonMinorPresent: the practice never records a session with a
	// minor present (Policy.NeverRecordMinors).
	ReasonMinorPresent NotesReason = "minor-present"
)

func (r NotesReason) valid() bool { return r == "" || r == ReasonNotAsked || r == ReasonMinorPresent }

var eventKindNames = [...]string{
	EventAsk:           "ask",
	EventConfirm:       "confirm",
	EventDecline:       "decline",
	EventPause:         "pause",
	EventResume:        "resume",
	EventWithdraw:      "withdraw",
	EventSwitchToNotes: "switch-to-notes",
	EventJoin:          "join",
	EventReAsk:         "re-ask",
	EventEnd:           "end",
	EventKeep:          "keep",
	EventDiscard:       "discard",
	EventAskAgain:      "ask-again",
}

// EventKinds returns every valid kind, in declaration order.
func EventKinds() []EventKind {
	ks := make([]EventKind, 0, EventAskAgain)
	for k := EventAsk; k <= EventAskAgain; k++ {
		ks = append(ks, k)
	}
	return ks
}

func (k EventKind) valid() bool { return k >= EventAsk && k <= EventAskAgain }

// String returns the stable lowercase name ("confirm", "switch-to-notes")
// that ParseEventKind accepts.
func (k EventKind) String() string {
	if !k.valid() {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return eventKindNames[k]
}

// ParseEventKind returns the kind named s, or an error wrapping ErrBadEvent.
func ParseEventKind(s string) (EventKind, error) {
	for k := EventAsk; k <= EventAskAgain; k++ {
		if eventKindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown event kind %q", ErrBadEvent, s)
}

// MarshalText encodes k as its String name; an invalid kind is an error.
func (k EventKind) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("%w: event kind %d", ErrBadEvent, int(k))
	}
	return []byte(eventKindNames[k]), nil
}

// UnmarshalText accepts the names ParseEventKind accepts.
func (k *EventKind) UnmarshalText(b []byte) error {
	v, err := ParseEventKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ActorKind says who caused an event. The zero ActorKind is invalid.
type ActorKind int

// Actors.
const (
	// ActorTherapist: the therapist, at their screen or entering a
	// participant's spoken answer.
	ActorTherapist ActorKind = iota + 1
	// ActorParticipant: a participant of the session, named by
	// Actor.ParticipantID, tapping on the client screen.
	ActorParticipant
	// ActorSystem: the app itself (a lost microphone, a full disk, the app
	// closing).
	ActorSystem
)

var actorKindNames = [...]string{
	ActorTherapist:   "therapist",
	ActorParticipant: "participant",
	ActorSystem:      "system",
}

func (a ActorKind) valid() bool { return a >= ActorTherapist && a <= ActorSystem }

// String returns the stable name ("therapist", "participant", "system").
func (a ActorKind) String() string {
	if !a.valid() {
		return fmt.Sprintf("ActorKind(%d)", int(a))
	}
	return actorKindNames[a]
}

// MarshalText encodes a as its String name; an invalid kind is an error.
func (a ActorKind) MarshalText() ([]byte, error) {
	if !a.valid() {
		return nil, fmt.Errorf("%w: actor kind %d", ErrBadEvent, int(a))
	}
	return []byte(actorKindNames[a]), nil
}

// UnmarshalText accepts the names MarshalText writes.
func (a *ActorKind) UnmarshalText(b []byte) error {
	for k := ActorTherapist; k <= ActorSystem; k++ {
		if actorKindNames[k] == string(b) {
			*a = k
			return nil
		}
	}
	return fmt.Errorf("%w: unknown actor kind %q", ErrBadEvent, b)
}

// Actor is who caused an event.
type Actor struct {
	Kind ActorKind `json:"kind"`
	// ParticipantID names the participant for ActorParticipant and is
	// empty otherwise.
	ParticipantID string `json:"participant,omitempty"`
}

// Therapist is the therapist as an Actor.
func Therapist() Actor { return Actor{Kind: ActorTherapist} }

// System is the app itself as an Actor.
func System() Actor { return Actor{Kind: ActorSystem} }

// ByParticipant is the participant with the given ID as an Actor.
func ByParticipant(id string) Actor { return Actor{Kind: ActorParticipant, ParticipantID: id} }

// Withdrawal is what happens to what was recorded when recording is
// withdrawn. The zero value, WithdrawNone, means no withdrawal: it is what
// Effects carry when nobody withdrew, and a withdraw event must choose one
// of the other three.
type Withdrawal int

// Withdrawal choices.
const (
	// WithdrawNone: no withdrawal.
	WithdrawNone Withdrawal = iota
	// WithdrawKeep: keep what was recorded until its deletion date.
	WithdrawKeep
	// WithdrawDeleteLast: delete the last DeleteMinutes minutes now.
	WithdrawDeleteLast
	// WithdrawDeleteAll: delete every recording of the session now.
	WithdrawDeleteAll
)

var withdrawalNames = [...]string{
	WithdrawNone:       "none",
	WithdrawKeep:       "keep",
	WithdrawDeleteLast: "delete-last",
	WithdrawDeleteAll:  "delete-all",
}

func (w Withdrawal) valid() bool { return w >= WithdrawNone && w <= WithdrawDeleteAll }

// String returns the stable name ("none", "keep", "delete-last",
// "delete-all").
func (w Withdrawal) String() string {
	if !w.valid() {
		return fmt.Sprintf("Withdrawal(%d)", int(w))
	}
	return withdrawalNames[w]
}

// MarshalText encodes w as its String name; an invalid value is an error.
func (w Withdrawal) MarshalText() ([]byte, error) {
	if !w.valid() {
		return nil, fmt.Errorf("%w: withdrawal %d", ErrBadEvent, int(w))
	}
	return []byte(withdrawalNames[w]), nil
}

// UnmarshalText accepts the names MarshalText writes.
func (w *Withdrawal) UnmarshalText(b []byte) error {
	for v := WithdrawNone; v <= WithdrawDeleteAll; v++ {
		if withdrawalNames[v] == string(b) {
			*w = v
			return nil
		}
	}
	return fmt.Errorf("%w: unknown withdrawal %q", ErrBadEvent, b)
}

// MaxDeleteMinutes bounds "delete the last N minutes".
const MaxDeleteMinutes = 24 * 60

// Event is one thing that happened in a session, as Session.Apply takes it
// and as the event log keeps it. Only the fields of its Kind are set;
// Validate says which. Events are plain values that encode to and from JSON
// with the field names in their tags, so storage keeps them exactly as this
// package emits them.
type Event struct {
	Kind EventKind `json:"kind"`
	// At is when it happened, from the caller's clock. Times may go
	// backwards; they are recorded as given.
	At    time.Time `json:"at"`
	Actor Actor     `json:"actor"`
	// Participant is who answers, for EventConfirm, EventDecline,
	// EventKeep and EventDiscard.
	Participant string `json:"participant,omitempty"`
	// KeepDays, for EventConfirm, is a shorter keep chosen by Participant
	// (MinKeepDays up to the policy's default); 0 keeps the default.
	KeepDays int `json:"keepDays,omitempty"`
	// EndOfToday, for EventConfirm, chooses deletion at the end of today
	// (the start of tomorrow, local time).
	EndOfToday bool `json:"endOfToday,omitempty"`
	// Withdrawal, for EventWithdraw (required there), says what happens
	// to what was recorded.
	Withdrawal Withdrawal `json:"withdrawal,omitempty"`
	// DeleteMinutes, for WithdrawDeleteLast (required there, 1 to
	// MaxDeleteMinutes), is how many of the last minutes to delete.
	DeleteMinutes int `json:"deleteMinutes,omitempty"`
	// Joiner is who joined, for EventJoin (required there).
	Joiner *Participant `json:"joiner,omitempty"`
	// Language and Statement, for EventConfirm and EventDecline (optional
	// there, both or neither), are the language tag and the Page.Version
	// of the statement the person answered: what they agreed or refused,
	// word for word.
	Language  string `json:"language,omitempty"`
	Statement string `json:"statement,omitempty"`
	// DontAskAgain, for EventDecline tapped by a client themself, is the
	// quiet third answer "please don't ask me again": no now, and later
	// sessions start as notes only without the question.
	DontAskAgain bool `json:"dontAskAgain,omitempty"`
	// Reason, for EventSwitchToNotes, says why the question was not put.
	Reason NotesReason `json:"reason,omitempty"`
	// ClientCopy, for EventKeep, says that Participant also agrees to the
	// client having a copy of the recording (it holds their voice too).
	ClientCopy bool `json:"clientCopy,omitempty"`
}

// Validate reports whether e is well formed on its own, whatever the
// session: a known kind and actor, a time that can be stored, and exactly
// the fields its kind uses. Errors wrap ErrBadEvent (and, where it says
// more, ErrKeepDaysOutOfRange, ErrGuardianRequired or
// ErrInvalidParticipant). Apply runs it first.
func (e Event) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrBadEvent, e.Kind, fmt.Sprintf(format, args...))
	}
	if !e.Kind.valid() {
		return fmt.Errorf("%w: unknown kind %d", ErrBadEvent, int(e.Kind))
	}
	if e.At.IsZero() {
		return bad("no time")
	}
	// RFC 3339, as JSON stores times, has four-digit years and offsets in
	// whole minutes under 24 hours; any other time would come back changed.
	if _, offset := e.At.Zone(); e.At.Year() < 0 || e.At.Year() > 9999 || offset%60 != 0 || offset <= -24*3600 || offset >= 24*3600 {
		return bad("time %v cannot be stored exactly", e.At)
	}
	switch e.Actor.Kind {
	case ActorParticipant:
		if e.Actor.ParticipantID == "" || !utf8.ValidString(e.Actor.ParticipantID) {
			return bad("participant actor without a valid ID")
		}
	case ActorTherapist, ActorSystem:
		if e.Actor.ParticipantID != "" {
			return bad("%s actor names a participant", e.Actor.Kind)
		}
	default:
		return bad("unknown actor kind %d", int(e.Actor.Kind))
	}
	answers := e.Kind == EventConfirm || e.Kind == EventDecline || e.Kind == EventKeep || e.Kind == EventDiscard
	switch {
	case answers && (e.Participant == "" || !utf8.ValidString(e.Participant)):
		return bad("no valid participant")
	case !answers && e.Participant != "":
		return bad("names a participant")
	case e.Kind != EventConfirm && (e.KeepDays != 0 || e.EndOfToday):
		return bad("keep-days or end-of-today on a non-confirm")
	case e.KeepDays != 0 && (e.KeepDays < MinKeepDays || e.KeepDays > MaxKeepDays):
		return fmt.Errorf("%w: %w: %d days, allowed %d..%d", ErrBadEvent, ErrKeepDaysOutOfRange, e.KeepDays, MinKeepDays, MaxKeepDays)
	case e.Kind != EventWithdraw && (e.Withdrawal != WithdrawNone || e.DeleteMinutes != 0):
		return bad("withdrawal fields on a non-withdraw")
	case e.Kind == EventWithdraw && (e.Withdrawal == WithdrawNone || !e.Withdrawal.valid()):
		return bad("no valid withdrawal choice")
	case e.Withdrawal == WithdrawDeleteLast && (e.DeleteMinutes < 1 || e.DeleteMinutes > MaxDeleteMinutes):
		return bad("delete-last needs 1..%d minutes, got %d", MaxDeleteMinutes, e.DeleteMinutes)
	case e.Withdrawal != WithdrawDeleteLast && e.DeleteMinutes != 0:
		return bad("delete-minutes without delete-last")
	case e.Kind != EventConfirm && e.Kind != EventDecline && (e.Language != "" || e.Statement != ""):
		return bad("statement on an event other than a yes or a no")
	case (e.Language == "") != (e.Statement == ""):
		return bad("a statement's language without its version, or the reverse")
	case e.Language != "" && (len(e.Language) > 35 || !utf8.ValidString(e.Language) || strings.TrimSpace(e.Language) != e.Language):
		return bad("language tag %q", e.Language)
	case e.Statement != "" && !validVersion(e.Statement):
		return bad("statement version %q is not sha256:<64 hex digits>", e.Statement)
	case e.Kind == EventJoin && e.Joiner == nil:
		return bad("nobody joins")
	case e.Kind != EventJoin && e.Joiner != nil:
		return bad("joiner on a non-join")
	case e.DontAskAgain && e.Kind != EventDecline:
		return bad("don't-ask-again on a non-decline")
	case e.DontAskAgain && (e.Actor.Kind != ActorParticipant || e.Actor.ParticipantID != e.Participant):
		return bad("don't-ask-again is only the client's own tap")
	case e.ClientCopy && e.Kind != EventKeep:
		return bad("a client's copy agreed on a non-keep")
	case e.Reason != "" && e.Kind != EventSwitchToNotes:
		return bad("a reason on a non-switch-to-notes")
	case !e.Reason.valid():
		return bad("unknown reason %q", e.Reason)
	}
	if e.Joiner != nil {
		if err := e.Joiner.check(); err != nil {
			return fmt.Errorf("%w: joiner: %w", ErrBadEvent, err)
		}
	}
	return nil
}

// clone returns e with its own Joiner and without a monotonic clock
// reading, so that the log holds exactly what it encodes.
func (e Event) clone() Event {
	e.At = e.At.Round(0)
	if e.Joiner != nil {
		j := *e.Joiner
		e.Joiner = &j
	}
	return e
}

// MarshalEvent encodes a valid event as JSON, or returns Validate's error.
func MarshalEvent(e Event) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e.clone())
}

// UnmarshalEvent decodes exactly one JSON event, as MarshalEvent writes it,
// and validates it. Unknown fields, trailing data and any malformed value
// give an error wrapping ErrBadEvent. It never panics, whatever the bytes.
func UnmarshalEvent(data []byte) (Event, error) {
	var e Event
	if err := DecodeStrict(data, &e); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrBadEvent, err)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

// validVersion reports whether v is as Page.Version writes it.
func validVersion(v string) bool {
	hexPart, ok := strings.CutPrefix(v, "sha256:")
	if !ok || len(hexPart) != 64 {
		return false
	}
	for _, c := range hexPart {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// DecodeStrict decodes one JSON value into v, refusing unknown fields and
// anything after the value: how consent reads its events, receipts and
// language files, so that a misspelt key is an error, never a silently
// missing value. The client screen's language files (package app) and
// storage's own records are read with it too.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}
