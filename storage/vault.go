package storage

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// MinPassphraseLen is the fewest characters (not bytes) a passphrase may have.
const MinPassphraseLen = 10

// MaxAttempts is how many consecutive failed unlocks are free. After that,
// each further attempt must wait: BackoffBase after the MaxAttempts-th
// failure, doubling with every further failure up to BackoffMax.
const (
	MaxAttempts = 5
	BackoffBase = 30 * time.Second
	BackoffMax  = 15 * time.Minute
)

// KDFParams are the Argon2id parameters that turn a passphrase into the key
// wrapping the master key. They are stored with the vault, so changing the
// default never locks anyone out.
type KDFParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // lanes
}

// DefaultKDF costs 0.3–0.8 s and 192 MiB per derivation on the 2-core
// machine Assent is developed on (BenchmarkDefaultKDF measures it), above
// the 250 ms floor that TestDefaultKDFCost holds it to: bearable once per
// unlock, expensive per guess.
//
// The 192 MiB are most of the app's peak memory: for under a second at
// each unlock, the laptop holds them on top of the running app (about
// 356 MB in all against at most 183 MB for the rest of a session, README
// "Quiet").
// They are kept, not cut to the 64 MiB that would bring that peak under
// 200 MB: memory per guess is what makes guessing a stolen laptop's
// passphrase on many cores or a graphics card expensive, and the clients'
// recordings are what it protects. derive gives them back at once.
var DefaultKDF = KDFParams{Time: 4, MemoryKiB: 192 * 1024, Threads: 2}

// validate bounds the parameters, including ones read back from a database
// that may have been tampered with: a huge memory cost must be refused
// rather than allocated.
func (p KDFParams) validate() error {
	if p.Time < 1 || p.Time > 64 || p.Threads < 1 || p.Threads > 64 ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4<<20 {
		return fmt.Errorf("argon2id parameters %+v out of range: %w", p, ErrInvalid)
	}
	return nil
}

func (p KDFParams) derive(passphrase string, salt []byte) []byte {
	pw := []byte(passphrase)
	defer zero(pw)
	key := argon2.IDKey(pw, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
	// The derivation's memory (MemoryKiB, 192 MiB by default) is garbage
	// now: give it back to the system at once rather than keep it for as
	// long as the app runs (the Go runtime returns it only slowly).
	debug.FreeOSMemory()
	return key
}

// recoveryKeyBytes is the entropy of a recovery key: 160 bits, written as 32
// base32 characters in 8 groups of 4.
const recoveryKeyBytes = 20

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRecoveryKey() (raw []byte, printed string) {
	raw = make([]byte, recoveryKeyBytes)
	rand.Read(raw)
	s := recoveryEncoding.EncodeToString(raw)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i : i+4])
	}
	return raw, b.String()
}

// parseRecoveryKey accepts what a person types from the printout: any case,
// spaces or dashes between groups, 0 for O and 1 for I.
func parseRecoveryKey(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\n', '\r':
			return -1
		case '0':
			return 'O'
		case '1':
			return 'I'
		}
		return r
	}, strings.ToUpper(s))
	raw, err := recoveryEncoding.DecodeString(s)
	if err != nil || len(raw) != recoveryKeyBytes {
		return nil, fmt.Errorf("not a recovery key (expected 8 groups of 4 letters and digits): %w", ErrWrongRecoveryKey)
	}
	return raw, nil
}

func recoveryKEK(raw []byte) []byte { return subkey(raw, infoRecovery) }

// vaultRow is the vault as stored.
type vaultRow struct {
	salt              []byte
	kdf               KDFParams
	passWrapped       []byte
	recoveryWrapped   []byte
	failedAttempts    int
	nextAttemptAt     int64
	passWrappedBefore []byte // for compare-and-swap updates
}

func (db *DB) loadVault() (*vaultRow, error) {
	var v vaultRow
	var t, m, p int64
	err := db.sql.QueryRow(`SELECT kdf_salt, kdf_time, kdf_memory_kib, kdf_threads,
		passphrase_wrapped, recovery_wrapped, failed_attempts, next_attempt_at
		FROM vault WHERE id = 1`).Scan(&v.salt, &t, &m, &p, &v.passWrapped,
		&v.recoveryWrapped, &v.failedAttempts, &v.nextAttemptAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoVault
	}
	if err != nil {
		return nil, fmt.Errorf("storage: read vault: %w", dbErr(err))
	}
	if t < 0 || t > 1<<32-1 || m < 0 || m > 1<<32-1 || p < 0 || p > 255 {
		return nil, fmt.Errorf("storage: read vault: parameters out of range: %w", ErrTampered)
	}
	v.kdf = KDFParams{Time: uint32(t), MemoryKiB: uint32(m), Threads: uint8(p)}
	if err := v.kdf.validate(); err != nil {
		return nil, fmt.Errorf("storage: read vault: %w", errors.Join(err, ErrTampered))
	}
	v.passWrappedBefore = bytes.Clone(v.passWrapped)
	return &v, nil
}

// backoff is the wait imposed after the n-th consecutive failure.
func backoff(failures int) time.Duration {
	if failures < MaxAttempts {
		return 0
	}
	d := BackoffBase
	for i := MaxAttempts; i < failures && d < BackoffMax; i++ {
		d *= 2
	}
	return min(d, BackoffMax)
}

// wait is how long until the next attempt is allowed. It never exceeds the
// back-off for the number of failures, so moving the clock backwards cannot
// lock the therapist out for longer.
func (v *vaultRow) wait(now time.Time) time.Duration {
	w := time.Duration(v.nextAttemptAt - nanos(now))
	return max(0, min(w, backoff(v.failedAttempts)))
}

// HasVault reports whether CreateVault has been run on this data folder.
func (db *DB) HasVault() (bool, error) {
	var n int
	if err := db.sql.QueryRow("SELECT count(*) FROM vault").Scan(&n); err != nil {
		return false, fmt.Errorf("storage: read vault: %w", dbErr(err))
	}
	return n > 0, nil
}

// CreateVault sets up the vault on first run: a random 256-bit master key,
// wrapped by a key derived from passphrase with Argon2id and wrapped again by
// a random recovery key. It returns the recovery key, in 8 groups of 4
// characters, for the therapist to print: it is shown this once and never
// stored. The vault is left unlocked. It fails with ErrPassphraseTooShort or
// ErrVaultExists.
func (db *DB) CreateVault(passphrase string) (recoveryKey string, err error) {
	if utf8.RuneCountInString(passphrase) < MinPassphraseLen {
		return "", ErrPassphraseTooShort
	}
	if ok, err := db.HasVault(); err != nil {
		return "", err
	} else if ok {
		return "", ErrVaultExists
	}
	master := newKey()
	salt := make([]byte, 16)
	rand.Read(salt)
	kek := db.kdf.derive(passphrase, salt)
	defer zero(kek)
	raw, printed := newRecoveryKey()
	defer zero(raw)
	rkek := recoveryKEK(raw)
	defer zero(rkek)

	err = db.writeKeyed(master, func(tx *sql.Tx, now time.Time) error {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM vault").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrVaultExists
		}
		if _, err := tx.Exec(`INSERT INTO vault (id, kdf_salt, kdf_time, kdf_memory_kib, kdf_threads,
			passphrase_wrapped, recovery_wrapped, created_at, changed_at)
			VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
			salt, db.kdf.Time, db.kdf.MemoryKiB, db.kdf.Threads,
			seal(kek, master, adPassphrase), seal(rkek, master, adRecovery),
			nanos(now), nanos(now)); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditVaultCreated, "", fmt.Sprintf("argon2id t=%d m=%dKiB p=%d",
			db.kdf.Time, db.kdf.MemoryKiB, db.kdf.Threads))
	})
	if err != nil {
		zero(master)
		if errors.Is(err, ErrVaultExists) {
			return "", ErrVaultExists
		}
		return "", fmt.Errorf("storage: create vault: %w", err)
	}
	db.setMaster(master)
	return printed, nil
}

// Unlock derives the key from passphrase with the vault's stored Argon2id
// parameters and unwraps the master key. A wrong passphrase returns
// ErrWrongPassphrase, decrypts nothing and is counted; after MaxAttempts
// consecutive failures, attempts made too early return a *RetryError without
// deriving anything. ErrNoVault if CreateVault was never run.
//
// Once unlocked, Unlock recovers the recordings a crash left unfinished (see
// "Recovery" in the package documentation); what it did is reported by
// LastRecovery and in the audit log. A failure to recover one recording does
// not make Unlock fail: that recording is left as it was, to be retried at
// the next unlock.
func (db *DB) Unlock(passphrase string) error {
	v, err := db.loadVault()
	if err != nil {
		return err
	}
	if w := v.wait(db.now()); w > 0 {
		return &RetryError{Wait: w}
	}
	kek := v.kdf.derive(passphrase, v.salt)
	master, err := unseal(kek, v.passWrapped, adPassphrase)
	zero(kek)
	if err != nil {
		return db.failedAttempt(ErrWrongPassphrase)
	}
	if err := db.writeKeyed(master, func(tx *sql.Tx, now time.Time) error {
		if _, err := tx.Exec("UPDATE vault SET failed_attempts = 0, next_attempt_at = 0 WHERE id = 1"); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditUnlocked, "", "passphrase")
	}); err != nil {
		zero(master)
		return fmt.Errorf("storage: unlock: %w", err)
	}
	db.setMaster(master)
	db.afterUnlock()
	return nil
}

// CheckPassphrase tells whether passphrase is the practice passphrase
// while the vault is already unlocked: the therapist taking the laptop
// back from the client screen. A wrong one is audited (AuditCheckFailed)
// but does not count towards Unlock's back-off, so that someone at the
// client screen cannot lock the therapist out of their own practice; the
// caller limits attempts (the app pauses the client screen's dialog). It
// costs one key derivation. Errors: ErrLocked, ErrWrongPassphrase.
func (db *DB) CheckPassphrase(passphrase string) error {
	if !db.Unlocked() {
		return fmt.Errorf("storage: check passphrase: %w", ErrLocked)
	}
	v, err := db.loadVault()
	if err != nil {
		return err
	}
	kek := v.kdf.derive(passphrase, v.salt)
	master, err := unseal(kek, v.passWrapped, adPassphrase)
	zero(kek)
	if err == nil {
		db.mu.Lock()
		same := db.master != nil && subtle.ConstantTimeCompare(master, db.master) == 1
		db.mu.Unlock()
		zero(master)
		if same {
			return nil
		}
	}
	if aerr := db.write(func(tx *sql.Tx, now time.Time) error {
		return appendAudit(tx, now, AuditCheckFailed, "", "wrong passphrase at the client screen")
	}); aerr != nil {
		return fmt.Errorf("storage: check passphrase: %w", errors.Join(ErrWrongPassphrase, aerr))
	}
	return ErrWrongPassphrase
}

// failedAttempt counts a failure, starting or lengthening the back-off, and
// returns cause.
func (db *DB) failedAttempt(cause error) error {
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		var failures int
		if err := tx.QueryRow("SELECT failed_attempts FROM vault WHERE id = 1").Scan(&failures); err != nil {
			return err
		}
		failures++
		next := int64(0)
		if b := backoff(failures); b > 0 {
			next = nanos(now.Add(b))
		}
		if _, err := tx.Exec("UPDATE vault SET failed_attempts = ?, next_attempt_at = ? WHERE id = 1", failures, next); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditUnlockFailed, "", fmt.Sprintf("%s; failure %d in a row", cause, failures))
	})
	if err != nil {
		return fmt.Errorf("storage: record failed attempt: %w", errors.Join(cause, err))
	}
	return cause
}

// UnlockWithRecoveryKey is the way back in when the passphrase is forgotten:
// it unwraps the master key with the printed recovery key, sets
// newPassphrase as the passphrase and leaves the vault unlocked (recovering
// interrupted recordings as Unlock does). The recovery key stays valid; call
// NewRecoveryKey to replace it. Errors: ErrPassphraseTooShort,
// ErrWrongRecoveryKey (counted like a wrong passphrase unless the key is
// malformed), *RetryError, ErrNoVault.
func (db *DB) UnlockWithRecoveryKey(recoveryKey, newPassphrase string) error {
	if utf8.RuneCountInString(newPassphrase) < MinPassphraseLen {
		return ErrPassphraseTooShort
	}
	raw, err := parseRecoveryKey(recoveryKey)
	if err != nil {
		return err
	}
	defer zero(raw)
	v, err := db.loadVault()
	if err != nil {
		return err
	}
	if w := v.wait(db.now()); w > 0 {
		return &RetryError{Wait: w}
	}
	rkek := recoveryKEK(raw)
	master, err := unseal(rkek, v.recoveryWrapped, adRecovery)
	zero(rkek)
	if err != nil {
		return db.failedAttempt(ErrWrongRecoveryKey)
	}
	if err := db.rewrapPassphrase(v, master, newPassphrase, AuditRecoveryKeyUsed); err != nil {
		zero(master)
		return fmt.Errorf("storage: unlock with recovery key: %w", err)
	}
	db.setMaster(master)
	db.afterUnlock()
	return nil
}

// ChangePassphrase replaces the passphrase. Only the wrapping of the master
// key changes (with a fresh salt and the current KDF costing): no recording
// or note is re-encrypted. A wrong old passphrase is counted like a failed
// Unlock. The vault's locked or unlocked state is unchanged.
func (db *DB) ChangePassphrase(old, new string) error {
	if utf8.RuneCountInString(new) < MinPassphraseLen {
		return ErrPassphraseTooShort
	}
	v, err := db.loadVault()
	if err != nil {
		return err
	}
	if w := v.wait(db.now()); w > 0 {
		return &RetryError{Wait: w}
	}
	kek := v.kdf.derive(old, v.salt)
	master, err := unseal(kek, v.passWrapped, adPassphrase)
	zero(kek)
	if err != nil {
		return db.failedAttempt(ErrWrongPassphrase)
	}
	defer zero(master)
	if err := db.rewrapPassphrase(v, master, new, AuditPassphraseChanged); err != nil {
		return fmt.Errorf("storage: change passphrase: %w", err)
	}
	return nil
}

// rewrapPassphrase stores master wrapped under a new passphrase, provided the
// vault still holds the wrapping v was read with (a concurrent change wins).
func (db *DB) rewrapPassphrase(v *vaultRow, master []byte, passphrase, auditKind string) error {
	salt := make([]byte, 16)
	rand.Read(salt)
	kek := db.kdf.derive(passphrase, salt)
	defer zero(kek)
	return db.writeKeyed(master, func(tx *sql.Tx, now time.Time) error {
		res, err := tx.Exec(`UPDATE vault SET kdf_salt = ?, kdf_time = ?, kdf_memory_kib = ?, kdf_threads = ?,
			passphrase_wrapped = ?, changed_at = ?, failed_attempts = 0, next_attempt_at = 0
			WHERE id = 1 AND passphrase_wrapped = ?`,
			salt, db.kdf.Time, db.kdf.MemoryKiB, db.kdf.Threads, seal(kek, master, adPassphrase),
			nanos(now), v.passWrappedBefore)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("the passphrase was changed meanwhile")
		}
		return appendAudit(tx, now, auditKind, "", fmt.Sprintf("argon2id t=%d m=%dKiB p=%d",
			db.kdf.Time, db.kdf.MemoryKiB, db.kdf.Threads))
	})
}

// NewRecoveryKey replaces the recovery key (after it was used, or if the
// printout was lost) and returns the new one, to be shown once. The old one
// stops working. Needs the vault unlocked.
func (db *DB) NewRecoveryKey() (string, error) {
	raw, printed := newRecoveryKey()
	defer zero(raw)
	rkek := recoveryKEK(raw)
	defer zero(rkek)
	db.mu.Lock()
	if db.master == nil {
		db.mu.Unlock()
		return "", ErrLocked
	}
	wrapped := seal(rkek, db.master, adRecovery)
	db.mu.Unlock()
	err := db.write(func(tx *sql.Tx, now time.Time) error {
		if _, err := tx.Exec("UPDATE vault SET recovery_wrapped = ?, changed_at = ? WHERE id = 1", wrapped, nanos(now)); err != nil {
			return err
		}
		return appendAudit(tx, now, AuditRecoveryKeyReplaced, "", "")
	})
	if err != nil {
		return "", fmt.Errorf("storage: new recovery key: %w", err)
	}
	return printed, nil
}

// Lock zeroes the master key in memory and closes every open playback
// reader. Recordings being written keep going: each RecordingWriter holds
// its own key until Close, so that locking the screen never cuts a session
// short. Notes can no longer be saved or read until Unlock.
func (db *DB) Lock() {
	db.mu.Lock()
	zero(db.master)
	db.master = nil
	readers := make([]*recordingReader, 0, len(db.readers))
	for r := range db.readers {
		readers = append(readers, r)
	}
	db.mu.Unlock()
	for _, r := range readers {
		r.lock()
	}
}

// Unlocked reports whether the master key is in memory.
func (db *DB) Unlocked() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.master != nil
}

func (db *DB) setMaster(k []byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	zero(db.master)
	db.master = k
}

// wrap seals a data key (or anything small) under the master key.
func (db *DB) wrap(key []byte, ad string) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.master == nil {
		return nil, ErrLocked
	}
	return seal(db.master, key, ad), nil
}

// unwrap opens a blob sealed by wrap.
func (db *DB) unwrap(wrapped []byte, ad string) ([]byte, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.master == nil {
		return nil, ErrLocked
	}
	return unseal(db.master, wrapped, ad)
}

// afterUnlock does what waits for the key: it seals the names an older
// Assent stored as given, seals recordings' terms with their keys (an
// older Assent's keys, and shorter dates chosen while locked), recovers
// the recordings a crash left unfinished, and finishes the owed journal
// (cutting recordings short needs the key; a recording recovered just now
// can be cut). A failure to seal is logged in the audit log and tried
// again at the next unlock; it does not make the unlock fail, and neither
// does an owed step that still cannot be finished (it stays owed and
// refused). Terms not sealed are sealed when the recording is next opened,
// and reported by VerifyTerms.
func (db *DB) afterUnlock() {
	if err := db.sealLegacyNames(); err != nil {
		db.AuditAbout(AuditNamesSealFailed, "", err.Error())
	}
	if err := db.sealTerms(); err != nil {
		var k *killedError
		if errors.As(err, &k) {
			return // a test's kill: nothing more runs
		}
	}
	db.recoverInterrupted()
	db.finishAllOwed()
}
