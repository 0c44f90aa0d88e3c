package storage_test

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// namesOnDisk reports which of names occur in any file of the data folder.
func namesOnDisk(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if bytes.Contains(b, []byte(n)) {
				found = append(found, n+" in "+filepath.Base(p))
			}
		}
		return nil
	})
	return found
}

// Client labels, participant names and the consent events that carry a
// name (someone joining) are sealed at rest: none is anywhere on disk,
// with the WAL in use or after it is checkpointed. While locked, listings
// still work (for purge, status, verify) with the names left empty; writing
// a name needs the vault unlocked.
func TestNamesAreSealedAtRest(t *testing.T) {
	const label, first, joiner = "Margaret Thistlewood", "Annabel Quixote", "Bartholomew Zeal"
	f := newVault(t)
	c, err := f.db.CreateClient(label)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.db.CreateSession(c.ID, storage.Participant{Name: first, Role: "client"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := f.db.AddParticipant(s.ID, storage.Participant{Name: joiner, Role: "partner"})
	if err != nil {
		t.Fatal(err)
	}
	joinData := []byte(`{"kind":"join","joiner":{"name":"` + joiner + `"}}`)
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "join", At: f.clock.Now(), Actor: "therapist", Participant: j.ID, Data: joinData}); err != nil {
		t.Fatal(err)
	}
	if got := namesOnDisk(t, f.dir, label, first, joiner); len(got) != 0 {
		t.Errorf("with the WAL in use: %v", got)
	}
	f.reopen(t) // locked

	if got := namesOnDisk(t, f.dir, label, first, joiner); len(got) != 0 {
		t.Errorf("after a checkpoint: %v", got)
	}
	cs, err := f.db.Clients()
	if err != nil || len(cs) != 1 || cs[0].ID != c.ID || cs[0].Label != "" {
		t.Errorf("Clients while locked = %+v, %v; want the client with no label", cs, err)
	}
	got, err := f.db.Session(s.ID)
	if err != nil || len(got.Participants) != 2 || got.Participants[0].Name != "" || got.Participants[0].Role != "client" {
		t.Errorf("Session while locked = %+v, %v", got, err)
	}
	if _, err := f.db.ConsentEvents(s.ID); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("ConsentEvents while locked: %v, want ErrLocked", err)
	}
	if _, err := f.db.CreateClient("Someone"); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("CreateClient while locked: %v", err)
	}
	if err := f.db.RenameClient(c.ID, "M.T."); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("RenameClient while locked: %v", err)
	}
	if _, err := f.db.CreateSession(c.ID, storage.Participant{Name: "X", Role: "client"}); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("CreateSession while locked: %v", err)
	}
	// A client's Stop while the therapist's screen is locked is stored.
	if _, err := f.db.AppendConsentEvent(storage.ConsentEvent{SessionID: s.ID, Kind: "pause", At: f.clock.Now(), Actor: "participant", Data: []byte(`{"kind":"pause"}`)}); err != nil {
		t.Errorf("a consent step while locked: %v", err)
	}

	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if c2, _ := f.db.Client(c.ID); c2.Label != label {
		t.Errorf("label after unlock %q", c2.Label)
	}
	got, _ = f.db.Session(s.ID)
	if len(got.Participants) != 2 || got.Participants[0].Name != first || got.Participants[1].Name != joiner {
		t.Errorf("participants after unlock %+v", got.Participants)
	}
	evs, err := f.db.ConsentEvents(s.ID)
	if err != nil || len(evs) != 2 || !bytes.Equal(evs[0].Data, joinData) || string(evs[1].Data) != `{"kind":"pause"}` {
		t.Errorf("ConsentEvents after unlock = %+v, %v", evs, err)
	}
}

// Labels sort as people read them, though SQL cannot see them.
func TestClientsSortByLabel(t *testing.T) {
	f := newVault(t)
	for _, l := range []string{"b.c.", "A.Z.", "c.a.", "a.b."} {
		if _, err := f.db.CreateClient(l); err != nil {
			t.Fatal(err)
		}
	}
	cs, _ := f.db.Clients()
	var got []string
	for _, c := range cs {
		got = append(got, c.Label)
	}
	if want := []string{"a.b.", "A.Z.", "b.c.", "c.a."}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

// A sealed label moved onto another row (an edit of the database) does
// not open there: the row's ID is bound to it.
func TestSealedLabelBoundToItsRow(t *testing.T) {
	f := newVault(t)
	a, _ := f.db.CreateClient("A.A.")
	b, _ := f.db.CreateClient("B.B.")
	raw, err := sql.Open("sqlite", storage.DSN(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE clients SET label = (SELECT label FROM clients WHERE id = ?) WHERE id = ?", a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Client(b.ID); !errors.Is(err, storage.ErrTampered) {
		t.Errorf("Client with a label moved from another row: %v, want ErrTampered", err)
	}
	if c, err := f.db.Client(a.ID); err != nil || c.Label != "A.A." {
		t.Errorf("the other client: %+v, %v", c, err)
	}
}

// Labels and names an older Assent stored as given are sealed at the next
// unlock, with an audit row, and are then nowhere on disk; they read the
// same before and after.
func TestLegacyNamesSealedAtUnlock(t *testing.T) {
	const label, name = "Legacy Label Person", "Legacy Participant Name"
	f := newVault(t)
	f.db.Close()
	raw, err := sql.Open("sqlite", storage.DSN(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixNano()
	for _, q := range []struct {
		query string
		args  []any
	}{
		{"INSERT INTO clients (id, label, created_at) VALUES (?, ?, ?)", []any{"0123456789abcdef0123456789abcdef", label, now}},
		{"INSERT INTO sessions (id, client_id, started_at) VALUES (?, ?, ?)", []any{"fedcba9876543210fedcba9876543210", "0123456789abcdef0123456789abcdef", now}},
		{"INSERT INTO participants (id, session_id, name, role, joined_at) VALUES (?, ?, ?, ?, ?)", []any{"00112233445566778899aabbccddeeff", "fedcba9876543210fedcba9876543210", name, "client", now}},
	} {
		if _, err := raw.Exec(q.query, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	f.db = openDB(t, f.dir, f.clock)
	if c, _ := f.db.Client("0123456789abcdef0123456789abcdef"); c.Label != label {
		t.Errorf("a legacy label while locked: %q (it is not sealed yet, so it reads)", c.Label)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.db.Client("0123456789abcdef0123456789abcdef"); c.Label != label {
		t.Errorf("label after sealing: %q", c.Label)
	}
	if s, _ := f.db.Session("fedcba9876543210fedcba9876543210"); len(s.Participants) != 1 || s.Participants[0].Name != name {
		t.Errorf("participants after sealing: %+v", s.Participants)
	}
	if got := namesOnDisk(t, f.dir, label, name); len(got) != 0 {
		t.Errorf("after sealing at unlock: %v", got)
	}
	if n := countKind(auditLog(t, f.db), storage.AuditNamesSealed); n != 1 {
		t.Errorf("%d audit rows for the sealing, want 1", n)
	}
	f.reopen(t)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if n := countKind(auditLog(t, f.db), storage.AuditNamesSealed); n != 1 {
		t.Errorf("%d audit rows after a second unlock, want still 1", n)
	}
}

func auditLog(t *testing.T, db *storage.DB) []storage.AuditEntry {
	t.Helper()
	log, err := db.AuditLog(0, 1<<20, "")
	if err != nil {
		t.Fatal(err)
	}
	return log
}
