package consent

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Effects is what the caller must do after an accepted event. The zero
// Effects means "nothing": the event was only recorded.
type Effects struct {
	// State is the session's state after the event.
	State State
	// StartCapture: open the microphone now, under Grant.
	StartCapture bool
	// StopCapture: capture was on and must stop now. (The Grant it ran
	// under is already invalid, so a recorder that checks Valid stops by
	// itself; this says so explicitly.)
	StopCapture bool
	// Grant is the new Grant when StartCapture is set, else the zero Grant.
	Grant Grant
	// Revoked is the Serial of the Grant this event revoked, or 0.
	Revoked int
	// Withdrawal, when not WithdrawNone, is what to do with what was
	// recorded in this session: keep it, delete the last DeleteMinutes
	// minutes, or delete all of it now.
	Withdrawal Withdrawal
	// DeleteMinutes is set with WithdrawDeleteLast.
	DeleteMinutes int
	// DeleteOn, when not zero, is the instant by which every recording of
	// this session must be gone, including those already made: apply it to
	// each as the earlier of its current date and this one. It is set when a
	// Grant is made and whenever a choice shortens the session's date; it is
	// never later than a DeleteOn given before.
	DeleteOn time.Time
	// Confirmed: the session's recordings are confirmed now (everyone
	// recorded said keep at the end, or the question was closed unanswered
	// under a policy that keeps them): they may be used within their
	// purposes from now on. Until then a session asked under a policy with
	// the end question holds only unconfirmed recordings.
	Confirmed bool
	// DontAskAgain: the client asked not to be asked again; store it in
	// their record, so that later sessions start as notes only.
	DontAskAgain bool
	// AskAgain: the client lifted their "don't ask me again"; clear it in
	// their record.
	AskAgain bool
}

// Session is one therapy session's consent: who is present, what was
// offered, every event so far, and the state those events led to. It does no
// I/O and never reads the clock: events bring their time, and what the
// caller must do comes back as Effects.
//
// A Session is not safe for concurrent use; its Grants are.
type Session struct {
	id           string
	client       string
	participants []Participant
	policy       Policy
	loc          *time.Location
	lang         string // BCP 47 tag of the wording; "" is DefaultLanguage
	state        State
	events       []Event

	// The current round of answers, opened by EventAsk or EventReAsk and
	// closed by a decline, a withdrawal, notes only, a join.
	asked     bool
	askedAt   time.Time
	confirmed map[string]answer

	declined bool  // NotesOnly because someone said no
	pausedBy Actor // who paused, while Paused
	notAsked bool  // the client asked not to be asked again, until they lift it

	// The question at the end: everyone recorded in the session, those of
	// them who said keep, whether everything recorded was deleted, and how
	// it ended.
	recorded     []string
	kept         map[string]bool
	copyAgreed   map[string]bool // said keep with ClientCopy
	erased       bool
	confirmation Confirmation

	serial      int       // Serial of the latest Grant, 0 before the first
	current     Grant     // the Grant in force while Recording
	confirmedBy []string  // who the Grant in force (or the next resume) rests on
	deleteOn    time.Time // the session's granted deletion instant; zero before the first Grant
	segments    []Segment
}

// Segment is one stretch of capture under one Grant, as a receipt lists it.
type Segment struct {
	// Serial is the Grant's serial.
	Serial int
	// Event is the index, in the session's event log, of the event that
	// started it (the last yes, or a resume).
	Event int
	// StartedAt is that event's time.
	StartedAt time.Time
	// DeleteOn is the Grant's deletion instant when it was made; the
	// session's DeleteOn may have moved earlier since.
	DeleteOn time.Time
}

// Confirmation is where the question at the end stands. The zero value,
// ConfirmNotAsked, is a session whose policy does not ask at the end, or
// that recorded nothing to ask about.
type Confirmation int

// Confirmations.
const (
	// ConfirmNotAsked: no question at the end (not offered, or nothing
	// recorded is left).
	ConfirmNotAsked Confirmation = iota
	// ConfirmPending: something was recorded under the end question and
	// not everyone recorded has said keep yet: it is unconfirmed.
	ConfirmPending
	// ConfirmKept: everyone recorded said keep.
	ConfirmKept
	// ConfirmDeleted: someone recorded said delete it now.
	ConfirmDeleted
	// ConfirmUnansweredKept: closed before everyone answered; the policy
	// keeps it until its date.
	ConfirmUnansweredKept
	// ConfirmUnansweredDeleted: closed before everyone answered; the
	// policy deletes it.
	ConfirmUnansweredDeleted
)

var confirmationNames = [...]string{
	ConfirmNotAsked:          "not-asked",
	ConfirmPending:           "pending",
	ConfirmKept:              "kept",
	ConfirmDeleted:           "deleted",
	ConfirmUnansweredKept:    "unanswered-kept",
	ConfirmUnansweredDeleted: "unanswered-deleted",
}

// String returns a stable name ("pending", "kept", "unanswered-deleted").
func (c Confirmation) String() string {
	if c < ConfirmNotAsked || c > ConfirmUnansweredDeleted {
		return fmt.Sprintf("Confirmation(%d)", int(c))
	}
	return confirmationNames[c]
}

// answer is one participant's yes in the current round.
type answer struct {
	at         time.Time
	keepDays   int
	endOfToday bool
}

// NewSession starts a session in AwaitingConsent. id names the session
// (it is carried by every Grant), client is the therapist's label for the
// client (the receipt's principal), participants are everyone present (at
// least one; every minor with their guardian), policy is what is offered,
// and loc is the time zone whose calendar the deletion date follows.
//
// Errors wrap ErrInvalidSession, ErrInvalidParticipant, ErrGuardianRequired,
// ErrInvalidPolicy or ErrKeepDaysOutOfRange.
func NewSession(id, client string, participants []Participant, policy Policy, loc *time.Location) (*Session, error) {
	switch {
	case strings.TrimSpace(id) == "" || !utf8.ValidString(id):
		return nil, fmt.Errorf("%w: empty or non-UTF-8 session ID", ErrInvalidSession)
	case strings.TrimSpace(client) == "" || !utf8.ValidString(client):
		return nil, fmt.Errorf("%w: empty or non-UTF-8 client", ErrInvalidSession)
	case loc == nil:
		return nil, fmt.Errorf("%w: no time zone", ErrInvalidSession)
	}
	if err := policy.Validate(); err != nil {
		return nil, err
	}
	if err := checkParticipants(participants); err != nil {
		return nil, err
	}
	return &Session{
		id:           id,
		client:       client,
		participants: slices.Clone(participants),
		policy:       policy.clone(),
		loc:          loc,
		state:        AwaitingConsent,
	}, nil
}

// Replay rebuilds a session from its beginning and its event log, as
// storage keeps them: NewSession, then Apply for each event in order. An
// event that was not accepted gives an error naming its index. If the log
// ends in Recording, the rebuilt session holds a valid Grant; a caller that
// is not capturing (after a crash) should apply EventPause or
// EventSwitchToNotes by ActorSystem.
func Replay(id, client string, participants []Participant, policy Policy, loc *time.Location, events []Event) (*Session, error) {
	s, err := NewSession(id, client, participants, policy, loc)
	if err != nil {
		return nil, err
	}
	for i, e := range events {
		if _, err := s.Apply(e); err != nil {
			return nil, fmt.Errorf("consent: replay event %d (%s): %w", i, e.Kind, err)
		}
	}
	return s, nil
}

// SetLanguage sets the language the session's statement and receipt are
// written in (a tag of Languages; the client's language). A tag with no
// language file is refused with ErrUnknownLanguage and changes nothing.
// Each answer carries the language and version of the statement it was
// given to, so a language set later never changes what was agreed.
func (s *Session) SetLanguage(tag string) error {
	if s == nil {
		return fmt.Errorf("%w: nil session", ErrInvalidSession)
	}
	if !KnownLanguage(tag) {
		return fmt.Errorf("%w: %q", ErrUnknownLanguage, tag)
	}
	s.lang = tag
	return nil
}

// Language returns the tag of the session's wording: DefaultLanguage
// unless SetLanguage chose another (and for a nil Session).
func (s *Session) Language() string {
	if s == nil || s.lang == "" {
		return DefaultLanguage
	}
	return s.lang
}

// ID returns the session's ID ("" for a nil Session).
func (s *Session) ID() string {
	if s == nil {
		return ""
	}
	return s.id
}

// Client returns the client label given to NewSession.
func (s *Session) Client() string {
	if s == nil {
		return ""
	}
	return s.client
}

// Location returns the time zone of the session's calendar (UTC for a nil
// Session).
func (s *Session) Location() *time.Location {
	if s == nil {
		return time.UTC
	}
	return s.loc
}

// Policy returns a copy of what the session offers.
func (s *Session) Policy() Policy {
	if s == nil {
		return Policy{}
	}
	return s.policy.clone()
}

// State returns where the session stands.
func (s *Session) State() State {
	if s == nil {
		return Ended
	}
	return s.state
}

// Participants returns everyone present, in the order given and joined.
func (s *Session) Participants() []Participant {
	if s == nil {
		return nil
	}
	return slices.Clone(s.participants)
}

// Events returns a copy of the log of accepted events, oldest first. The
// log only grows: a refused event leaves no trace, and no accepted event is
// ever changed.
func (s *Session) Events() []Event {
	if s == nil {
		return nil
	}
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		out[i] = e.clone()
	}
	return out
}

// Unconfirmed reports whether the session's recordings are unconfirmed:
// recorded under a policy that asks at the end, and not (yet) confirmed by
// everyone recorded. An unconfirmed recording is never played or exported.
func (s *Session) Unconfirmed() bool {
	return s != nil && s.confirmation == ConfirmPending
}

// Confirmation is where the question at the end stands.
func (s *Session) Confirmation() Confirmation {
	if s == nil {
		return ConfirmNotAsked
	}
	return s.confirmation
}

// ToConfirm returns, in Confirming, the recorded people who have not yet
// said keep, in the order they came; otherwise nobody.
func (s *Session) ToConfirm() []Participant {
	if s == nil || s.state != Confirming {
		return nil
	}
	var out []Participant
	for _, p := range s.participants {
		if slices.Contains(s.recorded, p.ID) && !s.kept[p.ID] {
			out = append(out, p)
		}
	}
	return out
}

// ClientCopyAgreed reports whether the client may be given a copy of the
// session's recordings: a client was recorded, and everyone else recorded
// said keep at the end agreeing to the client's copy (EventKeep with
// ClientCopy). A client recorded alone needs nobody else's agreement.
func (s *Session) ClientCopyAgreed() bool {
	if s == nil || s.erased || s.confirmation == ConfirmPending {
		return false
	}
	client := false
	for _, p := range s.Recorded() {
		switch {
		case p.Role == RoleClient:
			client = true
		case !s.copyAgreed[p.ID]:
			return false
		}
	}
	return client
}

// Recorded returns everyone whose voice was recorded in the session (who
// said yes to a segment), in the order they came.
func (s *Session) Recorded() []Participant {
	if s == nil {
		return nil
	}
	var out []Participant
	for _, p := range s.participants {
		if slices.Contains(s.recorded, p.ID) {
			out = append(out, p)
		}
	}
	return out
}

// PausedBy returns who paused, while Paused, and the zero Actor
// otherwise. A pause made by a participant is lifted only by them.
func (s *Session) PausedBy() Actor {
	if s == nil || s.state != Paused {
		return Actor{}
	}
	return s.pausedBy
}

// NotToBeAsked reports whether the client asked not to be asked again and
// has not lifted it: the question cannot be put (ErrNotToBeAsked).
func (s *Session) NotToBeAsked() bool { return s != nil && s.notAsked }

// MinorBarred reports whether the policy never records a session with a
// minor present and a minor is present: the question cannot be put
// (ErrMinorPresent).
func (s *Session) MinorBarred() bool {
	return s != nil && s.policy.NeverRecordMinors && slices.ContainsFunc(s.participants, func(p Participant) bool { return p.Role == RoleMinor })
}

// Grant returns the Grant in force and true while the session is
// Recording, or the zero Grant and false.
func (s *Session) Grant() (Grant, bool) {
	if s == nil || s.state != Recording || !s.current.Valid() {
		return Grant{}, false
	}
	return s.current, true
}

// Pending returns the participants who have yet to say yes before anything
// can be recorded: in AwaitingConsent those without a yes in the current
// round, in NotesOnly everyone (a re-ask starts a fresh round), otherwise
// nobody.
func (s *Session) Pending() []Participant {
	if s == nil || (s.state != AwaitingConsent && s.state != NotesOnly) {
		return nil
	}
	var out []Participant
	for _, p := range s.participants {
		if _, ok := s.confirmed[p.ID]; !ok || s.state == NotesOnly {
			out = append(out, p)
		}
	}
	return out
}

// DeleteOn returns the deletion instant that applies to the session's
// recordings now, or would apply if everyone said yes now: the earliest of
// the date already granted, the policy's default counted from the day the
// question was asked, and every shorter choice made in this round. Once a
// Grant has been made it never moves later. It is zero while nothing has
// been granted and no question is open.
func (s *Session) DeleteOn() time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.proposal()
}

// ChoiceDate is the deletion date a yes given in the current round with
// this choice asks for: keepDays (0: the policy's default) or the end of
// today, counted from the question, as Apply counts it. It is zero while no
// question is open. A choice is worth offering only if its date is before
// DeleteOn: the shortest choice wins, so a later one changes nothing, and
// keepDays above the policy's default is refused (ErrKeepDaysOutOfRange).
func (s *Session) ChoiceDate(keepDays int, endOfToday bool) time.Time {
	if s == nil || !s.asked {
		return time.Time{}
	}
	return s.answerDate(answer{at: s.askedAt, keepDays: keepDays, endOfToday: endOfToday})
}

// proposal computes DeleteOn.
func (s *Session) proposal() time.Time {
	best := s.deleteOn
	if !s.asked {
		return best
	}
	consider := func(t time.Time) {
		if best.IsZero() || t.Before(best) {
			best = t
		}
	}
	consider(DeletionDate(s.askedAt, s.policy.DefaultKeepDays, false, s.loc))
	for _, a := range s.confirmed {
		consider(s.answerDate(a))
	}
	return best
}

// answerDate is the deletion instant one yes asks for. It counts from the
// earlier of the question and the answer, so that an answer given after
// midnight never lands later than the date that was on screen.
func (s *Session) answerDate(a answer) time.Time {
	from := a.at
	if s.askedAt.Before(from) {
		from = s.askedAt
	}
	keep := a.keepDays
	if keep == 0 {
		keep = s.policy.DefaultKeepDays
	}
	return DeletionDate(from, keep, a.endOfToday, s.loc)
}

func (s *Session) participant(id string) (Participant, bool) {
	i := slices.IndexFunc(s.participants, func(p Participant) bool { return p.ID == id })
	if i < 0 {
		return Participant{}, false
	}
	return s.participants[i], true
}

// Apply records e if the session accepts it and returns what the caller must
// now do. A refused event changes nothing and is not logged; its error wraps
// one of the package's sentinel errors:
//
//   - ErrBadEvent (with more detail where known) for a malformed event;
//   - ErrSessionEnded after EventEnd;
//   - ErrUnknownParticipant for an actor or participant not present;
//   - ErrNotAuthorized when this actor may not cause this event;
//   - ErrInvalidTransition (with ErrDeclined after a "no") when the state
//     does not allow it, ErrNotEveryoneConfirmed for a resume while answers
//     are missing, ErrNotAsked for a yes before the question;
//   - ErrKeepDaysOutOfRange for a keep longer than the session's default;
//   - ErrInvalidParticipant or ErrGuardianRequired for a bad joiner.
func (s *Session) Apply(e Event) (Effects, error) {
	if s == nil {
		return Effects{}, fmt.Errorf("%w: nil session", ErrInvalidSession)
	}
	if err := e.Validate(); err != nil {
		return Effects{}, err
	}
	if s.state == Ended {
		return Effects{}, fmt.Errorf("%w: %s refused", ErrSessionEnded, e.Kind)
	}
	if e.Actor.Kind == ActorParticipant {
		if _, ok := s.participant(e.Actor.ParticipantID); !ok {
			return Effects{}, fmt.Errorf("%w: actor %q", ErrUnknownParticipant, e.Actor.ParticipantID)
		}
	}
	if err := s.authorize(e); err != nil {
		return Effects{}, err
	}
	e = e.clone()
	var (
		eff Effects
		err error
	)
	switch e.Kind {
	case EventAsk:
		eff, err = s.ask(e)
	case EventConfirm:
		eff, err = s.confirm(e)
	case EventDecline:
		eff, err = s.decline(e)
	case EventPause:
		eff, err = s.pause(e)
	case EventResume:
		eff, err = s.resume(e)
	case EventWithdraw:
		eff, err = s.withdraw(e)
	case EventSwitchToNotes:
		eff, err = s.switchToNotes(e)
	case EventJoin:
		eff, err = s.join(e)
	case EventReAsk:
		eff, err = s.reAsk(e)
	case EventEnd:
		eff, err = s.end(e)
	case EventKeep, EventDiscard:
		eff, err = s.answerAtEnd(e)
	case EventAskAgain:
		eff, err = s.askAgain(e)
	}
	if err != nil {
		return Effects{}, err
	}
	s.events = append(s.events, e)
	eff.State = s.state
	return eff, nil
}

// authorize checks who may cause which kind of event, whatever the state.
func (s *Session) authorize(e Event) error {
	a := e.Actor.Kind
	refuse := func() error {
		return fmt.Errorf("%w: %s may not %s", ErrNotAuthorized, a, e.Kind)
	}
	switch e.Kind {
	case EventAsk, EventReAsk, EventJoin:
		// Putting the question, and saying who is in the room, is the
		// therapist's responsibility.
		if a != ActorTherapist {
			return refuse()
		}
	case EventConfirm, EventDecline, EventKeep, EventDiscard:
		// Each person answers for themself; the therapist may enter an
		// answer given aloud. The app never answers for anyone.
		if a == ActorSystem || (a == ActorParticipant && e.Actor.ParticipantID != e.Participant) {
			return refuse()
		}
		// "Don't ask me again" belongs to the client's record: only a
		// client says it, for themself.
		if p, _ := s.participant(e.Participant); e.DontAskAgain && p.Role != RoleClient {
			return refuse()
		}
	case EventAskAgain:
		// Only the client lifts their own "don't ask me again".
		if p, _ := s.participant(e.Actor.ParticipantID); a != ActorParticipant || p.Role != RoleClient {
			return refuse()
		}
	case EventPause:
		// Anyone may stop capture, including the app when it must.
	case EventResume:
		// Restarting capture is a person's decision (see resume for who).
		if a == ActorSystem {
			return refuse()
		}
	case EventWithdraw:
		// Deciding what happens to the recording belongs to a person.
		if a == ActorSystem {
			return refuse()
		}
	case EventSwitchToNotes:
		// The therapist decides, or the app when recording has become
		// impossible (device lost, disk full); participants withdraw instead.
		if a == ActorParticipant {
			return refuse()
		}
	case EventEnd:
		if a == ActorParticipant {
			return refuse()
		}
	}
	return nil
}

// refuse is the error for an event the current state does not allow. After
// a "no", anything that leads towards recording also wraps ErrDeclined.
func (s *Session) refuse(e Event) error {
	towardsRecording := e.Kind == EventAsk || e.Kind == EventConfirm || e.Kind == EventResume
	if s.state == NotesOnly && s.declined && towardsRecording {
		return fmt.Errorf("%w: %w: %s in %s", ErrInvalidTransition, ErrDeclined, e.Kind, s.state)
	}
	return fmt.Errorf("%w: %s in %s", ErrInvalidTransition, e.Kind, s.state)
}

// openRound starts a fresh round of answers, the question being put at t.
func (s *Session) openRound(at time.Time) {
	s.asked = true
	s.askedAt = at
	s.confirmed = nil
}

func (s *Session) closeRound() {
	s.asked = false
	s.askedAt = time.Time{}
	s.confirmed = nil
}

// shorten lowers the granted deletion date to the current proposal, once
// something has been granted, and reports the new date if it moved.
func (s *Session) shorten() time.Time {
	if s.deleteOn.IsZero() {
		return time.Time{}
	}
	if p := s.proposal(); p.Before(s.deleteOn) {
		s.deleteOn = p
		return p
	}
	return time.Time{}
}

// stop revokes the Grant in force and fills the capture part of Effects.
func (s *Session) stop(eff *Effects) {
	if s.state == Recording {
		eff.StopCapture = true
	}
	if s.current.Valid() {
		eff.Revoked = s.current.Serial()
	}
	s.current.revoke()
	s.current = Grant{}
}

// barred is why the question may not be put at all, or nil.
func (s *Session) barred() error {
	switch {
	case s.notAsked:
		return fmt.Errorf("%w: only the client can lift it", ErrNotToBeAsked)
	case s.MinorBarred():
		return fmt.Errorf("%w: the question is not put", ErrMinorPresent)
	}
	return nil
}

func (s *Session) ask(e Event) (Effects, error) {
	if s.state != AwaitingConsent {
		return Effects{}, s.refuse(e)
	}
	if err := s.barred(); err != nil {
		return Effects{}, err
	}
	switch {
	case !s.asked:
		s.openRound(e.At)
	case e.At.Before(s.askedAt):
		// Shown again, by a clock that went backwards: count from the
		// earlier time, so the date on screen can only come earlier.
		s.askedAt = e.At
	}
	return Effects{DeleteOn: s.shorten()}, nil
}

func (s *Session) confirm(e Event) (Effects, error) {
	if _, ok := s.participant(e.Participant); !ok {
		return Effects{}, fmt.Errorf("%w: %q", ErrUnknownParticipant, e.Participant)
	}
	if s.state != AwaitingConsent {
		return Effects{}, s.refuse(e)
	}
	if !s.asked {
		return Effects{}, fmt.Errorf("%w: %q answered before the question", ErrNotAsked, e.Participant)
	}
	if e.KeepDays > s.policy.DefaultKeepDays {
		return Effects{}, fmt.Errorf("%w: %q chose %d days, the most is %d", ErrKeepDaysOutOfRange, e.Participant, e.KeepDays, s.policy.DefaultKeepDays)
	}
	a := answer{at: e.At, keepDays: e.KeepDays, endOfToday: e.EndOfToday}
	if prev, ok := s.confirmed[e.Participant]; ok && s.answerDate(prev).Before(s.answerDate(a)) {
		a = prev // a second yes never lengthens the first one's choice
	}
	if s.confirmed == nil {
		s.confirmed = map[string]answer{}
	}
	s.confirmed[e.Participant] = a
	eff := Effects{DeleteOn: s.shorten()}
	for _, p := range s.participants {
		if _, ok := s.confirmed[p.ID]; !ok {
			return eff, nil
		}
	}
	// Everyone present has said yes; a minor's guardian is one of them.
	s.confirmedBy = make([]string, 0, len(s.participants))
	for _, p := range s.participants {
		s.confirmedBy = append(s.confirmedBy, p.ID)
	}
	s.deleteOn = s.proposal()
	return s.startSegment(e.At), nil
}

// startSegment makes the next Grant and moves to Recording.
func (s *Session) startSegment(at time.Time) Effects {
	s.serial++
	g := Grant{g: &grant{
		sessionID:   s.id,
		serial:      s.serial,
		confirmedBy: slices.Clone(s.confirmedBy),
		purposes:    slices.Clone(s.policy.Purposes),
		export:      s.policy.exportAllowed(),
		grantedAt:   at,
		deleteOn:    s.deleteOn,
	}}
	s.current = g
	s.segments = append(s.segments, Segment{Serial: s.serial, Event: len(s.events), StartedAt: at, DeleteOn: s.deleteOn})
	for _, id := range s.confirmedBy {
		if !slices.Contains(s.recorded, id) {
			s.recorded = append(s.recorded, id)
		}
	}
	s.erased = false
	if s.policy.EndQuestion {
		// Whatever was confirmed before, a new segment is unconfirmed.
		s.confirmation = ConfirmPending
		s.kept, s.copyAgreed = nil, nil
	}
	s.state = Recording
	s.pausedBy = Actor{}
	return Effects{StartCapture: true, Grant: g, DeleteOn: s.deleteOn}
}

func (s *Session) decline(e Event) (Effects, error) {
	if _, ok := s.participant(e.Participant); !ok {
		return Effects{}, fmt.Errorf("%w: %q", ErrUnknownParticipant, e.Participant)
	}
	if s.state != AwaitingConsent {
		return Effects{}, s.refuse(e)
	}
	s.closeRound()
	s.state = NotesOnly
	s.declined = true
	if e.DontAskAgain {
		s.notAsked = true
		return Effects{DontAskAgain: true}, nil
	}
	return Effects{}, nil
}

func (s *Session) pause(e Event) (Effects, error) {
	if s.state != Recording {
		return Effects{}, s.refuse(e)
	}
	var eff Effects
	s.stop(&eff)
	s.state = Paused
	s.pausedBy = e.Actor
	return eff, nil
}

func (s *Session) resume(e Event) (Effects, error) {
	switch s.state {
	case Paused:
	case AwaitingConsent:
		return Effects{}, fmt.Errorf("%w: %d still to answer", ErrNotEveryoneConfirmed, len(s.Pending()))
	default:
		return Effects{}, s.refuse(e)
	}
	// A participant's pause is theirs to lift: nobody restarts capture over
	// the head of the person who stopped it.
	if s.pausedBy.Kind == ActorParticipant && e.Actor != s.pausedBy {
		return Effects{}, fmt.Errorf("%w: only %q may resume their pause", ErrNotAuthorized, s.pausedBy.ParticipantID)
	}
	return s.startSegment(e.At), nil
}

func (s *Session) withdraw(e Event) (Effects, error) {
	switch s.state {
	case Recording, Paused:
	case AwaitingConsent, NotesOnly:
		// There is something to decide about only if something was recorded.
		if s.serial == 0 {
			return Effects{}, fmt.Errorf("%w: nothing was recorded to withdraw", s.refuse(e))
		}
	default:
		return Effects{}, s.refuse(e)
	}
	eff := Effects{Withdrawal: e.Withdrawal, DeleteMinutes: e.DeleteMinutes}
	s.stop(&eff)
	if e.Withdrawal == WithdrawDeleteAll {
		s.erase()
	}
	s.closeRound()
	s.state = NotesOnly
	return eff, nil
}

func (s *Session) switchToNotes(e Event) (Effects, error) {
	if s.state == NotesOnly || s.state == Confirming {
		return Effects{}, s.refuse(e)
	}
	var eff Effects
	s.stop(&eff)
	s.closeRound()
	s.state = NotesOnly
	if e.Reason == ReasonNotAsked {
		s.notAsked = true
	}
	return eff, nil
}

func (s *Session) join(e Event) (Effects, error) {
	if s.state == Confirming {
		return Effects{}, s.refuse(e)
	}
	j := *e.Joiner
	if err := checkParticipants(append(slices.Clone(s.participants), j)); err != nil {
		return Effects{}, err
	}
	var eff Effects
	switch s.state {
	case Recording, Paused, AwaitingConsent:
		// The room has changed: everyone answers afresh, after the question
		// is put again with the newcomer present.
		s.stop(&eff)
		s.closeRound()
		s.state = AwaitingConsent
	case NotesOnly:
	}
	s.participants = append(s.participants, j)
	return eff, nil
}

func (s *Session) reAsk(e Event) (Effects, error) {
	// From notes only, and from a pause: after a pause (someone nearly
	// joined, say) capture comes back only through everyone's yes.
	if s.state != NotesOnly && s.state != Paused {
		return Effects{}, s.refuse(e)
	}
	if err := s.barred(); err != nil {
		return Effects{}, err
	}
	s.closeRound()
	s.openRound(e.At)
	s.state = AwaitingConsent
	s.declined = false
	return Effects{DeleteOn: s.shorten()}, nil
}

// erase notes that everything recorded so far is deleted: nothing is
// left to confirm.
func (s *Session) erase() {
	s.erased = true
	if s.confirmation == ConfirmPending {
		s.confirmation = ConfirmNotAsked
	}
}

func (s *Session) end(Event) (Effects, error) {
	var eff Effects
	if s.state == Confirming {
		// Closed before everyone answered (they left): the policy,
		// shown in the statement beforehand, decides.
		s.state = Ended
		if s.policy.KeepUnconfirmed {
			s.confirmation = ConfirmUnansweredKept
			eff.Confirmed = true
			return eff, nil
		}
		s.erase()
		s.confirmation = ConfirmUnansweredDeleted
		eff.Withdrawal = WithdrawDeleteAll
		return eff, nil
	}
	s.stop(&eff)
	s.closeRound()
	s.state = Ended
	if s.confirmation == ConfirmPending {
		s.state = Confirming
	}
	return eff, nil
}

// answerAtEnd takes a recorded person's keep or delete at the end.
func (s *Session) answerAtEnd(e Event) (Effects, error) {
	if _, ok := s.participant(e.Participant); !ok {
		return Effects{}, fmt.Errorf("%w: %q", ErrUnknownParticipant, e.Participant)
	}
	if s.state != Confirming {
		return Effects{}, s.refuse(e)
	}
	if !slices.Contains(s.recorded, e.Participant) {
		return Effects{}, fmt.Errorf("%w: %q was not recorded", ErrNotRecorded, e.Participant)
	}
	if e.Kind == EventDiscard {
		// One "delete" is enough, whoever said keep: a guardian's keep
		// never overrides a minor's delete.
		s.erase()
		s.confirmation = ConfirmDeleted
		s.state = Ended
		return Effects{Withdrawal: WithdrawDeleteAll}, nil
	}
	if s.kept[e.Participant] {
		return Effects{}, fmt.Errorf("%w: %q has said keep already", ErrNotRecorded, e.Participant)
	}
	if s.kept == nil {
		s.kept = map[string]bool{}
	}
	s.kept[e.Participant] = true
	if e.ClientCopy {
		if s.copyAgreed == nil {
			s.copyAgreed = map[string]bool{}
		}
		s.copyAgreed[e.Participant] = true
	}
	for _, id := range s.recorded {
		if !s.kept[id] {
			return Effects{}, nil
		}
	}
	s.confirmation = ConfirmKept
	s.state = Ended
	return Effects{Confirmed: true}, nil
}

func (s *Session) askAgain(e Event) (Effects, error) {
	if !s.notAsked || s.state == Confirming {
		return Effects{}, s.refuse(e)
	}
	s.notAsked = false
	return Effects{AskAgain: true}, nil
}
