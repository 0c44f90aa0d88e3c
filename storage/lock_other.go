//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package storage

import "os"

// tryLockFile is a no-op where flock(2) is missing (Windows): there, only
// one process at a time may write recordings or unlock the vault.
func tryLockFile(f *os.File) (bool, error) { return true, nil }
