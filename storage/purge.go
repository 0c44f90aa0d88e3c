package storage

import (
	"database/sql"
	"fmt"
	"time"
)

// Deletion is one recording that retention says must be deleted, and why.
type Deletion struct {
	RecordingID string
	SessionID   string
	StartedAt   time.Time
	DeleteOn    time.Time
	Reason      string
}

// Due is the retention rule, with no I/O and no clock: of recs, every
// recording not yet deleted whose deletion date is at or before now must be
// deleted, for ReasonDeletionDate. Deletion dates are absolute instants, so
// a clock moved backwards only postpones a deletion until the clock passes
// the date again, and never brings one forward.
func Due(recs []Recording, now time.Time) []Deletion {
	var out []Deletion
	for _, r := range recs {
		if r.State == StateDeleted || r.DeleteOn.After(now) {
			continue
		}
		out = append(out, Deletion{
			RecordingID: r.ID,
			SessionID:   r.SessionID,
			StartedAt:   r.StartedAt,
			DeleteOn:    r.DeleteOn,
			Reason:      ReasonDeletionDate,
		})
	}
	return out
}

// DueForDeletion lists what Purge(now) would delete, deleting nothing.
func (db *DB) DueForDeletion(now time.Time) ([]Deletion, error) {
	rows, err := db.sql.Query("SELECT "+recordingColumns+" FROM recordings WHERE state <> 'deleted' AND delete_on <= ? ORDER BY delete_on, id", nanos(now))
	if err != nil {
		return nil, fmt.Errorf("storage: due for deletion: %w", dbErr(err))
	}
	defer rows.Close()
	var recs []Recording
	for rows.Next() {
		r, _, err := scanRecording(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: due for deletion: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: due for deletion: %w", dbErr(err))
	}
	return Due(recs, now), nil
}

// Purge deletes every recording whose deletion date is at or before now, as
// DeleteNow does but in one transaction for all of them (deleted_at is the
// DB clock's time), and first finishes any deletion a crash interrupted. It
// needs no passphrase, is idempotent, and is safe to kill at any moment: a
// key is either still there (the next Purge deletes it) or gone, and files
// left behind by a kill are unlinked by the next Open or Purge. It returns
// what it deleted.
func (db *DB) Purge(now time.Time) ([]Deletion, error) {
	if err := db.removeLeftoverFiles(); err != nil {
		return nil, fmt.Errorf("storage: purge: %w", err)
	}
	due, err := db.DueForDeletion(now)
	if err != nil || len(due) == 0 {
		return nil, err
	}
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.RecordingID
	}
	var erased []erasedRecording
	err = db.write(func(tx *sql.Tx, txNow time.Time) error {
		var err error
		erased, err = eraseInTx(tx, txNow, ids, ReasonDeletionDate)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("storage: purge: %w", err)
	}
	db.afterErase(erased)
	done := make(map[string]bool, len(erased))
	for _, e := range erased {
		done[e.id] = true
	}
	out := due[:0]
	for _, d := range due {
		if done[d.RecordingID] {
			out = append(out, d)
		}
	}
	return out, nil
}
