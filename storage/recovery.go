package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// Recovery reports what crash recovery did with one recording.
type Recovery struct {
	RecordingID string
	SessionID   string
	Outcome     RecoveryOutcome
	Chunks      int64 // whole chunks kept
	Bytes       int64 // MP3 bytes kept
	Err         error // for OutcomeFailed
}

// RecoveryOutcome says how a recording left by a crash was settled.
type RecoveryOutcome string

const (
	// OutcomeRecovered: every authentic whole chunk was kept and the file
	// sealed properly; the recording is in state "recovered".
	OutcomeRecovered RecoveryOutcome = "recovered"
	// OutcomeErased: nothing authentic was left (or the file was missing);
	// the recording was deleted with ReasonNothingRecovered.
	OutcomeErased RecoveryOutcome = "erased"
	// OutcomeFailed: recovery could not run (see Err); the recording is left
	// as it was and tried again at the next unlock.
	OutcomeFailed RecoveryOutcome = "failed"
)

// recoverWithoutKey is the part of recovery Open runs: it needs no key.
func (db *DB) recoverWithoutKey() error {
	// Withdrawals with "delete all" erase in the same transaction that stores
	// them, so normally this finds nothing; it makes the rule hold whatever
	// wrote the database.
	// CROSS JOIN fixes the join order: from the (few, indexed) withdrawals
	// to their sessions' recordings, never a scan of every recording.
	const withdrawn = `SELECT DISTINCT r.id FROM consent_events e CROSS JOIN recordings r
		ON r.session_id = e.session_id
		WHERE e.withdraw_delete_all = 1 AND r.state <> 'deleted' AND r.consent_seq < e.seq`
	ids, err := queryStrings(db.sql, withdrawn)
	if err != nil {
		return fmt.Errorf("find withdrawn recordings: %w", dbErr(err))
	}
	var erased []erasedRecording
	if len(ids) > 0 {
		err = db.write(func(tx *sql.Tx, now time.Time) error {
			var err error
			erased, err = eraseInTx(tx, now, ids, ReasonWithdrawn)
			return err
		})
		if err != nil {
			return fmt.Errorf("erase withdrawn recordings: %w", err)
		}
	}
	db.afterErase(erased)
	if err := db.removeLeftoverFiles(); err != nil {
		return err
	}
	if err := db.removeOrphanFiles(); err != nil {
		return err
	}
	db.checkpoint() // a deletion killed before its own (see checkpoint)
	return nil
}

// LastRecovery returns what the last crash recovery (at Unlock or
// RecoverInterrupted) did, one entry per recording it found unfinished.
func (db *DB) LastRecovery() []Recovery {
	db.mu.Lock()
	defer db.mu.Unlock()
	return append([]Recovery(nil), db.recovery...)
}

func (db *DB) recoverInterrupted() {
	rs, err := db.RecoverInterrupted()
	if err != nil {
		rs = append(rs, Recovery{Outcome: OutcomeFailed, Err: err})
	}
	db.mu.Lock()
	db.recovery = rs
	db.mu.Unlock()
}

// RecoverInterrupted settles every recording left in state "recording" that
// no writer (in this process or, where file locks exist, another) is still
// writing: each authentic whole chunk is kept, re-sealed under a new key in
// a new file ending in a proper final chunk, and the recording marked
// "recovered" with an audit row; if no chunk survived it is erased. Torn or
// altered chunks and everything after them are dropped, and with the old key
// destroyed they cannot be read from the old file's remains either. Unlock
// calls it; the app may call it again after a write error. Needs the vault
// unlocked.
func (db *DB) RecoverInterrupted() ([]Recovery, error) {
	if !db.Unlocked() {
		return nil, ErrLocked
	}
	rows, err := db.sql.Query("SELECT id FROM recordings WHERE state = 'recording'")
	if err != nil {
		return nil, fmt.Errorf("storage: recover: %w", dbErr(err))
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: recover: %w", dbErr(err))
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []Recovery
	for _, id := range ids {
		db.mu.Lock()
		live := db.writers[id] != nil
		db.mu.Unlock()
		if live {
			continue
		}
		r, skipped := db.recoverOne(id)
		if skipped {
			continue
		}
		var k *killedError
		if errors.As(r.Err, &k) {
			return out, r.Err // a test's kill: nothing more runs
		}
		if r.Outcome == OutcomeFailed {
			db.AuditAbout(AuditRecoveryFailed, id, r.Err.Error())
		}
		out = append(out, r)
	}
	return out, nil
}

// recoverOne settles one recording. skipped means another writer holds it.
func (db *DB) recoverOne(id string) (res Recovery, skipped bool) {
	res = Recovery{RecordingID: id, Outcome: OutcomeFailed}
	var file string
	var discard sql.NullString
	var chunkSize int
	var startedAt int64
	var k keyRow
	err := db.sql.QueryRow(`SELECT session_id, file, discard_file, chunk_size, started_at, key_wrapped, terms
		FROM recordings WHERE id = ? AND state = 'recording'`, id).
		Scan(&res.SessionID, &file, &discard, &chunkSize, &startedAt, &k.wrapped, &k.terms)
	if err != nil {
		res.Err = dbErr(err)
		return res, errors.Is(err, sql.ErrNoRows)
	}
	idb, err := parseID(id)
	if err != nil {
		res.Err = err
		return res, false
	}
	f, err := db.openLocked(file, os.O_RDWR)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return db.eraseUnrecoverable(res), false
	case errors.Is(err, errHeld):
		return res, true // still being written by another process
	case err != nil:
		res.Err = err
		return res, false
	}
	defer f.Close()

	// A replacement a previous recovery began but did not finish.
	if discard.String != "" {
		if p, err := db.recPath(discard.String); err == nil {
			if err := removeFile(p); err != nil {
				res.Err = err
				return res, false
			}
		}
	}

	key, _, err := db.unwrapRecordingKey(id, k)
	if err != nil {
		res.Err = fmt.Errorf("recording key: %w", err)
		return res, false
	}
	defer zero(key)
	fi, err := f.Stat()
	if err != nil {
		res.Err = err
		return res, false
	}
	sk := subkey(key, infoStream)
	defer zero(sk)
	sv, err := recfile.Scan(f, fi.Size(), sk, idb)
	if err != nil || sv.Header.ChunkSize != chunkSize || sv.Chunks == 0 {
		// No header (a crash before it was written), not this recording's,
		// or not one whole chunk.
		return db.eraseUnrecoverable(res), false
	}
	res.Chunks = sv.Chunks

	ended := fi.ModTime() // the last chunk's write: when recording really stopped
	res.Bytes, err = db.rekey(rekeying{
		id: id, old: f, file: file, discard: discard.String, state: StateRecording, terms: k.terms,
		header: sv.Header,
		keep: func(w *recfile.Writer) error {
			_, err := sv.CopyTo(w) // the last chunk kept becomes the final one
			return err
		},
		row: func(_ []byte, kept int64) rekeyedRow {
			return rekeyedRow{
				state: StateRecovered,
				// Peaks saved while recording were sealed under the old key
				// and describe audio that may be gone: drop them.
				peaks:    nil,
				duration: time.Duration(max(0, nanos(ended)-startedAt)),
				endedAt:  ended,
				audit:    AuditRecordingRecovered,
				detail:   fmt.Sprintf("kept %d chunks (%d bytes) sealed up to the last whole chunk", sv.Chunks, kept),
			}
		},
	})
	if err != nil {
		res.Err = err
		return res, false
	}
	res.Outcome = OutcomeRecovered
	return res, false
}

func (db *DB) eraseUnrecoverable(res Recovery) Recovery {
	var erased []erasedRecording
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var err error
		erased, err = eraseInTx(tx, now, []string{res.RecordingID}, ReasonNothingRecovered)
		return err
	})
	if err != nil {
		res.Outcome, res.Err = OutcomeFailed, err
		return res
	}
	db.afterErase(erased)
	res.Outcome, res.Err = OutcomeErased, nil
	return res
}
