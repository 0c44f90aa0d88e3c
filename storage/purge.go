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

// DueForDeletion lists what Purge(now) would delete, deleting nothing: by
// the later of now and the latest time seen, each recording's deletion
// date in force (the earlier of the database's and the one sealed with its
// key, read without the key).
func (db *DB) DueForDeletion(now time.Time) ([]Deletion, error) {
	latest, err := latestSeen(db.sql)
	if err != nil {
		return nil, fmt.Errorf("storage: due for deletion: %w", err)
	}
	now = laterOf(now, latest)
	// Only what Due looks at and Deletion carries: reading whole rows (the
	// purposes' JSON, the wrapped key) was a quarter of a 10,000-recording
	// purge. Each date has its index (recordings_due and
	// recordings_sealed_due); written as an OR, SQLite scans them all.
	rows, err := db.sql.Query(`SELECT id, session_id, state, started_at, `+inForceSQL+` AS in_force FROM recordings
		WHERE rowid IN (SELECT rowid FROM recordings WHERE state <> 'deleted' AND delete_on <= ?1
			UNION ALL SELECT rowid FROM recordings WHERE state <> 'deleted' AND `+sealedUntilSQL+` <= ?1)
		ORDER BY in_force, id`, nanos(now))
	if err != nil {
		return nil, fmt.Errorf("storage: due for deletion: %w", dbErr(err))
	}
	defer rows.Close()
	var recs []Recording
	for rows.Next() {
		var r Recording
		var state string
		var started, deleteOn int64
		if err := rows.Scan(&r.ID, &r.SessionID, &state, &started, &deleteOn); err != nil {
			return nil, fmt.Errorf("storage: due for deletion: %w", dbErr(err))
		}
		r.State, r.StartedAt, r.DeleteOn = RecordingState(state), fromNanos(started), fromNanos(deleteOn)
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: due for deletion: %w", dbErr(err))
	}
	return Due(recs, now), nil
}

// purgeBatch is how many recordings one Purge transaction erases. While the
// files of one batch are unlinked, the keys of the next are erased: on the
// 2-core development machine, purging 10,000 recordings then takes about
// 1.7 times what rm(1) takes for their files alone (BenchmarkPurge),
// against 2.2–2.5 times in one transaction. Short transactions also keep
// the app waiting less for the write lock when `assent purge` runs beside it.
const purgeBatch = 1000

// Purge deletes every recording whose deletion date is at or before now, as
// DeleteNow does, in transactions of up to purgeBatch recordings (deleted_at
// is the DB clock's time), and first finishes any deletion a crash
// interrupted. The date is the one in force (the earlier of the database's
// and the one sealed with the key), and now is taken as the latest time
// seen if that is later: a clock put back never delays a deletion. The
// clock's time (Options.Now) is noted as a time seen first, in its own
// transaction, whether anything is due or not. Each batch's keys are erased (committed) before any of its
// files is unlinked. It needs no passphrase, is idempotent, and is safe to
// kill at any moment: a key is either still there (the next Purge deletes
// it) or gone, and files left behind by a kill are unlinked by the next
// Open or Purge. It returns what it deleted, also when a later batch
// failed (with the error).
func (db *DB) Purge(now time.Time) ([]Deletion, error) {
	if err := db.write(func(*sql.Tx, time.Time) error { return nil }); err != nil { // write notes the time
		return nil, fmt.Errorf("storage: purge: note the time: %w", err)
	}
	if err := db.removeLeftoverFiles(); err != nil {
		return nil, fmt.Errorf("storage: purge: %w", err)
	}
	due, err := db.DueForDeletion(now)
	if err != nil {
		return nil, err
	}
	if len(due) == 0 {
		db.checkpoint() // a deletion killed before its own (see checkpoint)
		return nil, nil
	}

	batches := make(chan []erasedRecording, 1)
	removed := make(chan []string)
	go func() {
		var done []string
		for erased := range batches {
			done = append(done, db.removeFiles(erased)...)
		}
		removed <- done
	}()
	deleted := make(map[string]bool, len(due))
	killed := false
	for start := 0; start < len(due); start += purgeBatch {
		batch := due[start:min(start+purgeBatch, len(due))]
		ids := make([]string, len(batch))
		for i, d := range batch {
			ids[i] = d.RecordingID
		}
		var erased []erasedRecording
		err = db.write(func(tx *sql.Tx, txNow time.Time) error {
			var err error
			if erased, err = eraseInTx(tx, txNow, ids, ReasonDeletionDate); err != nil {
				return err
			}
			return db.crash(stepBeforeCommit)
		})
		if err != nil {
			err = fmt.Errorf("storage: purge: %w", err)
			break
		}
		for _, e := range erased {
			deleted[e.id] = true
		}
		if db.crash(stepBeforeUnlink) != nil {
			killed = true
			break
		}
		db.stopUsers(erased)
		batches <- erased
	}
	close(batches)
	done := <-removed
	if !killed && db.forgetFiles(done) == nil {
		db.checkpoint()
	}
	out := due[:0]
	for _, d := range due {
		if deleted[d.RecordingID] {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, err
}
