//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package storage_test

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// A file somebody holds the lock on is being written: Open leaves it until
// the lock is released.
func TestOrphanHeldByAWriterIsLeft(t *testing.T) {
	f := newVault(t)
	name := "0123456789abcdef0123456789abcdef.rec"
	path := filepath.Join(f.dir, storage.RecordingsDir, name)
	if err := os.WriteFile(path, randomBytes(300, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	f.reopen(t)
	if got := f.db.RemovedOrphans(); len(got) != 0 {
		t.Errorf("removed %v while its lock was held", got)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("the held file: %v", err)
	}
	held.Close()
	f.reopen(t)
	if got := f.db.RemovedOrphans(); !slices.Equal(got, []string{name}) {
		t.Errorf("after the lock was released: removed %v, want %s", got, name)
	}
}
