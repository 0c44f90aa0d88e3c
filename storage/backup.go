package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
)

// CacheDirTag is the file in recordings/ that tells backup tools to leave
// the folder out, by the Cache Directory Tagging specification
// (https://bford.info/cachedir/): restic (--exclude-caches), borg
// (--exclude-caches), tar (--exclude-caches) and others honour it. On
// macOS the folder also carries the extended attribute Time Machine
// honours (see markNoBackup).
//
// Recordings stay out of backups by design (DESIGN.md, rule 7): a
// recording is deleted by destroying its key, and a restored backup must
// not bring back a file whose deletion date has passed, nor one a client
// withdrew. The database is backed up like any clinical record; a
// database restored without its recordings shows them as not in the
// backup (Recording.FileMissing, ErrNotInBackup).
const CacheDirTag = "CACHEDIR.TAG"

// cacheDirSignature is how a CACHEDIR.TAG must begin.
const cacheDirSignature = "Signature: 8a477f597d28d172789f06886806bc55"

const cacheDirTagContent = cacheDirSignature + `
# This file is a cache directory tag created by Assent.
# Recordings are kept out of backups on purpose: each is deleted on the
# date its client was shown, and a backup must not bring one back.
# For information about cache directory tags, see https://bford.info/cachedir/
`

// hasCacheDirTag reports whether recDir holds a CACHEDIR.TAG with the
// signature.
func hasCacheDirTag(recDir string) bool {
	f, err := os.Open(filepath.Join(recDir, CacheDirTag))
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(cacheDirSignature))
	n, _ := f.Read(b)
	return bytes.Equal(b[:n], []byte(cacheDirSignature))
}

// markNotForBackup writes recordings/CACHEDIR.TAG when it is missing (or
// does not carry the signature), through a temporary file renamed into
// place so that a crash never leaves a tag without its signature, and
// marks the folder for the OS's own backup where there is such a mark
// (markNoBackup). A failure is returned; Open goes on without the tag
// (a folder that cannot be written takes no recording either) and tries
// again next time.
func markNotForBackup(recDir string) error {
	osErr := markNoBackup(recDir)
	if hasCacheDirTag(recDir) {
		return osErr
	}
	if err := writeDurably(recDir, CacheDirTag, ".tag-*", []byte(cacheDirTagContent)); err != nil {
		return errors.Join(err, osErr)
	}
	return osErr
}
