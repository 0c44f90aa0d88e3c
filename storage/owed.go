package storage

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// OwedDir is the folder of the data folder that holds the owed journal
// (see the package doc, "Owed steps").
const OwedDir = "owed"

// owedVersion is the version of the journal's items this build writes
// and reads; an item of any other version is not read, and what it might
// name is refused (ErrOwed) until an Assent that knows it finishes it.
const owedVersion = 1

// Cut is what "delete the last minutes" deletes, fixed when the client
// chose it: recordings made later are never touched by it, however long
// it takes to finish.
type Cut struct {
	SessionID string
	// Seq is the place in the session's consent history of the withdrawal
	// that asked for the cut.
	Seq int
	// Delete are the recordings deleted whole.
	Delete []string
	// Trim is the recording cut short, if any, and Keep how many of its
	// MP3 bytes are kept (DeleteAfter).
	Trim string
	Keep int64
	// Reason is stored with the deletions. It must name nobody.
	Reason string
}

// IsZero reports whether c deletes nothing.
func (c Cut) IsZero() bool { return len(c.Delete) == 0 && c.Trim == "" }

// DeleteCut deletes what c names: each of Delete at once (DeleteNow, no
// passphrase needed), then the end of Trim after Keep bytes (DeleteAfter,
// which needs the vault unlocked). A recording already deleted or unknown
// counts as done, and so does a Trim already as short as Keep, so a cut
// can be run again until it has all been done. Errors are DeleteNow's and
// DeleteAfter's.
func (db *DB) DeleteCut(c Cut) error {
	gone := func(err error) bool { return errors.Is(err, ErrDeleted) || errors.Is(err, ErrNotFound) }
	for _, id := range c.Delete {
		if err := db.DeleteNow(id, c.Reason); err != nil && !gone(err) {
			return err
		}
	}
	if c.Trim == "" {
		return nil
	}
	if err := db.DeleteAfter(c.Trim, c.Keep, c.Reason); err != nil && !gone(err) {
		return err
	}
	return nil
}

// OweConsentEvent writes ev to the owed journal, for when it could not be
// appended (the database busy past its timeout, a write error): durably
// (written and fsynced, file and folder) and without the database. It is
// appended, in order, by the next AppendConsentEvent or FinishOwed of its
// session, at the latest by the next Open; until then, if it is a
// withdrawal with WithdrawDeleteAll, OpenRecording refuses every recording
// of the session begun before it (ErrOwed), in any process, and this
// process's readers of them are stopped now.
//
// ev.Seq must be set: the place the event has in the session's history,
// one after the last one stored or owed (ErrConsentSeq when the journal
// already holds a later or a different one). Its Data is journaled as the
// database would keep it: sealed while the vault is unlocked, else as
// given, so an event whose data names someone (a join) must only be owed
// while the vault is unlocked.
func (db *DB) OweConsentEvent(ev ConsentEvent) error {
	if err := db.oweConsentEvent(ev); err != nil {
		return fmt.Errorf("storage: owe consent event: %w", err)
	}
	if ev.WithdrawDeleteAll {
		db.stopOwedReaders(ev.SessionID, nil)
	}
	return nil
}

func (db *DB) oweConsentEvent(ev ConsentEvent) error {
	if err := checkConsentEvent(ev); err != nil {
		return err
	}
	if _, err := parseID(ev.SessionID); err != nil || ev.Seq < 1 {
		return fmt.Errorf("session %q, seq %d: %w", ev.SessionID, ev.Seq, ErrInvalid)
	}
	if db.isClosed() {
		return ErrClosed
	}
	j, err := db.readOwed(ev.SessionID)
	if err != nil {
		return err
	}
	if n := len(j.events); n > 0 && j.events[n-1].ev.Seq+1 != ev.Seq {
		return fmt.Errorf("session %s: owes up to seq %d, got %d: %w", ev.SessionID, j.events[n-1].ev.Seq, ev.Seq, ErrConsentSeq)
	}
	data, err := db.sealConsentData(ev.Data, ev.SessionID, ev.Seq)
	if err != nil {
		return err
	}
	return db.writeOwed(owedName(ev.SessionID, ev.Seq, owedEventExt), owedEventItem{
		Version: owedVersion, Session: ev.SessionID, Seq: ev.Seq, Kind: ev.Kind, At: ev.At,
		Actor: ev.Actor, Participant: ev.Participant, Data: data,
		WithdrawDeleteAll: ev.WithdrawDeleteAll, OwedAt: db.now(),
	})
}

// OweCut writes c to the owed journal, for when it could not be done yet
// (the database busy, the vault locked): durably and without the
// database, as OweConsentEvent. It is done (DeleteCut) by the next
// FinishOwed of its session once its withdrawal is stored, at the latest
// by the next Open (what needs no passphrase) and Unlock (the rest). Until
// then OpenRecording refuses every recording it names (ErrOwed), in any
// process, and this process's readers of them are stopped now.
func (db *DB) OweCut(c Cut) error {
	if err := db.oweCut(c); err != nil {
		return fmt.Errorf("storage: owe a cut: %w", err)
	}
	db.stopOwedReaders(c.SessionID, append(slices.Clone(c.Delete), c.Trim))
	return nil
}

func (db *DB) oweCut(c Cut) error {
	if err := checkCut(c); err != nil {
		return err
	}
	if db.isClosed() {
		return ErrClosed
	}
	return db.writeOwed(owedName(c.SessionID, c.Seq, owedCutExt), owedCutItem{
		Version: owedVersion, Session: c.SessionID, Seq: c.Seq, Delete: c.Delete,
		Trim: c.Trim, Keep: c.Keep, Reason: c.Reason, OwedAt: db.now(),
	})
}

// checkCut refuses a cut that could not be journaled or done.
func checkCut(c Cut) error {
	ids := append(slices.Clone(c.Delete), c.SessionID)
	if c.Trim != "" {
		ids = append(ids, c.Trim)
	}
	for _, id := range ids {
		if _, err := parseID(id); err != nil {
			return fmt.Errorf("cut names %q: %w", id, ErrInvalid)
		}
	}
	if c.Seq < 1 || c.Keep < 0 || c.Reason == "" || c.IsZero() {
		return fmt.Errorf("cut of session %s (seq %d, keep %d, reason %q, nothing to delete %v): %w",
			c.SessionID, c.Seq, c.Keep, c.Reason, c.IsZero(), ErrInvalid)
	}
	return nil
}

// Owed returns what the owed journal holds for a session, in order: the
// consent events not yet stored (their Data as the database would keep
// it) and the cuts not yet done. An error matching ErrOwed says the
// journal cannot be read; what it might name is then refused.
func (db *DB) Owed(sessionID string) ([]ConsentEvent, []Cut, error) {
	j, err := db.readOwed(sessionID)
	if err != nil {
		return nil, nil, fmt.Errorf("storage: owed steps: %w", err)
	}
	var evs []ConsentEvent
	for _, o := range j.events {
		evs = append(evs, o.ev)
	}
	var cuts []Cut
	for _, o := range j.cuts {
		cuts = append(cuts, o.cut)
	}
	return evs, cuts, nil
}

// FinishOwed finishes what the owed journal holds for a session: its
// consent events are appended in order, in one transaction (a withdrawal
// with "delete all" erasing as AppendConsentEvent does), then its cuts are
// done (DeleteCut). What is finished leaves the journal. It reports
// whether anything it found is still owed, and why (a busy database, the
// vault locked for a cut, a journal that cannot be read or does not fit
// the stored history: ErrOwed); what is still owed stays refused.
func (db *DB) FinishOwed(sessionID string) (owing bool, err error) {
	db.owedMu.Lock()
	defer db.owedMu.Unlock()
	j, err := db.readOwed(sessionID)
	if err != nil {
		return true, fmt.Errorf("storage: finish owed steps: %w", err)
	}
	if len(j.events) > 0 {
		var erased []erasedRecording
		err := db.write(func(tx *sql.Tx, now time.Time) error {
			var err error
			erased, err = db.appendOwedTx(tx, now, j.events)
			return err
		})
		if err != nil {
			return true, fmt.Errorf("storage: finish owed steps of session %s: %w", sessionID, err)
		}
		db.afterErase(erased)
		forgetOwed(db, j.events)
	}
	var errs []error
	var done []owedCut
	for _, o := range j.cuts {
		if err := db.DeleteCut(o.cut); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, o)
	}
	forgetOwed(db, done)
	if len(errs) > 0 {
		return true, fmt.Errorf("storage: finish owed cuts of session %s: %w", sessionID, errors.Join(errs...))
	}
	return false, nil
}

// finishAllOwed finishes what it can of every session's owed steps (Open:
// all but what needs the key; Unlock: the rest). What it cannot finish
// stays in the journal, refused, for the next try. It also removes the
// temporary files of items a crash left half written (never renamed into
// place, so never owed), once they are old enough that no process is
// still writing them.
func (db *DB) finishAllOwed() {
	for _, id := range db.owedSessions() {
		db.FinishOwed(id)
	}
	tmps, _ := filepath.Glob(filepath.Join(db.owedDir(), ".owing-*"))
	for _, tmp := range tmps {
		if fi, err := os.Stat(tmp); err == nil && time.Since(fi.ModTime()) > time.Hour {
			removeFile(tmp)
		}
	}
}

// appendOwedTx appends the owed events of one session, in order, in tx.
// One already stored (a commit whose answer was lost, or another process
// finishing the same journal) is skipped if it is the one stored there.
func (db *DB) appendOwedTx(tx *sql.Tx, now time.Time, owed []owedEvent) ([]erasedRecording, error) {
	var erased []erasedRecording
	for _, o := range owed {
		ev := o.ev
		last, err := lastConsentSeq(tx, ev.SessionID)
		if err != nil {
			return nil, err
		}
		switch {
		case ev.Seq <= last:
			if err := sameConsentEvent(tx, ev); err != nil {
				return nil, err
			}
			continue
		case ev.Seq > last+1:
			return nil, fmt.Errorf("owed event %d of session %s follows event %d: %w", ev.Seq, ev.SessionID, last, ErrOwed)
		}
		data := ev.Data
		if !bytes.HasPrefix(data, sealedDataMarker) {
			if data, err = db.sealConsentData(data, ev.SessionID, ev.Seq); err != nil {
				return nil, err
			}
		}
		more, err := insertConsentEvent(tx, now, ev, data, "; owed since "+o.owedAt.UTC().Format(time.RFC3339))
		if err != nil {
			return nil, err
		}
		erased = append(erased, more...)
	}
	return erased, nil
}

// sameConsentEvent checks that the stored event at ev.Seq is ev.
func sameConsentEvent(tx *sql.Tx, ev ConsentEvent) error {
	var kind, actor, participant string
	var at int64
	err := tx.QueryRow("SELECT kind, at, actor, participant FROM consent_events WHERE session_id = ? AND seq = ?",
		ev.SessionID, ev.Seq).Scan(&kind, &at, &actor, &participant)
	if err != nil {
		return err
	}
	if kind != ev.Kind || at != nanos(ev.At) || actor != ev.Actor || participant != ev.Participant {
		return fmt.Errorf("owed event %d of session %s (%s at %s) is not the one stored (%s at %s): %w",
			ev.Seq, ev.SessionID, ev.Kind, ev.At.UTC().Format(time.RFC3339Nano), kind,
			fromNanos(at).UTC().Format(time.RFC3339Nano), ErrOwed)
	}
	return nil
}

// RecordingOwed reports whether an owed withdrawal names a recording, so
// that OpenRecording refuses it (ErrOwed): for a screen to say so before
// anyone presses play. It counts no play.
func (db *DB) RecordingOwed(id string) (bool, error) {
	err := db.checkNotOwed(id)
	if errors.Is(err, ErrOwed) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("storage: recording owed: %w", err)
	}
	return false, nil
}

// checkNotOwed refuses (ErrOwed) a recording that an owed withdrawal
// names: a cut naming it, or a "delete all" of its session stored after
// it began. A journal of its session that cannot be read refuses it too.
// An unknown or deleted recording is left to the caller to report.
func (db *DB) checkNotOwed(id string) error {
	var sessionID, state string
	var consentSeq int
	err := db.sql.QueryRow("SELECT session_id, state, consent_seq FROM recordings WHERE id = ?", id).Scan(&sessionID, &state, &consentSeq)
	if errors.Is(err, sql.ErrNoRows) || state == string(StateDeleted) {
		return nil
	}
	if err != nil {
		return dbErr(err)
	}
	j, err := db.readOwed(sessionID)
	if err != nil {
		return fmt.Errorf("recording %s: %w", id, err)
	}
	for _, o := range j.cuts {
		if o.cut.Trim == id || slices.Contains(o.cut.Delete, id) {
			return fmt.Errorf("recording %s: deleting part of it is owed: %w", id, ErrOwed)
		}
	}
	for _, o := range j.events {
		if o.ev.WithdrawDeleteAll && consentSeq < o.ev.Seq {
			return fmt.Errorf("recording %s: deleting it is owed: %w", id, ErrOwed)
		}
	}
	return nil
}

// checkNothingOwed refuses (ErrOwed) to begin a recording in a session
// whose consent history has owed steps: the recording would seem to have
// begun before them, and a "delete all" among them would erase it.
func (db *DB) checkNothingOwed(sessionID string) error {
	j, err := db.readOwed(sessionID)
	if err != nil {
		return err
	}
	if len(j.events) > 0 {
		return fmt.Errorf("session %s owes %d consent steps: %w", sessionID, len(j.events), ErrOwed)
	}
	return nil
}

// stopOwedReaders stops this process's readers of a session's recordings
// that an owed withdrawal names: those of ids, or all of them (nil).
func (db *DB) stopOwedReaders(sessionID string, ids []string) {
	db.mu.Lock()
	var stop []*recordingReader
	for r := range db.readers {
		if r.sessionID == sessionID && (ids == nil || slices.Contains(ids, r.id)) {
			stop = append(stop, r)
			delete(db.readers, r)
		}
	}
	db.mu.Unlock()
	for _, r := range stop {
		r.stop(ErrOwed)
	}
}

// The journal on disk: one file per owed item, <session>.<seq>.event or
// <session>.<seq>.cut, each JSON, written to a temporary file, fsynced
// and renamed into place (see the package doc).
const (
	owedEventExt = "event"
	owedCutExt   = "cut"
)

// owedEventItem is an .event file.
type owedEventItem struct {
	Version           int       `json:"version"`
	Session           string    `json:"session"`
	Seq               int       `json:"seq"`
	Kind              string    `json:"kind"`
	At                time.Time `json:"at"`
	Actor             string    `json:"actor"`
	Participant       string    `json:"participant,omitempty"`
	Data              []byte    `json:"data,omitempty"`
	WithdrawDeleteAll bool      `json:"withdrawDeleteAll,omitempty"`
	OwedAt            time.Time `json:"owedAt"`
}

// owedCutItem is a .cut file.
type owedCutItem struct {
	Version int       `json:"version"`
	Session string    `json:"session"`
	Seq     int       `json:"seq"`
	Delete  []string  `json:"delete,omitempty"`
	Trim    string    `json:"trim,omitempty"`
	Keep    int64     `json:"keep,omitempty"`
	Reason  string    `json:"reason"`
	OwedAt  time.Time `json:"owedAt"`
}

// owedEvent and owedCut are items as read, with their file names.
type owedEvent struct {
	name   string
	ev     ConsentEvent
	owedAt time.Time
}

type owedCut struct {
	name string
	cut  Cut
}

type owedJournal struct {
	events []owedEvent // by session, then seq
	cuts   []owedCut
}

func owedName(sessionID string, seq int, ext string) string {
	return sessionID + "." + strconv.Itoa(seq) + "." + ext
}

// parseOwedName splits a journal file name; ok is false for any other
// file (a temporary one, say).
func parseOwedName(name string) (sessionID string, seq int, ext string, ok bool) {
	parts := strings.Split(name, ".")
	if len(parts) != 3 || (parts[2] != owedEventExt && parts[2] != owedCutExt) {
		return "", 0, "", false
	}
	if _, err := parseID(parts[0]); err != nil {
		return "", 0, "", false
	}
	seq, err := strconv.Atoi(parts[1])
	if err != nil || seq < 1 || strconv.Itoa(seq) != parts[1] {
		return "", 0, "", false
	}
	return parts[0], seq, parts[2], true
}

func (db *DB) owedDir() string { return filepath.Join(db.dir, OwedDir) }

// notADir reports whether path is there but not a folder.
func notADir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// readOwed reads the journal's items of one session ("": of every
// session). An item that cannot be read makes the whole answer an error
// matching ErrOwed: what it holds cannot be known, so nothing may be
// played or stored past it.
func (db *DB) readOwed(sessionID string) (owedJournal, error) {
	var j owedJournal
	entries, err := os.ReadDir(db.owedDir())
	if errors.Is(err, fs.ErrNotExist) || notADir(db.owedDir()) {
		return j, nil // nothing could have been written there
	}
	if err != nil {
		return j, fmt.Errorf("owed journal: %w: %w", err, ErrOwed)
	}
	for _, e := range entries {
		sid, seq, ext, ok := parseOwedName(e.Name())
		if !ok || (sessionID != "" && sid != sessionID) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(db.owedDir(), e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // finished meanwhile
		}
		if err == nil {
			err = j.add(e.Name(), sid, seq, ext, b)
		}
		if err != nil {
			return owedJournal{}, fmt.Errorf("owed journal item %s: %w: %w", e.Name(), err, ErrOwed)
		}
	}
	order := func(sa, sb string, a, b int) int {
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		return a - b
	}
	slices.SortFunc(j.events, func(a, b owedEvent) int { return order(a.ev.SessionID, b.ev.SessionID, a.ev.Seq, b.ev.Seq) })
	slices.SortFunc(j.cuts, func(a, b owedCut) int { return order(a.cut.SessionID, b.cut.SessionID, a.cut.Seq, b.cut.Seq) })
	return j, nil
}

// add decodes one item, checked against its file name.
func (j *owedJournal) add(name, sessionID string, seq int, ext string, b []byte) error {
	fits := func(version int, session string, itemSeq int) error {
		if version != owedVersion || session != sessionID || itemSeq != seq {
			return fmt.Errorf("version %d, session %s, seq %d: not what this build reads under this name", version, session, itemSeq)
		}
		return nil
	}
	if ext == owedEventExt {
		var it owedEventItem
		if err := consent.DecodeStrict(b, &it); err != nil {
			return err
		}
		if err := fits(it.Version, it.Session, it.Seq); err != nil {
			return err
		}
		ev := ConsentEvent{SessionID: it.Session, Seq: it.Seq, Kind: it.Kind, At: it.At, Actor: it.Actor,
			Participant: it.Participant, Data: it.Data, WithdrawDeleteAll: it.WithdrawDeleteAll}
		if err := checkConsentEvent(ev); err != nil {
			return err
		}
		j.events = append(j.events, owedEvent{name: name, ev: ev, owedAt: it.OwedAt})
		return nil
	}
	var it owedCutItem
	if err := consent.DecodeStrict(b, &it); err != nil {
		return err
	}
	if err := fits(it.Version, it.Session, it.Seq); err != nil {
		return err
	}
	c := Cut{SessionID: it.Session, Seq: it.Seq, Delete: it.Delete, Trim: it.Trim, Keep: it.Keep, Reason: it.Reason}
	if err := checkCut(c); err != nil {
		return err
	}
	j.cuts = append(j.cuts, owedCut{name: name, cut: c})
	return nil
}

// owedSessions lists the sessions the journal holds items of.
func (db *DB) owedSessions() []string {
	entries, _ := os.ReadDir(db.owedDir())
	var ids []string
	for _, e := range entries {
		if sid, _, _, ok := parseOwedName(e.Name()); ok && !slices.Contains(ids, sid) {
			ids = append(ids, sid)
		}
	}
	return ids
}

// owedItems counts the journal's items, for Status.
func (db *DB) owedItems() int {
	entries, _ := os.ReadDir(db.owedDir())
	n := 0
	for _, e := range entries {
		if _, _, _, ok := parseOwedName(e.Name()); ok {
			n++
		}
	}
	return n
}

// writeOwed writes one item durably: to a temporary file in the journal's
// folder, fsynced, renamed into place, and the folder fsynced (and the
// data folder, which holds the journal's folder).
func (db *DB) writeOwed(name string, item any) error {
	b, err := json.Marshal(item)
	if err != nil {
		return err
	}
	dir := db.owedDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := syncDir(db.dir); err != nil {
		return err
	}
	return writeDurably(dir, name, ".owing-*", b)
}

// forgetOwed removes finished items from the journal. One it cannot
// remove is finished again, harmlessly, by the next try.
func forgetOwed[T interface{ fileName() string }](db *DB, items []T) {
	if len(items) == 0 {
		return
	}
	for _, it := range items {
		removeFile(filepath.Join(db.owedDir(), it.fileName()))
	}
	syncDir(db.owedDir())
}

func (o owedEvent) fileName() string { return o.name }
func (o owedCut) fileName() string   { return o.name }
