package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// What the client decided at the end of a session (Session.Confirmation),
// as stored. An empty Confirmation of a session with ConfirmAtEnd is
// pending: its recordings are unconfirmed.
const (
	ConfirmationKept              = "kept"
	ConfirmationKeptUnanswered    = "kept-unanswered"
	ConfirmationDeleted           = "deleted"
	ConfirmationDeletedUnanswered = "deleted-unanswered"
)

// Audit kinds of the client's last word.
const (
	AuditSessionConfirmed = "session.confirmed"    // subject: session; detail: the confirmation
	AuditClientNotAsked   = "client.not_asked"     // subject: client; the client asked not to be asked again
	AuditClientAskAgain   = "client.ask_again"     // subject: client; the client lifted it
	AuditClientMinorAlone = "client.minor_alone"   // subject: client; detail: "decides alone" or "needs a guardian"
	AuditClientCopyGiven  = "recording.copy_given" // subject: recording; detail: how (written by the app)
)

// unconfirmedSQL is true for a recording whose session promised the
// question at the end and has no keeping answer yet. It reads the
// recordings row as "recordings".
const unconfirmedSQL = `coalesce((SELECT s.confirm_at_end = 1 AND coalesce(s.confirmation, '') NOT IN ('kept', 'kept-unanswered')
	FROM sessions s WHERE s.id = recordings.session_id), 0)`

// ConfirmSession stores how the question at the end of a session went
// (one of the Confirmation constants) and audits it. A confirmation that
// keeps makes the session's recordings playable within their purposes;
// the deleting ones come after the consent event that erased them. A
// session whose confirmation is stored keeps it (ErrInvalid for another).
func (db *DB) ConfirmSession(sessionID, confirmation string) error {
	switch confirmation {
	case ConfirmationKept, ConfirmationKeptUnanswered, ConfirmationDeleted, ConfirmationDeletedUnanswered:
	default:
		return fmt.Errorf("storage: confirm session %s: %q: %w", sessionID, confirmation, ErrInvalid)
	}
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var promised int
		var current sql.NullString
		err := tx.QueryRow("SELECT confirm_at_end, confirmation FROM sessions WHERE id = ?", sessionID).Scan(&promised, &current)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		switch {
		case current.Valid && current.String == confirmation:
			return nil
		case current.Valid:
			return fmt.Errorf("session %s was confirmed as %s already: %w", sessionID, current.String, ErrInvalid)
		case promised == 0:
			return fmt.Errorf("session %s did not ask at the end: %w", sessionID, ErrInvalid)
		}
		if _, err := tx.Exec("UPDATE sessions SET confirmation = ?, confirmed_at = ? WHERE id = ?", confirmation, nanos(now), sessionID); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditSessionConfirmed, sessionID, confirmation)
	})
	if err != nil {
		return fmt.Errorf("storage: confirm session: %w", err)
	}
	return nil
}

// SetNotAsked records in a client's record that they asked not to be
// asked again (notAsked true), or that they lifted it. Only the client's
// own step in a session calls it (session.Session does, for
// consent.Effects DontAskAgain and AskAgain).
func (db *DB) SetNotAsked(clientID string, notAsked bool) error {
	return db.setClientFlag(clientID, func(tx *sql.Tx, now time.Time) (sql.Result, string, string, error) {
		if notAsked {
			res, err := tx.Exec("UPDATE clients SET not_asked_since = coalesce(not_asked_since, ?) WHERE id = ?", nanos(now), clientID)
			return res, AuditClientNotAsked, "", err
		}
		res, err := tx.Exec("UPDATE clients SET not_asked_since = NULL WHERE id = ?", clientID)
		return res, AuditClientAskAgain, "", err
	})
}

// SetMinorDecidesAlone marks a minor client as able to decide alone (a
// guardian is not asked on their behalf) or as needing a guardian.
func (db *DB) SetMinorDecidesAlone(clientID string, alone bool) error {
	return db.setClientFlag(clientID, func(tx *sql.Tx, now time.Time) (sql.Result, string, string, error) {
		res, err := tx.Exec("UPDATE clients SET minor_decides_alone = ? WHERE id = ?", alone, clientID)
		detail := "needs a guardian"
		if alone {
			detail = "decides alone"
		}
		return res, AuditClientMinorAlone, detail, err
	})
}

func (db *DB) setClientFlag(clientID string, update func(tx *sql.Tx, now time.Time) (sql.Result, string, string, error)) error {
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		res, kind, detail, err := update(tx, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("client %s: %w", clientID, ErrNotFound)
		}
		return appendAudit(tx, now, kind, clientID, detail)
	})
	if err != nil {
		return fmt.Errorf("storage: client %s: %w", clientID, err)
	}
	return nil
}

// checkConfirmed refuses, in the transaction that would count a play, a
// recording its session has not confirmed at the end (ErrUnconfirmed).
func checkConfirmed(tx *sql.Tx, id string) error {
	var unconfirmed bool
	if err := tx.QueryRow("SELECT "+unconfirmedSQL+" FROM recordings WHERE id = ?", id).Scan(&unconfirmed); err != nil {
		return err
	}
	if unconfirmed {
		return fmt.Errorf("recording %s: %w", id, ErrUnconfirmed)
	}
	return nil
}
