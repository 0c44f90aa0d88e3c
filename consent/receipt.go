package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// CollectionMethod is how the question was put and answered. The zero
// value is invalid.
type CollectionMethod int

// Collection methods.
const (
	// CollectionOnScreen: each person read the statement and tapped their
	// answer on the client screen, in the room.
	CollectionOnScreen CollectionMethod = iota + 1
	// CollectionReadAloud: for a client who cannot use the screen, the
	// therapist read the statement aloud and entered the spoken answers.
	CollectionReadAloud
)

func (m CollectionMethod) valid() bool { return m == CollectionOnScreen || m == CollectionReadAloud }

// String returns the method in words ("on screen, in the room").
func (m CollectionMethod) String() string {
	switch m {
	case CollectionOnScreen, CollectionReadAloud:
		return wordsOf(DefaultLanguage).method(m)
	}
	return fmt.Sprintf("CollectionMethod(%d)", int(m))
}

// method is m in w's words.
func (w *words) method(m CollectionMethod) string {
	if m == CollectionReadAloud {
		return w.CollectionReadAloud
	}
	if m == CollectionOnScreen {
		return w.CollectionOnScreen
	}
	return m.String()
}

// Outcome sums up a session's consent for a client's record. The zero value
// is invalid.
type Outcome int

// Outcomes, from the session's event log.
const (
	// OutcomeNotesOnly: nothing was recorded and nobody said no (notes only
	// was chosen, or the question was never answered).
	OutcomeNotesOnly Outcome = iota + 1
	// OutcomeDeclined: nothing was recorded because someone said no.
	OutcomeDeclined
	// OutcomeRecorded: something was recorded and the latest recording was
	// not withdrawn.
	OutcomeRecorded
	// OutcomeWithdrawn: the latest recording was stopped by a withdrawal;
	// Receipt.Withdrawal says what happened to it.
	OutcomeWithdrawn
)

var outcomeNames = [...]string{
	OutcomeNotesOnly: "notes-only",
	OutcomeDeclined:  "declined",
	OutcomeRecorded:  "recorded",
	OutcomeWithdrawn: "withdrawn",
}

// String returns a stable name ("recorded", "notes-only", "declined",
// "withdrawn").
func (o Outcome) String() string {
	if o < OutcomeNotesOnly || o > OutcomeWithdrawn {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// Receipt is a session's consent history, for the client to keep: shown as
// a Page, and written as a Kantara Consent Receipt (KantaraJSON). It is a
// plain value; the caller may set Jurisdiction and PolicyURL (and change
// Language to another of Languages) before writing it out.
type Receipt struct {
	// ID is derived from the session ID, the event log, the method and the
	// controller: the same history gives the same ID, any change another.
	// It is formatted as a UUID (version 8, RFC 9562).
	ID string
	// SessionID and Client are the session's; Client is the receipt's
	// principal (piiPrincipalId).
	SessionID string
	Client    string
	// Controller is the therapist or practice responsible for the
	// recording.
	Controller string
	// Method is how the question was put and answered.
	Method CollectionMethod
	// Language is the tag of the receipt's wording: the session's
	// language (DefaultLanguage unless Session.SetLanguage chose another).
	Language string
	// StatementLanguage and StatementVersion are the language and
	// Page.Version of the statement the last answer was given to, as the
	// answer carries them; empty when no answer carries one.
	StatementLanguage string
	StatementVersion  string
	// Jurisdiction (for example "GB") and PolicyURL are empty unless the
	// caller sets them.
	Jurisdiction string
	PolicyURL    string
	// Location is the session's time zone, for dates and times.
	Location *time.Location
	// Participants are everyone present by the end, joiners included.
	Participants []Participant
	// Purposes and ExportAllowed are what was offered, and agreed to if
	// anything was recorded.
	Purposes      []Purpose
	ExportAllowed bool
	// Events is the session's whole log, oldest first.
	Events []Event
	// Segments are the stretches of capture, one per Grant.
	Segments []Segment
	// Outcome sums it up.
	Outcome Outcome
	// Withdrawal, DeleteMinutes and WithdrawnAt are the choice and time of
	// the withdrawal that stopped the latest recording, with
	// OutcomeWithdrawn. WithdrawnAt is also the time everything was
	// deleted at the end (ConfirmDeleted, ConfirmUnansweredDeleted).
	Withdrawal    Withdrawal
	DeleteMinutes int
	WithdrawnAt   time.Time
	// Confirmation is how the question at the end went, and DiscardedBy
	// who said delete it now (with ConfirmDeleted).
	Confirmation Confirmation
	DiscardedBy  string
	// NotAsked says why the question was not put, if it was not for a
	// reason (the client asked not to be asked, a minor present).
	NotAsked NotesReason
	// Pauses are the stretches in which capture was paused, in order.
	Pauses []Pause
	// DeleteOn is when every recording of the session is gone at the
	// latest; zero if nothing was recorded.
	DeleteOn time.Time
	// ConsentedAt is the time of the last answer (yes or no) in the log, or
	// of the first event if nobody answered.
	ConsentedAt time.Time
	// AuditHead, when the caller sets it, is the practice's audit log head
	// when the receipt was made (a row number and a short hash, e.g. "#123
	// 1a2b3c4d"): printed on the receipt so that the log can later be
	// shown to still hold what the receipt was made from. It is not part
	// of the receipt's ID.
	AuditHead string
}

// Pause is one stretch in which capture was paused: from the pause to the
// resume (or whatever ended the pause). Nothing is captured in it.
type Pause struct {
	By   Actor
	From time.Time
	// To is zero while the pause is still on.
	To time.Time
}

// pauses reads the stretches of pause from an event log.
func pauses(events []Event) []Pause {
	var out []Pause
	open := -1
	for _, e := range events {
		switch e.Kind {
		case EventPause:
			out = append(out, Pause{By: e.Actor, From: e.At})
			open = len(out) - 1
		case EventResume, EventWithdraw, EventSwitchToNotes, EventJoin, EventReAsk, EventEnd:
			if open >= 0 {
				out[open].To = e.At
				open = -1
			}
		}
	}
	return out
}

// Receipt returns the session's consent history so far, collected by
// method, with controller as the party responsible for the recording.
func (s *Session) Receipt(method CollectionMethod, controller string) Receipt {
	r := Receipt{Controller: controller, Method: method, Language: s.Language(), Location: time.UTC}
	if s == nil {
		return r
	}
	r.SessionID, r.Client, r.Location = s.id, s.client, s.loc
	r.Participants = s.Participants()
	r.Purposes = slices.Clone(s.policy.Purposes)
	r.ExportAllowed = s.policy.exportAllowed()
	r.Events = s.Events()
	r.Segments = slices.Clone(s.segments)
	if len(s.segments) > 0 {
		r.DeleteOn = s.deleteOn
	}

	lastStart := -1
	if n := len(s.segments); n > 0 {
		lastStart = s.segments[n-1].Event
	}
	declined := false
	r.Outcome = OutcomeNotesOnly
	for i, e := range r.Events {
		switch e.Kind {
		case EventConfirm, EventDecline:
			r.ConsentedAt = e.At
			if e.Statement != "" {
				r.StatementLanguage, r.StatementVersion = e.Language, e.Statement
			}
			if e.Kind == EventDecline {
				declined = true
			}
		case EventWithdraw:
			if i > lastStart {
				r.Outcome, r.Withdrawal, r.DeleteMinutes, r.WithdrawnAt = OutcomeWithdrawn, e.Withdrawal, e.DeleteMinutes, e.At
			}
		}
	}
	if r.Outcome != OutcomeWithdrawn {
		switch {
		case len(s.segments) > 0:
			r.Outcome = OutcomeRecorded
		case declined:
			r.Outcome = OutcomeDeclined
		}
	}
	if r.ConsentedAt.IsZero() && len(r.Events) > 0 {
		r.ConsentedAt = r.Events[0].At
	}
	r.Confirmation = s.confirmation
	r.Pauses = pauses(r.Events)
	for _, e := range r.Events {
		switch {
		case e.Kind == EventSwitchToNotes && e.Reason != "":
			r.NotAsked = e.Reason
		case e.Kind == EventDiscard && r.Confirmation == ConfirmDeleted:
			r.DiscardedBy, r.WithdrawnAt = r.name(e.Participant), e.At
		case e.Kind == EventEnd && r.Confirmation == ConfirmUnansweredDeleted:
			r.WithdrawnAt = e.At // the last end, which closed the question
		}
	}
	r.ID = receiptID(r)
	return r
}

// receiptID hashes what the receipt attests into a UUID-formatted ID.
func receiptID(r Receipt) string {
	h := sha256.New()
	fmt.Fprintf(h, "assent consent receipt v1\x00%s\x00%d\x00%s\x00", r.SessionID, r.Method, r.Controller)
	for _, e := range r.Events {
		b, err := MarshalEvent(e)
		if err != nil { // cannot happen: the log holds only valid events
			b = []byte(e.Kind.String())
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)[:16]
	sum[6] = sum[6]&0x0f | 0x80 // version 8: custom
	sum[8] = sum[8]&0x3f | 0x80 // RFC 9562 variant
	x := hex.EncodeToString(sum)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// Page renders the receipt in plain language: the session's date, how
// consent was asked, who was present, the outcome, the purposes agreed and
// the deletion date if anything was recorded, then every event with its
// local time.
func (r Receipt) Page() Page {
	w := wordsOf(r.Language)
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	var paras []string
	if len(r.Events) > 0 {
		paras = append(paras, fmt.Sprintf(w.ReceiptSession, w.longDate(r.Events[0].At, loc)))
	}
	paras = append(paras, fmt.Sprintf(w.ReceiptMethod, w.method(r.Method)))
	if r.StatementVersion != "" {
		paras = append(paras, fmt.Sprintf(w.ReceiptStatement, LanguageName(r.StatementLanguage), r.StatementVersion))
	}
	people := make([]string, len(r.Participants))
	for i, p := range r.Participants {
		people[i] = fmt.Sprintf(w.ReceiptPerson, p.Name, w.role(p.Role))
	}
	paras = append(paras, fmt.Sprintf(w.ReceiptPeople, w.list(people)))
	switch r.Outcome {
	case OutcomeRecorded:
		paras = append(paras, w.OutcomeRecorded)
	case OutcomeDeclined:
		paras = append(paras, w.OutcomeDeclined)
	case OutcomeWithdrawn:
		paras = append(paras, w.OutcomeWithdrawn+" "+w.withdrawal(r.Withdrawal, r.DeleteMinutes))
	default: // notes only
		switch r.NotAsked {
		case ReasonNotAsked:
			paras = append(paras, w.OutcomeNotAsked)
		case ReasonMinorPresent:
			paras = append(paras, w.OutcomeMinor)
		default:
			paras = append(paras, w.OutcomeNotesOnly)
		}
	}
	for _, p := range r.Pauses {
		by := r.who(p.By, w.ByTherapist, w.ByApp) // inside a sentence
		if p.To.IsZero() {
			paras = append(paras, fmt.Sprintf(w.PausedOpen, by, p.From.In(loc).Format(w.Clock)))
		} else {
			paras = append(paras, fmt.Sprintf(w.Paused, by, p.From.In(loc).Format(w.Clock), p.To.In(loc).Format(w.Clock)))
		}
	}
	switch r.Confirmation {
	case ConfirmPending:
		paras = append(paras, w.ConfirmPending)
	case ConfirmKept:
		paras = append(paras, w.ConfirmKept)
	case ConfirmDeleted:
		paras = append(paras, fmt.Sprintf(w.ConfirmDeleted, r.DiscardedBy))
	case ConfirmUnansweredKept:
		paras = append(paras, w.ConfirmUnansKept)
	case ConfirmUnansweredDeleted:
		paras = append(paras, w.ConfirmUnansDel)
	}
	if len(r.Segments) > 0 {
		for _, u := range r.Purposes {
			paras = append(paras, w.why(u))
		}
		if !r.DeleteOn.IsZero() && !r.allDeleted() {
			paras = append(paras, fmt.Sprintf(w.ReceiptDeleteOn, w.longDate(r.DeleteOn, loc)))
		}
	}
	if len(r.Events) > 0 {
		paras = append(paras, w.ReceiptHappened)
	}
	// A yes that started capture says so; a resume says so by itself.
	started := map[int]bool{}
	for _, g := range r.Segments {
		if g.Event < len(r.Events) && r.Events[g.Event].Kind == EventConfirm {
			started[g.Event] = true
		}
	}
	var firstDay string
	for i, e := range r.Events {
		line := r.describe(w, e)
		if started[i] {
			line += " " + w.EvStarted
		}
		at := e.At.In(loc)
		day := w.longDate(at, loc)
		if i == 0 {
			firstDay = day
		}
		if day == firstDay {
			paras = append(paras, fmt.Sprintf(w.ReceiptLine, at.Format(w.Clock), line))
		} else {
			paras = append(paras, fmt.Sprintf(w.ReceiptLineOnDate, day, at.Format(w.Clock), line))
		}
	}
	if r.AuditHead != "" {
		paras = append(paras, fmt.Sprintf(w.ReceiptAuditHead, r.AuditHead))
	}
	return Page{Title: w.ReceiptTitle, Paragraphs: paras}
}

// allDeleted reports whether everything recorded in the session was
// deleted by a withdrawal.
func (r Receipt) allDeleted() bool {
	return (r.Outcome == OutcomeWithdrawn && r.Withdrawal == WithdrawDeleteAll) ||
		r.Confirmation == ConfirmDeleted || r.Confirmation == ConfirmUnansweredDeleted
}

// name is a participant's display name, or their ID if they are unknown.
func (r Receipt) name(id string) string {
	for _, p := range r.Participants {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// who names actor a: a participant by name, else therapist or app, the
// words for the therapist and for Assent where the sentence needs them.
func (r Receipt) who(a Actor, therapist, app string) string {
	switch a.Kind {
	case ActorTherapist:
		return therapist
	case ActorParticipant:
		return r.name(a.ParticipantID)
	}
	return app
}

// describe says what one event was, in a sentence or two.
func (r Receipt) describe(w *words, e Event) string {
	who := r.who(e.Actor, w.TheTherapist, w.TheApp)
	switch e.Kind {
	case EventAsk:
		return fmt.Sprintf(w.EvAsk, who)
	case EventConfirm:
		s := fmt.Sprintf(w.EvConfirm, r.name(e.Participant))
		if e.Actor.Kind == ActorTherapist {
			s += " " + w.EvEnteredAloud
		}
		switch {
		case e.EndOfToday:
			s += " " + w.EvEndOfToday
		case e.KeepDays == 1:
			s += " " + w.EvKeepDay
		case e.KeepDays > 1:
			s += " " + fmt.Sprintf(w.EvKeepDays, e.KeepDays)
		}
		return s
	case EventDecline:
		s := fmt.Sprintf(w.EvDecline, r.name(e.Participant))
		if e.Actor.Kind == ActorTherapist {
			s += " " + w.EvEnteredAloud
		}
		if e.DontAskAgain {
			s += " " + w.EvDontAskAgain
		}
		return s
	case EventKeep, EventDiscard:
		s := fmt.Sprintf(w.EvKeep, r.name(e.Participant))
		if e.Kind == EventDiscard {
			s = fmt.Sprintf(w.EvDiscard, r.name(e.Participant))
		}
		if e.Actor.Kind == ActorTherapist {
			s += " " + w.EvEnteredAloud
		}
		if e.ClientCopy {
			s += " " + w.EvClientCopy
		}
		return s
	case EventAskAgain:
		return fmt.Sprintf(w.EvAskAgain, who)
	case EventPause:
		return fmt.Sprintf(w.EvPause, who)
	case EventResume:
		return fmt.Sprintf(w.EvResume, who)
	case EventWithdraw:
		return fmt.Sprintf(w.EvWithdraw, who) + " " + w.withdrawal(e.Withdrawal, e.DeleteMinutes)
	case EventSwitchToNotes:
		switch e.Reason {
		case ReasonNotAsked:
			return w.EvNotAsked
		case ReasonMinorPresent:
			return w.EvMinorPresent
		}
		return fmt.Sprintf(w.EvSwitchToNotes, who)
	case EventJoin:
		if e.Joiner != nil {
			return fmt.Sprintf(w.EvJoin, e.Joiner.Name, w.role(e.Joiner.Role))
		}
	case EventReAsk:
		return fmt.Sprintf(w.EvReAsk, who)
	case EventEnd:
		return fmt.Sprintf(w.EvEnd, who)
	}
	return e.Kind.String()
}

// withdrawal says what a withdrawal did to what was recorded.
func (w *words) withdrawal(wd Withdrawal, minutes int) string {
	switch wd {
	case WithdrawDeleteAll:
		return w.DeletedAll
	case WithdrawDeleteLast:
		if minutes == 1 {
			return w.DeletedLastOne
		}
		return fmt.Sprintf(w.DeletedLast, minutes)
	}
	return w.KeptUntilDate
}
