package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The audit log's anchor (see "Audit" in the package documentation): the
// ID and hash of the chain's head and the latest time seen, under an HMAC
// keyed from the master key. Every write transaction made with the key
// renews it at its end, in the same transaction; so rows after the anchor
// were appended without the key: by a purge, a client's Stop at a locked
// screen, a failed unlock, or by someone editing the file, which the hash
// alone cannot tell apart. Such rows must be of a kind a keyless writer
// writes (LockedAuditKind); a renewal first checks the rows since the
// anchor, and writes what it finds wrong into the log itself
// (AuditAnchorProblem) before anchoring, so that the evidence is anchored
// too.

// anchorSeenStep: a write that appends no audit row renews the anchor only
// to carry a latest time seen this much later.
const anchorSeenStep = time.Minute

// anchorKey derives the anchor's MAC key from master, or from the DB's
// master key when master is nil; nil while locked.
func (db *DB) anchorKey(master []byte) []byte {
	if master != nil {
		return subkey(master, infoAnchor)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.master == nil {
		return nil
	}
	return subkey(db.master, infoAnchor)
}

type anchor struct {
	row  int64
	hash []byte
	seen int64
	mac  []byte
}

func readAnchor(q querier) (a anchor, found bool, err error) {
	err = q.QueryRow("SELECT row_id, row_hash, seen_at, mac FROM audit_anchor WHERE id = 1").Scan(&a.row, &a.hash, &a.seen, &a.mac)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	return a, err == nil, dbErr(err)
}

func anchorMAC(key []byte, row int64, hash []byte, seen int64) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("assent/v1 audit anchor\n"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(row))
	m.Write(b[:])
	m.Write(hash)
	binary.BigEndian.PutUint64(b[:], uint64(seen))
	m.Write(b[:])
	return m.Sum(nil)
}

func (a anchor) valid(key []byte) bool {
	return hmac.Equal(a.mac, anchorMAC(key, a.row, a.hash, a.seen))
}

// writeSeal is what write does around a transaction's own work: it raises
// the latest time seen, and with the key renews the anchor.
type writeSeal struct {
	key    []byte // the anchor's MAC key; nil while locked
	before int64  // the last audit row before the transaction's work
}

// beginSeal starts a write's seal in tx; master, when not nil, is the key
// of a step that holds it before the DB does (Unlock, CreateVault).
func (db *DB) beginSeal(tx *sql.Tx, master []byte) (*writeSeal, error) {
	s := &writeSeal{key: db.anchorKey(master)}
	if s.key == nil {
		return s, nil
	}
	if err := tx.QueryRow("SELECT coalesce(max(id), 0) FROM audit").Scan(&s.before); err != nil {
		s.done()
		return nil, err
	}
	return s, nil
}

// finish raises the latest time seen to now and renews the anchor.
func (s *writeSeal) finish(tx *sql.Tx, now time.Time) error {
	if err := noteClock(tx, now); err != nil {
		return err
	}
	if s.key == nil {
		return nil
	}
	return renewAnchor(tx, now, s.key, s.before)
}

func (s *writeSeal) done() {
	if s != nil {
		zero(s.key)
	}
}

// renewAnchor anchors the head of the chain, in tx. Rows up to before were
// there when the transaction began: those since the last anchor are checked
// first, and what is wrong is appended as an AuditAnchorProblem row; rows
// after before are the transaction's own, written with the key.
func renewAnchor(tx *sql.Tx, now time.Time, key []byte, before int64) error {
	a, found, err := readAnchor(tx)
	if err != nil {
		return err
	}
	var head int64
	var headHash []byte
	err = tx.QueryRow("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").Scan(&head, &headHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing to anchor yet
	}
	if err != nil {
		return err
	}
	latest, err := latestSeen(tx)
	if err != nil {
		return err
	}
	valid := found && a.valid(key)
	if valid && a.row == head && bytes.Equal(a.hash, headHash) && latest.Sub(fromNanos(a.seen)) < anchorSeenStep {
		return nil
	}
	problems, err := anchorProblems(tx, a, found, valid, before)
	if err != nil {
		return err
	}
	app, err := newAuditAppender(tx)
	if err != nil {
		return err
	}
	defer app.close()
	appended := false
	if len(problems) > 0 {
		var texts []string
		for _, p := range problems {
			texts = append(texts, p.String())
		}
		if err := app.append(now, AuditAnchorProblem, "", strings.Join(texts, "; ")); err != nil {
			return err
		}
		appended = true
	}
	if !found {
		began, err := firstOfKind(tx, AuditAnchored)
		if err != nil {
			return err
		}
		if began == 0 {
			if err := app.append(now, AuditAnchored, "", "from here on the audit log is anchored under the vault's key, and consent steps say whether their data was sealed"); err != nil {
				return err
			}
			appended = true
		}
	}
	if appended {
		head, headHash = app.id, app.prev
	}
	seen := nanos(laterOf(latest, now))
	_, err = tx.Exec(`INSERT INTO audit_anchor (id, row_id, row_hash, seen_at, mac) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET row_id = excluded.row_id, row_hash = excluded.row_hash,
		seen_at = excluded.seen_at, mac = excluded.mac`,
		head, headHash, seen, anchorMAC(key, head, headHash, seen))
	return err
}

// firstOfKind is the ID of the first audit row of a kind written with no
// subject, 0 if none.
func firstOfKind(q querier, kind string) (int64, error) {
	var id int64
	err := q.QueryRow("SELECT coalesce(min(id), 0) FROM audit WHERE subject = '' AND kind = ?", kind).Scan(&id)
	return id, dbErr(err)
}

// LockedAuditKind reports whether an audit row of kind may be written
// while the vault is locked: consent steps (a client's Stop at a locked
// screen), a recording stopped or deleted (a purge, a withdrawal), a
// deletion date shortened, a failed unlock, a file without a record
// removed by Open, and failures of recovery or of sealing names. A row of
// any other kind after the anchor was not written by Assent, and
// VerifyAuditAnchor reports it; so Audit and AuditAbout while locked are
// for these kinds only.
func LockedAuditKind(kind string) bool {
	if strings.HasPrefix(kind, AuditConsentPrefix) {
		return true
	}
	switch kind {
	case AuditRecordingStopped, AuditRecordingDeleted, AuditDeletionShortened, AuditUnlockFailed,
		AuditOrphanRemoved, AuditRecoveryFailed, AuditNamesSealFailed:
		return true
	}
	return false
}

// anchorProblems checks the anchor and the rows after it, up to upTo (the
// end of the log as the caller found it). valid says whether its MAC is
// right.
func anchorProblems(q querier, a anchor, found, valid bool, upTo int64) ([]Finding, error) {
	if !found {
		began, err := firstOfKind(q, AuditAnchored)
		if err != nil || began == 0 {
			return nil, err
		}
		return []Finding{{Subject: "audit log", Problem: fmt.Sprintf(
			"its anchor was removed (it has been anchored since entry %d), so entries removed from its end or added since cannot be told", began)}}, nil
	}
	if !valid {
		return []Finding{{Subject: "audit log", Problem: "its anchor does not match the vault's key: it was altered, or put back from another copy"}}, nil
	}
	var hash []byte
	err := q.QueryRow("SELECT hash FROM audit WHERE id = ?", a.row).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		if upTo < a.row {
			return []Finding{{Subject: "audit log", Problem: fmt.Sprintf(
				"it ends at entry %d, but entry %d was written with the vault's key: entries were removed from its end", upTo, a.row)}}, nil
		}
		return []Finding{{Subject: fmt.Sprintf("audit entry %d", a.row), Problem: "it was the last one written with the vault's key, and it is missing"}}, nil
	}
	if err != nil {
		return nil, dbErr(err)
	}
	if !bytes.Equal(hash, a.hash) {
		return []Finding{{Subject: fmt.Sprintf("audit entry %d", a.row), Problem: "it is not the entry written with the vault's key: the log was rewritten up to it"}}, nil
	}
	rows, err := q.Query("SELECT id, kind, prev_hash, hash FROM audit WHERE id > ? AND id <= ? ORDER BY id", a.row, upTo)
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	var out []Finding
	want, prev := a.row+1, a.hash
	for rows.Next() {
		var id int64
		var kind string
		var prevHash, h []byte
		if err := rows.Scan(&id, &kind, &prevHash, &h); err != nil {
			return nil, dbErr(err)
		}
		subject := fmt.Sprintf("audit entry %d", id)
		switch {
		case id != want:
			out = append(out, Finding{Subject: subject, Problem: fmt.Sprintf("entries %d to %d before it are missing", want, id-1)})
		case !bytes.Equal(prevHash, prev):
			out = append(out, Finding{Subject: subject, Problem: "it does not follow the entry before it"})
		}
		if !LockedAuditKind(kind) {
			out = append(out, Finding{Subject: subject, Problem: fmt.Sprintf(
				"it (%s) was added after entry %d, the last one written with the vault's key, but only Assent with the key writes that kind: it was not written by Assent", kind, a.row)})
		}
		want, prev = id+1, h
	}
	return out, dbErr(rows.Err())
}

// VerifyAuditAnchor checks the audit log against its anchor, which needs
// the vault unlocked (ErrLocked): that the entry last written with the key
// is still there, unchanged, and the log not shorter; that the entries
// after it are of a kind written without the key (LockedAuditKind); and it
// repeats what any unlock or write found wrong with the log since the
// previous one (AuditAnchorProblem entries). It returns one Finding for
// each. VerifyAudit checks the chain itself.
//
// What it cannot tell: an entry of a kind written without the key, added
// with a correct hash after the anchor (a forged purge or consent step,
// until the next write with the key anchors it), and the whole database
// put back as it was at an earlier anchor (a restored backup looks the
// same). AuditHead, kept elsewhere (a printed receipt), shows both.
func (db *DB) VerifyAuditAnchor() ([]Finding, error) {
	key := db.anchorKey(nil)
	if key == nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", ErrLocked)
	}
	defer zero(key)
	var out []Finding
	rows, err := db.sql.Query("SELECT id, at, detail FROM audit WHERE subject = '' AND kind = ? ORDER BY id", AuditAnchorProblem)
	if err != nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", dbErr(err))
	}
	for rows.Next() {
		var id, at int64
		var detail string
		if err := rows.Scan(&id, &at, &detail); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: verify audit anchor: %w", dbErr(err))
		}
		out = append(out, Finding{Subject: fmt.Sprintf("audit entry %d", id), Problem: fmt.Sprintf(
			"found on %s, with the vault unlocked: %s", fromNanos(at).UTC().Format("2006-01-02 15:04:05 UTC"), detail)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", dbErr(err))
	}
	a, found, err := readAnchor(db.sql)
	if err != nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", err)
	}
	var head int64
	if err := db.sql.QueryRow("SELECT coalesce(max(id), 0) FROM audit").Scan(&head); err != nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", dbErr(err))
	}
	now, err := anchorProblems(db.sql, a, found, found && a.valid(key), head)
	if err != nil {
		return nil, fmt.Errorf("storage: verify audit anchor: %w", err)
	}
	return append(out, now...), nil
}

// AuditHeadShort is the head of the audit log in a short form for a
// receipt or a status line: "#<row> <first 8 hex digits of its hash>",
// or "" for an empty log. Written down elsewhere, it shows later whether
// the log was cut back or rewritten since.
func (db *DB) AuditHeadShort() (string, error) {
	id, hash, err := db.AuditHead()
	if err != nil || id == 0 {
		return "", err
	}
	return ShortHead(id, hash), nil
}

// ShortHead writes an audit row's ID and hash as AuditHeadShort does.
func ShortHead(id int64, hash []byte) string {
	h := hex.EncodeToString(hash)
	return fmt.Sprintf("#%d %s", id, h[:min(8, len(h))])
}
