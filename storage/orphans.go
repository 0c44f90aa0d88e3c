package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// AuditOrphanRemoved is the audit kind for a recording file that no row
// named, removed by Open (see removeOrphanFiles).
const AuditOrphanRemoved = "recording.orphan_removed"

// afterOrphanListing, set only by tests (export_test.go), runs between
// listing recordings/ and reading the names the database knows: the moment
// another process's writer must not be able to exploit.
var afterOrphanListing func()

// removeOrphanFiles unlinks recording files that no row of the database
// names, and audits each one. Such a file is left when the database lost the
// row that named it: a damaged WAL whose last transactions SQLite had to
// drop, or an older copy of assent.db put back over a newer one. Its key was
// wrapped only in that row, so nothing can play it; left alone it would
// stay on the disk for ever, past any deletion date the client was shown,
// and count in no figure the app gives.
//
// It relies on an order every writer keeps: a file's name is committed in
// a row (recordings.file by NewRecording, recordings.discard_file by
// recovery and DeleteAfter) before the file is created, and a name leaves
// its row only after the file is unlinked. So when the folder is listed
// first and the names read afterwards, a listed file that no name matches
// was made by no writer this database knows of, even with another process
// creating a recording at that moment (its row was committed before its
// file existed). Each is checked twice more all the same: its name is looked
// up again inside the transaction that audits its removal (which holds the
// database's write lock), and its file lock (where the OS has one) is
// taken; a file someone holds is left alone.
//
// Before removing anything it asks whether the database can be trusted to
// say what is missing. One with no vault while recording files exist is
// not a practice at all (a WAL that lost its header can make a new
// practice's database look empty): Open refuses it with ErrCorrupt. One
// that fails SQLite's quick check may be hiding rows: the files are left,
// Open goes on (so that purge still deletes what is due), and
// OrphanProblem says why.
// Files whose names are not a recording file's are never touched.
func (db *DB) removeOrphanFiles() error {
	orphans, problem, err := db.findOrphans()
	if err != nil {
		return err
	}
	if problem != nil {
		// Leave the files, and open all the same: purge must still
		// delete what is due. `assent verify` reports it (OrphanProblem).
		db.mu.Lock()
		db.orphanProblem = problem
		db.mu.Unlock()
		return nil
	}
	for _, e := range orphans {
		db.removeOrphan(e)
	}
	return nil
}

// findOrphans lists the recording files that no row names, changing
// nothing: what removeOrphanFiles removes, and what OpenReadOnly's
// Pending reports. problem says why they must be left (the database fails
// its quick check); err is ErrCorrupt when the database holds no practice
// at all while there are recording files. A missing recordings/ holds
// none.
func (db *DB) findOrphans() (orphans []os.DirEntry, problem error, err error) {
	entries, err := readDirUnsorted(db.recDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", RecordingsDir, err)
	}
	var listed []os.DirEntry
	for _, e := range entries {
		if e.Type().IsRegular() && isRecordingFileName(e.Name()) {
			listed = append(listed, e)
		}
	}
	if len(listed) == 0 {
		return nil, nil, nil
	}
	if afterOrphanListing != nil {
		afterOrphanListing()
	}
	known, err := db.knownFileNames()
	if err != nil {
		return nil, nil, err
	}
	for _, e := range listed {
		if !known[e.Name()] {
			orphans = append(orphans, e)
		}
	}
	if len(orphans) == 0 {
		return nil, nil, nil
	}
	if ok, err := db.HasVault(); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, fmt.Errorf("%d recording file(s) are in %s but the database holds no practice: %w", len(listed), RecordingsDir, ErrCorrupt)
	}
	var check string
	if err := db.sql.QueryRow("PRAGMA quick_check(1)").Scan(&check); err != nil {
		check = "it could not be checked: " + err.Error()
	}
	if check != "ok" {
		return orphans, &corruptError{fmt.Sprintf("%d recording file(s) have no record in the database, which fails its integrity check (%s), so they were left as they are",
			len(orphans), strings.Join(strings.Fields(check), " "))}, nil
	}
	return orphans, nil, nil
}

// removeOrphan audits and unlinks one file found by removeOrphanFiles. The
// audit row comes first: a crash in between leaves the file for the next
// Open, never a removal with no record of it. A failure leaves the file for
// the next Open too.
func (db *DB) removeOrphan(e os.DirEntry) {
	name := e.Name()
	path, err := db.recPath(name)
	if err != nil {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	if ok, err := tryLockFile(f); err != nil || !ok {
		return // someone is writing it: not ours to judge
	}
	fi, err := f.Stat()
	if err != nil {
		return
	}
	id, _, _ := strings.Cut(name, ".")
	err = db.write(func(tx *sql.Tx, now time.Time) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM recordings WHERE file = ? OR discard_file = ?", name, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errNamedMeanwhile
		}
		return appendAudit(tx, now, AuditOrphanRemoved, id, fmt.Sprintf(
			"file %s (%d bytes, last written %s) was named by no record: its key was lost with the record, so it could not be played; removed",
			name, fi.Size(), fi.ModTime().UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return
	}
	// Windows cannot remove a file this process holds open; nothing writes
	// a file no row names, so the lock is not needed past this point.
	f.Close()
	if removeFile(path) != nil || syncDir(db.recDir) != nil {
		return
	}
	db.mu.Lock()
	db.orphans = append(db.orphans, name)
	db.mu.Unlock()
}

var errNamedMeanwhile = errors.New("named meanwhile")

// readDirUnsorted is os.ReadDir without the sort, which is a third of its
// time in a folder of 20,000 recordings.
func readDirUnsorted(dir string) ([]os.DirEntry, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}

// knownFileNames is every file name a row of recordings names, read in
// one pass over the table.
func (db *DB) knownFileNames() (map[string]bool, error) {
	rows, err := db.sql.Query(`SELECT coalesce(file, ''), coalesce(discard_file, '') FROM recordings
		WHERE file IS NOT NULL OR discard_file IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read recording file names: %w", dbErr(err))
	}
	defer rows.Close()
	known := make(map[string]bool)
	for rows.Next() {
		var file, discard string
		if err := rows.Scan(&file, &discard); err != nil {
			return nil, fmt.Errorf("read recording file names: %w", dbErr(err))
		}
		known[file], known[discard] = true, true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recording file names: %w", dbErr(err))
	}
	return known, nil
}

// isRecordingFileName reports whether name is one recordingFileName makes:
// <id>.rec or <id>.<8 hex>.rec.
func isRecordingFileName(name string) bool {
	base, ok := strings.CutSuffix(name, ".rec")
	if !ok {
		return false
	}
	id, rest, hasRest := strings.Cut(base, ".")
	if _, err := parseID(id); err != nil {
		return false
	}
	if !hasRest {
		return true
	}
	if len(rest) != 8 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// OrphanProblem is non-nil when Open found recording files without a
// record but left them, because the database failed its integrity check.
func (db *DB) OrphanProblem() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.orphanProblem
}

// RemovedOrphans returns the names of the recording files this DB's Open
// removed because no row named them (see AuditOrphanRemoved). Another
// process's Open (an hourly purge) may have removed others: the audit log
// has them all.
func (db *DB) RemovedOrphans() []string {
	db.mu.Lock()
	defer db.mu.Unlock()
	return append([]string(nil), db.orphans...)
}

// corruptError is a sentence for a person that is ErrCorrupt to errors.Is.
type corruptError struct{ msg string }

func (e *corruptError) Error() string { return e.msg }
func (e *corruptError) Unwrap() error { return ErrCorrupt }
