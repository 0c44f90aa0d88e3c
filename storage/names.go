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

// Associated data for sealed names and consent event data.
const (
	adClientLabel     = "assent/v1 client label "     // + client ID
	adParticipantName = "assent/v1 participant name " // + participant ID
	adConsentData     = "assent/v1 consent event "    // + session ID + "/" + seq
)

// sealedDataMarker starts sealed consent event data: the consent package's
// JSON never starts with a zero byte.
var sealedDataMarker = []byte{0, 'A', 'S', 'N'}

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
