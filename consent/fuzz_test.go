package consent_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// FuzzConsentSequence drives a session with an arbitrary sequence of events
// (any kind, any actor, any order, times that jump and go backwards, and
// malformed fields) and checks after every step the invariants the rest of
// Assent relies on:
//
//   - capture is on (as the Effects said) exactly while the session is
//     Recording, under a valid Grant for this session, which is s.Grant();
//   - every valid Grant rests on a yes, given after the question was put,
//     from every participant present now (so from each minor's guardian too),
//     as read from the event log itself, not from the session's bookkeeping;
//   - after a pause, withdrawal, notes only, join or end no Grant is valid;
//     after a "no", nothing starts until a re-ask;
//   - once granted, the deletion date never moves later, every Grant's date
//     is no later than the one shown before the last yes, and it is the start
//     of a local day;
//   - the log is append-only, a refused event changes nothing and its error
//     wraps a sentinel, Ended accepts nothing;
//   - replaying the log rebuilds the same session; its receipt round-trips.
//
// The byte format is decodeSequence's; the committed seed corpus in
// testdata/fuzz/FuzzConsentSequence is written by go test -update.
func FuzzConsentSequence(f *testing.F) {
	for _, seed := range sequenceSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runSequence(t, data)
	})
}

// maxSteps bounds a sequence: five states are explored well within it, and
// short runs keep the fuzzer's minimisation quick.
const maxSteps = 48

var fuzzZones = []*time.Location{
	time.UTC, london, santiago,
	mustLoad("Australia/Lord_Howe"), // half-hour daylight saving
	mustLoad("Pacific/Apia"),        // skipped a whole day
	mustLoad("America/New_York"),
}

type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) next() byte {
	if r.i >= len(r.b) {
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

func (r *byteReader) more() bool { return r.i < len(r.b) }

// sequenceHeader reads the session's set-up: zone, start time, policy and
// participants.
func sequenceHeader(r *byteReader) (loc *time.Location, start time.Time, policy consent.Policy, ps []consent.Participant) {
	loc = fuzzZones[int(r.next())%len(fuzzZones)]
	hours := int(r.next())<<8 | int(r.next())
	start = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(hours) * 3 * time.Hour).In(loc)
	n := 1 + int(r.next())%4
	policy.DefaultKeepDays = int(r.next()) % 96 // 0 and 91..95 are invalid
	bits := r.next()
	std := consent.StandardPurposes()
	for i, u := range std {
		if bits&(1<<i) != 0 {
			policy.Purposes = append(policy.Purposes, u)
		}
	}
	if bits&8 != 0 {
		policy.Purposes = append(policy.Purposes, consent.Purpose{ID: consent.PurposeCustom, Text: "a case study.", Listeners: "your therapist"})
	}
	policy.SupervisionExport = bits&16 != 0
	policy.EndQuestion = bits&32 != 0
	policy.KeepUnconfirmed = bits&64 != 0 // invalid without EndQuestion
	policy.NeverRecordMinors = bits&128 != 0
	roles := len(consent.Roles())
	for i := range n {
		b := r.next()
		p := consent.Participant{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("P%d", i), Role: consent.Role(1 + int(b)%roles)}
		if p.Role == consent.RoleMinor {
			if b&0x80 != 0 {
				p.DecidesAlone = true
			} else {
				p.GuardianID = fmt.Sprintf("p%d", int(b>>3)%n)
			}
		}
		ps = append(ps, p)
	}
	return loc, start, policy, ps
}

// nextEvent reads one event of six bytes. Unless the kind byte's top bit is
// set, only the fields the kind uses are filled, so that most events are
// well formed and the machine goes deep; with it, every field is filled
// from the bytes, mostly making malformed events.
func nextEvent(r *byteReader, clock *time.Time, loc *time.Location, ps []consent.Participant, joined *int) consent.Event {
	b0, b1, b2, b3, b4, b5 := r.next(), r.next(), r.next(), r.next(), r.next(), r.next()
	raw := b0&0x80 != 0
	n := len(ps)
	pick := func(b byte) string {
		switch i := int(b) % (n + 2); {
		case i < n:
			return ps[i].ID
		case i == n:
			return "ghost"
		}
		return ""
	}
	switch b4 {
	case 0x7f:
		*clock = clock.AddDate(0, 0, 30)
	case 0x80:
		*clock = clock.AddDate(0, 0, -30)
	case 0x7e:
		*clock = clock.AddDate(0, 0, 1)
	case 0x81:
		*clock = clock.AddDate(0, 0, -1)
	default:
		*clock = clock.Add(time.Duration(int8(b4)) * 3 * time.Minute)
	}
	e := consent.Event{
		Kind:  consent.EventKind(int(b0&0x7f) % (len(consent.EventKinds()) + 2)),
		At:    clock.In(loc),
		Actor: consent.Actor{Kind: consent.ActorKind(b1 % 4)},
	}
	if e.Actor.Kind == consent.ActorParticipant || raw {
		e.Actor.ParticipantID = pick(b1 >> 2)
	}
	keep := 0
	if b3 >= 160 {
		keep = int(b3-160) % 100
	}
	joiner := func() *consent.Participant {
		j := consent.Participant{ID: fmt.Sprintf("j%d", *joined), Name: "J", Role: consent.Role(1 + int(b5)%len(consent.Roles()))}
		if b5&0x80 != 0 && n > 0 {
			j.ID = ps[int(b5>>3)%n].ID // someone already present
		}
		if j.Role == consent.RoleMinor {
			if b5&0x40 != 0 {
				j.DecidesAlone = true
			} else {
				j.GuardianID = pick(b5 >> 3)
			}
		}
		*joined++
		return &j
	}
	if raw {
		e.Participant = pick(b2)
		e.EndOfToday = b2&0x80 != 0
		e.KeepDays = keep
		e.Withdrawal = consent.Withdrawal(b5 % 5)
		e.DeleteMinutes = int(b5>>2) - 2
		if b5&1 != 0 {
			e.Joiner = joiner()
		}
		e.DontAskAgain = b2&0x20 != 0
		e.Reason = fuzzReasons[int(b3)%len(fuzzReasons)]
		e.ClientCopy = b2&0x10 != 0
		return e
	}
	switch e.Kind {
	case consent.EventSwitchToNotes:
		e.Reason = fuzzReasons[int(b5)%3]
	case consent.EventConfirm, consent.EventDecline, consent.EventKeep, consent.EventDiscard:
		if e.Actor.Kind == consent.ActorParticipant && b2&0x40 == 0 {
			e.Participant = e.Actor.ParticipantID
		} else {
			e.Participant = pick(b2)
		}
		if e.Kind == consent.EventConfirm {
			e.KeepDays = keep
			e.EndOfToday = b2&0x80 != 0
		}
		if e.Kind == consent.EventDecline {
			e.DontAskAgain = b2&0x20 != 0
		}
		if e.Kind == consent.EventKeep {
			e.ClientCopy = b2&0x10 != 0
		}
	case consent.EventWithdraw:
		e.Withdrawal = consent.Withdrawal(1 + int(b5)%3)
		if e.Withdrawal == consent.WithdrawDeleteLast {
			e.DeleteMinutes = 1 + int(b5>>2)%60
		}
	case consent.EventJoin:
		e.Joiner = joiner()
	}
	return e
}

// fuzzReasons are the reasons a switch to notes may carry; the last is
// unknown.
var fuzzReasons = []consent.NotesReason{"", consent.ReasonNotAsked, consent.ReasonMinorPresent, "bored"}

// fuzzRun is what the caller of a Session would hold: the microphone and
// every Grant it was ever given.
type fuzzRun struct {
	t        *testing.T
	s        *consent.Session
	loc      *time.Location
	policy   consent.Policy
	micOn    bool
	micGrant consent.Grant
	grants   []consent.Grant
	log      []consent.Event
	logJSON  []string
	granted  time.Time // the session's date once something was granted
	effDate  time.Time // the last Effects.DeleteOn
	declined bool      // a "no" since the last re-ask
	ended    bool
	// unconfirmed: something was recorded under the end question and is
	// neither confirmed nor deleted (the model of Session.Unconfirmed).
	unconfirmed bool
	// notAsked: the client asked not to be asked again and has not lifted
	// it.
	notAsked bool
}

func runSequence(t *testing.T, data []byte) {
	r := &byteReader{b: data}
	loc, clock, policy, ps := sequenceHeader(r)
	s, err := consent.NewSession("fuzz-session", "fuzz-client", ps, policy, loc)
	if err != nil {
		if s != nil || !isSentinel(err) {
			t.Fatalf("NewSession: session %v, error %v", s != nil, err)
		}
		return
	}
	run := &fuzzRun{t: t, s: s, loc: loc, policy: policy}
	joined := 0
	for step := 0; r.more() && step < maxSteps; step++ {
		e := nextEvent(r, &clock, loc, s.Participants(), &joined)
		run.step(step, e)
	}
	run.finish(ps)
}

func (f *fuzzRun) fail(step int, e consent.Event, format string, args ...any) {
	f.t.Helper()
	b, _ := consent.MarshalEvent(e)
	f.t.Fatalf("step %d (%s by %s, %s): %s\nlog so far:\n%s", step, e.Kind, e.Actor.Kind, b, fmt.Sprintf(format, args...), strings.Join(f.logJSON, "\n"))
}

func (f *fuzzRun) step(step int, e consent.Event) {
	f.t.Helper()
	s := f.s
	stateBefore, dateBefore, peopleBefore := s.State(), s.DeleteOn(), s.Participants()
	grantBefore, _ := s.Grant()

	eff, err := s.Apply(e)

	if err != nil {
		if !isSentinel(err) {
			f.fail(step, e, "error wraps no sentinel: %v", err)
		}
		if eff != (consent.Effects{}) {
			f.fail(step, e, "effects with a refusal: %+v", eff)
		}
		if f.ended && !errors.Is(err, consent.ErrSessionEnded) && !errors.Is(err, consent.ErrBadEvent) {
			f.fail(step, e, "after the end: %v, want ErrSessionEnded", err)
		}
		g, _ := s.Grant()
		if s.State() != stateBefore || !s.DeleteOn().Equal(dateBefore) || !slices.Equal(s.Participants(), peopleBefore) || g != grantBefore {
			f.fail(step, e, "a refused event changed the session: %v", err)
		}
	} else {
		f.accepted(step, e, eff, stateBefore, dateBefore)
	}
	f.always(step, e)
}

func (f *fuzzRun) accepted(step int, e consent.Event, eff consent.Effects, from consent.State, dateBefore time.Time) {
	f.t.Helper()
	s := f.s
	if f.ended {
		f.fail(step, e, "accepted after the end")
	}
	b, err := consent.MarshalEvent(e)
	if err != nil {
		f.fail(step, e, "accepted an event that cannot be stored: %v", err)
	}
	back, err := consent.UnmarshalEvent(b)
	if err != nil {
		f.fail(step, e, "accepted an event that cannot be read back: %v", err)
	}
	if b2, _ := consent.MarshalEvent(back); string(b2) != string(b) || !back.At.Equal(e.At) {
		f.fail(step, e, "event changes in a JSON round trip: %s", b2)
	}
	if e.Joiner != nil {
		j := *e.Joiner
		e.Joiner = &j
	}
	f.log = append(f.log, e)
	f.logJSON = append(f.logJSON, string(b))
	if eff.State != s.State() {
		f.fail(step, e, "Effects.State %s, session %s", eff.State, s.State())
	}

	// What each kind must do, whatever the machine's bookkeeping says.
	switch e.Kind {
	case consent.EventDecline:
		f.declined = true
		if s.State() != consent.NotesOnly {
			f.fail(step, e, "after a no: %s", s.State())
		}
	case consent.EventReAsk:
		f.declined = false
	case consent.EventJoin:
		if (from == consent.Recording || from == consent.Paused) && s.State() != consent.AwaitingConsent {
			f.fail(step, e, "a join in %s led to %s", from, s.State())
		}
	case consent.EventWithdraw:
		if s.State() != consent.NotesOnly || eff.Withdrawal != e.Withdrawal || eff.DeleteMinutes != e.DeleteMinutes {
			f.fail(step, e, "withdraw gave %s with %+v", s.State(), eff)
		}
	case consent.EventSwitchToNotes:
		if s.State() != consent.NotesOnly {
			f.fail(step, e, "notes only gave %s", s.State())
		}
	case consent.EventPause:
		if s.State() != consent.Paused {
			f.fail(step, e, "pause gave %s", s.State())
		}
	case consent.EventEnd:
		switch {
		case from != consent.Confirming && f.unconfirmed:
			if s.State() != consent.Confirming {
				f.fail(step, e, "end with an unconfirmed recording gave %s", s.State())
			}
		case s.State() != consent.Ended:
			f.fail(step, e, "end gave %s", s.State())
		}
		if from == consent.Confirming {
			// Closed unanswered: the policy decides, as the statement said.
			if f.policy.KeepUnconfirmed != eff.Confirmed || f.policy.KeepUnconfirmed == (eff.Withdrawal == consent.WithdrawDeleteAll) {
				f.fail(step, e, "closed unanswered under keep=%v gave %+v", f.policy.KeepUnconfirmed, eff)
			}
		}
		f.ended = s.State() == consent.Ended
	case consent.EventDiscard:
		// One "delete it now" deletes everything, whoever said keep: a
		// guardian's keep never overrides a minor's delete.
		if eff.Withdrawal != consent.WithdrawDeleteAll || s.State() != consent.Ended {
			f.fail(step, e, "delete at the end gave %s with %+v", s.State(), eff)
		}
		f.ended = true
	case consent.EventKeep:
		if from != consent.Confirming || !slices.ContainsFunc(f.s.Recorded(), func(p consent.Participant) bool { return p.ID == e.Participant }) {
			f.fail(step, e, "keep accepted from %s by someone not recorded", from)
		}
		f.ended = s.State() == consent.Ended
		if f.ended != eff.Confirmed {
			f.fail(step, e, "keep ended %v, confirmed %v", f.ended, eff.Confirmed)
		}
		if eff.Confirmed {
			f.checkAllKept(step, e)
		}
	}
	switch e.Kind {
	case consent.EventAskAgain:
		if !f.notAsked || !eff.AskAgain {
			f.fail(step, e, "ask-again accepted while not asked not to ask (%v)", f.notAsked)
		}
		f.notAsked = false
	}
	if e.DontAskAgain || (e.Kind == consent.EventSwitchToNotes && e.Reason == consent.ReasonNotAsked) {
		f.notAsked = true
	}
	if e.DontAskAgain != eff.DontAskAgain {
		f.fail(step, e, "don't-ask-again %v gave %v", e.DontAskAgain, eff.DontAskAgain)
	}
	if eff.Withdrawal != consent.WithdrawNone && e.Kind != consent.EventWithdraw && e.Kind != consent.EventDiscard && !(e.Kind == consent.EventEnd && from == consent.Confirming) {
		f.fail(step, e, "a withdrawal effect without a withdrawal")
	}
	if eff.Withdrawal == consent.WithdrawDeleteAll {
		f.unconfirmed = false // nothing recorded is left
	}
	if eff.Confirmed {
		if !f.unconfirmed || from != consent.Confirming {
			f.fail(step, e, "confirmed from %s with nothing unconfirmed", from)
		}
		f.unconfirmed = false
	}

	// The microphone does what the effects say.
	if eff.StopCapture {
		if !f.micOn {
			f.fail(step, e, "stop capture while not capturing")
		}
		f.micOn = false
	}
	if eff.Revoked != 0 {
		if eff.Revoked != len(f.grants) || f.grants[eff.Revoked-1].Valid() {
			f.fail(step, e, "revoked serial %d of %d grants, still valid", eff.Revoked, len(f.grants))
		}
	}
	if eff.StartCapture {
		g := eff.Grant
		switch {
		case f.micOn:
			f.fail(step, e, "start capture while capturing")
		case f.declined:
			f.fail(step, e, "recording after a no without a re-ask")
		case f.notAsked:
			f.fail(step, e, "recording although the client asked not to be asked")
		case f.minorSaidNo():
			f.fail(step, e, "recording after a minor's no")
		case f.policy.NeverRecordMinors && slices.ContainsFunc(s.Participants(), func(p consent.Participant) bool { return p.Role == consent.RoleMinor }):
			f.fail(step, e, "recording with a minor present under never-record-minors")
		case !g.Valid() || g.SessionID() != s.ID():
			f.fail(step, e, "started with a Grant that is not valid for this session")
		case g.Serial() != len(f.grants)+1:
			f.fail(step, e, "serial %d after %d grants", g.Serial(), len(f.grants))
		case !g.DeleteOn().Equal(s.DeleteOn()):
			f.fail(step, e, "grant date %v, session %v", g.DeleteOn(), s.DeleteOn())
		case !dateBefore.IsZero() && g.DeleteOn().After(dateBefore):
			f.fail(step, e, "granted %v, later than the %v shown before", g.DeleteOn(), dateBefore)
		}
		for _, old := range f.grants {
			if g.DeleteOn().After(old.DeleteOn()) {
				f.fail(step, e, "grant %d's date %v is later than grant %d's %v", g.Serial(), g.DeleteOn(), old.Serial(), old.DeleteOn())
			}
		}
		if e.Kind == consent.EventConfirm {
			limit := consent.DeletionDate(e.At, f.policy.DefaultKeepDays, e.EndOfToday, f.loc)
			if e.KeepDays > 0 {
				limit = consent.DeletionDate(e.At, e.KeepDays, e.EndOfToday, f.loc)
			}
			if g.DeleteOn().After(limit) {
				f.fail(step, e, "granted %v, later than the last yes asked for (%v)", g.DeleteOn(), limit)
			}
			if !f.askedInRound() {
				f.fail(step, e, "granted without the question being put in this round")
			}
		} else if e.Kind != consent.EventResume || from != consent.Paused {
			f.fail(step, e, "capture started by %s from %s", e.Kind, from)
		}
		f.micOn, f.micGrant = true, g
		f.grants = append(f.grants, g)
		if f.policy.EndQuestion {
			f.unconfirmed = true
		}
	} else if eff.Grant != (consent.Grant{}) {
		f.fail(step, e, "a Grant without StartCapture")
	}
	switch e.Kind {
	case consent.EventPause, consent.EventWithdraw, consent.EventSwitchToNotes, consent.EventJoin, consent.EventEnd:
		for _, g := range f.grants {
			if g.Valid() {
				f.fail(step, e, "grant %d still valid after %s", g.Serial(), e.Kind)
			}
		}
	}
	if !eff.DeleteOn.IsZero() {
		if !eff.DeleteOn.Equal(s.DeleteOn()) || (!f.effDate.IsZero() && eff.DeleteOn.After(f.effDate)) {
			f.fail(step, e, "Effects.DeleteOn %v after %v (session %v)", eff.DeleteOn, f.effDate, s.DeleteOn())
		}
		f.effDate = eff.DeleteOn
	}
}

// always checks what must hold after every step, accepted or not.
func (f *fuzzRun) always(step int, e consent.Event) {
	f.t.Helper()
	s := f.s
	g, ok := s.Grant()
	if f.micOn != (s.State() == consent.Recording) {
		f.fail(step, e, "microphone on = %v in %s", f.micOn, s.State())
	}
	if f.micOn && (!f.micGrant.Valid() || f.micGrant.SessionID() != s.ID() || !ok || g != f.micGrant) {
		f.fail(step, e, "capturing without the session's valid Grant")
	}
	if !f.micOn && ok {
		f.fail(step, e, "a Grant while not capturing")
	}
	for _, old := range f.grants {
		if old.Valid() && (!f.micOn || old != f.micGrant) {
			f.fail(step, e, "an earlier Grant (serial %d) is valid", old.Serial())
		}
	}
	if ok {
		f.checkConfirmed(step, e, g)
	}
	// An unconfirmed recording is never playable: the session says it is
	// unconfirmed exactly while the model does, and no session ends with
	// one.
	if s.Unconfirmed() != f.unconfirmed {
		f.fail(step, e, "Unconfirmed() = %v, model %v", s.Unconfirmed(), f.unconfirmed)
	}
	if s.State() == consent.Ended && s.Unconfirmed() {
		f.fail(step, e, "ended with an unconfirmed recording")
	}
	if (s.State() == consent.Confirming) != (len(s.ToConfirm()) > 0) {
		f.fail(step, e, "%s with %d to confirm", s.State(), len(s.ToConfirm()))
	}
	// A copy for the client: never while unconfirmed, never of a
	// recording that holds a voice which did not agree to it.
	if s.ClientCopyAgreed() {
		if f.unconfirmed {
			f.fail(step, e, "a client's copy of an unconfirmed recording")
		}
		f.checkCopyAgreed(step, e)
	}
	if s.NotToBeAsked() != f.notAsked {
		f.fail(step, e, "NotToBeAsked() = %v, model %v", s.NotToBeAsked(), f.notAsked)
	}
	if len(f.grants) > 0 {
		d := s.DeleteOn()
		if d.IsZero() || (!f.granted.IsZero() && d.After(f.granted)) {
			f.fail(step, e, "the granted date moved from %v to %v", f.granted, d)
		}
		f.granted = d
		if before := d.Add(-time.Nanosecond).In(f.loc); sameDate(before, d.In(f.loc)) {
			f.fail(step, e, "deletion %v is not the start of a local day", d.In(f.loc))
		}
	}
	events := s.Events()
	if len(events) != len(f.log) {
		f.fail(step, e, "log has %d events, %d were accepted", len(events), len(f.log))
	}
	for i := range events {
		if !sameEvent(events[i], f.log[i]) {
			b, _ := consent.MarshalEvent(events[i])
			f.fail(step, e, "log entry %d changed:\n%s\nwas\n%s", i, b, f.logJSON[i])
		}
	}
	if len(events) > 0 { // the copy is the caller's
		events[len(events)-1].Kind = 0
		events[len(events)-1].At = time.Time{}
		if s.Events()[len(events)-1].Kind == 0 {
			f.fail(step, e, "Events returned the log itself")
		}
	}
}

// sameEvent compares every field, the time as an instant and an offset.
func sameEvent(a, b consent.Event) bool {
	_, oa := a.At.Zone()
	_, ob := b.At.Zone()
	ja, jb := a.Joiner, b.Joiner
	return a.Kind == b.Kind && a.At.Equal(b.At) && oa == ob && a.Actor == b.Actor && a.Participant == b.Participant &&
		a.KeepDays == b.KeepDays && a.EndOfToday == b.EndOfToday && a.Withdrawal == b.Withdrawal &&
		a.DeleteMinutes == b.DeleteMinutes && a.DontAskAgain == b.DontAskAgain && a.Reason == b.Reason && a.ClientCopy == b.ClientCopy && (ja == nil) == (jb == nil) && (ja == nil || *ja == *jb)
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// checkConfirmed reads the log: since the last event that ended a round,
// every participant present now must have said yes, and the Grant must
// name exactly them.
func (f *fuzzRun) checkConfirmed(step int, e consent.Event, g consent.Grant) {
	f.t.Helper()
	said := map[string]bool{}
	for _, ev := range f.log[f.roundStart():] {
		if ev.Kind == consent.EventConfirm {
			said[ev.Participant] = true
		}
	}
	people := f.s.Participants()
	ids := make([]string, 0, len(people))
	for _, p := range people {
		ids = append(ids, p.ID)
		if !said[p.ID] {
			f.fail(step, e, "valid Grant without a yes from %s in this round", p.ID)
		}
		if p.Role == consent.RoleMinor && !p.DecidesAlone && !slices.Contains(g.ConfirmedBy(), p.GuardianID) {
			f.fail(step, e, "minor %s's guardian %s is not among %v", p.ID, p.GuardianID, g.ConfirmedBy())
		}
	}
	got := g.ConfirmedBy()
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		f.fail(step, e, "Grant confirmed by %v, present %v", got, ids)
	}
}

// minorSaidNo reads the log: a minor present said no since the last
// re-ask. Then nothing may be recorded, whoever else said yes.
func (f *fuzzRun) minorSaidNo() bool {
	minors := map[string]bool{}
	for _, p := range f.s.Participants() {
		if p.Role == consent.RoleMinor {
			minors[p.ID] = true
		}
	}
	for i := len(f.log) - 1; i >= 0 && f.log[i].Kind != consent.EventReAsk; i-- {
		if f.log[i].Kind == consent.EventDecline && minors[f.log[i].Participant] {
			return true
		}
	}
	return false
}

// checkAllKept reads the log: since the session's end, every recorded
// person said keep, and nobody said delete.
func (f *fuzzRun) checkAllKept(step int, e consent.Event) {
	f.t.Helper()
	said := map[string]bool{}
	for i := len(f.log) - 1; i >= 0 && f.log[i].Kind != consent.EventEnd; i-- {
		if f.log[i].Kind == consent.EventKeep {
			said[f.log[i].Participant] = true
		}
	}
	for _, p := range f.s.Recorded() {
		if !said[p.ID] {
			f.fail(step, e, "confirmed without %s's keep", p.ID)
		}
	}
}

// checkCopyAgreed reads the log: a client was recorded, and every other
// person recorded said keep with ClientCopy (keeps come only at the end,
// after the last recording).
func (f *fuzzRun) checkCopyAgreed(step int, e consent.Event) {
	f.t.Helper()
	agreed := map[string]bool{}
	for _, ev := range f.log {
		if ev.Kind == consent.EventKeep && ev.ClientCopy {
			agreed[ev.Participant] = true
		}
	}
	client := false
	for _, p := range f.s.Recorded() {
		if p.Role == consent.RoleClient {
			client = true
		} else if !agreed[p.ID] {
			f.fail(step, e, "a client's copy although %s (%s) did not agree", p.ID, p.Role)
		}
	}
	if !client {
		f.fail(step, e, "a client's copy of a recording without a client")
	}
}

// roundStart is the index after the last event that ends a round of answers.
func (f *fuzzRun) roundStart() int {
	for i := len(f.log) - 1; i >= 0; i-- {
		switch f.log[i].Kind {
		case consent.EventJoin, consent.EventReAsk, consent.EventDecline, consent.EventWithdraw, consent.EventSwitchToNotes:
			if f.log[i].Kind == consent.EventReAsk {
				return i // a re-ask both ends the old round and asks the new one
			}
			return i + 1
		}
	}
	return 0
}

func (f *fuzzRun) askedInRound() bool {
	for _, ev := range f.log[f.roundStart():] {
		if ev.Kind == consent.EventAsk || ev.Kind == consent.EventReAsk {
			return true
		}
	}
	return false
}

// finish replays the log and writes the receipt and statement.
func (f *fuzzRun) finish(initial []consent.Participant) {
	f.t.Helper()
	s := f.s
	r, err := consent.Replay(s.ID(), s.Client(), initial, f.policy, f.loc, s.Events())
	if err != nil {
		f.t.Fatalf("replaying the log: %v", err)
	}
	_, ok1 := r.Grant()
	_, ok2 := s.Grant()
	if r.State() != s.State() || !r.DeleteOn().Equal(s.DeleteOn()) || !slices.Equal(r.Participants(), s.Participants()) || ok1 != ok2 {
		f.t.Fatalf("replay: %s %v, original %s %v", r.State(), r.DeleteOn(), s.State(), s.DeleteOn())
	}
	rc := s.Receipt(consent.CollectionOnScreen, "practice")
	if len(rc.Segments) != len(f.grants) {
		f.t.Fatalf("receipt lists %d segments, %d grants were made", len(rc.Segments), len(f.grants))
	}
	_ = rc.Page().String()
	// Kantara validates what it builds; the JSON round trip has its own
	// fuzz target (FuzzParseKantaraJSON).
	if _, err := rc.Kantara(); err != nil && !errors.Is(err, consent.ErrBadReceipt) {
		f.t.Fatalf("receipt: %v", err)
	} else if err != nil && len(f.log) > 0 && rc.ConsentedAt.Unix() > 0 {
		f.t.Fatalf("no receipt for a session with events: %v", err)
	}
	text := s.Statement().String()
	if d := s.DeleteOn(); !d.IsZero() && !strings.Contains(text, consent.LongDate(d, f.loc)) {
		f.t.Fatalf("the statement does not show the date %s:\n%s", consent.LongDate(d, f.loc), text)
	}
}

// Seeds, written with the same byte format. Actor bytes: therapist 1,
// system 3, participant i 2|i<<2.
const (
	aTherapist = 1
	aSystem    = 3
)

func aP(i int) byte { return byte(2 | i<<2) }

func evb(kind consent.EventKind, actor byte, b2, b3, dt, b5 byte) []byte {
	return []byte{byte(kind), actor, b2, b3, dt, b5}
}

func withdrawByte(w consent.Withdrawal, minutes int) byte {
	for b := 0; b < 256; b++ {
		if consent.Withdrawal(1+b%3) == w && (w != consent.WithdrawDeleteLast || 1+(b>>2)%60 == minutes) {
			return byte(b)
		}
	}
	return 0
}

func sequence(header []byte, events ...[]byte) []byte {
	out := slices.Clone(header)
	for _, e := range events {
		out = append(out, e...)
	}
	return out
}

func sequenceSeeds() [][]byte {
	// Role bytes: 1+b%8 is the role; a minor's guardian is participant
	// (b>>3)%n, or with 0x80 the minor decides alone.
	const (
		client   = 0
		partner  = 1
		family   = 2
		guardian = 3
		minorOf0 = 4
	)
	// Zone 1 (London) or 2 (Santiago); 19868 (0x4d9c) three-hour steps from
	// 2020-01-01 is 12:00 UTC on 19 October 2026, six days before London's
	// clocks go back; then the number of participants minus one, the
	// default keep-days and the purposes (1 reflection, 2 supervision, 4
	// training, 8 custom, 16 export, 32 end question, 64 keep unanswered,
	// 128 never record minors).
	one := []byte{1, 0x4d, 0x9c, 0, 28, 1, client}
	two := []byte{1, 0x4d, 0x9c, 1, 28, 1 | 2 | 16, client, partner}
	family3 := []byte{2, 0x4d, 0x9c, 2, 14, 1 | 4 | 8, guardian, minorOf0, family}
	endQ := []byte{1, 0x4d, 0x9c, 0, 28, 1 | 32, client}
	coupleEnd := []byte{1, 0x4d, 0x9c, 1, 28, 1 | 32, client, partner}
	alone := []byte{1, 0x4d, 0x9c, 1, 28, 1 | 32 | 64, guardian, 0x80 | minorOf0}
	noMinors := []byte{1, 0x4d, 0x9c, 1, 28, 1 | 32 | 128, guardian, minorOf0}
	seeds := [][]byte{
		// Recorded, paused, resumed, withdrawn deleting the last 5 minutes.
		sequence(one, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventPause, aP(0), 0, 0, 5, 0), evb(consent.EventResume, aP(0), 0, 0, 1, 0),
			evb(consent.EventWithdraw, aP(0), 0, 0, 5, withdrawByte(consent.WithdrawDeleteLast, 5)), evb(consent.EventEnd, aTherapist, 0, 0, 5, 0)),
		// A couple: one yes with 7 days, one no, a re-ask, both yes, someone joins.
		sequence(two, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 167, 1, 0),
			evb(consent.EventDecline, aP(1), 0, 0, 1, 0), evb(consent.EventReAsk, aTherapist, 0, 0, 10, 0),
			evb(consent.EventConfirm, aP(1), 0x80, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventJoin, aTherapist, 0, 0, 10, 2), evb(consent.EventAsk, aTherapist, 0, 0, 1, 0),
			evb(consent.EventConfirm, aP(2), 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0), evb(consent.EventConfirm, aP(1), 0, 0, 1, 0),
			evb(consent.EventSwitchToNotes, aSystem, 0, 0, 1, 0), evb(consent.EventWithdraw, aP(2), 0, 0, 1, withdrawByte(consent.WithdrawDeleteAll, 0))),
		// A family with a minor in Santiago: the minor first, then the guardian; a pause by the minor.
		sequence(family3, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(1), 0, 0, 1, 0),
			evb(consent.EventConfirm, aP(2), 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventPause, aP(1), 0, 0, 1, 0), evb(consent.EventResume, aTherapist, 0, 0, 1, 0), evb(consent.EventResume, aP(1), 0, 0, 1, 0)),
		// Times going backwards by a day and a month between question and answers.
		sequence(two, evb(consent.EventAsk, aTherapist, 0, 0, 0x7f, 0), evb(consent.EventConfirm, aP(0), 0, 0, 0x81, 0),
			evb(consent.EventConfirm, aP(1), 0, 0, 0x80, 0), evb(consent.EventJoin, aTherapist, 0, 0, 0x7e, 0),
			evb(consent.EventAsk, aTherapist, 0, 0, 0x80, 0), evb(consent.EventConfirm, aP(2), 0, 0, 1, 0)),
		// Malformed and unauthorised events.
		sequence(one, evb(0x80|consent.EventConfirm, aP(0), 3, 250, 1, 0xff), evb(consent.EventReAsk, aP(0), 0, 0, 1, 0),
			evb(11, 0, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0), evb(consent.EventEnd, aTherapist, 0, 0, 1, 0),
			evb(consent.EventAsk, aTherapist, 0, 0, 1, 0)),
		// The question at the end: a client's own pause, then keep.
		sequence(endQ, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventPause, aP(0), 0, 0, 5, 0), evb(consent.EventResume, aTherapist, 0, 0, 1, 0), evb(consent.EventResume, aP(0), 0, 0, 1, 0),
			evb(consent.EventEnd, aTherapist, 0, 0, 5, 0), evb(consent.EventKeep, aP(0), 0, 0, 1, 0)),
		// A minor who decides alone and their guardian: the guardian keeps, the minor deletes.
		sequence(alone, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventConfirm, aP(1), 0, 0, 1, 0), evb(consent.EventEnd, aTherapist, 0, 0, 5, 0),
			evb(consent.EventKeep, aP(0), 0, 0, 1, 0), evb(consent.EventDiscard, aP(1), 0, 0, 1, 0)),
		// A couple: both keep at the end, the partner agreeing to the client's copy.
		sequence(coupleEnd, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventConfirm, aP(1), 0, 0, 1, 0), evb(consent.EventEnd, aTherapist, 0, 0, 5, 0),
			evb(consent.EventKeep, aP(0), 0, 0, 1, 0), evb(consent.EventKeep, aP(1), 0x10, 0, 1, 0)),
		// Unanswered at the end under "keep them until the date".
		sequence(alone, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0),
			evb(consent.EventConfirm, aP(1), 0, 0, 1, 0), evb(consent.EventEnd, aTherapist, 0, 0, 5, 0),
			evb(consent.EventKeep, aP(0), 0, 0, 1, 0), evb(consent.EventEnd, aSystem, 0, 0, 30, 0)),
		// "Please don't ask me again", the therapist trying to re-ask, the client lifting it.
		sequence(endQ, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventDecline, aP(0), 0x20, 0, 1, 0),
			evb(consent.EventReAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventAskAgain, aTherapist, 0, 0, 1, 0),
			evb(consent.EventAskAgain, aP(0), 0, 0, 1, 0), evb(consent.EventReAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventConfirm, aP(0), 0, 0, 1, 0)),
		// A later session starting without the question.
		sequence(endQ, evb(consent.EventSwitchToNotes, aSystem, 0, 0, 1, 1), evb(consent.EventAsk, aTherapist, 0, 0, 1, 0),
			evb(consent.EventReAsk, aTherapist, 0, 0, 1, 0)),
		// Never record minors: the question is refused, notes only with the reason.
		sequence(noMinors, evb(consent.EventAsk, aTherapist, 0, 0, 1, 0), evb(consent.EventSwitchToNotes, aSystem, 0, 0, 1, 2),
			evb(consent.EventReAsk, aTherapist, 0, 0, 1, 0)),
		// An invalid set-up: a minor whose guardian is not a guardian.
		{0, 0, 0, 1, 28, 1, client, minorOf0},
	}
	return seeds
}

// TestWriteSeedCorpus rewrites testdata/fuzz/FuzzConsentSequence with -update.
func TestWriteSeedCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the committed seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzConsentSequence")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, seed := range sequenceSeeds() {
		name := filepath.Join(dir, fmt.Sprintf("seed-%02d", i))
		if err := os.WriteFile(name, []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seed)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
