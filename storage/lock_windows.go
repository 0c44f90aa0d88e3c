//go:build windows

package storage

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLockFile takes an exclusive lock on f without waiting, as flock does
// elsewhere (see lock_flock.go). Windows locks are mandatory for the bytes
// they cover, so the lock is on one byte far past any data: reads and
// writes of the file are not affected, and a second lock fails. The
// system drops it when its holder's handle is closed or the process dies.
func tryLockFile(f *os.File) (bool, error) {
	ol := lockRange()
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return false, nil
	}
	return err == nil, err
}

// lockRange is the one byte locked: far past the end of any file.
func lockRange() *windows.Overlapped {
	return &windows.Overlapped{OffsetHigh: 0x7fffffff}
}

// unlockFile releases the lock at once; Windows releases a closed
// handle's locks only when it gets round to it.
func unlockFile(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, lockRange())
}
