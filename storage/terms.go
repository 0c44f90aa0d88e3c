package storage

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assent-recorder/assent/consent"
)

// Terms are what a recording may be kept and used for, as agreed when it
// began and sealed with its key (see "Encryption at rest" in the package
// documentation): the database's columns may only narrow them.
type Terms struct {
	// SessionID is the session it was recorded in, as sealed.
	SessionID string
	// DeleteOn is the deletion date in force: the one sealed with its key,
	// or the database's if that is earlier (a shorter choice).
	DeleteOn time.Time
	// Purposes are the purposes agreed, as sealed, less any the database
	// no longer names: it may narrow them, never add one (VerifyTerms
	// reports where it differs).
	Purposes []string
	// Policy is the session's consent policy as stored (the consent
	// package's JSON; nil for the default), checked against the digest
	// sealed with the key: a policy changed after the recording began is
	// refused (ErrTampered).
	Policy []byte
}

// sealedTerms is what recordings.terms holds, as JSON, and what a version-2
// wrap of the recording key binds as associated data (the stored text
// itself, so that any edit of it makes the key unopenable).
type sealedTerms struct {
	Session  string   `json:"session"`
	Until    int64    `json:"until"`    // the latest deletion date, Unix nanoseconds
	Purposes []string `json:"purposes"` // as given, each once
	Policy   string   `json:"policy"`   // hex SHA-256 of the session's policy as stored; "" for none
}

func (t sealedTerms) encode() sql.NullString {
	if t.Purposes == nil {
		t.Purposes = []string{}
	}
	b, err := json.Marshal(t)
	if err != nil {
		panic(err) // strings and an integer always marshal
	}
	return sql.NullString{String: string(b), Valid: true}
}

// parseTerms reads terms that opened their key: strictly, since nothing
// else should ever have been sealed there.
func parseTerms(s string) (*sealedTerms, error) {
	var t sealedTerms
	if err := consent.DecodeStrict([]byte(s), &t); err != nil || t.Session == "" || t.Until <= 0 {
		return nil, fmt.Errorf("sealed terms %q do not parse: %w", s, ErrTampered)
	}
	return &t, nil
}

// purposesInForce is the sealed purposes that the database's column
// still names, in the sealed order: the column may narrow them, never add
// one.
func purposesInForce(sealed, column []string) []string {
	out := []string{}
	for _, p := range sealed {
		if slices.Contains(column, p) {
			out = append(out, p)
		}
	}
	return out
}

// distinct keeps the first of each purpose, in order.
func distinct(purposes []string) []string {
	out := make([]string, 0, len(purposes))
	for _, p := range purposes {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// policyDigest is what terms bind of a session's policy column.
func policyDigest(policy sql.NullString) string {
	if !policy.Valid {
		return ""
	}
	h := sha256.Sum256([]byte(policy.String))
	return hex.EncodeToString(h[:])
}

// sealedUntilSQL is the deletion date in recordings.terms as SQL, NULL when
// there are no terms or they are not JSON. It is the expression of the
// index recordings_sealed_due (migrations/0004), which only an identical
// expression uses. Purge and listings read it without the key: an edited
// copy leaves the key unopenable, so it can make a recording go sooner,
// or (moved later with the column) never play again, which VerifyTerms
// names; it cannot make one play longer.
const sealedUntilSQL = "(CASE WHEN json_valid(terms) THEN json_extract(terms, '$.until') END)"

// inForceSQL is the deletion date in force: the earlier of the column and
// the sealed one.
const inForceSQL = "min(delete_on, coalesce(" + sealedUntilSQL + ", delete_on))"

// recordingKeyAD is the associated data of a recording key's wrap: version
// 1 binds the ID only; version 2 (terms present) binds the terms as stored.
func recordingKeyAD(id string, terms sql.NullString) string {
	if !terms.Valid {
		return adRecordingKey + id
	}
	return adRecordingKeyV2 + id + "\n" + terms.String
}

// unwrapRecordingKey opens a recording key's wrap, and returns the terms
// it holds (nil for a version-1 wrap), which are authentic once it opens.
func (db *DB) unwrapRecordingKey(id string, k keyRow) ([]byte, *sealedTerms, error) {
	key, err := db.unwrap(k.wrapped, recordingKeyAD(id, k.terms))
	if err != nil {
		return nil, nil, err
	}
	if !k.terms.Valid {
		return key, nil, nil
	}
	t, err := parseTerms(k.terms.String)
	if err != nil {
		zero(key)
		return nil, nil, err
	}
	return key, t, nil
}

// keyRow is a recording's wrapped key as stored, with the terms its wrap
// binds.
type keyRow struct {
	wrapped []byte
	terms   sql.NullString
}

// RecordingTerms returns the terms in force of a live recording, read from
// the copy sealed with its key; the vault must be unlocked. A key an older
// Assent wrapped is sealed with its terms first (as at unlock). Errors:
// ErrLocked, ErrNotFound, ErrDeleted, ErrTampered (the key or its terms,
// or the session's policy, were altered).
func (db *DB) RecordingTerms(id string) (Terms, error) {
	if err := db.sealTermsOf(id); err != nil {
		return Terms{}, fmt.Errorf("storage: terms of recording %s: %w", id, err)
	}
	key, rec, t, err := db.recordingKey(id)
	if err != nil {
		return Terms{}, fmt.Errorf("storage: terms: %w", err)
	}
	zero(key)
	if t == nil {
		return Terms{}, fmt.Errorf("storage: terms of recording %s: not sealed with its key: %w", id, ErrTampered)
	}
	var policy sql.NullString
	err = db.sql.QueryRow("SELECT policy FROM sessions WHERE id = ?", t.Session).Scan(&policy)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Terms{}, fmt.Errorf("storage: terms of recording %s: %w", id, dbErr(err))
	}
	if errors.Is(err, sql.ErrNoRows) || policyDigest(policy) != t.Policy {
		return Terms{}, fmt.Errorf("storage: terms of recording %s: the consent policy of session %s is not the one it was recorded under: %w", id, t.Session, ErrTampered)
	}
	// rec was read with the terms the key opened with: its date and
	// purposes are those in force, now authentic.
	out := Terms{SessionID: t.Session, DeleteOn: rec.DeleteOn, Purposes: rec.Purposes}
	if policy.Valid {
		out.Policy = []byte(policy.String)
	}
	return out, nil
}

// termsBatch is how many keys one transaction re-wraps when unlocking
// seals terms (tests make it 1, to be killed between two).
var termsBatch = 100

// stepTermsBatch: a kill between two batches of re-wrapped keys (CrashAt).
const stepTermsBatch = "after a batch of keys is re-wrapped with their terms, before the next"

// toSeal is a live recording whose key must be (re-)wrapped with its terms.
type toSeal struct {
	id, session string
	deleteOn    int64
	purposes    string
	key         keyRow
	policy      sql.NullString // its session's, by the column
}

// sealTerms seals, while unlocked, the terms of every live recording whose
// key does not hold them yet (a version-1 wrap) or holds a later date than
// the database's (a shorter choice made while locked), each with an audit
// row (AuditTermsSealed), in batches. A key that does not open is left as
// it is, for VerifyTerms to report. Unlock runs it; a kill between two
// batches leaves every key valid in one version or the other.
func (db *DB) sealTerms() error {
	if !db.Unlocked() {
		return nil
	}
	rows, err := keysToSeal(db.sql, "")
	if err != nil || len(rows) == 0 {
		return err
	}
	audited, err := auditedRecordingTerms(db.sql)
	if err != nil {
		return err
	}
	for start := 0; start < len(rows); start += termsBatch {
		batch := rows[start:min(start+termsBatch, len(rows))]
		if err := db.write(func(tx *sql.Tx, now time.Time) error {
			_, err := db.sealTermsTx(tx, now, batch, audited, true)
			return err
		}); err != nil {
			return fmt.Errorf("storage: seal terms with their keys: %w", err)
		}
		if err := db.crash(stepTermsBatch); err != nil {
			return err
		}
	}
	db.checkpoint() // no copy of a former wrap in the WAL
	return nil
}

// sealTermsOf is sealTerms for one recording (nothing while locked).
func (db *DB) sealTermsOf(id string) error {
	if !db.Unlocked() {
		return nil
	}
	rows, err := keysToSeal(db.sql, "r.id = ?", id)
	if err != nil || len(rows) == 0 {
		return err
	}
	return db.write(func(tx *sql.Tx, now time.Time) error {
		_, err := db.sealTermsTx(tx, now, rows, nil, true)
		return err
	})
}

type querier interface {
	Query(string, ...any) (*sql.Rows, error)
	QueryRow(string, ...any) *sql.Row
}

// keysToSeal lists the live recordings (and filter, an SQL condition on
// r) whose wraps do not hold their terms or hold a later date.
func keysToSeal(q querier, filter string, args ...any) ([]toSeal, error) {
	where := `r.key_wrapped IS NOT NULL
		AND (r.terms IS NULL OR (json_valid(r.terms) AND r.delete_on < json_extract(r.terms, '$.until')))`
	if filter != "" {
		where += " AND " + filter
	}
	return liveKeys(q, where, args...)
}

// liveKeys lists the live recordings that meet where (an SQL condition on
// r), as they started.
func liveKeys(q querier, where string, args ...any) ([]toSeal, error) {
	rows, err := q.Query(`SELECT r.id, r.session_id, r.delete_on, r.purposes, r.key_wrapped, r.terms, s.policy
		FROM recordings r JOIN sessions s ON s.id = r.session_id
		WHERE r.state <> 'deleted' AND `+where+` ORDER BY r.started_at, r.id`, args...)
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	var out []toSeal
	for rows.Next() {
		var r toSeal
		if err := rows.Scan(&r.id, &r.session, &r.deleteOn, &r.purposes, &r.key.wrapped, &r.key.terms, &r.policy); err != nil {
			return nil, dbErr(err)
		}
		out = append(out, r)
	}
	return out, dbErr(rows.Err())
}

// sealTermsTx re-wraps each key of rows with its terms, in tx: a version-1
// key gets terms from its row, its date no later than the audit log's
// recording.started row says (audited; nil reads the log in tx if needed);
// a version-2 key gets the database's earlier date. Each update requires
// the wrap it replaces, so a key changed meanwhile (a re-key, another
// process) is left alone. A key that does not open is skipped. It returns
// how many it re-wrapped, writing an audit row for each when audit is set.
func (db *DB) sealTermsTx(tx *sql.Tx, now time.Time, rows []toSeal, audited map[string]auditedTerms, audit bool) (int, error) {
	var app *auditAppender
	if audit {
		var err error
		if app, err = newAuditAppender(tx); err != nil {
			return 0, err
		}
		defer app.close()
	}
	n := 0
	for _, r := range rows {
		key, old, err := db.unwrapRecordingKey(r.id, r.key)
		if errors.Is(err, ErrLocked) {
			return n, err
		}
		if err != nil {
			continue // altered: VerifyTerms says so, and it cannot be played
		}
		var t sealedTerms
		var detail string
		if old == nil {
			if audited == nil {
				if audited, err = auditedRecordingTerms(tx); err != nil {
					zero(key)
					return n, err
				}
			}
			var purposes []string
			if err := json.Unmarshal([]byte(r.purposes), &purposes); err != nil {
				zero(key)
				continue
			}
			t = sealedTerms{Session: r.session, Until: r.deleteOn, Purposes: distinct(purposes), Policy: policyDigest(r.policy)}
			if a, ok := audited[r.id]; ok {
				if a.session != r.session {
					zero(key)
					continue // moved to another session by hand: VerifyTerms says so
				}
				if until := a.until(); secondBefore(until, fromNanos(t.Until)) {
					t.Until = nanos(until)
				}
			}
			detail = fmt.Sprintf("terms sealed with its key (wrap version 2): session %s; delete on %s; purposes %s",
				t.Session, fromNanos(t.Until).UTC().Format(time.RFC3339Nano), purposesText(t.Purposes))
		} else {
			t = *old
			t.Until = r.deleteOn
			detail = fmt.Sprintf("the shorter deletion date sealed with its key: %s", fromNanos(t.Until).UTC().Format(time.RFC3339Nano))
		}
		terms := t.encode()
		wrapped, err := db.wrap(key, recordingKeyAD(r.id, terms))
		zero(key)
		if err != nil {
			return n, err
		}
		res, err := tx.Exec("UPDATE recordings SET key_wrapped = ?, terms = ? WHERE id = ? AND key_wrapped = ? AND terms IS ?",
			wrapped, terms, r.id, r.key.wrapped, r.key.terms)
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		n++
		if audit {
			if err := app.append(now, AuditTermsSealed, r.id, detail); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// secondBefore reports whether a is before b to the second: the audit rows
// of older versions hold deletion dates to the second only.
func secondBefore(a, b time.Time) bool {
	return a.Truncate(time.Second).Before(b.Truncate(time.Second))
}

func purposesText(purposes []string) string {
	if purposes == nil {
		purposes = []string{}
	}
	b, _ := json.Marshal(purposes)
	return string(b)
}

// auditedTerms is what the audit log says of a recording's terms: its
// recording.started row, and the shorter dates its session chose later.
type auditedTerms struct {
	row         int64
	session     string
	deleteOn    time.Time
	purposes    []string
	hasPurposes bool      // older versions did not write them
	shortened   time.Time // the earliest deletion_shortened date of its session after it began; zero if none
}

// until is the deletion date the audit log gives.
func (a auditedTerms) until() time.Time {
	if !a.shortened.IsZero() && a.shortened.Before(a.deleteOn) {
		return a.shortened
	}
	return a.deleteOn
}

// auditedRecordingTerms reads every recording.started and
// recording.deletion_shortened row of the audit log. A row it cannot read
// is left out (VerifyAudit reports edited rows).
func auditedRecordingTerms(q querier) (map[string]auditedTerms, error) {
	rows, err := q.Query("SELECT id, kind, subject, detail FROM audit WHERE kind IN (?, ?) ORDER BY id",
		AuditRecordingStarted, AuditDeletionShortened)
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	out := make(map[string]auditedTerms)
	bySession := make(map[string][]string)
	for rows.Next() {
		var id int64
		var kind, subject, detail string
		if err := rows.Scan(&id, &kind, &subject, &detail); err != nil {
			return nil, dbErr(err)
		}
		if kind == AuditRecordingStarted {
			a, ok := parseStarted(detail)
			if !ok {
				continue
			}
			a.row = id
			out[subject] = a
			bySession[a.session] = append(bySession[a.session], subject)
			continue
		}
		d, ok := parseShortened(detail)
		if !ok {
			continue
		}
		for _, rid := range bySession[subject] {
			a := out[rid]
			if a.shortened.IsZero() || d.Before(a.shortened) {
				a.shortened = d
				out[rid] = a
			}
		}
	}
	return out, dbErr(rows.Err())
}

// parseStarted reads "session S segment N; delete on T[; purposes [...]]".
func parseStarted(detail string) (auditedTerms, bool) {
	var a auditedTerms
	head, rest, _ := strings.Cut(detail, "; ")
	f := strings.Fields(head)
	if len(f) != 4 || f[0] != "session" || f[2] != "segment" {
		return a, false
	}
	a.session = f[1]
	if i := strings.Index(rest, "; purposes "); i >= 0 {
		if json.Unmarshal([]byte(rest[i+len("; purposes "):]), &a.purposes) != nil {
			return a, false
		}
		a.hasPurposes, rest = true, rest[:i]
	}
	date, ok := strings.CutPrefix(rest, "delete on ")
	if !ok {
		return a, false
	}
	t, err := time.Parse(time.RFC3339Nano, date)
	if err != nil {
		return a, false
	}
	a.deleteOn = t
	return a, true
}

// parseShortened reads the date of "N recording(s) now deleted by T[; ...]".
func parseShortened(detail string) (time.Time, bool) {
	_, date, ok := strings.Cut(detail, "now deleted by ")
	if !ok {
		return time.Time{}, false
	}
	date, _, _ = strings.Cut(date, ";")
	t, err := time.Parse(time.RFC3339Nano, date)
	return t, err == nil
}

// VerifyTerms compares, for every live recording, its deletion date,
// session and purposes in the database with the ones sealed with its key,
// and with the audit log (its recording.started row, and the shorter dates
// its session chose: recording.deletion_shortened); it needs the vault
// unlocked (ErrLocked). It returns one Finding for each difference: a date
// moved later or earlier by hand, purposes added or removed, a recording
// moved to another session, a policy changed, a key whose terms do not open
// it or do not hold its terms at all. A date shortened by a recorded choice
// is no difference. What is in force meanwhile is said in each Finding: the
// sealed copy wins, and the database may only shorten.
func (db *DB) VerifyTerms() ([]Finding, error) {
	if !db.Unlocked() {
		return nil, fmt.Errorf("storage: verify terms: %w", ErrLocked)
	}
	recs, err := liveKeys(db.sql, "1")
	if err != nil {
		return nil, fmt.Errorf("storage: verify terms: %w", err)
	}
	audited, err := auditedRecordingTerms(db.sql)
	if err != nil {
		return nil, fmt.Errorf("storage: verify terms: %w", err)
	}
	var out []Finding
	for _, r := range recs {
		problems, err := db.termsProblems(r, audited)
		if err != nil {
			return out, fmt.Errorf("storage: verify terms: %w", err)
		}
		for _, p := range problems {
			out = append(out, Finding{Subject: "recording " + r.id, Problem: p})
		}
	}
	return out, nil
}

// termsProblems says what differs between one recording's row, its sealed
// terms and the audit log.
func (db *DB) termsProblems(r toSeal, audited map[string]auditedTerms) ([]string, error) {
	var out []string
	say := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }
	column := fromNanos(r.deleteOn)
	var purposes []string
	if err := json.Unmarshal([]byte(r.purposes), &purposes); err != nil {
		say("its purposes in the database cannot be read (%q)", r.purposes)
	}
	a, started := audited[r.id]
	if !started {
		say("the audit log does not record it being started")
	}

	if r.key.wrapped == nil {
		return append(out, "its key is missing from the database, though it is not deleted"), nil
	}
	key, t, err := db.unwrapRecordingKey(r.id, r.key)
	switch {
	case errors.Is(err, ErrLocked):
		return nil, err
	case err != nil && r.key.terms.Valid:
		return append(out, "its key does not open with the terms stored beside it: the terms or the key were altered, so it cannot be played"), nil
	case err != nil:
		return append(out, "its key does not open: it was altered, so it cannot be played"), nil
	}
	zero(key)
	if t == nil {
		say("its deletion date, session and purposes are not sealed with its key (an older Assent made it, and sealing them at unlock did not succeed)")
		if started && secondBefore(a.until(), column) {
			say("its deletion date in the database (%s) is later than the audit log's (%s)", day(column), day(a.until()))
		}
		return out, nil
	}

	sealed := fromNanos(t.Until)
	inForce := min(r.deleteOn, t.Until)
	if column.After(sealed) {
		say("its deletion date was moved later in the database, to %s; the date sealed with its key, %s, stays in force", day(column), day(sealed))
	}
	if t.Session != r.session {
		say("it was moved to session %s in the database; it was recorded in session %s (sealed with its key), whose terms apply", r.session, t.Session)
	}
	if added := without(purposes, t.Purposes); len(added) > 0 {
		say("purposes %s were added to it in the database; they were never agreed (sealed: %s), and are refused", purposesText(added), purposesText(t.Purposes))
	}
	if removed := without(t.Purposes, purposes); len(removed) > 0 && purposes != nil {
		say("purposes %s were removed from it in the database (sealed: %s); it is used for %s only", purposesText(removed), purposesText(t.Purposes), purposesText(purposesInForce(t.Purposes, purposes)))
	}
	var policy sql.NullString
	if err := db.sql.QueryRow("SELECT policy FROM sessions WHERE id = ?", t.Session).Scan(&policy); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, dbErr(err)
	} else if err != nil || policyDigest(policy) != t.Policy {
		say("the consent policy of session %s was changed after it began, so what it may be used for cannot be told: it is refused for every use", t.Session)
	}
	if !started {
		return out, nil
	}
	if a.session != t.Session {
		say("the audit log records it in session %s; sealed with its key: session %s", a.session, t.Session)
	}
	switch want := a.until(); {
	case secondBefore(fromNanos(inForce), want):
		say("its deletion date was moved earlier, to %s, with no shorter choice in the audit log (which says %s); the earlier date is in force", day(fromNanos(inForce)), day(want))
	case secondBefore(want, fromNanos(inForce)):
		say("it is kept until %s, but the audit log says %s: a shorter choice was undone in the database", day(fromNanos(inForce)), day(want))
	}
	if a.hasPurposes && (len(without(a.purposes, t.Purposes)) > 0 || len(without(t.Purposes, a.purposes)) > 0) {
		say("the audit log records purposes %s when it began; sealed with its key: %s", purposesText(a.purposes), purposesText(t.Purposes))
	}
	return out, nil
}

// without is what of a is not in b.
func without(a, b []string) []string {
	var out []string
	for _, p := range a {
		if !slices.Contains(b, p) {
			out = append(out, p)
		}
	}
	return out
}
