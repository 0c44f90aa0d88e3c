package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// The steps of a re-key at which a kill leaves something for the next Open
// or recovery to finish; tests stop a re-key at each (DB.crashAt).
const (
	stepRekeyNamed      = "after the new file is named in the row, before it is written"
	stepRekeyWritten    = "after the new file is written, before the switch commits"
	stepRekeySwitched   = "after the switch, before the old file is removed"
	stepDiscardRemoved  = "after a discard file is unlinked, before its name is cleared"
	stepRekeyCheckpoint = "after the old file is removed, before the WAL checkpoint"
)

// rekeying is what differs between the two re-keys of a live recording:
// crash recovery keeps every authentic whole chunk of a file left by a
// crash and marks the recording recovered; "delete the last minutes" keeps
// the first bytes of a finished one and leaves its state as it was.
type rekeying struct {
	id string
	// old is the recording's file, opened and locked by the caller, who
	// closes it; rekey closes it early, once the switch has committed, so
	// that the old file can be removed.
	old *os.File
	// file, discard and state are the row as the caller read it (discard ""
	// for none). Every statement requires them, so a row changed meanwhile
	// (a purge, another process) is left alone.
	file, discard string
	state         RecordingState
	// terms are the terms the row's key is wrapped with (not valid: a
	// version-1 wrap); the new key is wrapped with the same ones.
	terms sql.NullString
	// header is the new file's: the old one's chunk size and ID.
	header recfile.Header
	// keep writes the plaintext to keep into the new file; rekey closes w.
	keep func(w *recfile.Writer) error
	// row gives the row's new values, once kept bytes are sealed under
	// newKey (for peaks, which are sealed under the recording's key).
	row func(newKey []byte, kept int64) rekeyedRow
}

// rekeyedRow is what a re-key changes in the row besides the file and the
// key, and the audit row it writes.
type rekeyedRow struct {
	state    RecordingState
	peaks    []byte // sealed under the new key; nil drops them
	markers  []byte // sealed under the new key; nil drops them
	duration time.Duration
	endedAt  time.Time // zero leaves ended_at as it is
	audit    string    // the audit row's kind and detail
	detail   string
}

var errRowChanged = errors.New("the recording changed meanwhile")

// rekey re-seals the kept part of a live recording under a new key into a
// new file, so that what is dropped, and the old file's remains, can never
// be decrypted again. The steps, each durable before the next, so that a
// kill at any point leaves nothing that Open or the next recovery does not
// finish (internal/recfile/FORMAT.md, "Recovery"):
//
//  1. the new file's name is committed in the row as its discard_file;
//  2. the kept plaintext is sealed into the new file under a new key, and
//     the file and the folder are synced;
//  3. one transaction points the row at the new file and the new wrapped
//     key (with the caller's state, peaks, size and duration), names the
//     old file as the discard_file, and writes the audit row;
//  4. the old file is unlinked and its name cleared (removeDiscard), and
//     the WAL checkpointed so that no copy of the old key lingers there.
//
// A failure before 3 commits removes the new file and its name. rekey
// returns the number of plaintext bytes kept.
func (db *DB) rekey(r rekeying) (int64, error) {
	newName := recordingFileName(r.id, true)
	newPath, _ := db.recPath(newName)
	if err := db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE recordings SET discard_file = ?
			WHERE id = ? AND file = ? AND state = ? AND coalesce(discard_file, '') = ?`,
			newName, r.id, r.file, string(r.state), r.discard)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errRowChanged
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := db.crash(stepRekeyNamed); err != nil {
		return 0, err
	}
	abandon := func(err error) (int64, error) {
		db.dropDiscard(r.id, newName) // the caller holds the lock: nobody else writes it
		return 0, err
	}

	newKey := newKey()
	defer zero(newKey)
	kept, err := db.sealKept(newPath, newKey, r.header, r.keep)
	if err != nil {
		return abandon(fmt.Errorf("write the new file: %w", fileErr(err)))
	}
	wrapped, err := db.wrap(newKey, recordingKeyAD(r.id, r.terms))
	if err != nil {
		return abandon(err)
	}
	row := r.row(newKey, kept)
	var endedAt any // NULL: unchanged
	if !row.endedAt.IsZero() {
		endedAt = nanos(row.endedAt)
	}
	if err := db.crash(stepRekeyWritten); err != nil {
		return 0, err
	}
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE recordings SET file = ?, discard_file = ?, key_wrapped = ?,
			state = ?, peaks = ?, markers = ?, bytes = ?, duration_ns = ?, ended_at = coalesce(?, ended_at)
			WHERE id = ? AND file = ? AND discard_file = ? AND state = ? AND terms IS ?`,
			newName, r.file, wrapped, string(row.state), row.peaks, row.markers, kept, int64(row.duration), endedAt,
			r.id, r.file, newName, string(r.state), r.terms)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errRowChanged
		}
		return appendAudit(tx, now, row.audit, r.id, row.detail)
	})
	if err != nil {
		return abandon(err)
	}
	if err := db.crash(stepRekeySwitched); err != nil {
		return kept, err
	}
	r.old.Close()
	if err := db.removeDiscard(r.id, r.file); err != nil {
		return kept, err
	}
	if err := db.crash(stepRekeyCheckpoint); err != nil {
		return kept, err
	}
	db.checkpoint()
	return kept, nil
}

// sealKept creates the file at path and seals into it, under newKey, what
// keep writes; the file and the recordings folder are synced before it
// returns the number of plaintext bytes sealed.
func (db *DB) sealKept(path string, newKey []byte, h recfile.Header, keep func(*recfile.Writer) error) (int64, error) {
	nf, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	defer nf.Close()
	sk := subkey(newKey, infoStream)
	defer zero(sk)
	w, err := recfile.NewWriter(nf, sk, h, recfile.SyncAtClose)
	if err != nil {
		return 0, err
	}
	defer w.Wipe()
	if err := keep(w); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	if err := nf.Close(); err != nil {
		return 0, err
	}
	return w.Sealed(), syncDir(db.recDir)
}
