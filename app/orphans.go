package app

import (
	"errors"
	"strconv"
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
// when the session really stopped. A session whose history cannot be
// replayed is still marked ended, at that time. It touches no UI state, so
// it may run in the background; if the vault is locked meanwhile it stops,
// and the next unlock finishes. It returns how many it ended.
func (u *UI) closeSessions(sessions []storage.Session) int {
	closed := 0
	for _, ss := range sessions {
		if !u.db.Unlocked() || u.closing.Load() {
			return closed // locked meanwhile (names would read empty), or closing: the next unlock goes on
		}
		at, err := u.lastTrace(ss)
		if err != nil {
			u.opt.Logf("session %s left open: %v", ss.ID, err)
			at = ss.StartedAt
		}
		cs, err := u.replay(ss)
		switch {
		case errors.Is(err, storage.ErrLocked) || (err != nil && !u.db.Unlocked()):
			return closed // locked meanwhile: the next unlock goes on
		case err != nil:
			u.opt.Logf("session %s left open cannot be replayed (%v); marking it ended", ss.ID, err)
		case cs.State() != consent.Ended:
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
	saved, err := u.db.NotesSavedAt(ss.ID)
	if err != nil {
		return last, err
	}
	later(saved)
	return last, nil
}

// settingOrphansToldThrough is the audit row up to which the therapist has
// been told of recording files removed for want of a record.
const settingOrphansToldThrough = "orphans_told_through"

// orphansToTell counts the recording files without a record that were
// removed since the therapist was last told, by this process's Open or
// another's (the hourly purge usually opens the folder first), and marks
// them told.
func (u *UI) orphansToTell() int {
	head, _, err := u.db.AuditHead()
	if err != nil {
		u.opt.Logf("reading the audit log: %v", err)
		return 0
	}
	v, _, err := u.db.Setting(settingOrphansToldThrough)
	if err != nil {
		u.opt.Logf("reading %s: %v", settingOrphansToldThrough, err)
		return 0
	}
	after, _ := strconv.ParseInt(v, 10, 64)
	removed, err := u.db.AuditOfKind(storage.AuditOrphanRemoved, after, head)
	if err != nil {
		u.opt.Logf("reading the audit log: %v", err)
		return 0
	}
	if err := u.db.SetSetting(settingOrphansToldThrough, strconv.FormatInt(head, 10)); err != nil {
		u.opt.Logf("saving %s: %v", settingOrphansToldThrough, err)
	}
	return len(removed)
}
