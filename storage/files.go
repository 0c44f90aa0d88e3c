package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// recPath turns a file name from a recordings row into a path. Names are
// made by storage from IDs (see recordingFileName) and checked again here,
// so that a row edited to hold "../x" cannot point outside recordings/.
func (db *DB) recPath(name string) (string, error) {
	if name == "" || name != filepath.Base(name) || name[0] == '.' {
		return "", errors.New("bad recording file name in database")
	}
	return filepath.Join(db.recDir, name), nil
}

// recordingFileName names a recording's file: <id>.rec for the one
// written while recording, <id>.<8 hex>.rec for a replacement written by
// recovery.
func recordingFileName(id string, replacement bool) string {
	if !replacement {
		return id + ".rec"
	}
	return id + "." + newID()[:8] + ".rec"
}

// syncDir makes a file's creation, rename or removal in dir durable.
// Windows cannot open a directory for syncing; NTFS journals the metadata.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeFile unlinks a file; one that is already gone is fine.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// ErrNotInBackup is returned by OpenRecording and VerifyRecording for a
// recording whose row is live but whose file is not in recordings/: most
// often a database restored from a backup, which by design holds no
// recordings (see CacheDirTag). The error also matches fs.ErrNotExist.
// Nothing is erased because of it: the file may come back (the
// recordings folder copied across later), and the recording is deleted
// on its date as any other. Recording.FileMissing says the same without
// the passphrase.
var ErrNotInBackup = errors.New("storage: the recording's file is not in the data folder (recordings are not in backups)")

// fileMissing reports whether a live recording's file, by its name in the
// row, is not in recordings/. A name that is not a recording file's, or a
// file that cannot be looked at for another reason, is not called missing:
// opening it says what is wrong.
func (db *DB) fileMissing(name string) bool {
	path, err := db.recPath(name)
	if err != nil {
		return false
	}
	_, err = os.Lstat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// writeDurably writes b to dir/name so that a crash leaves either the old
// file or the whole new one: to a temporary file (named by pattern, as
// os.CreateTemp takes it), fsynced, renamed into place, and the folder
// fsynced.
func writeDurably(dir, name, pattern string, b []byte) error {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}
