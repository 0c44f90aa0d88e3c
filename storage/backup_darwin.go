//go:build darwin

package storage

import (
	"bytes"
	"errors"

	"golang.org/x/sys/unix"
)

// noBackupAttr is the extended attribute that Time Machine honours:
// `tmutil addexclusion` sets it, and an item that carries it is left out
// of every backup, wherever it is moved.
const noBackupAttr = "com.apple.metadata:com_apple_backup_excludeItem"

// noBackupValue is the attribute's value as tmutil writes it: a binary
// property list holding the string "com.apple.backupd".
var noBackupValue = []byte("bplist00_\x10\x11com.apple.backupd\x08" +
	"\x00\x00\x00\x00\x00\x00\x01\x01" + // trailer: 6 unused bytes, offset and reference sizes
	"\x00\x00\x00\x00\x00\x00\x00\x01" + // one object
	"\x00\x00\x00\x00\x00\x00\x00\x00" + // the top object is object 0
	"\x00\x00\x00\x00\x00\x00\x00\x1c") // the offset table begins at byte 28

// markNoBackup sets Time Machine's exclusion on dir, unless it is there.
// A disk without extended attributes is no error: Time Machine backs up
// only disks that have them.
func markNoBackup(dir string) error {
	buf := make([]byte, 2*len(noBackupValue))
	if n, err := unix.Getxattr(dir, noBackupAttr, buf); err == nil && bytes.Equal(buf[:n], noBackupValue) {
		return nil
	}
	err := unix.Setxattr(dir, noBackupAttr, noBackupValue, 0)
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	return err
}
