//go:build !darwin

package storage

// markNoBackup does nothing here: outside macOS, backup tools go by
// CACHEDIR.TAG (or by their own exclusion lists, which Assent cannot
// set). Windows' File History has no mark a program can put on a folder.
func markNoBackup(dir string) error { return nil }
