package storage

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Names at rest. Client labels and participant names are sealed with the
// master key (XChaCha20-Poly1305, random nonce, the row's ID as associated
// data), so they can be written and read only while the vault is unlocked:
// the therapist's screens, which are the only ones that show or change
// them. A value sealed this way is stored as a BLOB; a TEXT value is one
// written by an older Assent and is sealed at the next unlock
// (sealLegacyNames). Consent event data is sealed the same way when it is
// appended while unlocked; a client's Stop while the therapist's screen is
// locked appends events as given, which is why the events that may carry a
// name (someone joining) are the therapist's alone. The consent history is
// append-only, so events an older Assent stored stay as they were.
//
// Each event's audit row says which it was ("data sealed", or "data as
// given: the vault was locked"), from the version that anchors the audit
// log on (AuditAnchored). Data stored as given is then accepted only where
// its audit row says the vault was locked, or where it was stored before
// that version: anything else was put there by hand, and ConsentEvents
// refuses it and VerifyConsentData reports it.

// Associated data for sealed names and consent event data.
const (
	adClientLabel     = "assent/v1 client label "     // + client ID
	adParticipantName = "assent/v1 participant name " // + participant ID
	adConsentData     = "assent/v1 consent event "    // + session ID + "/" + seq
)

// sealedDataMarker starts sealed consent event data: the consent package's
// JSON never starts with a zero byte.
var sealedDataMarker = []byte{0, 'A', 'S', 'N'}

// What a consent event's audit row says of its data.
const (
	auditDataSealed  = "data sealed"
	auditDataAsGiven = "data as given: the vault was locked"
)

// unsealedDataCheck reads the audit rows of a session's consent steps and
// returns a check of one event whose data is not sealed: "" if it was
// stored as given while locked, or before steps said so; else what is
// wrong.
func unsealedDataCheck(q querier, sessionID string) (func(seq int) string, error) {
	began, err := firstOfKind(q, AuditAnchored)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query("SELECT id, detail FROM audit WHERE subject = ? AND kind >= ? AND kind < ?",
		sessionID, AuditConsentPrefix, AuditConsentPrefix[:len(AuditConsentPrefix)-1]+"/") // '/' follows '.'
	if err != nil {
		return nil, dbErr(err)
	}
	defer rows.Close()
	type row struct {
		id     int64
		detail string
	}
	bySeq := make(map[int]row)
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.detail); err != nil {
			return nil, dbErr(err)
		}
		var seq int
		if _, err := fmt.Sscanf(r.detail, "seq %d by", &seq); err == nil {
			if _, dup := bySeq[seq]; !dup {
				bySeq[seq] = r
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr(err)
	}
	return func(seq int) string {
		r, ok := bySeq[seq]
		switch {
		case !ok:
			return "its data is not sealed, and the audit log does not record it being stored"
		case strings.Contains(r.detail, auditDataAsGiven):
			return ""
		case strings.Contains(r.detail, auditDataSealed):
			return fmt.Sprintf("its data is not sealed, but audit entry %d says it was: it was replaced", r.id)
		case began > 0 && r.id > began:
			return fmt.Sprintf("its data is not sealed, and audit entry %d does not say the vault was locked when it was stored", r.id)
		}
		return "" // stored by an older Assent, which did not say
	}, nil
}

// VerifyConsentData checks the data of every stored consent step, which
// needs the vault unlocked (ErrLocked): sealed data must open for its
// session and place in the history, and data stored as given must have
// been stored while the vault was locked (or by an older Assent, before
// steps said so; see AuditAnchored). It returns a Finding for each step
// that fails, naming it. A step added by hand with data as given and an
// audit row saying the vault was locked, after the audit log's anchor, is
// what a client's Stop at a locked screen looks like, and is not found
// (see VerifyAuditAnchor).
func (db *DB) VerifyConsentData() ([]Finding, error) {
	if !db.Unlocked() {
		return nil, fmt.Errorf("storage: verify consent data: %w", ErrLocked)
	}
	rows, err := db.sql.Query("SELECT session_id, seq, data FROM consent_events WHERE data IS NOT NULL ORDER BY session_id, seq")
	if err != nil {
		return nil, fmt.Errorf("storage: verify consent data: %w", dbErr(err))
	}
	type event struct {
		session string
		seq     int
		data    []byte
	}
	var evs []event
	for rows.Next() {
		var e event
		if err := rows.Scan(&e.session, &e.seq, &e.data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("storage: verify consent data: %w", dbErr(err))
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: verify consent data: %w", dbErr(err))
	}
	var out []Finding
	var check func(int) string
	checked := "" // the session check is for
	for _, e := range evs {
		subject := fmt.Sprintf("consent event %d of session %s", e.seq, e.session)
		if bytes.HasPrefix(e.data, sealedDataMarker) {
			plain, err := db.openConsentData(e.data, e.session, e.seq)
			if errors.Is(err, ErrLocked) {
				return out, fmt.Errorf("storage: verify consent data: %w", err)
			}
			if err != nil {
				out = append(out, Finding{Subject: subject, Problem: "its sealed data does not open: it was altered, or moved from another step"})
			}
			zero(plain)
			continue
		}
		if checked != e.session {
			if check, err = unsealedDataCheck(db.sql, e.session); err != nil {
				return out, fmt.Errorf("storage: verify consent data: %w", err)
			}
			checked = e.session
		}
		if problem := check(e.seq); problem != "" {
			out = append(out, Finding{Subject: subject, Problem: problem})
		}
	}
	return out, nil
}

// sealName seals a label or name for its row; ErrLocked while locked.
func (db *DB) sealName(plain, ad string) ([]byte, error) {
	return db.wrap([]byte(plain), ad)
}

// openName reads a label or name as scanned from its column: a string is
// one an older Assent stored as given; a []byte is sealed, and opens only
// while the vault is unlocked (else "" and ErrLocked).
func (db *DB) openName(v any, ad string) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		plain, err := db.unwrap(v, ad)
		if err != nil {
			return "", err
		}
		return string(plain), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("unexpected %T in a name column: %w", v, ErrTampered)
}

// readName is openName for listings: a locked vault leaves the name empty
// (the caller shows no names then); altered bytes are an error.
func (db *DB) readName(v any, ad string) (string, error) {
	s, err := db.openName(v, ad)
	if errors.Is(err, ErrLocked) {
		return "", nil
	}
	return s, err
}

func consentDataAD(sessionID string, seq int) string {
	return fmt.Sprintf("%s%s/%d", adConsentData, sessionID, seq)
}

// sealConsentData seals an event's data for its place in the history, or
// returns it as given while the vault is locked.
func (db *DB) sealConsentData(data []byte, sessionID string, seq int) ([]byte, error) {
	if data == nil {
		return nil, nil
	}
	sealed, err := db.wrap(data, consentDataAD(sessionID, seq))
	if errors.Is(err, ErrLocked) {
		return data, nil
	}
	if err != nil {
		return nil, err
	}
	return append(slices.Clone(sealedDataMarker), sealed...), nil
}

// openConsentData reverses sealConsentData; sealed data needs the vault
// unlocked (ErrLocked).
func (db *DB) openConsentData(data []byte, sessionID string, seq int) ([]byte, error) {
	rest, ok := bytes.CutPrefix(data, sealedDataMarker)
	if !ok {
		return data, nil
	}
	return db.unwrap(rest, consentDataAD(sessionID, seq))
}

// sortClients orders clients by label, ignoring case, then by ID (the
// labels are sealed, so SQL cannot order them).
func sortClients(cs []Client) {
	slices.SortStableFunc(cs, func(a, b Client) int {
		if c := strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// sealLegacyNames seals the labels and names an older Assent stored as
// given, once the vault is unlocked, and checkpoints the WAL so that no
// copy of the plain text is left in it (secure_delete zeroes the freed
// space in the database file). It is idempotent and cheap when there is
// nothing to do.
func (db *DB) sealLegacyNames() error {
	type row struct{ id, name string }
	read := func(q string) ([]row, error) {
		rows, err := db.sql.Query(q)
		if err != nil {
			return nil, dbErr(err)
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				return nil, dbErr(err)
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	clients, err := read("SELECT id, label FROM clients WHERE typeof(label) = 'text'")
	if err != nil {
		return fmt.Errorf("storage: seal client labels: %w", err)
	}
	people, err := read("SELECT id, name FROM participants WHERE typeof(name) = 'text'")
	if err != nil {
		return fmt.Errorf("storage: seal participant names: %w", err)
	}
	if len(clients) == 0 && len(people) == 0 {
		return nil
	}
	type update struct {
		query  string
		sealed []byte
		id     string
	}
	var updates []update
	for _, c := range clients {
		s, err := db.sealName(c.name, adClientLabel+c.id)
		if err != nil {
			return fmt.Errorf("storage: seal client labels: %w", err)
		}
		updates = append(updates, update{"UPDATE clients SET label = ? WHERE id = ? AND typeof(label) = 'text'", s, c.id})
	}
	for _, p := range people {
		s, err := db.sealName(p.name, adParticipantName+p.id)
		if err != nil {
			return fmt.Errorf("storage: seal participant names: %w", err)
		}
		updates = append(updates, update{"UPDATE participants SET name = ? WHERE id = ? AND typeof(name) = 'text'", s, p.id})
	}
	if err := db.write(func(tx *sql.Tx, now time.Time) error {
		for _, u := range updates {
			if _, err := tx.Exec(u.query, u.sealed, u.id); err != nil {
				return err
			}
		}
		return appendAudit(tx, now, AuditNamesSealed, "", fmt.Sprintf("%d client label(s) and %d participant name(s) stored by an older Assent are now encrypted", len(clients), len(people)))
	}); err != nil {
		return fmt.Errorf("storage: seal names: %w", err)
	}
	db.checkpoint()
	return nil
}
