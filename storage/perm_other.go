//go:build !unix

package storage

import "io/fs"

// hasPermissionBits is false on Windows (and other systems without POSIX
// modes): Go reports every file there as 0666 or 0444 and every folder as
// 0777, and os.Chmod only sets or clears the read-only attribute. What
// keeps other users out is the folder's access control list, inherited
// from the user's profile (the data folder is under %AppData%), which
// Assent neither reads nor changes. Open still refuses symbolic links.
const hasPermissionBits = false

// foreignOwner is never true without POSIX owners.
func foreignOwner(fi fs.FileInfo) (uid int, foreign bool) { return 0, false }
