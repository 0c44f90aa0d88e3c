package storage

// Hooks for the black-box tests in package storage_test. They exist only
// while testing.

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
)

// DSN is the connection string Open uses, for tests that poke at the
// database with plain SQL as an attacker or a crash would.
func DSN(dataDir string) string { return dsn(filepath.Join(dataDir, DBFile)) }

// MigrateTo builds the database in dataDir at schema version v using the
// first v embedded migrations.
func MigrateTo(dataDir string, v int) error {
	return migrateWith(dataDir, migrations[:v])
}

// MigrateFS applies the migrations found in fsys (dir "migrations").
func MigrateFS(dataDir string, fsys fs.FS) error {
	ms, err := loadMigrations(fsys, "migrations")
	if err != nil {
		return err
	}
	return migrateWith(dataDir, ms)
}

func migrateWith(dataDir string, ms []migration) error {
	db, err := sql.Open("sqlite", DSN(dataDir))
	if err != nil {
		return err
	}
	defer db.Close()
	return migrate(context.Background(), db, ms)
}

// DeriveKey is the passphrase derivation Unlock runs with p.
func DeriveKey(p KDFParams, passphrase string, salt []byte) []byte { return p.derive(passphrase, salt) }

// SealNotes seals a notes plaintext as SaveNotes does (in layout), under
// key, for tests that reach the decoder behind the seal.
func SealNotes(key []byte, sessionID string, rev, layout int, plain []byte) []byte {
	return seal(key, plain, notesAD(sessionID, rev, layout))
}

// OpenNotes is what Notes does with sealed notes once it has their key.
func OpenNotes(key []byte, sessionID string, rev, layout int, sealed []byte) (Notes, error) {
	return openNotes(key, sessionID, rev, layout, sealed)
}

// EncodeNotes is the plaintext SaveNotes seals.
func EncodeNotes(n Notes) []byte { return encodeNotes(n) }

// NotesLayout is the layout SaveNotes writes.
const NotesLayout = notesLayout

// CrashWriter leaves w as a crash would: chunks written so far stay on disk,
// the final chunk is never written, the row stays in state "recording" and
// the file lock is released (as the kernel does when a process dies).
func CrashWriter(w *RecordingWriter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	w.f.Close()
	w.db.forgetWriter(w.id, w)
}

// RecordingPath is where the file of a recording is (an ID to a path is
// otherwise storage's business only).
func RecordingPath(db *DB, id string) string {
	var name string
	if err := db.sql.QueryRow("SELECT file FROM recordings WHERE id = ?", id).Scan(&name); err != nil {
		return ""
	}
	p, _ := db.recPath(name)
	return p
}

// CrashAfterFinal is CrashWriter after the final chunk reached the disk but
// before the database marked the recording complete.
func CrashAfterFinal(w *RecordingWriter) {
	w.mu.Lock()
	if err := w.sw.Close(); err != nil {
		panic(err)
	}
	w.mu.Unlock()
	CrashWriter(w)
}

// WrappedKey returns a recording's key as stored in its row (nil once
// erased), for tests that check no copy of it stays on disk.
func WrappedKey(db *DB, id string) []byte {
	var k []byte
	db.sql.QueryRow("SELECT key_wrapped FROM recordings WHERE id = ?", id).Scan(&k)
	return k
}

// CrashAt makes db stop every deletion or re-key at a step a kill could
// interrupt (its name in erase.go or rekey.go), as if the process died
// there, whenever stop returns an error for that step. nil removes the
// hook.
func CrashAt(db *DB, stop func(step string) error) { db.crashAt = stop }

// Deletion steps, for CrashAt.
const (
	StepBeforeCommit     = stepBeforeCommit
	StepBeforeUnlink     = stepBeforeUnlink
	StepBeforeForget     = stepBeforeForget
	StepBeforeCheckpoint = stepBeforeCheckpoint
)

// Re-key steps (DeleteAfter, crash recovery), for CrashAt, in order; from
// StepRekeySwitched on, the row holds the new file and key.
const (
	StepRekeyWritten  = stepRekeyWritten
	StepRekeySwitched = stepRekeySwitched
)

var RekeySteps = []string{
	stepRekeyNamed,
	stepRekeyWritten,
	stepRekeySwitched,
	stepDiscardRemoved,
	stepRekeyCheckpoint,
}

// AfterOrphanListing makes f run inside Open between listing recordings/
// and reading the file names the database knows; nil removes it.
func AfterOrphanListing(f func()) { afterOrphanListing = f }

// WrapV1 re-wraps a live recording's key as an Assent before sealed terms
// did (version 1: the ID alone as associated data, no terms), as a
// database made by that version holds it. Needs the vault unlocked.
func WrapV1(db *DB, id string) error {
	key, _, _, err := db.recordingKey(id)
	if err != nil {
		return err
	}
	defer zero(key)
	wrapped, err := db.wrap(key, adRecordingKey+id)
	if err != nil {
		return err
	}
	_, err = db.sql.Exec("UPDATE recordings SET key_wrapped = ?, terms = NULL WHERE id = ?", wrapped, id)
	return err
}

// KeyVersion is the version of a recording key's wrap: 1 without terms,
// 2 with them.
func KeyVersion(db *DB, id string) int {
	var terms sql.NullString
	db.sql.QueryRow("SELECT terms FROM recordings WHERE id = ?", id).Scan(&terms)
	if terms.Valid {
		return 2
	}
	return 1
}

// SetTermsBatch sets how many keys one transaction re-wraps with their
// terms at unlock, until the test ends.
func SetTermsBatch(tb interface{ Cleanup(func()) }, n int) {
	old := termsBatch
	termsBatch = n
	tb.Cleanup(func() { termsBatch = old })
}

// StepTermsBatch is the step between two batches of keys re-wrapped with
// their terms, for CrashAt.
const StepTermsBatch = stepTermsBatch

// AuditHash is the hash of an audit row, for tests that forge one as
// someone with the file and this source could.
func AuditHash(prev []byte, id, at int64, kind, subject, detail string) []byte {
	return auditHash(prev, id, at, kind, subject, detail)
}
