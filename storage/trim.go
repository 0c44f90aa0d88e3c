package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// DeleteAfter keeps the first keepBytes MP3 bytes of a complete or recovered
// recording and destroys the rest, for "delete the last few minutes" (the
// app turns minutes into bytes). The kept bytes are re-sealed under a new
// key into a new file; one transaction switches the row to it (size,
// duration and peaks shortened in proportion, markers in the part deleted
// deleted with it) with an audit row; then the
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
	key, rec, k, _, err := db.recordingKeyRow(id)
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
	var file string
	var peaks, markers []byte
	if err := db.sql.QueryRow("SELECT file, peaks, markers FROM recordings WHERE id = ?", id).Scan(&file, &peaks, &markers); err != nil {
		return dbErr(err)
	}
	old, err := db.openLocked(file, os.O_RDONLY)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("file is missing: %w: %w", err, ErrTampered)
	case errors.Is(err, errHeld):
		return errors.New("the recording is being changed by another process")
	case err != nil:
		return fmt.Errorf("file cannot be opened: %w: %w", err, ErrTampered)
	}
	defer old.Close()
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

	_, err = db.rekey(rekeying{
		id: id, old: old, file: file, state: rec.State, terms: k.terms,
		header: rr.Header(),
		keep: func(w *recfile.Writer) error {
			n, err := io.Copy(w, io.LimitReader(rr, keepBytes))
			if err == nil && n != keepBytes {
				err = fmt.Errorf("the file holds %d bytes, its row %d: %w", rr.Size(), rec.Bytes, recfile.ErrTampered)
			}
			return err
		},
		row: func(newKey []byte, kept int64) rekeyedRow {
			d := time.Duration(float64(rec.Duration) * float64(kept) / float64(rec.Bytes))
			return rekeyedRow{
				state:    rec.State,
				peaks:    shortenPeaks(key, newKey, id, peaks, kept, rec.Bytes),
				markers:  shortenMarkers(key, newKey, id, markers, d),
				duration: d,
				audit:    AuditRecordingTrimmed,
				detail:   fmt.Sprintf("kept %d of %d bytes; %s", kept, rec.Bytes, reason),
			}
		},
	})
	return err
}

// shortenPeaks keeps the peaks of the first kept of total bytes, re-sealed
// under the recording's new key; nil if there were none (or they do not
// open, as the drawing is not worth failing the deletion for).
func shortenPeaks(oldKey, newKey []byte, id string, sealed []byte, kept, total int64) []byte {
	if sealed == nil {
		return nil
	}
	p, err := openPeaks(oldKey, id, sealed)
	if err != nil {
		return nil
	}
	n := (int64(len(p.Levels))*kept + total - 1) / total
	p.Levels = p.Levels[:n]
	return sealPeaks(newKey, id, p)
}
