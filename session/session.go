package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// Options are what a session needs from whoever runs it. DB is required;
// everything else has a default.
type Options struct {
	// DB is the practice's storage, unlocked.
	DB *storage.DB
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logf receives details the problems only summarise; nil means
	// log.Printf.
	Logf func(format string, args ...any)
	// Location is the time zone deletion dates are calendar dates in; nil
	// means time.Local.
	Location *time.Location
	// Mic returns the microphone a recording opens now (the one chosen in
	// the settings, say), or nil when there is none. nil means there is
	// never a microphone: sessions are notes only.
	Mic func() audio.Mic
	// Speaker plays the start and stop chimes; nil leaves them silent.
	Speaker audio.Speaker
	// NewEncoder makes the MP3 encoder for a bitrate in kbit/s (32, 48 or
	// 64): audio/lame in the real program. Required to record.
	NewEncoder func(bitrate int) audio.NewEncoderFunc
	// Do runs a report from another goroutine (the recorder's) where the
	// reports are handled: fyne.Do in the app. It must not run f before it
	// returns while its caller holds the session (f takes the session's
	// lock). nil means each report runs in a goroutine of its own.
	Do func(f func())
	// RetryEvery is how often the session tries again, by itself, to
	// finish its owed steps (see Retry) while any are owed. Zero means
	// DefaultRetryEvery; a negative value never, leaving it to Retry and
	// the next step.
	RetryEvery time.Duration
}

// DefaultRetryEvery is how often a session tries again to finish owed
// steps by default: often enough that a busy spell (a backup, `assent
// purge`) is over for the client within seconds of its end.
const DefaultRetryEvery = 5 * time.Second

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Mic == nil {
		o.Mic = func() audio.Mic { return nil }
	}
	if o.RetryEvery == 0 {
		o.RetryEvery = DefaultRetryEvery
	}
	return o
}

// Session is one session under way: its consent state machine, its history
// in storage, and the recording while the microphone is on. Its methods are
// safe for concurrent use; the reports (the change and problem callbacks of
// Watch) are called without the session's lock held, so they may call its
// methods.
//
// The order of work is what makes the promises true:
//   - consent decides first (consent.Session.Apply). A stop revokes the
//     Grant there and then, so the audio goroutine reads no further frame
//     even before the recorder is told;
//   - capture stops before anything is stored;
//   - the step is stored before anything is started: a recording never
//     exists without its consent on disk. A "delete all" is stored in the
//     transaction that erases the recordings. A step that cannot be
//     stored is owed (see Retry), and every later step of the session is
//     queued behind it;
//   - only then is the microphone opened, with the Grant consent made;
//   - and only then is the caller told, by the error Apply returns.
type Session struct {
	opt    Options
	client storage.Client
	stored storage.Session
	method consent.CollectionMethod

	mu sync.Mutex
	cs *consent.Session
	// capture is the recording in progress, nil while the microphone is
	// off.
	capture *capture
	// segments counts the recordings begun in this session.
	segments int
	// seq is the place in the consent history of the last step stored or
	// owed.
	seq int
	// owed: steps of this session are in storage's owed journal (see
	// Retry); endPending: the session could not be marked ended yet.
	owed, endPending bool
	// oweGen counts what was owed, so that a try that began before a new
	// step was owed does not clear it.
	oweGen int
	// retry is the timer of the next try, while something is owed.
	retry     *time.Timer
	onChange  func()
	onProblem func(*Problem)

	// quiet: the owner is going (Silence); nothing more is reported.
	quiet atomic.Bool

	levelMu sync.Mutex
	level   audio.Level // the latest, written by the recorder's goroutine

	// sealed is what storage sealed of each recording of this session as
	// it ended, by ID, written by the recorder's goroutine: a recording
	// whose row could not be updated (the database busy) is still cut by
	// what it holds.
	sealedMu sync.Mutex
	sealed   map[string]sealedSegment
}

// sealedSegment is what a recording held when it ended.
type sealedSegment struct {
	bytes    int64
	duration time.Duration
}

// Start creates a session with client and the people present, asked by
// method, under the practice's policy (PracticePolicy, stored with the
// session so that settings changed later never rewrite it), and returns it
// awaiting the question. A person without an ID gets one; a minor's
// GuardianID must name another person of people (give both IDs from
// storage.NewID). consent's refusals of the people (ErrGuardianRequired,
// ErrInvalidParticipant, ...) come back unchanged, and nothing is stored;
// a storage failure is a *Problem of KindNotStarted.
func Start(opt Options, client storage.Client, people []consent.Participant, method consent.CollectionMethod) (*Session, error) {
	opt = opt.withDefaults()
	people = append([]consent.Participant(nil), people...)
	for i := range people {
		if people[i].ID == "" {
			people[i].ID = storage.NewID()
		}
	}
	policy, err := PracticePolicy(opt.DB)
	if err != nil {
		opt.Logf("the saved consent settings cannot be used, so the default policy is: %v", err)
		policy = consent.DefaultPolicy()
	}
	// The client's record says how they decide: a minor the practice
	// judged able to decide alone is asked without a guardian, and a
	// client who asked not to be asked is not.
	if stored, err := opt.DB.Client(client.ID); err == nil {
		client.NotAskedSince, client.MinorDecidesAlone = stored.NotAskedSince, stored.MinorDecidesAlone
	}
	for i := range people {
		if people[i].Role == consent.RoleMinor && client.MinorDecidesAlone {
			people[i].DecidesAlone, people[i].GuardianID = true, ""
		}
	}
	// consent checks the people (a minor needs a guardian present) before
	// anything is stored.
	if _, err := consent.NewSession("-", client.ID, people, policy, opt.Location); err != nil {
		return nil, err
	}
	storedMethod, ok := methodNames[method]
	if !ok {
		return nil, fmt.Errorf("session: collection method %v: %w", method, consent.ErrInvalidSession)
	}
	policyJSON, err := json.Marshal(policy)
	if err != nil {
		return nil, &Problem{Kind: KindNotStarted, Err: err}
	}
	rows := make([]storage.Participant, len(people))
	for i, p := range people {
		rows[i] = storage.Participant{ID: p.ID, Name: p.Name, Role: roleName(p.Role), GuardianID: p.GuardianID, DecidesAlone: p.DecidesAlone}
	}
	stored, err := opt.DB.BeginSession(storage.Session{ClientID: client.ID, Policy: policyJSON, Method: storedMethod,
		Participants: rows, ConfirmAtEnd: policy.EndQuestion})
	if err != nil {
		return nil, &Problem{Kind: KindNotStarted, Err: err}
	}
	for i := range people {
		people[i].Name = stored.Participants[i].Name // as storage trimmed it
	}
	cs, err := consent.NewSession(stored.ID, client.ID, people, policy, opt.Location)
	if err != nil {
		return nil, err
	}
	setLanguage(cs, client.Language, opt.Logf)
	s := &Session{opt: opt, client: client, stored: stored, method: method, cs: cs}
	// Where the question may not be put, the session starts as notes
	// only, and its history says why.
	switch {
	case !client.NotAskedSince.IsZero():
		s.notesBecause(consent.ReasonNotAsked)
	case cs.MinorBarred():
		s.notesBecause(consent.ReasonMinorPresent)
	}
	return s, nil
}

// notesBecause starts the session as notes only, without the question,
// for reason.
func (s *Session) notesBecause(reason consent.NotesReason) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := consent.Event{Kind: consent.EventSwitchToNotes, Actor: consent.System(), Reason: reason}
	if err := s.apply(ev); err != nil {
		s.opt.Logf("session %s: starting as notes only (%s): %v", s.stored.ID, reason, err)
	}
}

// Watch sets what is called after every change of state (and about 20
// times a second with a new level while recording, and when the owed
// steps are finished: Owed turns false) and with each problem
// that happens off a caller's step (the microphone failing, the disk
// filling). A step's own problem is Apply's error, not reported here.
// Either may be nil.
func (s *Session) Watch(onChange func(), onProblem func(*Problem)) {
	s.mu.Lock()
	s.onChange, s.onProblem = onChange, onProblem
	s.mu.Unlock()
}

// Silence stops all reports from now on, for when their receiver is going
// (the app closing), and the tries of owed steps by the session's own
// timer (the next Open finishes them). It is safe to call from any
// goroutine.
func (s *Session) Silence() {
	s.quiet.Store(true)
	s.mu.Lock()
	s.stopRetry()
	s.mu.Unlock()
	s.Watch(nil, nil)
}

// changed calls the change callback, unless silenced. Call it without the
// lock held.
func (s *Session) changed() {
	s.mu.Lock()
	f := s.onChange
	s.mu.Unlock()
	if f != nil && !s.quiet.Load() {
		f()
	}
}

// do runs f where reports are handled (Options.Do).
func (s *Session) do(f func()) {
	if s.opt.Do != nil {
		s.opt.Do(f)
		return
	}
	go f()
}

// Apply runs a step through consent, stores it, and does what consent
// says: stop capture, shorten the deletion date, delete the last minutes,
// start capture. ev.At is set from the clock. A refusal from consent comes
// back unchanged (errors.Is with consent's sentinels) and changes nothing.
// Otherwise the step has happened in consent; if storing it or carrying it
// out failed, the error is a *Problem saying what is true now (the first
// one, when several things failed): a step that could not be stored but
// is owed says so (KindWithdrawalOwed, KindStepOwed; see Retry). The
// change callback runs before Apply returns.
func (s *Session) Apply(ev consent.Event) error {
	s.mu.Lock()
	err := s.apply(ev)
	s.mu.Unlock()
	s.changed()
	return err
}

func (s *Session) apply(ev consent.Event) error {
	ev.At = s.opt.Now()
	if ev.Kind == consent.EventConfirm || ev.Kind == consent.EventDecline {
		// The answer is to this statement, word for word: the history
		// keeps its language and version.
		ev.Language, ev.Statement = s.cs.Language(), s.cs.Statement().Version()
	}
	eff, err := s.cs.Apply(ev)
	if err != nil {
		return err
	}
	if eff.StopCapture {
		s.stopCapture()
	}
	var first *Problem
	note := func(p *Problem) {
		s.opt.Logf("session %s: %v", s.stored.ID, p)
		if first == nil {
			first = p
		}
	}
	seq, owed, err := s.store(ev, eff.Withdrawal == consent.WithdrawDeleteAll)
	if err != nil && eff.StartCapture {
		// Without its consent in the history a recording could not be
		// shown to be agreed: record nothing. (An owed yes is stored
		// later, and so is the switch to notes behind it.)
		s.system(consent.EventSwitchToNotes)
		note(&Problem{Kind: KindAnswerNotStored, Err: err})
		return first
	}
	if err != nil && eff.Withdrawal != consent.WithdrawDeleteLast { // that one is told with its cut
		note(&Problem{Kind: notStored(ev, owed, s.segments > 0 && eff.Withdrawal == consent.WithdrawDeleteAll), Err: err})
	}
	if !eff.DeleteOn.IsZero() && s.segments > 0 {
		// A shorter choice applies to what was already recorded too.
		if _, err := s.opt.DB.ShortenDeletion(s.stored.ID, eff.DeleteOn); err != nil {
			note(&Problem{Kind: KindDeletionNotShortened, Err: err})
		}
	}
	if eff.Withdrawal == consent.WithdrawDeleteLast {
		var owedErr error
		if owed {
			owedErr = err
		}
		p := s.deleteLast(time.Duration(eff.DeleteMinutes)*time.Minute, seq, owedErr)
		switch {
		case p != nil:
			note(p)
		case err != nil: // nothing to cut; the step itself is owed or lost
			note(&Problem{Kind: notStored(ev, owed, false), Err: err})
		}
	}
	if err == nil {
		if p := s.recordChoice(eff); p != nil {
			note(p)
		}
	}
	if eff.StartCapture {
		if err := s.startCapture(eff.Grant); err != nil {
			s.system(consent.EventSwitchToNotes)
			var p *Problem
			switch {
			case errors.As(err, &p):
			case errors.Is(err, audio.ErrNoInputDevice):
				p = &Problem{Kind: KindNoMicrophone, Err: err}
			default:
				p = &Problem{Kind: KindMicrophoneNotStarted, Err: err}
			}
			note(p)
		}
	}
	if first == nil {
		return nil
	}
	return first
}

// recordChoice writes what a stored step changes in the records beyond
// the consent history: how the question at the end went, and the client's
// "don't ask me again" or its lifting. Until a keep is written, the
// recording stays unconfirmed, so a failure here never lets anything be
// played that should not be.
func (s *Session) recordChoice(eff consent.Effects) *Problem {
	var err error
	if c := storedConfirmation(s.cs.Confirmation()); c != "" && (eff.Confirmed || eff.Withdrawal == consent.WithdrawDeleteAll) {
		err = s.opt.DB.ConfirmSession(s.stored.ID, c)
	}
	switch {
	case err != nil:
	case eff.DontAskAgain:
		err = s.opt.DB.SetNotAsked(s.client.ID, true)
	case eff.AskAgain:
		err = s.opt.DB.SetNotAsked(s.client.ID, false)
	}
	if err != nil {
		return &Problem{Kind: KindChoiceNotStored, Err: err}
	}
	return nil
}

// notStored is the problem of step ev that could not be stored: owed
// (in the owed journal) or not; deleting says it deleted everything
// recorded and there were recordings to delete.
func notStored(ev consent.Event, owed, deleting bool) Kind {
	switch {
	case ev.Kind == consent.EventEnd:
		return KindEndNotStored
	case !owed && ev.Kind == consent.EventWithdraw:
		return KindWithdrawalNotStored
	case !owed && ev.Kind == consent.EventJoin:
		return KindJoinNotStored
	case !owed:
		return KindStepNotStored
	case deleting:
		return KindWithdrawalOwed
	}
	return KindStepOwed
}

// system applies a step made by Assent itself (a lost microphone, a failed
// start); consent never refuses these in a state that allows them.
func (s *Session) system(kind consent.EventKind) {
	ev := consent.Event{Kind: kind, Actor: consent.System(), At: s.opt.Now()}
	eff, err := s.cs.Apply(ev)
	if err != nil {
		s.opt.Logf("system step %s refused: %v", kind, err)
		return
	}
	if _, owed, err := s.store(ev, eff.Withdrawal == consent.WithdrawDeleteAll); owed {
		s.opt.Logf("system step %s owed: %v", kind, err)
	} else if err != nil {
		s.opt.Logf("storing system step %s: %v", kind, err)
	}
}

// store appends ev to the session's consent history, after the steps of
// the session still owed (storage stores those first, in the same
// transaction). When that fails, ev is owed: written to storage's owed
// journal, behind them, and stored as soon as it can be (owed is true;
// err says why it was not stored now). An error without owed: ev is
// neither stored nor owed. seq is ev's place in the history. deleteAll:
// consent said the step deletes every recording of the session (a
// withdrawal, or "delete it now" at the end, or the end question closed
// unanswered under a policy that deletes): storage erases them in the
// transaction that stores it.
func (s *Session) store(ev consent.Event, deleteAll bool) (seq int, owed bool, err error) {
	se, err := storedEvent(s.stored.ID, ev, deleteAll)
	if err != nil {
		return 0, false, err
	}
	se.Seq = s.seq + 1
	stored, err := s.opt.DB.AppendConsentEvent(se)
	if errors.Is(err, storage.ErrConsentSeq) {
		// The history is not where this session counted (a commit whose
		// answer was lost, with the journal failing too): it goes on from
		// where storage is.
		s.opt.Logf("session %s: step %d is not the next one stored: %v", s.stored.ID, se.Seq, err)
		se.Seq = 0
		stored, err = s.opt.DB.AppendConsentEvent(se)
	}
	if err == nil {
		s.seq = stored.Seq
		if s.owed || s.endPending {
			s.finishOwed() // the cuts too, now that the database answers
		}
		return s.seq, false, nil
	}
	if se.Seq == 0 {
		return s.seq + 1, false, err
	}
	if ev.Kind == consent.EventJoin && !s.opt.DB.Unlocked() {
		// The join names the person joining; the journal keeps names
		// only sealed, which needs the vault.
		return se.Seq, false, err
	}
	if oerr := s.opt.DB.OweConsentEvent(se); oerr != nil {
		return se.Seq, false, errors.Join(err, oerr)
	}
	s.seq = se.Seq
	s.owe()
	return s.seq, true, err
}

// StoreEvent appends ev, as the consent package emits it, to session
// sessionID's history in storage, after any steps of it that are owed
// (it fails, storing nothing, if those cannot be stored first). A
// withdrawal with "delete all" erases the session's recordings in the
// same transaction. (A Session stores its steps itself, with what consent
// said each one deletes; this is for a history written without one.)
func StoreEvent(db *storage.DB, sessionID string, ev consent.Event) error {
	se, err := storedEvent(sessionID, ev, ev.Kind == consent.EventWithdraw && ev.Withdrawal == consent.WithdrawDeleteAll)
	if err != nil {
		return err
	}
	_, err = db.AppendConsentEvent(se)
	return err
}

// storedEvent is ev as storage keeps it; deleteAll: storing it erases
// every recording of the session (what consent's Effect said of it).
func storedEvent(sessionID string, ev consent.Event, deleteAll bool) (storage.ConsentEvent, error) {
	data, err := consent.MarshalEvent(ev)
	if err != nil {
		return storage.ConsentEvent{}, err
	}
	return storage.ConsentEvent{
		SessionID:         sessionID,
		Kind:              ev.Kind.String(),
		At:                ev.At,
		Actor:             ev.Actor.Kind.String(),
		Participant:       ev.Participant,
		Data:              data,
		WithdrawDeleteAll: deleteAll,
	}, nil
}

// Join records someone joining: consent first (which stops capture until
// everyone, the newcomer too, has said yes again), then storage, then the
// question is put again. guardianID names the guardian of a joining minor
// (a participant already present). consent's refusals (a minor without a
// guardian present, a blank name) come back unchanged, and nothing is
// stored or stopped; a storage failure is a *Problem of KindJoinNotStored,
// with capture already stopped, or of KindStepOwed when the join is owed.
func (s *Session) Join(name string, role consent.Role, guardianID string) error {
	s.mu.Lock()
	err := s.join(name, role, guardianID)
	s.mu.Unlock()
	s.changed()
	return err
}

func (s *Session) join(name string, role consent.Role, guardianID string) error {
	// Someone new is in the room: capture stops before anything else,
	// and stays off whatever becomes of the join until everyone, the
	// newcomer included, has said yes.
	if s.cs.State() == consent.Recording {
		if err := s.apply(consent.Event{Kind: consent.EventPause, Actor: consent.Therapist()}); err != nil {
			s.opt.Logf("session %s: pausing for a join: %v", s.stored.ID, err)
		}
		s.stopCapture()
	}
	joiner := consent.Participant{ID: storage.NewID(), Name: name, Role: role, GuardianID: guardianID}
	if role == consent.RoleMinor && s.client.MinorDecidesAlone {
		joiner.DecidesAlone, joiner.GuardianID = true, ""
	}
	ev := consent.Event{Kind: consent.EventJoin, Actor: consent.Therapist(), Joiner: &joiner, At: s.opt.Now()}
	// consent decides on a copy first: a refused join changes nothing,
	// and one whose person cannot be stored leaves consent as it was, so
	// that the history never names someone storage does not know.
	trial, err := s.consentCopy()
	if err != nil {
		return &Problem{Kind: KindJoinNotStored, Err: err}
	}
	if _, err := trial.Apply(ev); err != nil {
		return err
	}
	if _, err := s.opt.DB.AddParticipant(s.stored.ID, storage.Participant{
		ID: joiner.ID, Name: joiner.Name, Role: roleName(role), GuardianID: joiner.GuardianID, DecidesAlone: joiner.DecidesAlone,
	}); err != nil {
		p := &Problem{Kind: KindJoinNotStored, Err: err}
		s.opt.Logf("session %s: %v", s.stored.ID, p)
		return p
	}
	eff, err := s.cs.Apply(ev)
	if err != nil {
		return err // not after the copy took it
	}
	if eff.StopCapture {
		s.stopCapture()
	}
	if _, owed, err := s.store(ev, eff.Withdrawal == consent.WithdrawDeleteAll); err != nil {
		p := &Problem{Kind: notStored(ev, owed, false), Err: err}
		s.opt.Logf("session %s: %v", s.stored.ID, p)
		return p
	}
	return s.apply(consent.Event{Kind: consent.EventAsk, Actor: consent.Therapist()})
}

// consentCopy rebuilds the consent state machine from its own history,
// for trying a step without making it.
func (s *Session) consentCopy() (*consent.Session, error) {
	events := s.cs.Events()
	joined := map[string]bool{}
	for _, e := range events {
		if e.Joiner != nil {
			joined[e.Joiner.ID] = true
		}
	}
	var first []consent.Participant
	for _, p := range s.cs.Participants() {
		if !joined[p.ID] {
			first = append(first, p)
		}
	}
	return consent.Replay(s.stored.ID, s.client.ID, first, s.cs.Policy(), s.cs.Location(), events)
}

// End ends the session by actor: capture stops, the end is stored in the
// consent history (behind any steps owed), and the session is marked
// ended. Ending an ended session only marks it ended. A storage failure
// is a *Problem of KindEndNotStored: capture is off; the end is owed, or
// the session is ended at the next unlock as of its last step, and the
// session tries again to mark itself ended (see Retry).
func (s *Session) End(actor consent.Actor) error {
	s.mu.Lock()
	var err error
	if s.cs.State() != consent.Ended {
		err = s.apply(consent.Event{Kind: consent.EventEnd, Actor: actor})
	}
	s.stopCapture() // whatever consent said, the microphone is off now
	if endErr := s.opt.DB.EndSession(s.stored.ID); endErr != nil {
		s.endPending = true
		s.armRetry()
		if err == nil {
			p := &Problem{Kind: KindEndNotStored, Err: endErr}
			s.opt.Logf("session %s: %v", s.stored.ID, p)
			err = p
		}
	} else {
		s.endPending = false
	}
	s.mu.Unlock()
	s.changed()
	return err
}

// StopCapture stops the recorder, if one is running, and waits until what
// it captured is sealed. Apply does this whenever consent says so; call it
// only to make sure the microphone is off whatever happened.
func (s *Session) StopCapture() {
	s.mu.Lock()
	s.stopCapture()
	s.mu.Unlock()
	s.changed()
}

// State is the consent state.
func (s *Session) State() consent.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.State()
}

// Recording reports whether the microphone is on.
func (s *Session) Recording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.capture != nil
}

// Participants are the people present, in the order they came.
func (s *Session) Participants() []consent.Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Participants()
}

// Pending are those whose yes is still missing in the current round.
func (s *Session) Pending() []consent.Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Pending()
}

// Asked reports whether any step has been taken yet.
func (s *Session) Asked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cs.Events()) > 0
}

// DeleteOn is the deletion date the client is shown now.
func (s *Session) DeleteOn() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.DeleteOn()
}

// Grant is the Grant capture runs under, while recording.
func (s *Session) Grant() (consent.Grant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Grant()
}

// Statement is the consent statement as the client reads it.
func (s *Session) Statement() consent.Page {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Statement()
}

// Language is the tag of the language the client reads: the statement,
// the client screen and the receipt (consent.DefaultLanguage unless the
// client has another).
func (s *Session) Language() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Language()
}

// Unconfirmed reports whether what was recorded waits for everyone
// recorded to say keep at the end; until then it is neither played nor
// exported.
func (s *Session) Unconfirmed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Unconfirmed()
}

// ToConfirm are the recorded people still to answer the question at the
// end (state consent.Confirming), in the order they came.
func (s *Session) ToConfirm() []consent.Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.ToConfirm()
}

// Recorded are the people whose voices were recorded in the session.
func (s *Session) Recorded() []consent.Participant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Recorded()
}

// NotToBeAsked reports whether the client asked not to be asked again:
// the question cannot be put, and only the client can lift it
// (consent.EventAskAgain, tapped on the client screen).
func (s *Session) NotToBeAsked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.NotToBeAsked()
}

// MinorBarred reports whether the practice never records with a minor
// present and a minor is present: the question cannot be put.
func (s *Session) MinorBarred() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.MinorBarred()
}

// PausedBy is who paused, while paused: a participant's pause is lifted
// only by them (on the client screen).
func (s *Session) PausedBy() consent.Actor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.PausedBy()
}

// Policy is the policy the session is asked under.
func (s *Session) Policy() consent.Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Policy()
}

// Receipt is the session's consent receipt so far, naming how consent was
// asked.
func (s *Session) Receipt(controller string) consent.Receipt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs.Receipt(s.method, controller)
}

// Method is how consent is asked in this session.
func (s *Session) Method() consent.CollectionMethod { return s.method }

// ID is the session's ID in storage.
func (s *Session) ID() string { return s.stored.ID }

// Client is the client the session is with.
func (s *Session) Client() storage.Client { return s.client }

// StartedAt is when the session began.
func (s *Session) StartedAt() time.Time { return s.stored.StartedAt }

// Level is the latest sound level and the time recorded so far in this
// recording.
func (s *Session) Level() audio.Level {
	s.levelMu.Lock()
	defer s.levelMu.Unlock()
	return s.level
}

func (s *Session) setLevel(l audio.Level) {
	s.levelMu.Lock()
	s.level = l
	s.levelMu.Unlock()
}

// deleteLast deletes the last d of audio recorded in this session, the
// withdrawal at seq asking: it fixes the cut now (cutLast), so that
// recordings made later are never touched by it, then deletes it or, if
// that cannot be done now (or the withdrawal itself is owed: owedErr),
// owes it. It returns nil when it was done or there was nothing to
// delete, a Problem of KindWithdrawalOwed when it is owed, and one of
// KindDeleteLastFailed when it cannot be done at all (the recording's file
// damaged or gone, say), and nothing was owed.
func (s *Session) deleteLast(d time.Duration, seq int, owedErr error) *Problem {
	cut, err := s.cutLast(d, seq)
	if err != nil {
		return &Problem{Kind: KindDeleteLastFailed, Err: err}
	}
	if cut.IsZero() {
		return nil
	}
	cause := owedErr
	if cause == nil {
		if cause = s.opt.DB.DeleteCut(cut); cause == nil {
			return nil
		}
		if cannotEverCut(cause) {
			return &Problem{Kind: KindDeleteLastFailed, Err: cause}
		}
	}
	if err := s.opt.DB.OweCut(cut); err != nil {
		return &Problem{Kind: KindDeleteLastFailed, Err: errors.Join(cause, err)}
	}
	s.owe()
	return &Problem{Kind: KindWithdrawalOwed, Err: cause}
}

// cannotEverCut says a cut failed for a reason trying again cannot
// change: what was recorded cannot be read to be re-sealed.
func cannotEverCut(err error) bool {
	return errors.Is(err, storage.ErrTampered) || errors.Is(err, storage.ErrTruncated) ||
		errors.Is(err, storage.ErrUnsupportedFormat) || errors.Is(err, storage.ErrInvalid)
}

// cutLast is the cut that deletes the last d of audio recorded in this
// session, across segments, as they are once what is owed is done (and a
// recording whose row could not be marked complete as the session sealed
// it): whole segments from the end, then the tail of the one where d runs
// out.
func (s *Session) cutLast(d time.Duration, seq int) (storage.Cut, error) {
	recs, err := s.opt.DB.Recordings(s.stored.ID)
	if err != nil {
		return storage.Cut{}, err
	}
	evs, cuts, err := s.opt.DB.Owed(s.stored.ID)
	if err != nil {
		return storage.Cut{}, err
	}
	for _, e := range evs {
		if e.WithdrawDeleteAll { // no recording begins while steps are owed
			return storage.Cut{}, nil
		}
	}
	s.sealedMu.Lock()
	for i, r := range recs {
		if seg, ok := s.sealed[r.ID]; ok && r.State == storage.StateRecording {
			recs[i].Bytes, recs[i].Duration = seg.bytes, seg.duration
		}
	}
	s.sealedMu.Unlock()
	owedCuts(recs, cuts)
	cut := cutOf(recs, d)
	cut.SessionID, cut.Seq = s.stored.ID, seq
	cut.Reason = fmt.Sprintf("the client chose to delete the last %d minutes", int(d/time.Minute))
	return cut, nil
}

// owedCuts applies owed cuts to recs, as they will be once done.
func owedCuts(recs []storage.Recording, cuts []storage.Cut) {
	for _, c := range cuts {
		for i := range recs {
			r := &recs[i]
			switch {
			case slices.Contains(c.Delete, r.ID):
				r.State = storage.StateDeleted
			case c.Trim == r.ID && c.Keep < r.Bytes && r.Bytes > 0:
				r.Duration = time.Duration(float64(r.Duration) * float64(c.Keep) / float64(r.Bytes))
				r.Bytes = c.Keep
			}
		}
	}
}

// cutOf is what deleting the last d of recs (a session's recordings, by
// segment) deletes: whole recordings from the end, then the tail of the
// one where d runs out. The encoding is constant bitrate, so bytes are
// proportional to time. Deleted recordings are passed over. Only Delete,
// Trim and Keep of the cut are set.
func cutOf(recs []storage.Recording, d time.Duration) storage.Cut {
	var cut storage.Cut
	for i := len(recs) - 1; i >= 0 && d > 0; i-- {
		rec := recs[i]
		if rec.State == storage.StateDeleted {
			continue
		}
		if rec.Duration <= d {
			cut.Delete = append(cut.Delete, rec.ID)
			d -= rec.Duration
			continue
		}
		cut.Trim = rec.ID
		cut.Keep = int64(float64(rec.Bytes) * float64(rec.Duration-d) / float64(rec.Duration))
		break
	}
	return cut
}

// roleName is the stable name of a role, as storage keeps it and
// consent.ParseRole reads it.
func roleName(r consent.Role) string {
	b, err := r.MarshalText()
	if err != nil {
		return "client"
	}
	return string(b)
}

// methodNames are the collection methods as storage keeps them.
var methodNames = map[consent.CollectionMethod]string{
	consent.CollectionOnScreen:  storage.MethodOnScreen,
	consent.CollectionReadAloud: storage.MethodReadAloud,
}

// setLanguage sets cs to the client's language; a language this build has
// no wording for (a database from a newer build) stays the default, and
// the log says so.
func setLanguage(cs *consent.Session, tag string, logf func(string, ...any)) {
	if tag == "" {
		return
	}
	if err := cs.SetLanguage(tag); err != nil {
		logf("session %s: the client's language is not available, so it is %s: %v", cs.ID(), consent.DefaultLanguage, err)
	}
}
