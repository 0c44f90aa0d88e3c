package storage

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// erasedRecording is what must still happen outside the transaction that
// erased a recording's key: stop its writer and readers, unlink its files.
type erasedRecording struct {
	id, file, discard string
}

// The steps of a deletion at which a kill leaves something for the next
// Open or Purge to finish; tests stop a deletion at each (DB.crashAt).
const (
	stepBeforeCommit     = "before the key erase commits" // nothing has changed
	stepBeforeUnlink     = "after the key erase, before the unlink"
	stepBeforeForget     = "after the unlink, before the file names are cleared"
	stepBeforeCheckpoint = "after the file names are cleared, before the WAL checkpoint"
)

// crash returns the error with which a test stops a deletion or a re-key
// (rekey.go) at step, as a kill would: the caller returns it at once and
// does nothing more. nil, always, outside tests.
func (db *DB) crash(step string) error {
	if db.crashAt == nil {
		return nil
	}
	if err := db.crashAt(step); err != nil {
		return &killedError{step: step, err: err}
	}
	return nil
}

// killedError is a test's kill (see crash).
type killedError struct {
	step string
	err  error
}

func (e *killedError) Error() string { return "killed " + e.step + ": " + e.err.Error() }
func (e *killedError) Unwrap() error { return e.err }

// DeleteNow deletes a recording at once, for the given reason (a client
// withdrew with "delete", the therapist deletes early): in one transaction
// its wrapped key and peaks are erased (with secure_delete on, the bytes are
// overwritten), the row becomes a tombstone (state deleted, when, why) and
// an audit row is written. Then a writer or reader still open on it is
// stopped, its file unlinked, and the WAL checkpointed so no copy of the key
// lingers there. Needs no passphrase. Deleting a deleted recording does
// nothing and returns nil; ErrNotFound for an unknown ID.
//
// DeleteNow returns nil once the key is erased: from then on nothing of the
// recording can be decrypted. A file it could not unlink is unlinked at the
// next Open or Purge.
func (db *DB) DeleteNow(recordingID, reason string) error {
	if reason == "" {
		return fmt.Errorf("storage: delete %s: a reason is required: %w", recordingID, ErrInvalid)
	}
	var erased []erasedRecording
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM recordings WHERE id = ?", recordingID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("recording %s: %w", recordingID, ErrNotFound)
		}
		var err error
		if erased, err = eraseInTx(tx, now, []string{recordingID}, reason); err != nil {
			return err
		}
		return db.crash(stepBeforeCommit)
	})
	if err != nil {
		return fmt.Errorf("storage: delete: %w", err)
	}
	db.afterErase(erased)
	return nil
}

// eraseInTx destroys the keys of the given recordings (skipping deleted
// ones) and writes one audit row for each. This is the cryptographic erase:
// once it commits, the files are unreadable, whether or not they have been
// unlinked yet.
func eraseInTx(tx *sql.Tx, now time.Time, ids []string, reason string) ([]erasedRecording, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	// One statement for all of them: Purge may erase thousands at once.
	rows, err := tx.Query(`UPDATE recordings SET state = 'deleted', key_wrapped = NULL, peaks = NULL, markers = NULL,
		deleted_at = ?, delete_reason = ?
		WHERE id IN (SELECT value FROM json_each(?)) AND state <> 'deleted'
		RETURNING id, coalesce(file, ''), coalesce(discard_file, '')`, nanos(now), reason, string(list))
	if err != nil {
		return nil, err
	}
	var out []erasedRecording
	for rows.Next() {
		var e erasedRecording
		if err := rows.Scan(&e.id, &e.file, &e.discard); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	audit, err := newAuditAppender(tx)
	if err != nil {
		return nil, err
	}
	defer audit.close()
	subjects := make([]string, len(out))
	for i, e := range out {
		subjects[i] = e.id
	}
	if err := audit.appendAll(now, AuditRecordingDeleted, subjects, reason); err != nil {
		return nil, err
	}
	return out, nil
}

// afterErase does, after the commit, what the erase could not do inside the
// transaction. Failures are left for removeLeftoverFiles.
func (db *DB) afterErase(erased []erasedRecording) {
	if len(erased) == 0 || db.crash(stepBeforeUnlink) != nil {
		return
	}
	db.stopUsers(erased)
	if db.unlinkFiles(erased) != nil {
		return
	}
	db.checkpoint()
}

// stopUsers stops this process's writers and readers of erased recordings.
func (db *DB) stopUsers(erased []erasedRecording) {
	db.mu.Lock()
	var writers []*RecordingWriter
	var readers []*recordingReader
	ids := make(map[string]bool, len(erased))
	for _, e := range erased {
		ids[e.id] = true
		if w := db.writers[e.id]; w != nil {
			writers = append(writers, w)
			delete(db.writers, e.id)
		}
	}
	for r := range db.readers {
		if ids[r.id] {
			readers = append(readers, r)
			delete(db.readers, r)
		}
	}
	db.mu.Unlock()
	for _, w := range writers {
		w.kill()
	}
	for _, r := range readers {
		r.stop(ErrDeleted)
	}
}

// unlinkFiles removes the files of erased recordings and clears their names
// from the rows, so a later pass knows they are gone. An error (only ever
// from a test's crash hook) means the caller stops there too.
func (db *DB) unlinkFiles(erased []erasedRecording) error {
	return db.forgetFiles(db.removeFiles(erased))
}

// removeFiles unlinks the files of erased recordings and returns the IDs of
// those whose files are all gone.
func (db *DB) removeFiles(erased []erasedRecording) (done []string) {
	for _, e := range erased {
		ok := true
		for _, name := range []string{e.file, e.discard} {
			if name == "" {
				continue
			}
			path, err := db.recPath(name)
			if err != nil {
				continue // not ours to remove; the name is cleared below
			}
			if removeFile(path) != nil {
				ok = false
			}
		}
		if ok {
			done = append(done, e.id)
		}
	}
	return done
}

// forgetFiles makes the unlinking of the files of the done recordings
// durable, then clears their names from the rows.
func (db *DB) forgetFiles(done []string) error {
	if len(done) == 0 {
		return nil
	}
	if syncDir(db.recDir) != nil {
		return nil // not durable yet: keep the names, try again next time
	}
	if err := db.crash(stepBeforeForget); err != nil {
		return err
	}
	list, _ := json.Marshal(done)
	db.write(func(tx *sql.Tx, now time.Time) error {
		_, err := tx.Exec(`UPDATE recordings SET file = NULL, discard_file = NULL
			WHERE id IN (SELECT value FROM json_each(?)) AND state = 'deleted'`, string(list))
		return err
	})
	return db.crash(stepBeforeCheckpoint)
}

// checkpoint copies the WAL into the database and truncates it, so that the
// pages that held an erased key exist only as overwritten (secure_delete)
// pages of the database file. Readers in other processes can make it do
// less; the next one finishes. Every deletion ends with one, and so do
// every Open and every Purge, whatever they find: a process killed between
// a key erase and its checkpoint leaves the old page in the WAL (or the
// database file) with nothing else to show for it.
func (db *DB) checkpoint() {
	db.sql.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
}

// removeLeftoverFiles unlinks files that a crash left behind: those of
// deleted recordings, and replacement files recovery did not finish or no
// longer needs. Files of recordings still in state "recording" are left to
// recovery, which holds the file lock.
func (db *DB) removeLeftoverFiles() error {
	rows, err := db.sql.Query(`SELECT id, state, coalesce(file, ''), coalesce(discard_file, '') FROM recordings
		WHERE discard_file IS NOT NULL OR (state = 'deleted' AND file IS NOT NULL)`)
	if err != nil {
		return fmt.Errorf("find leftover files: %w", dbErr(err))
	}
	var tombstones []erasedRecording
	var discards []erasedRecording
	for rows.Next() {
		var e erasedRecording
		var state string
		if err := rows.Scan(&e.id, &state, &e.file, &e.discard); err != nil {
			rows.Close()
			return fmt.Errorf("find leftover files: %w", dbErr(err))
		}
		switch RecordingState(state) {
		case StateDeleted:
			tombstones = append(tombstones, e)
		case StateComplete, StateRecovered:
			discards = append(discards, erasedRecording{id: e.id, discard: e.discard})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find leftover files: %w", dbErr(err))
	}
	db.unlinkFiles(tombstones)
	for _, e := range discards {
		db.removeDiscard(e.id, e.discard)
	}
	return nil
}

// removeDiscard unlinks a live recording's discard file and clears the name.
// It first takes the lock on the recording's current file, so that a
// replacement another process is still writing (a re-key holds that lock)
// is left alone. An error (only ever from a test's crash hook) means the
// caller stops there too.
func (db *DB) removeDiscard(id, name string) error {
	var current string
	db.sql.QueryRow("SELECT coalesce(file, '') FROM recordings WHERE id = ?", id).Scan(&current)
	if p, err := db.recPath(current); err == nil {
		if f, err := os.Open(p); err == nil {
			defer f.Close()
			if ok, _ := tryLockFile(f); !ok {
				return nil
			}
		}
	}
	return db.dropDiscard(id, name)
}

// dropDiscard unlinks a discard file and clears its name from the row; the
// caller knows nobody is writing it. Failures leave the name for the next
// Open; an error is a test's kill (see removeDiscard).
func (db *DB) dropDiscard(id, name string) error {
	if path, err := db.recPath(name); err == nil {
		if removeFile(path) != nil || syncDir(db.recDir) != nil {
			return nil
		}
	}
	if err := db.crash(stepDiscardRemoved); err != nil {
		return err
	}
	db.write(func(tx *sql.Tx, now time.Time) error {
		_, err := tx.Exec("UPDATE recordings SET discard_file = NULL WHERE id = ? AND discard_file = ?", id, name)
		return err
	})
	return nil
}
