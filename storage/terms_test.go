package storage_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/assent-recorder/assent/storage"
)

// TestSessionTermsAreStored: the policy, how consent was asked and a
// minor's guardian are stored on their rows and read back as given.
func TestSessionTermsAreStored(t *testing.T) {
	f := newVault(t)
	c, err := f.db.CreateClient("Family B")
	if err != nil {
		t.Fatal(err)
	}
	guardian, minor := storage.NewID(), storage.NewID()
	policy := []byte(`{"purposes":[{"id":"reflection"}],"defaultKeepDays":14}`)
	s, err := f.db.BeginSession(storage.Session{
		ClientID: c.ID, Policy: policy, Method: storage.MethodReadAloud,
		Participants: []storage.Participant{
			// The minor first: the link may point to someone later in the list.
			{ID: minor, Name: "Kim", Role: "minor", GuardianID: guardian},
			{ID: guardian, Name: "Lee", Role: "guardian"},
			{Name: "Sam", Role: "guardian"},
		},
	})
	if err != nil {
		t.Fatalf("BeginSession: %v", err)
	}
	if s.Participants[0].ID != minor || s.Participants[1].ID != guardian || s.Participants[2].ID == "" {
		t.Fatalf("IDs not kept as given: %+v", s.Participants)
	}
	got, err := f.db.Session(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Policy) != string(policy) || got.Method != storage.MethodReadAloud {
		t.Errorf("policy %q method %q, want %q %q", got.Policy, got.Method, policy, storage.MethodReadAloud)
	}
	if got.Participants[0].GuardianID != guardian || got.Participants[1].GuardianID != "" || got.Participants[2].GuardianID != "" {
		t.Errorf("guardian links read back as %+v", got.Participants)
	}
	open, err := f.db.OpenSessions()
	if err != nil || len(open) != 1 || string(open[0].Policy) != string(policy) || open[0].Method != storage.MethodReadAloud {
		t.Errorf("OpenSessions: %+v, %v", open, err)
	}

	j, err := f.db.AddParticipant(s.ID, storage.Participant{Name: "Ash", Role: "minor", GuardianID: guardian})
	if err != nil || j.GuardianID != guardian {
		t.Fatalf("AddParticipant with a guardian present: %+v, %v", j, err)
	}

	t.Run("DefaultsToOnScreen", func(t *testing.T) {
		s, err := f.db.CreateSession(c.ID, storage.Participant{Name: "Jo", Role: "client"})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Session(s.ID)
		if got.Method != storage.MethodOnScreen || got.Policy != nil {
			t.Errorf("method %q policy %q, want on-screen and none", got.Method, got.Policy)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for name, s := range map[string]storage.Session{
			"guardian not present": {ClientID: c.ID, Participants: []storage.Participant{{Name: "Kim", Role: "minor", GuardianID: storage.NewID()}}},
			"own guardian":         {ClientID: c.ID, Participants: []storage.Participant{{ID: minor, Name: "Kim", Role: "minor", GuardianID: minor}}},
			"unknown method":       {ClientID: c.ID, Method: "by letter", Participants: []storage.Participant{{Name: "Jo", Role: "client"}}},
			"malformed ID":         {ClientID: c.ID, Participants: []storage.Participant{{ID: "../x", Name: "Jo", Role: "client"}}},
		} {
			if _, err := f.db.BeginSession(s); !errors.Is(err, storage.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		other, _ := f.db.CreateSession(c.ID, storage.Participant{Name: "Jo", Role: "guardian"})
		if _, err := f.db.AddParticipant(s.ID, storage.Participant{Name: "Kit", Role: "minor", GuardianID: other.Participants[0].ID}); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("a guardian from another session: %v, want ErrInvalid", err)
		}
	})
}

// TestMigrationStoresWhatWasGuessed opens a schema-2 practice as an earlier
// version left it (the policy in a settings key, minors linked to the
// session's first guardian by rule) and checks that the upgrade moved both
// onto the rows.
func TestMigrationStoresWhatWasGuessed(t *testing.T) {
	dir := t.TempDir()
	if err := storage.MigrateTo(dir, 2); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		t.Fatal(err)
	}
	const policy = `{"purposes":[{"id":"supervision"}],"defaultKeepDays":7}`
	for _, q := range []string{
		`INSERT INTO clients (id, label, created_at) VALUES ('c1', 'A', 1)`,
		`INSERT INTO sessions (id, client_id, started_at) VALUES ('s1', 'c1', 10), ('s2', 'c1', 20)`,
		`INSERT INTO participants (id, session_id, name, role, joined_at) VALUES
			('m1', 's1', 'Kim', 'minor', 10), ('g1', 's1', 'Lee', 'guardian', 10), ('g2', 's1', 'Sam', 'guardian', 10),
			('m2', 's1', 'Ash', 'minor', 15), ('c2', 's2', 'Jo', 'client', 20)`,
		`INSERT INTO settings (key, value, updated_at) VALUES ('session_policy.s1', '` + policy + `', 10), ('autolock_minutes', '5', 1)`,
	} {
		mustExec(t, raw, q)
	}
	raw.Close()

	db := openDB(t, dir, newClock())
	s1, err := db.Session("s1")
	if err != nil {
		t.Fatal(err)
	}
	if string(s1.Policy) != policy || s1.Method != storage.MethodOnScreen {
		t.Errorf("s1: policy %q method %q", s1.Policy, s1.Method)
	}
	links := map[string]string{}
	for _, p := range s1.Participants {
		links[p.ID] = p.GuardianID
	}
	if want := map[string]string{"m1": "g1", "g1": "", "g2": "", "m2": "g1"}; !equalMaps(links, want) {
		t.Errorf("guardian links %v, want %v", links, want)
	}
	s2, _ := db.Session("s2")
	if s2.Policy != nil {
		t.Errorf("s2 had no policy stored and got %q", s2.Policy)
	}
	if _, ok, _ := db.Setting("session_policy.s1"); ok {
		t.Error("the settings key of the policy is still there")
	}
	if v, ok, _ := db.Setting("autolock_minutes"); !ok || v != "5" {
		t.Errorf("another setting was touched: %q %v", v, ok)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
