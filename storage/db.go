package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// DBFile and RecordingsDir name what Open keeps inside the data folder.
const (
	DBFile        = "assent.db"
	RecordingsDir = "recordings"
)

// DefaultChunkSize is the plaintext size of a recording chunk: 1 KiB is a
// quarter of a second of MP3 at 32 kbit/s, so with the recorder's quarter-
// second pieces a crash loses well under a second (1.5 s before the
// proof/crash_test.go trials showed that 4 KiB chunks of 1 s pieces could
// lose up to 2 s).
const DefaultChunkSize = 1024

// Chunk sizes outside [MinChunkSize, MaxChunkSize] are refused, by Open and
// by the recording reader (a header claiming a huge chunk must not make the
// reader allocate it).
const (
	MinChunkSize = recfile.MinChunkSize
	MaxChunkSize = recfile.MaxChunkSize
)

// Options configures Open. The zero value is what the app uses.
type Options struct {
	// Now is the clock. Every transaction reads it once, so all rows written
	// together carry the same time. Default time.Now.
	Now func() time.Time

	// KDF is the Argon2id costing used when a passphrase is set (CreateVault,
	// ChangePassphrase, UnlockWithRecoveryKey). Unlock always uses the costing
	// stored with the vault. Zero means DefaultKDF; tests pass cheaper params.
	KDF KDFParams

	// ChunkSize is the plaintext size of a recording chunk for new
	// recordings, each sealed and fsynced on its own. Zero means
	// DefaultChunkSize.
	ChunkSize int

	// BusyTimeout is how long a step waits for another connection's or
	// process's write lock (`assent purge`, a backup tool) before it
	// fails. Zero means DefaultBusyTimeout.
	BusyTimeout time.Duration
}

// DefaultBusyTimeout is how long Assent waits for the database's write
// lock by default.
const DefaultBusyTimeout = 5 * time.Second

// DB is the practice database, its data folder and its vault. It is safe for
// concurrent use. Open one DB per data folder per process.
type DB struct {
	sql       *sql.DB
	dir       string
	recDir    string
	now       func() time.Time
	kdf       KDFParams
	chunkSize int
	// readOnly: opened by OpenReadOnly. write refuses (ErrReadOnly), and
	// ReadOnlyDB offers no method that changes a file.
	readOnly bool

	mu       sync.Mutex
	closing  bool   // Close has begun: no new recordings
	closed   bool   // the database is closed
	master   []byte // nil while locked
	writers  map[string]*RecordingWriter
	readers  map[*recordingReader]struct{}
	recovery []Recovery
	orphans  []string // files without a row that Open removed
	// orphanProblem: files without a row were left (see OrphanProblem).
	orphanProblem error
	claim         *os.File // AppLockFile, locked by ClaimForApp until Close

	// owedMu lets one FinishOwed at a time work through the journal in
	// this process (other processes' are harmless: see appendOwedTx).
	owedMu sync.Mutex

	// crashAt, set only by tests (export_test.go), is called at each step
	// of a deletion or a re-key that a kill could interrupt (see the step*
	// constants); an error stops it there, as a kill would.
	crashAt func(step string) error
}

// Open opens the data folder dataDir, creating it (mode 0700) with its
// recordings folder and database when they are missing, and brings the
// database schema up to date. A database from a newer Assent is refused with
// ErrNewerSchema, a damaged one with ErrCorrupt.
//
// Open keeps the folder private: it takes group's and others' access away
// from the folder, recordings/, owed/ and the database files (assent.db,
// -wal, -shm, assent.lock), creates assent.db itself with mode 0600 (SQLite
// makes the -wal and -shm files with the database's mode), and refuses
// (ErrUnsafeFolder) a folder or file that belongs to another user, is still
// writable by others after that, or (below the data folder) is a symbolic
// link. It writes recordings/CACHEDIR.TAG, so backup tools leave the
// recordings out (see CacheDirTag). To look at a folder without changing
// any of this, use OpenReadOnly.
//
// Open finishes, without the master key, whatever a crash left half done
// that needs no key: the owed journal's steps are stored and its cuts'
// whole recordings deleted (FinishOwed; what it cannot finish stays owed
// and refused), recordings whose session holds a withdrawal with "delete
// all" are erased, files of deleted recordings are unlinked, and recording
// files that no row names are removed and audited (RemovedOrphans; with
// such files and no vault, Open refuses with ErrCorrupt). Recovering
// interrupted recordings and cutting owed recordings short need the key
// and happen in Unlock.
func Open(dataDir string, opt Options) (*DB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.KDF == (KDFParams{}) {
		opt.KDF = DefaultKDF
	}
	if err := opt.KDF.validate(); err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if opt.ChunkSize == 0 {
		opt.ChunkSize = DefaultChunkSize
	}
	if opt.ChunkSize < MinChunkSize || opt.ChunkSize > MaxChunkSize {
		return nil, fmt.Errorf("storage: open: chunk size %d outside [%d, %d]: %w", opt.ChunkSize, MinChunkSize, MaxChunkSize, ErrInvalid)
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dataDir, err)
	}
	recDir := filepath.Join(dir, RecordingsDir)
	// Checked before anything is made in it (another user's folder gets
	// no recordings/), and again once what was missing is made.
	if _, err := checkPrivate(dir, true); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	if err := os.MkdirAll(recDir, folderMode); err != nil {
		return nil, fmt.Errorf("storage: open: %w", err)
	}
	if _, err := checkPrivate(dir, true); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	if err := checkDatabaseNotLost(dir, recDir); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	if err := createDatabaseFile(filepath.Join(dir, DBFile)); err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	// Not fatal: a folder that cannot be written takes no recording
	// either, and the next Open tries again (OpenReadOnly's Pending says
	// when the tag is missing).
	_ = markNotForBackup(recDir)
	sqldb, err := sql.Open("sqlite", dsnWith(filepath.Join(dir, DBFile), opt.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("storage: open database: %w", err)
	}
	db := &DB{
		sql:       sqldb,
		dir:       dir,
		recDir:    recDir,
		now:       opt.Now,
		kdf:       opt.KDF,
		chunkSize: opt.ChunkSize,
		writers:   make(map[string]*RecordingWriter),
		readers:   make(map[*recordingReader]struct{}),
	}
	if err := migrate(context.Background(), sqldb, migrations); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	db.finishAllOwed()
	if err := db.recoverWithoutKey(); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("storage: open %s: %w", dir, err)
	}
	return db, nil
}

// checkDatabaseNotLost refuses a data folder whose database is missing or
// empty while recording files are there: SQLite would make a new, empty
// practice over them, and the app would offer to set one up. Nothing is
// changed; the folder is left for the therapist or support to look at.
func checkDatabaseNotLost(dir, recDir string) error {
	fi, err := os.Stat(filepath.Join(dir, DBFile))
	if err == nil && fi.Size() > 0 {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	recs, _ := filepath.Glob(filepath.Join(recDir, "*.rec"))
	if len(recs) == 0 {
		return nil // a new practice
	}
	return fmt.Errorf("%s is missing or empty but %d recording file(s) are in %s: %w", DBFile, len(recs), RecordingsDir, ErrCorrupt)
}

// dsn builds the connection string. The pragmas go in the DSN rather than
// being run once, because database/sql opens connections as it likes and
// each must have them.
func dsn(path string) string { return dsnWith(path, DefaultBusyTimeout) }

// dsnWith is dsn with a busy timeout (zero: DefaultBusyTimeout).
func dsnWith(path string, busy time.Duration) string {
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	q := []string{
		// WAL: readers (playback, the library) never block the writer sealing audio.
		"_pragma=journal_mode(WAL)",
		// FULL: a committed transaction survives a power cut, also in WAL mode.
		"_pragma=synchronous(FULL)",
		// Foreign keys: a recording can never point at a session that does not exist.
		"_pragma=foreign_keys(1)",
		// Wait (rather than fail) while `assent purge` or another connection writes.
		fmt.Sprintf("_pragma=busy_timeout(%d)", busy.Milliseconds()),
		// Overwrite deleted content with zeros, so an erased key leaves no copy in free pages.
		"_pragma=secure_delete(1)",
		// Take the write lock at BEGIN: no deadlock upgrading a read to a write.
		"_txlock=immediate",
	}
	return fileURI(path) + "?" + strings.Join(q, "&")
}

// fileURI is path as an SQLite URI, without its query.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	u := url.URL{Path: p}
	return "file://" + u.EscapedPath()
}

// Close finishes every recording still being written (sealing its final
// chunk, so nothing captured is lost), closes open playback readers, zeroes
// the master key and closes the database.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closing {
		db.mu.Unlock()
		return nil
	}
	db.closing = true
	writers := make([]*RecordingWriter, 0, len(db.writers))
	for _, w := range db.writers {
		writers = append(writers, w)
	}
	db.mu.Unlock()

	var errs []error
	for _, w := range writers {
		if err := w.Close(); err != nil && !errors.Is(err, ErrDeleted) {
			errs = append(errs, err)
		}
	}
	db.Lock()
	db.mu.Lock()
	db.closed = true
	claim := db.claim
	db.claim = nil
	db.mu.Unlock()
	if err := db.sql.Close(); err != nil {
		errs = append(errs, fmt.Errorf("storage: close database: %w", err))
	}
	if claim != nil {
		unlockFile(claim) // at once: Windows may release a closed handle's lock late
		claim.Close()
	}
	return errors.Join(errs...)
}

// write runs fn in one write transaction (BEGIN IMMEDIATE), passing the one
// time that every row it writes carries. The same transaction raises the
// latest time seen to that time and, while unlocked, renews the audit
// log's anchor (anchor.go).
func (db *DB) write(fn func(tx *sql.Tx, now time.Time) error) error {
	return db.writeKeyed(nil, fn)
}

// writeKeyed is write for a step that holds the master key before the DB
// does (Unlock, CreateVault, a passphrase change): master renews the anchor.
func (db *DB) writeKeyed(master []byte, fn func(tx *sql.Tx, now time.Time) error) error {
	if db.isClosed() {
		return ErrClosed
	}
	if db.readOnly {
		return fmt.Errorf("opened read-only: %w", ErrReadOnly)
	}
	tx, err := db.sql.BeginTx(context.Background(), nil)
	if err != nil {
		return dbErr(err)
	}
	now := db.now()
	seal, err := db.beginSeal(tx, master)
	defer seal.done()
	if err == nil {
		err = fn(tx, now)
	}
	if err == nil {
		err = seal.finish(tx, now)
	}
	if err != nil {
		tx.Rollback()
		return dbErr(err)
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err)
	}
	return nil
}

func (db *DB) isClosed() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.closed
}

// dbErr marks the driver's "damaged or not a database" errors with
// ErrCorrupt, so callers can tell them from ordinary failures.
func dbErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			if !errors.Is(err, ErrCorrupt) {
				return fmt.Errorf("%w: %w", ErrCorrupt, err)
			}
		case 8, 14: // SQLITE_READONLY, SQLITE_CANTOPEN
			if !errors.Is(err, ErrReadOnly) {
				return fmt.Errorf("%w: %w", ErrReadOnly, err)
			}
		}
	}
	return err
}

// Times are stored as Unix nanoseconds; the zero time as NULL.
func nanos(t time.Time) int64 { return t.UnixNano() }

func nullNanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNanos(n int64) time.Time { return time.Unix(0, n) }

func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}
