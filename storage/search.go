package storage

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// NoteMatch is one line of a session's typed notes that SearchNotes found.
type NoteMatch struct {
	SessionID string
	StartedAt time.Time // when the session started
	// Process says the line is in the process notes (private to the
	// therapist) rather than the progress notes.
	Process bool
	// Line is the line's index in its notes, from 0; Text is the line.
	Line int
	Text string
}

// MaxNoteMatches is the most lines SearchNotes returns.
const MaxNoteMatches = 500

// SearchNotes finds the lines of client clientID's typed notes (progress
// and process) that contain query, ignoring case, newest session first
// and in order within a session; at most MaxNoteMatches. A query of only
// spaces finds nothing.
//
// Each session's notes are unsealed in memory, searched and dropped: no
// index is kept and nothing is written, not even an audit row, so a
// search leaves the data folder as it was. It needs the vault unlocked
// (ErrLocked). Notes that cannot be opened (ErrTampered) do not stop the
// search: the lines found elsewhere are returned with an error naming
// each session that could not be read.
func (db *DB) SearchNotes(clientID, query string) ([]NoteMatch, error) {
	if !db.Unlocked() {
		return nil, fmt.Errorf("storage: search notes: %w", ErrLocked)
	}
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil, nil
	}
	sessions, err := db.Sessions(clientID)
	if err != nil {
		return nil, err
	}
	var out []NoteMatch
	var unread []error
	for _, s := range sessions {
		n, err := db.Notes(s.ID)
		if err != nil {
			unread = append(unread, err)
			continue
		}
		for _, part := range []struct {
			text    string
			process bool
		}{{n.Text, false}, {n.Process, true}} {
			for i, line := range strings.Split(part.text, "\n") {
				if !strings.Contains(strings.ToLower(line), q) {
					continue
				}
				if len(out) == MaxNoteMatches {
					return out, errors.Join(unread...)
				}
				out = append(out, NoteMatch{SessionID: s.ID, StartedAt: s.StartedAt, Process: part.process, Line: i, Text: line})
			}
		}
	}
	return out, errors.Join(unread...)
}
