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
		if r.Outcome == OutcomeFailed {
			db.AuditAbout(AuditRecoveryFailed, id, r.Err.Error())
		}
		out = append(out, r)
	}
	return out, nil
}

type interrupted struct {
	sessionID, file, discard string
	chunkSize                int
	startedAt                int64
	wrapped                  []byte
}

// recoverOne settles one recording. skipped means another writer holds it.
func (db *DB) recoverOne(id string) (res Recovery, skipped bool) {
	res = Recovery{RecordingID: id, Outcome: OutcomeFailed}
	var in interrupted
	var discard sql.NullString
	err := db.sql.QueryRow(`SELECT session_id, file, discard_file, chunk_size, started_at, key_wrapped
		FROM recordings WHERE id = ? AND state = 'recording'`, id).
		Scan(&in.sessionID, &in.file, &discard, &in.chunkSize, &in.startedAt, &in.wrapped)
	if err != nil {
		res.Err = dbErr(err)
		return res, errors.Is(err, sql.ErrNoRows)
	}
	res.SessionID, in.discard = in.sessionID, discard.String
	idb, err := parseID(id)
	if err != nil {
		res.Err = err
		return res, false
	}
	path, err := db.recPath(in.file)
	if err != nil {
		res.Err = err
		return res, false
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return db.eraseUnrecoverable(res), false
	}
	if err != nil {
		res.Err = err
		return res, false
	}
	defer f.Close()
	if ok, err := tryLockFile(f); err != nil {
		res.Err = err
		return res, false
	} else if !ok {
		return res, true // still being written by another process
	}

	// A replacement a previous recovery began but did not finish.
	if in.discard != "" {
		if p, err := db.recPath(in.discard); err == nil {
			if err := removeFile(p); err != nil {
				res.Err = err
				return res, false
			}
		}
	}

	key, err := db.unwrap(in.wrapped, adRecordingKey+id)
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
	if err != nil || sv.Header.ChunkSize != in.chunkSize || sv.Chunks == 0 {
		// No header (a crash before it was written), not this recording's,
		// or not one whole chunk.
		return db.eraseUnrecoverable(res), false
	}
	good := sv.Chunks
	res.Chunks = good

	// Rewrite the good chunks under a new key into a new file. The new name
	// is recorded first as the discard file, so a crash part-way leaves a
	// file that the next recovery knows to remove.
	newName := recordingFileName(id, true)
	newPath, _ := db.recPath(newName)
	if err := db.write(func(tx *sql.Tx, now time.Time) error {
		_, err := tx.Exec("UPDATE recordings SET discard_file = ? WHERE id = ? AND state = 'recording'", newName, id)
		return err
	}); err != nil {
		res.Err = err
		return res, false
	}
	newKey := newKey()
	defer zero(newKey)
	bytes, err := db.rewrite(sv, newPath, newKey)
	if err != nil {
		removeFile(newPath)
		res.Err = fmt.Errorf("rewrite: %w", fileErr(err))
		return res, false
	}
	res.Bytes = bytes
	wrapped, err := db.wrap(newKey, adRecordingKey+id)
	if err != nil {
		res.Err = err
		return res, false
	}
	ended := fi.ModTime() // the last chunk's write: when recording really stopped
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		// Peaks saved while recording were sealed under the old key and
		// describe audio that may be gone: drop them.
		res, err := tx.Exec(`UPDATE recordings SET state = 'recovered', file = ?, discard_file = ?, key_wrapped = ?,
			peaks = NULL, bytes = ?, ended_at = ?, duration_ns = max(0, ? - started_at)
			WHERE id = ? AND state = 'recording' AND discard_file = ?`,
			newName, in.file, wrapped, bytes, nanos(ended), nanos(ended), id, newName)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("recording changed during recovery")
		}
		return appendAudit(tx, now, AuditRecordingRecovered, id,
			fmt.Sprintf("kept %d chunks (%d bytes) sealed up to the last whole chunk", good, bytes))
	})
	if err != nil {
		removeFile(newPath)
		res.Err = err
		return res, false
	}
	res.Outcome, res.Err = OutcomeRecovered, nil
	f.Close()
	db.removeDiscard(id, in.file)
	return res, false
}

// rewrite copies the salvaged chunks of the old file into a new file
// sealed under newKey, the last one as the final chunk, and makes it
// durable.
func (db *DB) rewrite(sv *recfile.Salvage, newPath string, newKey []byte) (int64, error) {
	nf, err := os.OpenFile(newPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	defer nf.Close()
	sk := subkey(newKey, infoStream)
	defer zero(sk)
	sw, err := recfile.NewWriter(nf, sk, sv.Header, recfile.SyncAtClose)
	if err != nil {
		return 0, err
	}
	defer sw.Wipe()
	if _, err := sv.CopyTo(sw); err != nil {
		return 0, err
	}
	if err := sw.Close(); err != nil {
		return 0, err
	}
	if err := nf.Close(); err != nil {
		return 0, err
	}
	return sw.Sealed(), syncDir(db.recDir)
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
