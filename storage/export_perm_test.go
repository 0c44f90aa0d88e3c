package storage

import (
	"io/fs"
	"testing"
)

// IgnoreChmod makes Open's chmod do nothing until the test ends, as on a
// disk that keeps no permissions (FAT, some network shares), which cannot
// be mounted here.
func IgnoreChmod(t testing.TB) {
	chmod = func(string, fs.FileMode) error { return nil }
	t.Cleanup(func() { chmod = defaultChmod })
}

var defaultChmod = chmod
