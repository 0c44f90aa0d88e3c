package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrUnsafeFolder is returned by Open and OpenReadOnly when the data
// folder, or a folder or database file in it, is not private to the user
// running Assent: it is a symbolic link (for everything but the data
// folder itself), belongs to another user, or is still writable by other
// users after Open took their access away (a disk that keeps no
// permissions). Nothing was read from it; the error is an *UnsafeError
// naming the path.
var ErrUnsafeFolder = errors.New("storage: the data folder is not private to this user")

// UnsafeError says which path of the data folder is not private, and how.
// errors.Is(err, ErrUnsafeFolder) is true.
type UnsafeError struct {
	Path string // the folder or file
	// Problem completes a sentence that begins with Path: "is a symbolic
	// link", "belongs to another user (uid 1001)", "is still writable by
	// other users after chmod 700".
	Problem string
}

// Error names the path and the problem.
func (e *UnsafeError) Error() string { return "storage: " + e.Path + " " + e.Problem }

// Unwrap returns ErrUnsafeFolder.
func (e *UnsafeError) Unwrap() error { return ErrUnsafeFolder }

// Modes of the data folder: its folders are the user's alone, and so are
// the database's files. Recording files are created 0600 (see
// NewRecording).
const (
	folderMode fs.FileMode = 0o700
	fileMode   fs.FileMode = 0o600
)

// databaseFiles are the files of the data folder that Open makes private
// and refuses as symbolic links: SQLite's three and the window's lock.
var databaseFiles = [...]string{DBFile, DBFile + "-wal", DBFile + "-shm", AppLockFile}

// chmod is os.Chmod; a test stands in a disk that ignores it.
var chmod = os.Chmod

// checkPrivate checks the data folder dir, its folders (recordings/,
// owed/) and its database files, and with fix takes away every access of
// group and others that it finds (0777 becomes 0700, 0644 becomes 0600;
// the owner's own bits are left as they are, so a folder made read-only
// stays so). It returns what it found loose (with fix, tightened), as
// "recordings (0755)". Missing paths are skipped: Open creates them
// later with private modes.
//
// It refuses (*UnsafeError) a folder or file that belongs to another
// user, a symbolic link anywhere below dir (SQLite would follow a
// symlinked assent.db, -wal or -shm, and the recordings would be written
// wherever recordings/ pointed), anything that is not the kind it should
// be, and, with fix, anything still writable by group or others after
// the chmod. The folder is checked and tightened first: once it is
// private, nobody else can put a link in it between this check and
// SQLite's open.
//
// Permission bits and owners exist only on POSIX systems (see
// hasPermissionBits); elsewhere only links and kinds are checked.
func checkPrivate(dir string, fix bool) (loose []string, err error) {
	type entry struct {
		name string // as reported
		path string
		dir  bool
	}
	entries := []entry{{dir, dir, true}}
	for _, sub := range []string{RecordingsDir, OwedDir} {
		entries = append(entries, entry{sub, filepath.Join(dir, sub), true})
	}
	for _, name := range databaseFiles {
		entries = append(entries, entry{name, filepath.Join(dir, name), false})
	}
	for i, e := range entries {
		stat := os.Lstat
		if i == 0 {
			stat = os.Stat // the data folder itself may live elsewhere, behind a link
		}
		fi, err := stat(e.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		unsafe := func(problem string) error { return &UnsafeError{Path: e.path, Problem: problem} }
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, unsafe("is a symbolic link")
		case e.dir && !fi.IsDir():
			return nil, unsafe("is not a folder")
		case !e.dir && !fi.Mode().IsRegular():
			return nil, unsafe("is not a regular file")
		}
		if !hasPermissionBits {
			continue
		}
		if uid, foreign := foreignOwner(fi); foreign {
			return nil, unsafe(fmt.Sprintf("belongs to another user (uid %d)", uid))
		}
		perm := fi.Mode().Perm()
		if perm&0o077 == 0 {
			continue
		}
		loose = append(loose, fmt.Sprintf("%s (%03o)", e.name, perm))
		if !fix {
			continue
		}
		if err := chmod(e.path, perm&^0o077); err != nil {
			return nil, err
		}
		if fi, err = os.Lstat(e.path); err != nil {
			return nil, err
		}
		if fi.Mode().Perm()&0o022 != 0 {
			return nil, unsafe(fmt.Sprintf("is still writable by other users after chmod %03o (a disk that keeps no permissions?)", perm&^0o077))
		}
	}
	return loose, nil
}

// createDatabaseFile creates an empty assent.db with mode 0600 before
// SQLite does: SQLite would create it 0644 whatever the umask, and
// make the -wal and -shm files beside it with the same mode. The chmod
// after creating makes the mode the umask's no matter (a umask of 0
// would leave it 0600, one of 077 too). An existing file is left to
// checkPrivate.
func createDatabaseFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	f.Close()
	return chmod(path, fileMode)
}
