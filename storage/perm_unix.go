//go:build unix

package storage

import (
	"io/fs"
	"os"
	"syscall"
)

// hasPermissionBits: POSIX modes and owners are what keep other users
// out of the data folder.
const hasPermissionBits = true

// foreignOwner reports the owner of fi when it is not the user running
// Assent (the effective user).
func foreignOwner(fi fs.FileInfo) (uid int, foreign bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), int(st.Uid) != os.Geteuid()
}
