package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// Replay rebuilds a stored session's consent state machine from its
// history, under the policy it was asked under, with each minor linked to
// the guardian stored with them. Those who joined later come in by their
// join steps. It is in the client's language (the receipt's wording; each
// answer keeps the language of the statement it was given to). Reading
// the history needs the vault unlocked (storage.ErrLocked).
func Replay(db *storage.DB, ss storage.Session, loc *time.Location) (*consent.Session, error) {
	if len(ss.Participants) == 0 { // a listing leaves them out
		full, err := db.Session(ss.ID)
		if err != nil {
			return nil, err
		}
		ss = full
	}
	stored, err := db.ConsentEvents(ss.ID)
	if err != nil {
		return nil, err
	}
	events := make([]consent.Event, 0, len(stored))
	joined := map[string]bool{}
	for _, se := range stored {
		ev, err := consent.UnmarshalEvent(se.Data)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", se.Seq, err)
		}
		if ev.Joiner != nil {
			joined[ev.Joiner.ID] = true
		}
		events = append(events, ev)
	}
	var people []consent.Participant
	for _, p := range ss.Participants {
		if joined[p.ID] {
			continue
		}
		role, err := consent.ParseRole(p.Role)
		if err != nil {
			return nil, err
		}
		people = append(people, consent.Participant{ID: p.ID, Name: p.Name, Role: role, GuardianID: p.GuardianID, DecidesAlone: p.DecidesAlone})
	}
	policy, err := PolicyOf(ss)
	if err != nil {
		return nil, err
	}
	cs, err := consent.Replay(ss.ID, ss.ClientID, people, policy, loc, events)
	if err != nil {
		return nil, err
	}
	if c, err := db.Client(ss.ClientID); err == nil {
		setLanguage(cs, c.Language, func(string, ...any) {})
	}
	return cs, nil
}

// LeftOpen lists the sessions a crash or a power cut left open: every
// session not ended but the one called current (the one under way, which
// ends itself).
func LeftOpen(db *storage.DB, current string) ([]storage.Session, error) {
	open, err := db.OpenSessions()
	if err != nil {
		return nil, err
	}
	// And those ended while the question at the end was open (a crash
	// while the people recorded were answering).
	asking, err := db.UnansweredSessions()
	if err != nil {
		return nil, err
	}
	var out []storage.Session
	for _, ss := range append(open, asking...) {
		if ss.ID != current {
			out = append(out, ss)
		}
	}
	return out, nil
}

// EndLeftOpen ends sessions a crash left open, so that no client's record
// shows a session that never ended. Each gets an end by Assent
// (consent.System) at its last trace (LastTrace), not at the time of this
// call: the record says when the session really stopped. A session whose
// history cannot be replayed is still marked ended, at that time. A
// session with steps owed (see Session.Retry) has them stored first, in
// order; one whose owed steps still cannot be stored is left for the next
// call, so that no end is stored before them. It stops early when goOn
// returns false or the vault is locked meanwhile (names would read
// empty); the next call finishes. It returns how many it ended.
func EndLeftOpen(db *storage.DB, sessions []storage.Session, loc *time.Location, logf func(string, ...any), goOn func() bool) int {
	closed := 0
	for _, ss := range sessions {
		if !db.Unlocked() || !goOn() {
			return closed
		}
		if err := finishOwedSteps(db, ss.ID); err != nil {
			logf("session %s left open owes steps that cannot be stored yet; it is ended later: %v", ss.ID, err)
			continue
		}
		at, err := LastTrace(db, ss)
		if err != nil {
			logf("session %s left open: %v", ss.ID, err)
			at = ss.StartedAt
		}
		cs, err := Replay(db, ss, loc)
		switch {
		case errors.Is(err, storage.ErrLocked) || (err != nil && !db.Unlocked()):
			return closed // locked meanwhile: the next unlock goes on
		case err != nil:
			logf("session %s left open cannot be replayed (%v); marking it ended", ss.ID, err)
		case cs.State() != consent.Ended:
			if err := endReplayed(db, ss.ID, cs, at); err != nil {
				logf("ending session %s left open: %v", ss.ID, err)
				continue
			}
		}
		if err := db.EndSessionAt(ss.ID, at); err != nil {
			logf("ending session %s left open: %v", ss.ID, err)
			continue
		}
		logf("session %s, left open by a crash or power cut, ended as of %s", ss.ID, at.Format(time.RFC3339))
		closed++
	}
	return closed
}

// endReplayed ends a replayed session by Assent, as of at: and, when that
// leaves the question at the end open (or it was open already: a crash
// while the people recorded were answering), closes it unanswered, so
// that the practice's rule, shown in the statement, decides: deleted in
// the transaction that stores the step, or kept until the date.
func endReplayed(db *storage.DB, sessionID string, cs *consent.Session, at time.Time) error {
	for cs.State() != consent.Ended {
		ev := consent.Event{Kind: consent.EventEnd, Actor: consent.System(), At: at}
		eff, err := cs.Apply(ev)
		if err != nil {
			return err
		}
		se, err := storedEvent(sessionID, ev, eff.Withdrawal == consent.WithdrawDeleteAll)
		if err != nil {
			return err
		}
		if _, err := db.AppendConsentEvent(se); err != nil {
			return err
		}
		if c := storedConfirmation(cs.Confirmation()); c != "" {
			if err := db.ConfirmSession(sessionID, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedConfirmation is how the question at the end went, as storage
// keeps it; "" while it is open or was never asked.
func storedConfirmation(c consent.Confirmation) string {
	switch c {
	case consent.ConfirmKept:
		return storage.ConfirmationKept
	case consent.ConfirmUnansweredKept:
		return storage.ConfirmationKeptUnanswered
	case consent.ConfirmDeleted:
		return storage.ConfirmationDeleted
	case consent.ConfirmUnansweredDeleted:
		return storage.ConfirmationDeletedUnanswered
	}
	return ""
}

// finishOwedSteps stores a session's owed consent steps, and says why it
// could not. Owed cuts that cannot be done yet do not hold the end back:
// they change no history.
func finishOwedSteps(db *storage.DB, sessionID string) error {
	_, finishErr := db.FinishOwed(sessionID)
	evs, _, err := db.Owed(sessionID)
	switch {
	case err != nil:
		return err
	case len(evs) > 0:
		return errors.Join(fmt.Errorf("%d steps owed", len(evs)), finishErr)
	}
	return nil
}

// LastTrace is the latest time a session left in storage: its start, its
// consent steps, its recordings' starts and ends, its notes' last save.
func LastTrace(db *storage.DB, ss storage.Session) (time.Time, error) {
	last := ss.StartedAt
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	events, err := db.ConsentEvents(ss.ID)
	if err != nil {
		return last, err
	}
	for _, e := range events {
		later(e.At)
	}
	recs, err := db.Recordings(ss.ID)
	if err != nil {
		return last, err
	}
	for _, r := range recs {
		later(r.StartedAt)
		later(r.EndedAt)
	}
	saved, err := db.NotesSavedAt(ss.ID)
	if err != nil {
		return last, err
	}
	later(saved)
	return last, nil
}

// RestorePeaks gives each recording crash recovery kept its waveform
// peaks, decoded from what was recovered (the peaks a recording collects
// are sealed only when it ends, so a crash leaves none). It needs the vault
// unlocked and returns how many it restored; a recording it cannot read is
// logged and left without peaks (the library draws none).
func RestorePeaks(db *storage.DB, recovered []storage.Recovery, logf func(string, ...any)) int {
	n := 0
	for _, r := range recovered {
		if r.Outcome != storage.OutcomeRecovered {
			continue
		}
		if err := restorePeaks(db, r.RecordingID); err != nil {
			logf("waveform of recovered recording %s: %v", r.RecordingID, err)
			continue
		}
		n++
	}
	return n
}

func restorePeaks(db *storage.DB, id string) error {
	rec, err := db.OpenRecording(id)
	if err != nil {
		return err
	}
	defer rec.Close()
	peaks, _, err := audio.DecodePeaks(rec)
	if err != nil {
		return err
	}
	return db.SavePeaks(id, StoragePeaks(peaks))
}
