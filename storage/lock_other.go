//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package storage

import "os"

// tryLockFile is a no-op where there is no file lock (neither flock(2) nor
// Windows' LockFileEx): there, only one process at a time may write
// recordings or unlock the vault.
func tryLockFile(f *os.File) (bool, error) { return true, nil }

// unlockFile does nothing where there is no file lock.
func unlockFile(f *os.File) {}
