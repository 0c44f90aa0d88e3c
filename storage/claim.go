package storage

import (
	"fmt"
	"os"
	"path/filepath"
)

// AppLockFile is the file in the data folder whose lock says that an
// Assent window has the folder open (see ClaimForApp).
const AppLockFile = "assent.lock"

// ClaimForApp marks the data folder as open in this process's window, so
// that a second Assent window on the same folder is refused (ErrInUse):
// two windows would each take the other's open session for one a crash
// left behind, and the therapist would not know which one is recording.
// The claim is an advisory lock on AppLockFile, held until Close (the
// kernel drops it if the process dies). `assent purge`, `status` and
// `verify` do not claim: they may run beside the window. On Windows the
// lock is LockFileEx's; on a system with neither, the claim always
// succeeds.
func (db *DB) ClaimForApp() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.claim != nil {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(db.dir, AppLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("storage: claim the data folder: %w", err)
	}
	ok, err := tryLockFile(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("storage: claim the data folder: %w", err)
	}
	if !ok {
		f.Close()
		return fmt.Errorf("storage: claim %s: %w", db.dir, ErrInUse)
	}
	db.claim = f
	return nil
}
