package storage

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Callers branch on them with errors.Is; every error this
// package returns that matches one of them also carries context (an operation,
// an ID, a chunk index) in its message.
var (
	// ErrPassphraseTooShort is returned by CreateVault, ChangePassphrase and
	// UnlockWithRecoveryKey when the new passphrase has fewer than
	// MinPassphraseLen characters.
	ErrPassphraseTooShort = fmt.Errorf("storage: passphrase must have at least %d characters", MinPassphraseLen)

	// ErrWrongPassphrase is returned when a passphrase does not unlock the
	// vault. Nothing was decrypted; the attempt counts towards the back-off.
	ErrWrongPassphrase = errors.New("storage: wrong passphrase")

	// ErrWrongRecoveryKey is returned when a recovery key does not unlock the
	// vault, or is not a recovery key at all (wrong length or characters).
	ErrWrongRecoveryKey = errors.New("storage: wrong recovery key")

	// ErrTooManyAttempts is matched (through *RetryError) when an unlock is
	// attempted during the back-off that follows repeated failures.
	ErrTooManyAttempts = errors.New("storage: too many failed attempts")

	// ErrLocked is returned by every operation that needs the master key
	// (sealing or opening audio and notes) while the vault is locked.
	ErrLocked = errors.New("storage: vault is locked")

	// ErrVaultExists is returned by CreateVault when a vault was already set up.
	ErrVaultExists = errors.New("storage: vault already exists")

	// ErrNoVault is returned by Unlock and friends before CreateVault was run.
	ErrNoVault = errors.New("storage: no vault has been set up")

	// ErrTampered reports that stored bytes fail authentication: a recording
	// chunk, a wrapped key, sealed notes or the audit chain was altered,
	// reordered or replaced. No unauthenticated bytes are ever returned.
	ErrTampered = errors.New("storage: data was altered or is damaged")

	// ErrTruncated reports that a recording file ends before its final chunk.
	ErrTruncated = errors.New("storage: recording is truncated")

	// ErrUnsupportedFormat reports a recording file written in a format
	// version this build does not know.
	ErrUnsupportedFormat = errors.New("storage: unsupported recording format version")

	// ErrNewerSchema is returned by Open for a database written by a newer
	// version of Assent. The database is left untouched.
	ErrNewerSchema = errors.New("storage: database was written by a newer version of Assent")

	// ErrCorrupt is returned by Open (and by queries) when the database file
	// is damaged or is not an Assent database.
	ErrCorrupt = errors.New("storage: database file is damaged or is not an Assent database")

	// ErrFileLost is returned by RecordingWriter.Close when the recording's
	// file was removed from the disk while it was being written (the
	// recordings folder deleted or emptied): what it held is gone.
	ErrFileLost = errors.New("storage: the recording's file was removed while recording")

	// ErrReadOnly is returned when the data folder or database cannot be
	// written (permissions, a read-only disk): Assent never works on a
	// practice it cannot keep safe, so it refuses rather than half-opens.
	ErrReadOnly = errors.New("storage: the data folder cannot be written")

	// ErrInUse is returned by ClaimForApp when another Assent window has
	// the data folder open.
	ErrInUse = errors.New("storage: the data folder is open in another Assent window")

	// ErrNotFound is returned when no client, session or recording has the ID.
	ErrNotFound = errors.New("storage: not found")

	// ErrDeleted is returned when a recording was deleted (its key is gone):
	// by OpenRecording, and by a RecordingWriter whose recording was deleted
	// while it was being written.
	ErrDeleted = errors.New("storage: recording was deleted")

	// ErrPastDeletionDate is returned by OpenRecording for a recording whose
	// deletion date in force has come (by the later of the clock and the
	// latest time seen) but that a purge has not deleted yet: it is never
	// played or exported past its date. errors.Is(err, ErrDeleted) is true
	// as well, as it is as good as deleted.
	ErrPastDeletionDate = errors.New("storage: the recording's deletion date has come")

	// ErrClockBehind is matched (through *ClockBehindError) by OpenRecording
	// and NewRecording while the clock reads more than ClockTolerance
	// before the latest time seen.
	ErrClockBehind = errors.New("storage: the clock is behind the latest time seen")

	// ErrNotFinished is returned by OpenRecording for a recording that is still
	// being written (or awaits crash recovery).
	ErrNotFinished = errors.New("storage: recording is still being written")

	// ErrOwed is returned by OpenRecording for a recording that an owed
	// withdrawal names (OweConsentEvent, OweCut): its deletion is not
	// finished, and until it is it can be neither played nor exported. It
	// is also returned by NewRecording in a session that owes consent
	// steps, and (with AppendConsentEvent, FinishOwed, Owed) for an owed
	// journal that cannot be read or does not fit the stored history.
	ErrOwed = errors.New("storage: a withdrawal naming it is not finished yet")

	// ErrUnconfirmed is returned by OpenRecording for a recording whose
	// session asked at the end whether to keep it and has no keeping
	// answer yet: it is neither played nor exported.
	ErrUnconfirmed = errors.New("storage: the recording is not confirmed by everyone recorded")

	// ErrClosed is returned by a RecordingWriter or reader after Close, and by
	// a DB after Close.
	ErrClosed = errors.New("storage: already closed")

	// ErrConsentSeq is returned by AppendConsentEvent for an event whose Seq is
	// not the next one of its session (a replay or a gap).
	ErrConsentSeq = errors.New("storage: consent event out of sequence")

	// ErrInvalid is returned for arguments that can never be valid: an empty
	// label, a deletion date that is not in the future, a malformed ID.
	ErrInvalid = errors.New("storage: invalid argument")
)

// RetryError is returned by Unlock, UnlockWithRecoveryKey and ChangePassphrase
// when they are called during the back-off that follows MaxAttempts
// consecutive failures. Nothing was tried; Wait is how long until the next
// attempt is allowed. The back-off is stored in the database, so restarting
// the app does not reset it. errors.Is(err, ErrTooManyAttempts) is true.
type RetryError struct {
	Wait time.Duration
}

// Error says how long to wait, rounded to the second.
func (e *RetryError) Error() string {
	return fmt.Sprintf("storage: too many failed attempts: try again in %s", e.Wait.Round(time.Second))
}

// Unwrap returns ErrTooManyAttempts.
func (e *RetryError) Unwrap() error { return ErrTooManyAttempts }

// AuditError is returned by VerifyAudit for the first audit row that does not
// fit the chain: its content was edited, a row before it was removed or
// reordered, or rows after it were removed. errors.Is(err, ErrTampered) is
// true.
type AuditError struct {
	// Row is the ID of the first row that fails: the edited row, the row
	// after a removed one, or the missing row's ID.
	Row int64
	// Problem says what is wrong, in words.
	Problem string
}

// Error names the row and the problem.
func (e *AuditError) Error() string {
	return fmt.Sprintf("storage: audit log row %d: %s", e.Row, e.Problem)
}

// Unwrap returns ErrTampered.
func (e *AuditError) Unwrap() error { return ErrTampered }

// errPastDeletionDate matches ErrPastDeletionDate and ErrDeleted.
var errPastDeletionDate error = pastDateError{}

type pastDateError struct{}

func (pastDateError) Error() string   { return ErrPastDeletionDate.Error() }
func (pastDateError) Unwrap() []error { return []error{ErrPastDeletionDate, ErrDeleted} }

// ClockBehindError is returned by OpenRecording and NewRecording while the
// clock reads more than ClockTolerance before the latest time seen: a clock
// moved back never reopens a recording nor dates a new one in the past.
// Purge still runs, by the latest time seen. errors.Is(err,
// ErrClockBehind) is true.
type ClockBehindError struct {
	Now    time.Time // what the clock reads
	Latest time.Time // the latest time seen, by any process of this folder
}

// Error gives both times.
func (e *ClockBehindError) Error() string {
	return fmt.Sprintf("storage: the clock reads %s, but %s was seen already: set the clock right",
		e.Now.UTC().Format(time.RFC3339), e.Latest.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrClockBehind.
func (e *ClockBehindError) Unwrap() error { return ErrClockBehind }

// A Finding is one thing a verification found wrong, in words.
type Finding struct {
	// Subject names what it is about: "recording <id>", "consent event 3
	// of session <id>", "audit entry 12" or "audit log".
	Subject string
	// Problem says what is wrong and what holds instead, in a sentence
	// without a final full stop.
	Problem string
}

// String is Subject and Problem, as `assent verify` prints them.
func (f Finding) String() string { return f.Subject + ": " + f.Problem }
