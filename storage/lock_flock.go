//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package storage

import (
	"errors"
	"os"
	"syscall"
)

// tryLockFile takes an exclusive advisory lock on f without waiting. A
// RecordingWriter holds it on its file for as long as it writes, and crash
// recovery takes it before touching a file, so recovery in one process (the
// app, `assent verify`) never mistakes a recording being written by another
// for one left by a crash. The kernel drops the lock when its holder dies.
func tryLockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// unlockFile releases a lock tryLockFile took (closing the file does too).
func unlockFile(f *os.File) { syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
