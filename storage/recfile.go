package storage

import (
	"errors"
	"fmt"
	"os"

	"github.com/assent-recorder/assent/storage/internal/recfile"
)

// FormatVersion is the recording file format version this build writes and
// reads (internal/recfile/FORMAT.md).
const FormatVersion = recfile.Version

// fileErr makes an error about a recording file's content match storage's
// sentinel of the same meaning as well as recfile's, so that callers
// branch on storage's alone.
func fileErr(err error) error {
	for _, m := range [...]struct{ format, storage error }{
		{recfile.ErrTampered, ErrTampered},
		{recfile.ErrTruncated, ErrTruncated},
		{recfile.ErrUnsupportedFormat, ErrUnsupportedFormat},
	} {
		if errors.Is(err, m.format) {
			return &formatError{err: err, sentinel: m.storage}
		}
	}
	return err
}

// formatError is an error of package recfile that also matches one of
// storage's sentinels; it reads as the original.
type formatError struct{ err, sentinel error }

func (e *formatError) Error() string   { return e.err.Error() }
func (e *formatError) Unwrap() []error { return []error{e.err, e.sentinel} }

// errHeld is returned by openLocked when another writer holds the file.
var errHeld = errors.New("the recording's file is held by another writer")

// openLocked opens a recording's file by its name in the row and takes its
// lock, which the caller keeps until it closes the file. errHeld: another
// writer (a RecordingWriter, a re-key, in this process or another) holds
// it. A missing file gives an error matching fs.ErrNotExist.
func (db *DB) openLocked(name string, flag int) (*os.File, error) {
	path, err := db.recPath(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, err
	}
	if ok, err := tryLockFile(f); err != nil || !ok {
		f.Close()
		if err == nil {
			err = errHeld
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return f, nil
}
