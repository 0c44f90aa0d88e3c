package storage

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Audit kinds written by this package. The app adds its own (an export, a
// receipt printed) through Audit and AuditAbout.
const (
	AuditVaultCreated        = "vault.created"
	AuditUnlocked            = "vault.unlocked"
	AuditUnlockFailed        = "vault.unlock_failed"
	AuditCheckFailed         = "vault.check_failed" // CheckPassphrase, while unlocked
	AuditPassphraseChanged   = "vault.passphrase_changed"
	AuditRecoveryKeyUsed     = "vault.recovery_key_used"
	AuditRecoveryKeyReplaced = "vault.recovery_key_replaced"
	AuditConsentPrefix       = "consent." // + ConsentEvent.Kind
	AuditRecordingStarted    = "recording.started"
	AuditRecordingStopped    = "recording.stopped"
	AuditRecordingPlayed     = "recording.played"
	AuditRecordingExported   = "recording.exported" // written by the app
	AuditRecordingDeleted    = "recording.deleted"
	AuditDeletionShortened   = "recording.deletion_shortened"
	AuditRecordingTrimmed    = "recording.trimmed" // DeleteAfter
	AuditRecordingRecovered  = "recording.recovered"
	AuditRecoveryFailed      = "recording.recovery_failed"
	AuditNotesCreated        = "notes.created"
	AuditNamesSealed         = "vault.names_sealed"
	AuditNamesSealFailed     = "vault.names_seal_failed"
	// AuditTermsSealed: a recording's terms were sealed with its key at
	// unlock (an older Assent's key, or a shorter date chosen while locked).
	AuditTermsSealed = "recording.terms_sealed"
	// AuditAnchored marks where the audit log began to be anchored under
	// the vault's key (and consent steps to say whether their data was
	// sealed); AuditAnchorProblem is what a renewal of the anchor found
	// wrong since the one before (VerifyAuditAnchor repeats it).
	AuditAnchored      = "audit.anchored"
	AuditAnchorProblem = "audit.anchor_problem"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	Kind    string
	Subject string // the session or recording ID it is about, or ""
	Detail  string // never a client label, a name, audio or notes
	Hash    []byte // SHA-256 over PrevHash and the row's content
}

// Audit appends a row to the audit log, in its own transaction. Use it for
// events this package does not see, such as an export. Detail must not hold
// names, labels or anything clinical: the audit log is not encrypted.
func (db *DB) Audit(kind, detail string) error {
	return db.AuditAbout(kind, "", detail)
}

// AuditAbout is Audit for an event about one session or recording.
func (db *DB) AuditAbout(kind, subject, detail string) error {
	if kind == "" {
		return fmt.Errorf("storage: audit: empty kind: %w", ErrInvalid)
	}
	if err := db.write(func(tx *sql.Tx, now time.Time) error {
		return appendAudit(tx, now, kind, subject, detail)
	}); err != nil {
		return fmt.Errorf("storage: audit %s: %w", kind, err)
	}
	return nil
}

// appendAudit adds a row chained to the last one, inside the caller's
// transaction, so the event and its audit row commit together.
func appendAudit(tx *sql.Tx, now time.Time, kind, subject, detail string) error {
	a, err := newAuditAppender(tx)
	if err != nil {
		return err
	}
	defer a.close()
	return a.append(now, kind, subject, detail)
}

// auditAppender appends many rows in one transaction, reading the head of
// the chain once.
type auditAppender struct {
	tx    *sql.Tx
	stmt  *sql.Stmt
	batch *sql.Stmt // auditBatch rows at once, prepared when first needed
	id    int64     // of the last row
	prev  []byte    // its hash
}

// auditBatch is how many rows appendAll inserts per statement (7 values
// each, far below SQLite's limit of 32,766 variables): one statement per
// row was a fifth of a 10,000-recording purge.
const auditBatch = 100

const auditInsert = "INSERT INTO audit (id, at, kind, subject, detail, prev_hash, hash) VALUES "

func newAuditAppender(tx *sql.Tx) (*auditAppender, error) {
	a := &auditAppender{tx: tx, prev: make([]byte, sha256.Size)}
	err := tx.QueryRow("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&a.id, &a.prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit: %w", err)
	}
	// Rows removed from the end still count: continue after the highest ID
	// ever given out, so VerifyAudit sees the gap.
	var seq sql.NullInt64
	if err := tx.QueryRow("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").Scan(&seq); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("audit: %w", err)
	}
	a.id = max(a.id, seq.Int64)
	if a.stmt, err = tx.Prepare(auditInsert + "(?, ?, ?, ?, ?, ?, ?)"); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return a, nil
}

func (a *auditAppender) append(now time.Time, kind, subject, detail string) error {
	id, at := a.id+1, nanos(now)
	h := auditHash(a.prev, id, at, kind, subject, detail)
	if _, err := a.stmt.Exec(id, at, kind, subject, detail, a.prev, h); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	a.id, a.prev = id, h
	return nil
}

// appendAll appends one row per subject, all of one kind, time and detail,
// auditBatch rows per statement.
func (a *auditAppender) appendAll(now time.Time, kind string, subjects []string, detail string) error {
	at := nanos(now)
	args := make([]any, 0, 7*auditBatch)
	for len(subjects) >= auditBatch {
		if a.batch == nil {
			var err error
			if a.batch, err = a.tx.Prepare(auditInsert + strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", auditBatch-1) + "(?, ?, ?, ?, ?, ?, ?)"); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
		}
		args = args[:0]
		id, prev := a.id, a.prev
		for _, subject := range subjects[:auditBatch] {
			id++
			h := auditHash(prev, id, at, kind, subject, detail)
			args = append(args, id, at, kind, subject, detail, prev, h)
			prev = h
		}
		if _, err := a.batch.Exec(args...); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		a.id, a.prev = id, prev
		subjects = subjects[auditBatch:]
	}
	for _, subject := range subjects {
		if err := a.append(now, kind, subject, detail); err != nil {
			return err
		}
	}
	return nil
}

func (a *auditAppender) close() {
	a.stmt.Close()
	if a.batch != nil {
		a.batch.Close()
	}
}

// auditHash is SHA-256 over a domain string, the previous row's hash and the
// row's canonical content: ID and time as 8-byte big-endian integers, and
// each string prefixed by its 4-byte big-endian length.
func auditHash(prev []byte, id, at int64, kind, subject, detail string) []byte {
	h := sha256.New()
	h.Write([]byte("assent/v1 audit\n"))
	h.Write(prev)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	h.Write(b[:])
	binary.BigEndian.PutUint64(b[:], uint64(at))
	h.Write(b[:])
	for _, s := range []string{kind, subject, detail} {
		binary.BigEndian.PutUint32(b[:4], uint32(len(s)))
		h.Write(b[:4])
		h.Write([]byte(s))
	}
	return h.Sum(nil)
}

// VerifyAudit walks the audit log from the first row and returns an
// *AuditError for the first row that does not fit the chain: a row whose
// content no longer matches its hash, a row that does not follow the one
// before it (rows removed or reordered), a missing ID, or rows removed from
// the end. It needs no passphrase.
//
// The chain is not keyed: it shows that rows were changed by anything other
// than Assent, unless whoever changed them also recomputed every later hash.
// VerifyAuditAnchor, with the vault unlocked, checks the chain against its
// keyed anchor for that case; AuditHead gives the latest hash to note
// elsewhere (a printed receipt).
func (db *DB) VerifyAudit() error {
	rows, err := db.sql.Query("SELECT id, at, kind, subject, detail, prev_hash, hash FROM audit ORDER BY id")
	if err != nil {
		return fmt.Errorf("storage: verify audit: %w", dbErr(err))
	}
	defer rows.Close()
	prev := make([]byte, sha256.Size)
	var want int64 = 1
	for rows.Next() {
		var (
			id, at                int64
			kind, subject, detail string
			prevHash, storedHash  []byte
		)
		if err := rows.Scan(&id, &at, &kind, &subject, &detail, &prevHash, &storedHash); err != nil {
			return &AuditError{Row: want, Problem: fmt.Sprintf("unreadable: %v", err)}
		}
		switch {
		case id != want:
			return &AuditError{Row: want, Problem: "row is missing"}
		case !bytes.Equal(prevHash, prev):
			if id == 1 {
				return &AuditError{Row: id, Problem: "first row does not start the chain"}
			}
			return &AuditError{Row: id, Problem: fmt.Sprintf("does not follow row %d: a row was altered, removed or reordered", id-1)}
		case !bytes.Equal(auditHash(prevHash, id, at, kind, subject, detail), storedHash):
			return &AuditError{Row: id, Problem: "content was altered"}
		}
		prev = storedHash
		want++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("storage: verify audit: %w", dbErr(err))
	}
	var seq sql.NullInt64
	if err := db.sql.QueryRow("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").Scan(&seq); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: verify audit: %w", dbErr(err))
	}
	if seq.Int64 >= want {
		return &AuditError{Row: want, Problem: fmt.Sprintf("rows %d to %d were removed", want, seq.Int64)}
	}
	return nil
}

// AuditHead returns the ID and hash of the last audit row (0 and nil for an
// empty log).
func (db *DB) AuditHead() (id int64, hash []byte, err error) {
	err = db.sql.QueryRow("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("storage: audit head: %w", dbErr(err))
	}
	return id, hash, nil
}

// AuditLog returns up to limit audit rows with an ID above after, oldest
// first; subject, when not empty, keeps only rows about that session or
// recording.
func (db *DB) AuditLog(after int64, limit int, subject string) ([]AuditEntry, error) {
	return db.auditRows(`SELECT id, at, kind, subject, detail, hash FROM audit
		WHERE id > ? AND (? = '' OR subject = ?) ORDER BY id LIMIT ?`, after, subject, subject, limit)
}

// AuditOfKind returns the audit rows of one kind with an ID above after and
// at most upTo, oldest first: for example the files without a record that
// any process's Open removed since the app last said so.
func (db *DB) AuditOfKind(kind string, after, upTo int64) ([]AuditEntry, error) {
	return db.auditRows(`SELECT id, at, kind, subject, detail, hash FROM audit
		WHERE id > ? AND id <= ? AND kind = ? ORDER BY id`, after, upTo, kind)
}

func (db *DB) auditRows(query string, args ...any) ([]AuditEntry, error) {
	rows, err := db.sql.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("storage: audit log: %w", dbErr(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Subject, &e.Detail, &e.Hash); err != nil {
			return nil, fmt.Errorf("storage: audit log: %w", dbErr(err))
		}
		e.At = fromNanos(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: audit log: %w", dbErr(err))
	}
	return out, nil
}
