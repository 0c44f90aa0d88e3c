package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// ErrWouldChange is returned by OpenReadOnly for a data folder that cannot
// be read as it is without changing it: a database of an older schema
// (Open upgrades it), a database with no practice in it yet, or a
// write-ahead log (assent.db-wal) holding changes whose index
// (assent.db-shm) is missing (Open rebuilds it). Nothing was changed.
var ErrWouldChange = errors.New("storage: the data folder cannot be read without changing it")

// ReadOnlyDB is a data folder opened by OpenReadOnly, for `assent status`,
// `assent verify` and `assent purge --dry-run`: they may run beside the
// app, from a scheduler or by hand, and must not change what they look
// at. It has DB's reading methods and none that writes; Pending says what
// the next Open and Unlock would change. It is safe for concurrent use.
type ReadOnlyDB struct {
	db    *DB
	loose []string // paths whose modes Open would tighten
}

// OpenReadOnly opens an existing data folder to read it, changing nothing:
// no file of the folder is created, written, renamed, removed or has its
// mode changed, and no row is written. Unlike Open it does not migrate,
// recover, remove files without a record, finish owed steps, write audit
// rows, claim the folder, tighten permissions or write CACHEDIR.TAG;
// Pending tells what Open would do. Of opt, only Now and BusyTimeout are
// used.
//
// The database is read the way the app leaves it:
//   - while the app (or `assent purge`) has it open, or after a crash left
//     its write-ahead log, through SQLite's read-only mode (mode=ro) with
//     a read-only index (readonly_shm=1), so that committed changes still
//     in assent.db-wal are seen and not even the shared-memory index is
//     written (SQLite reads the log into private memory when no writer
//     keeps the index);
//   - when nobody has it open (no assent.db-wal), from a private copy in
//     memory, taken while the file stays unchanged: SQLite would otherwise
//     create the -wal and -shm files even to read (its read-only mode still
//     opens a WAL database's log, creating it), and a database read in
//     place with immutable=1 could tear if the app started and wrote
//     meanwhile. The copy lives in this process's memory only; nothing of
//     it reaches the disk.
//
// It refuses, as Open does, a folder or database file that belongs to
// another user or (below the folder) is a symbolic link (ErrUnsafeFolder),
// a newer schema (ErrNewerSchema) and a file that is not an Assent
// database (ErrCorrupt); and what it could only read by changing it
// (ErrWouldChange). A folder without assent.db gives an error matching
// fs.ErrNotExist.
func OpenReadOnly(dataDir string, opt Options) (*ReadOnlyDB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("storage: open read-only %s: %w", dataDir, err)
	}
	loose, err := checkPrivate(dir, false)
	if err != nil {
		return nil, fmt.Errorf("storage: open read-only %s: %w", dir, err)
	}
	sqldb, err := openReadOnlySQL(dir, opt.BusyTimeout)
	if err != nil {
		return nil, fmt.Errorf("storage: open read-only %s: %w", dir, err)
	}
	db := &DB{
		sql:       sqldb,
		dir:       dir,
		recDir:    filepath.Join(dir, RecordingsDir),
		now:       opt.Now,
		kdf:       DefaultKDF,
		chunkSize: DefaultChunkSize,
		readOnly:  true,
		writers:   make(map[string]*RecordingWriter),
		readers:   make(map[*recordingReader]struct{}),
	}
	return &ReadOnlyDB{db: db, loose: loose}, nil
}

// openReadOnlySQL opens dir's database for reading (see OpenReadOnly) and
// checks that it is an Assent database of this build's schema. A log
// that appears or vanishes while it decides (the app starting or
// closing) makes it decide again.
func openReadOnlySQL(dir string, busy time.Duration) (*sql.DB, error) {
	path := filepath.Join(dir, DBFile)
	var err error
	for range 5 {
		var sqldb *sql.DB
		sqldb, err = openReadOnlyOnce(path, busy)
		if errors.Is(err, errChanged) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err = checkReadOnlySchema(sqldb); err != nil {
			sqldb.Close()
			var se *sqlite.Error
			if errors.As(err, &se) && se.Code()&0xff == 14 { // SQLITE_CANTOPEN: the log went meanwhile
				continue
			}
			return nil, err
		}
		return sqldb, nil
	}
	return nil, fmt.Errorf("%s kept changing while it was read; try again: %w", DBFile, err)
}

// errChanged: the database's files changed while being looked at.
var errChanged = errors.New("the database changed while it was read")

func openReadOnlyOnce(path string, busy time.Duration) (*sql.DB, error) {
	wal, shm := logFiles(path)
	switch {
	case wal.exists && shm.exists:
		if busy <= 0 {
			busy = DefaultBusyTimeout
		}
		return sql.Open("sqlite", fileURI(path)+"?"+strings.Join([]string{
			"mode=ro",        // SQLite opens the files read-only and refuses every write
			"readonly_shm=1", // and does not write the log's index either
			fmt.Sprintf("_pragma=busy_timeout(%d)", busy.Milliseconds()),
		}, "&"))
	case wal.size > 0:
		return nil, fmt.Errorf("%s-wal holds changes but %s-shm, its index, is missing: %w", DBFile, DBFile, ErrWouldChange)
	}
	before, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if before.Size() == 0 {
		return nil, fmt.Errorf("%s is empty (no practice set up yet): %w", DBFile, ErrWouldChange)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	after, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if wal2, _ := logFiles(path); wal2.exists || !after.ModTime().Equal(before.ModTime()) ||
		after.Size() != before.Size() || int64(len(b)) != after.Size() {
		return nil, errChanged
	}
	return openSnapshot(b)
}

// logFile is what a look at one of SQLite's -wal and -shm files found.
type logFile struct {
	exists bool
	size   int64
}

func logFiles(path string) (wal, shm logFile) {
	look := func(p string) logFile {
		fi, err := os.Lstat(p)
		if err != nil {
			return logFile{}
		}
		return logFile{exists: true, size: fi.Size()}
	}
	return look(path + "-wal"), look(path + "-shm")
}

// openSnapshot serves a copy of a database file from memory, one
// connection per copy, each read-only (query_only).
func openSnapshot(b []byte) (*sql.DB, error) {
	// Bytes 18 and 19 say the file is in WAL mode; SQLite's in-memory
	// files cannot be, so the copy says "rollback journal" (1): the
	// content is the same, and no log exists to be missed.
	if len(b) >= 100 && b[18] == 2 && b[19] == 2 {
		b[18], b[19] = 1, 1
	}
	inner, err := sqlite.NewConnector("file:assent-snapshot?mode=memory&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&snapshotConnector{inner: inner, image: b}), nil
}

// snapshotConnector opens connections to private in-memory copies of one
// database image.
type snapshotConnector struct {
	inner driver.Connector
	image []byte
}

func (c *snapshotConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	d, ok := conn.(interface{ Deserialize([]byte) error })
	if !ok {
		conn.Close()
		return nil, errors.New("the SQLite driver cannot load a database into memory")
	}
	if err := d.Deserialize(c.image); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (c *snapshotConnector) Driver() driver.Driver { return c.inner.Driver() }

// checkReadOnlySchema refuses what OpenReadOnly cannot read as it is.
func checkReadOnlySchema(sqldb *sql.DB) error {
	ctx := context.Background()
	v, err := schemaVersion(ctx, sqldb)
	if err != nil {
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("schema version %d, this build knows %d: %w", v, len(migrations), ErrNewerSchema)
	}
	if err := checkApplication(ctx, sqldb, v); err != nil {
		return err
	}
	if v < len(migrations) {
		return fmt.Errorf("schema version %d is upgraded to %d by the next start: %w", v, len(migrations), ErrWouldChange)
	}
	return nil
}

// Close zeroes the master key (if Unlock put it there) and closes the
// database.
func (r *ReadOnlyDB) Close() error { return r.db.Close() }

// Dir is the data folder, as an absolute path.
func (r *ReadOnlyDB) Dir() string { return r.db.dir }

// Unlock checks passphrase against the vault and, if it is the one, keeps
// the master key in memory so that VerifyRecording can authenticate the
// recordings. Unlike DB.Unlock it writes nothing: no audit row, no
// recovery, and a wrong passphrase is not counted towards the back-off
// (one already running is respected: *RetryError). Not counting loses
// nothing: whoever can run this can read assent.db, and with it try
// passphrases against the wrapped key offline, at Argon2id's cost per
// guess, however the app counts. Errors: ErrWrongPassphrase, ErrNoVault,
// *RetryError.
func (r *ReadOnlyDB) Unlock(passphrase string) error {
	v, err := r.db.loadVault()
	if err != nil {
		return err
	}
	if w := v.wait(r.db.now()); w > 0 {
		return &RetryError{Wait: w}
	}
	kek := v.kdf.derive(passphrase, v.salt)
	master, err := unseal(kek, v.passWrapped, adPassphrase)
	zero(kek)
	if err != nil {
		return ErrWrongPassphrase
	}
	r.db.setMaster(master)
	return nil
}

// Lock zeroes the master key.
func (r *ReadOnlyDB) Lock() { r.db.Lock() }

// Status is DB.Status.
func (r *ReadOnlyDB) Status() (Status, error) { return r.db.Status() }

// HasVault is DB.HasVault.
func (r *ReadOnlyDB) HasVault() (bool, error) { return r.db.HasVault() }

// Clients is DB.Clients: labels read as empty until Unlock.
func (r *ReadOnlyDB) Clients() ([]Client, error) { return r.db.Clients() }

// Sessions is DB.Sessions.
func (r *ReadOnlyDB) Sessions(clientID string) ([]Session, error) { return r.db.Sessions(clientID) }

// Session is DB.Session.
func (r *ReadOnlyDB) Session(id string) (Session, error) { return r.db.Session(id) }

// Recordings is DB.Recordings.
func (r *ReadOnlyDB) Recordings(sessionID string) ([]Recording, error) {
	return r.db.Recordings(sessionID)
}

// Recording is DB.Recording.
func (r *ReadOnlyDB) Recording(id string) (Recording, error) { return r.db.Recording(id) }

// DueForDeletion is DB.DueForDeletion: what a Purge at now would delete.
func (r *ReadOnlyDB) DueForDeletion(now time.Time) ([]Deletion, error) {
	return r.db.DueForDeletion(now)
}

// VerifyAudit is DB.VerifyAudit.
func (r *ReadOnlyDB) VerifyAudit() error { return r.db.VerifyAudit() }

// VerifyRecording is DB.VerifyRecording (it counts no play): it needs
// Unlock.
func (r *ReadOnlyDB) VerifyRecording(id string) error { return r.db.VerifyRecording(id) }

// Pending is what the next Open (the app's start, `assent purge`) and the
// next Unlock would change in the data folder, found by reading alone.
type Pending struct {
	// Withdrawn are the live recordings of sessions holding a stored
	// withdrawal with "delete all" made after they began: Open erases
	// them.
	Withdrawn []string
	// Leftovers counts files still on disk of deleted recordings, and
	// replacement files a recovery or a cut left behind: Open unlinks
	// them.
	Leftovers int
	// Orphans are recording files that no row names: Open removes them,
	// with an audit row each (AuditOrphanRemoved), unless OrphanProblem
	// says why it would leave them.
	Orphans       []string
	OrphanProblem error
	// Owed counts the owed journal's items: Open finishes them, but cuts
	// that shorten a recording wait for Unlock.
	Owed int
	// Interrupted are the recordings a crash left unfinished (in state
	// "recording", their file held by no writer, or missing): the next
	// Unlock recovers them (or, with no whole chunk, erases them).
	Interrupted []string
	// Permissions are the folders and files whose group or other access
	// Open takes away, as "recordings (0755)".
	Permissions []string
	// NoCacheDirTag: recordings/ lacks its CACHEDIR.TAG, which Open
	// writes.
	NoCacheDirTag bool
}

// IsZero reports whether the next Open and Unlock would change nothing.
func (p Pending) IsZero() bool {
	return len(p.Withdrawn) == 0 && p.Leftovers == 0 && len(p.Orphans) == 0 && p.OrphanProblem == nil &&
		p.Owed == 0 && len(p.Interrupted) == 0 && len(p.Permissions) == 0 && !p.NoCacheDirTag
}

// Pending finds what the next Open and Unlock would change. Finding an
// interrupted recording takes and at once releases its file's lock (a
// lock changes nothing on disk); a file a writer holds is being written,
// not interrupted.
func (r *ReadOnlyDB) Pending() (Pending, error) {
	db := r.db
	p := Pending{Permissions: r.loose, Owed: db.owedItems()}
	if _, err := os.Lstat(db.recDir); err == nil {
		p.NoCacheDirTag = !hasCacheDirTag(db.recDir)
	} else {
		p.NoCacheDirTag = true
	}
	var err error
	p.Withdrawn, err = queryStrings(db.sql, `SELECT DISTINCT r.id FROM consent_events e CROSS JOIN recordings r
		ON r.session_id = e.session_id
		WHERE e.withdraw_delete_all = 1 AND r.state <> 'deleted' AND r.consent_seq < e.seq`)
	if err != nil {
		return Pending{}, fmt.Errorf("storage: pending: %w", dbErr(err))
	}
	leftovers, err := queryStrings(db.sql, `SELECT file FROM recordings WHERE state = 'deleted' AND file IS NOT NULL
		UNION ALL SELECT discard_file FROM recordings WHERE state <> 'recording' AND discard_file IS NOT NULL`)
	if err != nil {
		return Pending{}, fmt.Errorf("storage: pending: %w", dbErr(err))
	}
	for _, name := range leftovers {
		if path, err := db.recPath(name); err == nil {
			if _, err := os.Lstat(path); err == nil {
				p.Leftovers++
			}
		}
	}
	orphans, problem, err := db.findOrphans()
	if err != nil && !errors.Is(err, ErrCorrupt) {
		return Pending{}, fmt.Errorf("storage: pending: %w", err)
	}
	for _, e := range orphans {
		p.Orphans = append(p.Orphans, e.Name())
	}
	p.OrphanProblem = problem
	if err != nil {
		p.OrphanProblem = err // Open refuses the folder
	}
	rows, err := queryStrings(db.sql, "SELECT id || ' ' || file FROM recordings WHERE state = 'recording'")
	if err != nil {
		return Pending{}, fmt.Errorf("storage: pending: %w", dbErr(err))
	}
	for _, row := range rows {
		id, name, _ := strings.Cut(row, " ")
		f, err := db.openLocked(name, os.O_RDONLY)
		switch {
		case err == nil:
			f.Close()
		case errors.Is(err, errHeld):
			continue // being written
		case !errors.Is(err, fs.ErrNotExist):
			return Pending{}, fmt.Errorf("storage: pending: %w", err)
		}
		p.Interrupted = append(p.Interrupted, id)
	}
	return p, nil
}

// VerifyTerms is DB.VerifyTerms: each recording's dates, session and
// purposes against those sealed with its key and the audit log. It reads
// only; it needs the passphrase checked (Unlock).
func (r *ReadOnlyDB) VerifyTerms() ([]Finding, error) { return r.db.VerifyTerms() }

// VerifyConsentData is DB.VerifyConsentData: consent data put in the
// database by hand. It needs the passphrase checked (Unlock).
func (r *ReadOnlyDB) VerifyConsentData() ([]Finding, error) { return r.db.VerifyConsentData() }

// VerifyAuditAnchor is DB.VerifyAuditAnchor: the audit log against its
// keyed anchor (rows removed from its end, rows forged after it). It needs
// the passphrase checked (Unlock).
func (r *ReadOnlyDB) VerifyAuditAnchor() ([]Finding, error) { return r.db.VerifyAuditAnchor() }
