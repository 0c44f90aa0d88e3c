package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// DeleteAfter keeps the first keepBytes MP3 bytes of a complete or recovered
// recording and destroys the rest, for "delete the last few minutes" (the
// app turns minutes into bytes). The kept bytes are re-sealed under a new
// key into a new file; one transaction switches the row to it (size,
// duration and peaks shortened in proportion) with an audit row; then the
// old file is unlinked and the WAL checkpointed. With the old key gone, the
// dropped bytes cannot be decrypted from any remains of the old file.
// keepBytes ≤ 0 deletes the whole recording (DeleteNow); keepBytes at or
// beyond the end changes nothing. Needs the vault unlocked. Errors:
// ErrLocked, ErrNotFound, ErrDeleted, ErrNotFinished, ErrTampered.
func (db *DB) DeleteAfter(recordingID string, keepBytes int64, reason string) error {
	if reason == "" {
		return fmt.Errorf("storage: delete after: a reason is required: %w", ErrInvalid)
	}
	if keepBytes <= 0 {
		return db.DeleteNow(recordingID, reason)
	}
	if err := db.deleteAfter(recordingID, keepBytes, reason); err != nil {
		return fmt.Errorf("storage: delete after %d bytes of %s: %w", keepBytes, recordingID, err)
	}
	return nil
}

func (db *DB) deleteAfter(id string, keepBytes int64, reason string) error {
	idb, err := parseID(id)
	if err != nil {
		return err
	}
	key, rec, err := db.recordingKey(id)
	if err != nil {
		return err
	}
	defer zero(key)
	if rec.State == StateRecording {
		return ErrNotFinished
	}
	if keepBytes >= rec.Bytes {
		return nil
	}
	var oldName string
	var chunkSize int
	var peaks []byte
	if err := db.sql.QueryRow("SELECT file, chunk_size, peaks FROM recordings WHERE id = ?", id).Scan(&oldName, &chunkSize, &peaks); err != nil {
		return dbErr(err)
	}
	oldPath, err := db.recPath(oldName)
	if err != nil {
		return errors.Join(err, ErrTampered)
	}
	old, err := os.Open(oldPath)
	if err != nil {
		return fmt.Errorf("file is missing: %w: %w", err, ErrTampered)
	}
	defer old.Close()
	if ok, err := tryLockFile(old); err != nil {
		return err
	} else if !ok {
		return errors.New("the recording is being changed by another process")
	}
	fi, err := old.Stat()
	if err != nil {
		return err
	}
	sk := subkey(key, infoStream)
	defer zero(sk)
	rr, err := recfile.NewReader(old, fi.Size(), sk, idb)
	if err != nil {
		return fileErr(err)
	}
	defer rr.Wipe()

	// As in recovery: name the new file in the row before creating it.
	newName := recordingFileName(id, true)
	newPath, _ := db.recPath(newName)
	if err := db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec("UPDATE recordings SET discard_file = ? WHERE id = ? AND file = ? AND state = ? AND discard_file IS NULL",
			newName, id, oldName, string(rec.State))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("the recording changed meanwhile")
		}
		return nil
	}); err != nil {
		return err
	}
	abandon := func(err error) error {
		db.dropDiscard(id, newName) // we hold the lock: nobody else writes it
		return err
	}

	newKey := newKey()
	defer zero(newKey)
	nf, err := os.OpenFile(newPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return abandon(err)
	}
	nsk := subkey(newKey, infoStream)
	defer zero(nsk)
	sw, err := recfile.NewWriter(nf, nsk, recfile.Header{ChunkSize: chunkSize, ID: idb}, recfile.SyncAtClose)
	if err == nil {
		_, err = io.Copy(sw, io.LimitReader(rr, keepBytes))
		err = fileErr(err)
	}
	if err == nil {
		err = sw.Close()
	}
	if sw != nil {
		sw.Wipe()
	}
	if cerr := nf.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncDir(db.recDir)
	}
	if err != nil {
		return abandon(err)
	}
	wrapped, err := db.wrap(newKey, adRecordingKey+id)
	if err != nil {
		return abandon(err)
	}
	var newPeaks []byte
	if peaks != nil {
		if p, err := openPeaks(key, id, peaks); err == nil {
			n := (int64(len(p.Levels))*keepBytes + rec.Bytes - 1) / rec.Bytes
			p.Levels = p.Levels[:n]
			newPeaks = sealPeaks(newKey, id, p)
		}
	}
	duration := time.Duration(float64(rec.Duration) * float64(keepBytes) / float64(rec.Bytes))
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE recordings SET file = ?, discard_file = ?, key_wrapped = ?, peaks = ?,
			bytes = ?, duration_ns = ? WHERE id = ? AND file = ? AND discard_file = ?`,
			newName, oldName, wrapped, newPeaks, keepBytes, int64(duration), id, oldName, newName)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errors.New("the recording changed meanwhile")
		}
		return appendAudit(tx, now, AuditRecordingTrimmed, id,
			fmt.Sprintf("kept %d of %d bytes; %s", keepBytes, rec.Bytes, reason))
	})
	if err != nil {
		return abandon(err)
	}
	old.Close()
	db.removeDiscard(id, oldName)
	db.checkpoint()
	return nil
}
