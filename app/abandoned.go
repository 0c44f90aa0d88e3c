package app

import (
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// abandonedSessions lists the sessions a crash or a power cut left open:
// every open session but the one under way (Quit ends that one itself).
func (u *UI) abandonedSessions() []storage.Session {
	open, err := u.db.OpenSessions()
	if err != nil {
		u.opt.Logf("listing sessions left open: %v", err)
		return nil
	}
	var out []storage.Session
	for _, ss := range open {
		if u.run == nil || u.run.stored.ID != ss.ID {
			out = append(out, ss)
		}
	}
	return out
}

// closeSessions ends sessions a crash left open, so that no client's
// record shows a session that never ended. Each gets an "end" by the app
// (consent.System) at its last trace, the latest of its consent steps,
// recordings and notes, not at the time of this unlock: the record says
// when the session really stopped. It needs the key (for the notes' time)
// and touches no UI state, so it may run in the background; it returns
// how many it ended.
func (u *UI) closeSessions(sessions []storage.Session) int {
	closed := 0
	for _, ss := range sessions {
		at, err := u.lastTrace(ss)
		if err != nil {
			u.opt.Logf("session %s left open: %v", ss.ID, err)
			continue
		}
		cs, err := u.replay(ss)
		if err != nil {
			u.opt.Logf("session %s left open: %v", ss.ID, err)
			continue
		}
		if cs.State() != consent.Ended {
			ev := consent.Event{Kind: consent.EventEnd, Actor: consent.System(), At: at}
			if _, err := cs.Apply(ev); err != nil {
				u.opt.Logf("ending session %s left open: %v", ss.ID, err)
				continue
			}
			if err := u.storeConsentEvent(ss.ID, ev); err != nil {
				u.opt.Logf("ending session %s left open: %v", ss.ID, err)
				continue
			}
		}
		if err := u.db.EndSessionAt(ss.ID, at); err != nil {
			u.opt.Logf("ending session %s left open: %v", ss.ID, err)
			continue
		}
		u.opt.Logf("session %s, left open by a crash or power cut, ended as of %s", ss.ID, at.Format(time.RFC3339))
		closed++
	}
	return closed
}

// lastTrace is the latest time a session left in storage: its start, its
// consent steps, its recordings' starts and ends, its notes' last save.
func (u *UI) lastTrace(ss storage.Session) (time.Time, error) {
	last := ss.StartedAt
	later := func(t time.Time) {
		if t.After(last) {
			last = t
		}
	}
	events, err := u.db.ConsentEvents(ss.ID)
	if err != nil {
		return last, err
	}
	for _, e := range events {
		later(e.At)
	}
	recs, err := u.db.Recordings(ss.ID)
	if err != nil {
		return last, err
	}
	for _, r := range recs {
		later(r.StartedAt)
		later(r.EndedAt)
	}
	if n, err := u.db.Notes(ss.ID); err == nil {
		later(n.UpdatedAt)
	} else {
		u.opt.Logf("notes of session %s: %v", ss.ID, err)
	}
	return last, nil
}
