package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// ErrCopyNotAgreed: a copy of the recording may not be given to the
// client, because it holds the voice of someone other than the client
// (who did not agree to the client having it).
var ErrCopyNotAgreed = errors.New("another voice in this recording did not agree to the client having a copy")

// MayCopyForClient returns nil if the client may be given a copy of rec:
// it is not deleted, everyone recorded confirmed it at the end (if its
// session asked), and the client was the only person recorded in its
// session or everyone else recorded agreed to the client's copy at the end
// (consent.Session.ClientCopyAgreed). Otherwise the error wraps ErrCopyNotAgreed, storage.ErrDeleted
// or storage.ErrUnconfirmed, or is storage's error replaying the session
// (which needs the vault unlocked). loc is the calendar of deletion dates.
func MayCopyForClient(db *storage.DB, rec storage.Recording, loc *time.Location) error {
	switch {
	case rec.State == storage.StateDeleted:
		return fmt.Errorf("recording %s: %w", rec.ID, storage.ErrDeleted)
	case rec.Unconfirmed:
		return fmt.Errorf("recording %s: %w", rec.ID, storage.ErrUnconfirmed)
	}
	ss, err := db.Session(rec.SessionID)
	if err != nil {
		return err
	}
	cs, err := Replay(db, ss, loc)
	if err != nil {
		return err
	}
	if !cs.ClientCopyAgreed() {
		return fmt.Errorf("recording %s holds %d voices: %w", rec.ID, len(cs.Recorded()), ErrCopyNotAgreed)
	}
	return nil
}
