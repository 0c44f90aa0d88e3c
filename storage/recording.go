package storage

import (
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// RecordingState is where a recording is in its life.
type RecordingState string

const (
	// StateRecording: being written, or left unfinished by a crash until the
	// next Unlock recovers it.
	StateRecording RecordingState = "recording"
	// StateComplete: closed normally.
	StateComplete RecordingState = "complete"
	// StateRecovered: unfinished after a crash, then sealed up to its last
	// whole chunk.
	StateRecovered RecordingState = "recovered"
	// StateDeleted: key and file destroyed; the row stays as a tombstone.
	StateDeleted RecordingState = "deleted"
)

// Reasons stored with a deletion. DeleteNow takes any text; these are the
// ones storage itself uses.
const (
	ReasonDeletionDate     = "deletion date"
	ReasonWithdrawn        = "client withdrew and chose to delete"
	ReasonNothingRecovered = "nothing recoverable after a crash"
	ReasonNoFile           = "recording file could not be created"
	ReasonFileLost         = "recording file was removed from the disk while recording"
	// ReasonUnanswered: the question at the end was closed before
	// everyone recorded had answered, under a practice rule that deletes.
	ReasonUnanswered = "question at the end unanswered; the practice's rule deletes"
)

// Recording describes one recording (one segment of a session's audio).
type Recording struct {
	ID        string
	SessionID string
	Segment   int
	State     RecordingState
	StartedAt time.Time
	EndedAt   time.Time     // zero while recording
	Duration  time.Duration // as reported by the writer, else EndedAt-StartedAt
	Bytes     int64         // MP3 bytes
	// DeleteOn is the deletion date in force: the earlier of the database's
	// and the one sealed with the recording's key (read here without the
	// key; RecordingTerms authenticates it).
	DeleteOn     time.Time
	DeletedAt    time.Time // zero unless deleted
	DeleteReason string
	// Purposes are what it may be used for: the purposes sealed with its
	// key that the database still names (it may narrow them, never add;
	// read here without the key, RecordingTerms authenticates them), or
	// the database's for a key an older Assent wrapped.
	Purposes []string
	Plays    int
	HasPeaks bool
	// FileMissing: the recording is not deleted but its file is not in
	// recordings/, as in a database restored from a backup (recordings
	// are not in backups). OpenRecording then returns ErrNotInBackup.
	FileMissing bool
	// Unconfirmed: its session asked at the end whether to keep it and
	// has no keeping answer yet; OpenRecording refuses it (ErrUnconfirmed).
	Unconfirmed bool
}

// Peaks is a waveform summary for drawing a recording without decoding it.
type Peaks struct {
	Interval time.Duration // the stretch of audio each level covers
	Levels   []byte        // peak level per interval: 0 silence … 255 full scale
}

// NewRecording starts a recording of a session: a new row in state
// "recording" with its own random key (wrapped by the master key, so the
// vault must be unlocked: ErrLocked), and a new file recordings/<id>.rec.
// deleteOn must be in the future, by the clock and by the latest time seen
// (ErrInvalid); purposes are what the participants agreed to. The session,
// deleteOn, purposes and the digest of the session's policy are sealed
// with the key (see RecordingTerms): nothing can later extend them.
// segment numbers the recordings of one session (1, 2, ... after each stop
// and restart); it must be unused. A session that owes consent steps (see
// OweConsentEvent) begins none (ErrOwed), and none begins while the clock
// is behind (*ClockBehindError).
//
// The returned writer takes MP3 bytes. It seals, writes and fsyncs a chunk
// every Options.ChunkSize bytes, so a crash loses at most one chunk.
func (db *DB) NewRecording(sessionID string, segment int, deleteOn time.Time, purposes []string) (*RecordingWriter, error) {
	if purposes == nil {
		purposes = []string{}
	}
	purposesJSON, err := json.Marshal(purposes)
	if err != nil {
		return nil, fmt.Errorf("storage: new recording: %w", err)
	}
	if err := db.checkNothingOwed(sessionID); err != nil {
		return nil, fmt.Errorf("storage: new recording: %w", err)
	}
	if !db.Unlocked() {
		return nil, fmt.Errorf("storage: new recording: %w", ErrLocked)
	}
	id := newID()
	idb, _ := parseID(id)
	key := newKey()
	name := recordingFileName(id, false)
	path, _ := db.recPath(name)
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		latest, err := checkClock(tx, now)
		if err != nil {
			return err
		}
		if !deleteOn.After(laterOf(now, latest)) {
			return fmt.Errorf("deletion date %s is not in the future: %w", deleteOn.Format(time.RFC3339), ErrInvalid)
		}
		var ended sql.NullInt64
		var consentSeq int
		var policy sql.NullString
		err = tx.QueryRow(`SELECT s.ended_at, coalesce((SELECT max(seq) FROM consent_events e WHERE e.session_id = s.id), 0), s.policy
			FROM sessions s WHERE s.id = ?`, sessionID).Scan(&ended, &consentSeq, &policy)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if ended.Valid {
			return fmt.Errorf("session %s has ended: %w", sessionID, ErrInvalid)
		}
		t := sealedTerms{Session: sessionID, Until: nanos(deleteOn), Purposes: distinct(purposes), Policy: policyDigest(policy)}
		terms := t.encode()
		wrapped, err := db.wrap(key, recordingKeyAD(id, terms))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO recordings (id, session_id, segment, state, file, key_wrapped,
			chunk_size, purposes, consent_seq, started_at, delete_on, terms)
			VALUES (?, ?, ?, 'recording', ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, sessionID, segment, name, wrapped, db.chunkSize, string(purposesJSON), consentSeq,
			nanos(now), nanos(deleteOn), terms); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditRecordingStarted, id, fmt.Sprintf("session %s segment %d; delete on %s; purposes %s",
			sessionID, segment, deleteOn.UTC().Format(time.RFC3339Nano), purposesText(t.Purposes)))
	})
	if err != nil {
		zero(key)
		return nil, fmt.Errorf("storage: new recording: %w", err)
	}

	w := &RecordingWriter{db: db, id: id, key: key}
	db.mu.Lock()
	closing := db.closing
	db.mu.Unlock()
	if closing {
		err = ErrClosed
	} else {
		err = w.create(path, idb)
	}
	if err != nil {
		zero(key)
		// The row exists; leave nothing half made behind.
		if derr := db.DeleteNow(id, ReasonNoFile); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, fmt.Errorf("storage: new recording: %w", err)
	}
	db.mu.Lock()
	if db.closing { // Close began meanwhile and will not see this writer
		db.mu.Unlock()
		w.Close()
		return nil, fmt.Errorf("storage: new recording: %w", ErrClosed)
	}
	db.writers[id] = w
	db.mu.Unlock()
	return w, nil
}

// RecordingWriter seals MP3 bytes into a recording file. Write and Close may
// be called from the audio goroutine while other goroutines use the DB.
type RecordingWriter struct {
	db  *DB
	id  string
	key []byte

	mu       sync.Mutex
	f        *os.File
	path     string // where f was created, to notice if it is unlinked
	sw       *recfile.Writer
	peaks    *Peaks
	markers  []Marker
	duration time.Duration
	killed   bool // the recording was deleted while being written
	closed   bool
}

func (w *RecordingWriter) create(path string, idb [16]byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := tryLockFile(f); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("lock %s: %w", path, err)
	}
	sk := subkey(w.key, infoStream)
	defer zero(sk)
	sw, err := recfile.NewWriter(f, sk, recfile.Header{ChunkSize: w.db.chunkSize, ID: idb}, recfile.SyncEachChunk)
	if err == nil {
		err = syncDir(w.db.recDir)
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	w.f, w.sw, w.path = f, sw, path
	return nil
}

// ID is the recording's ID.
func (w *RecordingWriter) ID() string { return w.id }

// Write takes MP3 bytes. Every full chunk is sealed, written and fsynced
// before Write returns. After a write error the recording stops taking
// bytes; Close still keeps every chunk written before it. If the recording
// was deleted meanwhile (a withdrawal, DeleteNow), Write returns ErrDeleted.
func (w *RecordingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.killed:
		return 0, fmt.Errorf("storage: recording %s: %w", w.id, ErrDeleted)
	case w.closed:
		return 0, fmt.Errorf("storage: recording %s: %w", w.id, ErrClosed)
	}
	n, err := w.sw.Write(p)
	if err != nil {
		return n, fmt.Errorf("storage: recording %s: write: %w", w.id, err)
	}
	return n, nil
}

// Sealed is how many MP3 bytes the file holds sealed: the whole chunks
// written so far, and after Close everything. It is what is kept if the
// recording ends now in any way, a crash included (the next unlock
// recovers it) — unless the file itself is removed.
func (w *RecordingWriter) Sealed() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sw.Sealed()
}

// SetPeaks hands over the waveform peaks, stored sealed with the recording
// when it is closed.
func (w *RecordingWriter) SetPeaks(p Peaks) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.peaks = &Peaks{Interval: p.Interval, Levels: append([]byte(nil), p.Levels...)}
}

// SetDuration records the audio's duration as the encoder counted it. If it
// is never called, the duration is the wall-clock time from start to Close.
func (w *RecordingWriter) SetDuration(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.duration = d
}

// Close seals the remaining bytes as the final chunk, fsyncs, and marks the
// recording complete (with its size, duration and peaks) in one transaction.
// After a write error, Close first cuts the file back to its last whole
// chunk, so what was captured is kept. If the final chunk cannot be written
// either, the recording stays in state "recording" and the next Unlock (or
// RecoverInterrupted) recovers it. Closing twice returns nil; closing a
// recording deleted meanwhile returns ErrDeleted.
func (w *RecordingWriter) Close() error {
	// Runs last, after the lock is released: a file lost while recording
	// leaves a tombstone saying so, so the client's record stays true.
	var lost bool
	defer func() {
		if lost {
			// If this fails too, the row stays "recording" and the next
			// unlock's recovery, finding no file, leaves the tombstone.
			_ = w.db.DeleteNow(w.id, ReasonFileLost)
		}
	}()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	defer w.db.forgetWriter(w.id, w)
	if w.killed {
		return fmt.Errorf("storage: recording %s: %w", w.id, ErrDeleted)
	}
	defer zero(w.key)
	defer w.sw.Wipe()
	if w.sw.Err() != nil {
		// Cut off the chunk that failed, then try once more to end properly.
		if err := w.f.Truncate(w.sw.FileSize()); err != nil {
			w.f.Close()
			return fmt.Errorf("storage: recording %s: close after write error: %w", w.id, err)
		}
		if _, err := w.f.Seek(w.sw.FileSize(), io.SeekStart); err != nil {
			w.f.Close()
			return fmt.Errorf("storage: recording %s: close after write error: %w", w.id, err)
		}
		w.sw.Resume()
	}
	err := w.sw.Close()
	lost = w.unlinked()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if lost {
		var state string
		if err := w.db.sql.QueryRow("SELECT state FROM recordings WHERE id = ?", w.id).Scan(&state); err == nil && state == string(StateDeleted) {
			// Deleted on purpose meanwhile (a purge or withdrawal in
			// another process): not a loss.
			lost = false
			return fmt.Errorf("storage: recording %s: %w", w.id, ErrDeleted)
		}
		// Everything written went into a file that no longer has a name
		// (the recordings folder was removed or emptied meanwhile): it is
		// gone with the last descriptor. Say so rather than mark it
		// complete; the row stays for recovery, which records the loss.
		return fmt.Errorf("storage: recording %s: %w", w.id, ErrFileLost)
	}
	if err != nil {
		return fmt.Errorf("storage: recording %s: close (it will be recovered at the next unlock): %w", w.id, err)
	}
	var sealedPeaks []byte
	if w.peaks != nil {
		sealedPeaks = sealPeaks(w.key, w.id, *w.peaks)
	}
	sealedMarkers := sealMarkers(w.key, w.id, w.markers)
	bytes := w.sw.Sealed()
	err = w.db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE recordings SET state = 'complete', ended_at = ?, bytes = ?, peaks = ?, markers = ?,
			duration_ns = CASE WHEN ? > 0 THEN ? ELSE max(0, ? - started_at) END
			WHERE id = ? AND state = 'recording'`,
			nanos(now), bytes, sealedPeaks, sealedMarkers, int64(w.duration), int64(w.duration), nanos(now), w.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrDeleted
		}
		return appendAudit(tx, now, AuditRecordingStopped, w.id, fmt.Sprintf("%d bytes", bytes))
	})
	if err != nil {
		return fmt.Errorf("storage: recording %s: close: %w", w.id, err)
	}
	return nil
}

// unlinked reports whether the open file is no longer the one at its path.
func (w *RecordingWriter) unlinked() bool {
	open, err := w.f.Stat()
	if err != nil {
		return false // cannot tell; the write errors say the rest
	}
	named, err := os.Stat(w.path)
	return err != nil || !os.SameFile(open, named)
}

// Abort stops the recording and deletes it at once (DeleteNow with reason):
// for when the client chooses "delete all of it now" while it is still open.
func (w *RecordingWriter) Abort(reason string) error {
	return w.db.DeleteNow(w.id, reason)
}

// kill stops a writer whose recording was deleted: its key is zeroed and its
// file closed; the caller unlinks the file.
func (w *RecordingWriter) kill() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.killed {
		return
	}
	w.killed = true
	w.sw.Wipe()
	zero(w.key)
	w.f.Close()
}

func (db *DB) forgetWriter(id string, w *RecordingWriter) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.writers[id] == w {
		delete(db.writers, id)
	}
}

func sealPeaks(recordingKey []byte, id string, p Peaks) []byte {
	k := subkey(recordingKey, infoPeaks)
	defer zero(k)
	b := binary.BigEndian.AppendUint64(nil, uint64(p.Interval))
	return seal(k, append(b, p.Levels...), adPeaks+id)
}

func openPeaks(recordingKey []byte, id string, sealed []byte) (Peaks, error) {
	k := subkey(recordingKey, infoPeaks)
	defer zero(k)
	b, err := unseal(k, sealed, adPeaks+id)
	if err != nil {
		return Peaks{}, err
	}
	if len(b) < 8 {
		return Peaks{}, ErrTampered
	}
	return Peaks{Interval: time.Duration(binary.BigEndian.Uint64(b)), Levels: b[8:]}, nil
}

// recordingKey unwraps a live recording's key, and returns the terms
// its wrap holds (nil for a version-1 wrap). ErrDeleted for a tombstone.
func (db *DB) recordingKey(id string) (key []byte, rec Recording, t *sealedTerms, err error) {
	key, rec, _, t, err = db.recordingKeyRow(id)
	return key, rec, t, err
}

// recordingKeyRow is recordingKey that also returns the wrap as stored.
func (db *DB) recordingKeyRow(id string) (key []byte, rec Recording, k keyRow, t *sealedTerms, err error) {
	rec, k, err = db.recordingRow(id)
	if err != nil {
		return nil, rec, k, nil, err
	}
	if rec.State == StateDeleted {
		return nil, rec, k, nil, fmt.Errorf("recording %s: %w", id, ErrDeleted)
	}
	key, t, err = db.unwrapRecordingKey(id, k)
	if err != nil {
		return nil, rec, k, nil, fmt.Errorf("recording %s key: %w", id, err)
	}
	return key, rec, k, t, nil
}

// SavePeaks stores (replaces) a recording's waveform peaks, sealed under
// its key. Needs the vault unlocked.
func (db *DB) SavePeaks(recordingID string, p Peaks) error {
	key, _, _, err := db.recordingKey(recordingID)
	if err != nil {
		return fmt.Errorf("storage: save peaks: %w", err)
	}
	sealed := sealPeaks(key, recordingID, p)
	zero(key)
	return db.write(func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec("UPDATE recordings SET peaks = ? WHERE id = ? AND state <> 'deleted'", sealed, recordingID)
		if err != nil {
			return fmt.Errorf("storage: save peaks: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("storage: save peaks: recording %s: %w", recordingID, ErrDeleted)
		}
		return nil
	})
}

// Peaks returns a recording's waveform peaks; a zero Peaks if none were
// saved. Needs the vault unlocked.
func (db *DB) Peaks(recordingID string) (Peaks, error) {
	key, _, _, err := db.recordingKey(recordingID)
	if err != nil {
		return Peaks{}, fmt.Errorf("storage: peaks: %w", err)
	}
	defer zero(key)
	var sealed []byte
	if err := db.sql.QueryRow("SELECT peaks FROM recordings WHERE id = ?", recordingID).Scan(&sealed); err != nil {
		return Peaks{}, fmt.Errorf("storage: peaks: %w", dbErr(err))
	}
	if sealed == nil {
		return Peaks{}, nil
	}
	p, err := openPeaks(key, recordingID, sealed)
	if err != nil {
		return Peaks{}, fmt.Errorf("storage: peaks of %s: %w", recordingID, err)
	}
	return p, nil
}

// OpenRecording opens a complete or recovered recording for playback: a
// reader of its MP3 bytes that seeks to any position (Seek(0, io.SeekEnd)
// gives the size). Any chunk that fails authentication makes Read return an
// error matching ErrTampered (or ErrTruncated when the end is missing),
// never wrong bytes. Opening counts as a play and writes an audit row. The
// reader stops (ErrLocked) when the vault is locked and (ErrDeleted) when
// the recording is deleted, and (ErrOwed) when a withdrawal naming it is
// owed. A recording an owed withdrawal names is refused (ErrOwed), in
// every process, until the withdrawal is finished, whether the vault is
// unlocked or not.
//
// A recording whose deletion date in force (see RecordingTerms) has come,
// by the later of the clock and the latest time seen, is refused
// (ErrPastDeletionDate, which matches ErrDeleted too) even before a purge
// deletes it; and nothing is opened while the clock reads more than
// ClockTolerance before the latest time seen (*ClockBehindError). Errors:
// ErrLocked, ErrNotFound, ErrDeleted, ErrPastDeletionDate, ErrClockBehind,
// ErrOwed, ErrUnconfirmed, ErrNotFinished, ErrNotInBackup (its file is not in the data
// folder), ErrTampered, ErrTruncated.
func (db *DB) OpenRecording(id string) (io.ReadSeekCloser, error) {
	if err := db.checkNotOwed(id); err != nil {
		return nil, fmt.Errorf("storage: open recording: %w", err)
	}
	if err := db.sealTermsOf(id); err != nil { // an older Assent's key
		return nil, fmt.Errorf("storage: open recording: seal its terms: %w", err)
	}
	r, t, err := db.openRecording(id)
	if err != nil {
		return nil, fmt.Errorf("storage: open recording: %w", err)
	}
	// Again, now that the reader is registered: a withdrawal owed since
	// the first look either is seen here or stops the reader itself.
	if err := db.checkNotOwed(id); err != nil {
		r.Close()
		return nil, fmt.Errorf("storage: open recording: %w", err)
	}
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		if err := checkPlayable(tx, now, id, t); err != nil {
			return err
		}
		if err := checkConfirmed(tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE recordings SET plays = plays + 1 WHERE id = ?", id); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditRecordingPlayed, id, "")
	})
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("storage: open recording: %w", err)
	}
	return r, nil
}

// VerifyRecording reads and authenticates every chunk of a complete or
// recovered recording, without counting a play. Needs the vault unlocked.
func (db *DB) VerifyRecording(id string) error {
	r, _, err := db.openRecording(id)
	if err != nil {
		return fmt.Errorf("storage: verify recording: %w", err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("storage: verify recording %s: %w", id, err)
	}
	return nil
}

// openRecording opens a reader and returns the terms its key holds (nil
// for a version-1 wrap).
func (db *DB) openRecording(id string) (*recordingReader, *sealedTerms, error) {
	idb, err := parseID(id)
	if err != nil {
		return nil, nil, err
	}
	key, rec, t, err := db.recordingKey(id)
	if err != nil {
		return nil, nil, err
	}
	defer zero(key)
	if rec.State == StateRecording {
		return nil, nil, fmt.Errorf("recording %s: %w", id, ErrNotFinished)
	}
	var name string
	if err := db.sql.QueryRow("SELECT file FROM recordings WHERE id = ?", id).Scan(&name); err != nil {
		return nil, nil, dbErr(err)
	}
	path, err := db.recPath(name)
	if err != nil {
		return nil, nil, fmt.Errorf("recording %s: %w: %w", id, err, ErrTampered)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("recording %s: %w: %w", id, ErrNotInBackup, err)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("recording %s: file is missing: %w: %w", id, err, ErrTampered)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	sk := subkey(key, infoStream)
	defer zero(sk)
	rr, err := recfile.NewReader(f, fi.Size(), sk, idb)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("recording %s: %w", id, fileErr(err))
	}
	r := &recordingReader{db: db, id: id, sessionID: rec.SessionID, f: f, rr: rr}
	db.mu.Lock()
	if db.master == nil { // locked while we were opening
		db.mu.Unlock()
		r.lock()
		return nil, nil, ErrLocked
	}
	db.readers[r] = struct{}{}
	db.mu.Unlock()
	return r, t, nil
}

// checkPlayable refuses, in the transaction that would count a play, a
// recording whose date in force has come by the later of now and the
// latest time seen, or any recording while the clock is behind. t are the
// terms its key opened with (nil: none sealed, refused).
func checkPlayable(tx *sql.Tx, now time.Time, id string, t *sealedTerms) error {
	latest, err := checkClock(tx, now)
	if err != nil {
		return err
	}
	if t == nil {
		return fmt.Errorf("recording %s: its deletion date is not sealed with its key (see assent verify): %w", id, ErrTampered)
	}
	var column int64
	if err := tx.QueryRow("SELECT delete_on FROM recordings WHERE id = ?", id).Scan(&column); err != nil {
		return err
	}
	inForce := fromNanos(min(column, t.Until))
	if !laterOf(now, latest).Before(inForce) {
		return fmt.Errorf("recording %s: its deletion date, %s, has come: %w", id,
			inForce.UTC().Format(time.RFC3339), errPastDeletionDate)
	}
	return nil
}

// recordingReader is what OpenRecording returns.
type recordingReader struct {
	db        *DB
	id        string
	sessionID string

	mu  sync.Mutex
	f   *os.File
	rr  *recfile.Reader
	err error // set once closed, locked or deleted
}

// Read implements io.Reader over the MP3 bytes.
func (r *recordingReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.rr.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("storage: recording %s: %w", r.id, fileErr(err))
	}
	return n, err
}

// Seek implements io.Seeker; Seek(0, io.SeekEnd) returns the size.
func (r *recordingReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	pos, err := r.rr.Seek(offset, whence)
	if err != nil {
		return pos, fmt.Errorf("storage: recording %s: %w: %w", r.id, err, ErrInvalid)
	}
	return pos, nil
}

// Close zeroes the reader's key material and closes the file.
func (r *recordingReader) Close() error {
	r.stop(ErrClosed)
	r.db.mu.Lock()
	delete(r.db.readers, r)
	r.db.mu.Unlock()
	return nil
}

func (r *recordingReader) lock() { r.stop(ErrLocked) }

func (r *recordingReader) stop(reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	r.err = fmt.Errorf("storage: recording %s: %w", r.id, reason)
	r.rr.Wipe()
	r.f.Close()
}

// Recording returns one recording's row, or ErrNotFound.
func (db *DB) Recording(id string) (Recording, error) {
	rec, _, err := db.recordingRow(id)
	if err != nil {
		return Recording{}, fmt.Errorf("storage: %w", err)
	}
	return rec, nil
}

// Recordings returns the recordings of a session, deleted ones included (as
// tombstones), by segment.
func (db *DB) Recordings(sessionID string) ([]Recording, error) {
	rows, err := db.sql.Query("SELECT "+recordingColumns+" FROM recordings WHERE session_id = ? ORDER BY segment", sessionID)
	if err != nil {
		return nil, fmt.Errorf("storage: recordings: %w", dbErr(err))
	}
	defer rows.Close()
	var out []Recording
	for rows.Next() {
		rec, _, err := db.scanRecording(rows)
		if err != nil {
			return nil, fmt.Errorf("storage: recordings: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: recordings: %w", dbErr(err))
	}
	return out, nil
}

// recordingColumns read a row as Recording shows it: the deletion date in
// force, and the terms for the purposes.
const recordingColumns = `id, session_id, segment, state, started_at, ended_at, duration_ns, bytes,
	` + inForceSQL + `, deleted_at, delete_reason, purposes, plays, peaks IS NOT NULL, key_wrapped, terms, coalesce(file, ''),
	` + unconfirmedSQL

func (db *DB) recordingRow(id string) (Recording, keyRow, error) {
	rec, k, err := db.scanRecording(db.sql.QueryRow("SELECT "+recordingColumns+" FROM recordings WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Recording{}, keyRow{}, fmt.Errorf("recording %s: %w", id, ErrNotFound)
	}
	return rec, k, err
}

func (db *DB) scanRecording(row interface{ Scan(...any) error }) (Recording, keyRow, error) {
	var (
		r                        Recording
		state, purposes, file    string
		started, deleteOn, durNs int64
		ended, deletedAt         sql.NullInt64
		reason                   sql.NullString
		k                        keyRow
	)
	if err := row.Scan(&r.ID, &r.SessionID, &r.Segment, &state, &started, &ended, &durNs, &r.Bytes,
		&deleteOn, &deletedAt, &reason, &purposes, &r.Plays, &r.HasPeaks, &k.wrapped, &k.terms, &file, &r.Unconfirmed); err != nil {
		return r, k, dbErr(err)
	}
	r.State = RecordingState(state)
	r.FileMissing = r.State != StateDeleted && db.fileMissing(file)
	r.StartedAt, r.EndedAt = fromNanos(started), fromNullNanos(ended)
	r.Duration = time.Duration(durNs)
	r.DeleteOn, r.DeletedAt = fromNanos(deleteOn), fromNullNanos(deletedAt)
	r.DeleteReason = reason.String
	if err := json.Unmarshal([]byte(purposes), &r.Purposes); err != nil {
		return r, k, fmt.Errorf("recording %s purposes: %w", r.ID, err)
	}
	if k.terms.Valid {
		if t, err := parseTerms(k.terms.String); err == nil {
			r.Purposes = purposesInForce(t.Purposes, r.Purposes)
		}
	}
	return r, k, nil
}
