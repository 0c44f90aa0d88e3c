package storage

import (
	"errors"

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
