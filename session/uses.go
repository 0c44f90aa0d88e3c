package session

import (
	"errors"
	"fmt"
	"slices"

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
}

// UsesOf is what rec may be used for: the purposes stored with it that
// its session's policy (the one the client was asked under, stored with
// the session) offered; export only when that policy offered a copy for
// supervision and supervision is among them.
func UsesOf(db *storage.DB, rec storage.Recording) (Uses, error) {
	ss, err := db.Session(rec.SessionID)
	if err != nil {
		return Uses{}, err
	}
	policy, err := PolicyOf(ss)
	if err != nil {
		return Uses{}, err
	}
	var u Uses
	for _, p := range policy.Purposes {
		if slices.Contains(rec.Purposes, p.ID) {
			u.Purposes = append(u.Purposes, p)
		}
	}
	u.Export = policy.SupervisionExport && slices.ContainsFunc(u.Purposes, func(p consent.Purpose) bool {
		return p.ID == consent.PurposeSupervision
	})
	return u, nil
}

// MayPlay returns nil if rec may be played, else an error wrapping
// ErrNotAgreed (or storage's error reading its session).
func MayPlay(db *storage.DB, rec storage.Recording) error {
	u, err := UsesOf(db, rec)
	if err != nil {
		return err
	}
	if len(u.Purposes) == 0 {
		return fmt.Errorf("recording %s (purposes %v): %w", rec.ID, rec.Purposes, ErrNotAgreed)
	}
	return nil
}

// MayExport returns nil if a copy of rec may be given to a supervisor,
// else an error wrapping ErrExportNotAgreed.
func MayExport(db *storage.DB, rec storage.Recording) error {
	u, err := UsesOf(db, rec)
	if err != nil {
		return err
	}
	if !u.Export {
		return fmt.Errorf("recording %s (purposes %v): %w", rec.ID, rec.Purposes, ErrExportNotAgreed)
	}
	return nil
}
