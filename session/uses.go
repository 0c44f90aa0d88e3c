package session

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/storage"
)

// Refusals of a use of a recording (errors.Is).
var (
	// ErrNotAgreed: nobody may listen; no purpose the session offered was
	// agreed for this recording.
	ErrNotAgreed = errors.New("no purpose of the session was agreed for this recording")
	// ErrExportNotAgreed: a copy may not leave this computer; the session
	// did not offer a copy for supervision, or supervision was not agreed.
	ErrExportNotAgreed = errors.New("a copy for supervision was not offered or not agreed")
)

// Uses is what a stored recording may be used for, by what its session
// offered and everyone agreed to.
type Uses struct {
	// Purposes are the purposes agreed for the recording that its session
	// offered, in the policy's order: playing it is for these only.
	Purposes []consent.Purpose
	// Export: a copy for supervision may leave the computer (the session's
	// policy offered it and supervision was agreed).
	Export bool
	// Unconfirmed: the session asked at the end whether to keep it and
	// not everyone recorded has said keep. Until then it is neither played
	// nor exported, whatever was agreed.
	Unconfirmed bool
}

// UsesOf is what rec may be used for: the purposes agreed for it that
// the policy of its session (the one the client was asked under, stored
// with the session) offered; export only when that policy offered a copy
// for supervision and supervision is among them.
//
// While the vault is unlocked, the purposes and the session are the ones
// sealed with the recording's key (storage.RecordingTerms), and the policy
// must be the one sealed with it: the sealed copy wins, so a purpose added
// or a session changed in the database row (or in rec) gains nothing,
// while one the row or rec no longer names is not used (they may narrow
// what was agreed, never widen it); and a policy changed after the
// recording began refuses every use (an error matching
// storage.ErrTampered, as does a key whose terms were altered). While
// locked, or for a deleted recording, neither of which can be played, it
// goes by rec and its session as stored.
func UsesOf(db *storage.DB, rec storage.Recording) (Uses, error) {
	purposes := rec.Purposes
	var ss storage.Session
	terms, err := db.RecordingTerms(rec.ID)
	switch {
	case err == nil:
		purposes = slices.DeleteFunc(slices.Clone(terms.Purposes), func(p string) bool { return !slices.Contains(rec.Purposes, p) })
		ss = storage.Session{ID: terms.SessionID, Policy: terms.Policy}
	case errors.Is(err, storage.ErrLocked), errors.Is(err, storage.ErrDeleted):
		if ss, err = db.Session(rec.SessionID); err != nil {
			return Uses{}, err
		}
	default:
		return Uses{}, err
	}
	policy, err := PolicyOf(ss)
	if err != nil {
		return Uses{}, err
	}
	var u Uses
	for _, p := range policy.Purposes {
		if slices.Contains(purposes, p.ID) {
			u.Purposes = append(u.Purposes, p)
		}
	}
	u.Export = policy.SupervisionExport && slices.ContainsFunc(u.Purposes, func(p consent.Purpose) bool {
		return p.ID == consent.PurposeSupervision
	})
	u.Unconfirmed = rec.Unconfirmed
	return u, nil
}

// MayPlay returns nil if rec may be played, else an error wrapping
// storage.ErrUnconfirmed (not everyone recorded said keep at the end),
// ErrNotAgreed, or storage's error reading its terms or its session.
func MayPlay(db *storage.DB, rec storage.Recording) error {
	u, err := UsesOf(db, rec)
	if err != nil {
		return err
	}
	if u.Unconfirmed {
		return fmt.Errorf("recording %s: %w", rec.ID, storage.ErrUnconfirmed)
	}
	if len(u.Purposes) == 0 {
		return fmt.Errorf("recording %s: %w", rec.ID, ErrNotAgreed)
	}
	return nil
}

// MayExport returns nil if a copy of rec may be given to a supervisor,
// else an error wrapping storage.ErrUnconfirmed, ErrExportNotAgreed, or
// storage's error reading its terms or its session.
func MayExport(db *storage.DB, rec storage.Recording) error {
	u, err := UsesOf(db, rec)
	if err != nil {
		return err
	}
	if u.Unconfirmed {
		return fmt.Errorf("recording %s: %w", rec.ID, storage.ErrUnconfirmed)
	}
	if !u.Export {
		return fmt.Errorf("recording %s (agreed: %s): %w", rec.ID, purposeIDs(u.Purposes), ErrExportNotAgreed)
	}
	return nil
}

func purposeIDs(ps []consent.Purpose) string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return "[" + strings.Join(ids, " ") + "]"
}
