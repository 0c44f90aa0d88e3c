package session_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// TestUsesFollowWhatWasOffered: sessions started as the app starts them,
// under the practice's settings of the day, recorded through Apply. A copy
// for supervision may leave only when that session offered it and
// supervision was agreed; playing needs an agreed purpose; settings changed
// afterwards change nothing; a row edited by hand to name a purpose the
// session never offered gains nothing.
func TestUsesFollowWhatWasOffered(t *testing.T) {
	f := newFixture(t)
	record := func() storage.Recording {
		t.Helper()
		s := f.start("Anna")
		f.record(s, 200*time.Millisecond)
		if err := s.End(consent.Therapist()); err != nil {
			t.Fatal(err)
		}
		for _, p := range s.ToConfirm() { // everyone keeps it at the end
			if err := answerAtEnd(s, consent.EventKeep, p); err != nil {
				t.Fatal(err)
			}
		}
		recs, err := f.db.Recordings(s.ID())
		if err != nil || len(recs) != 1 {
			t.Fatalf("recordings %+v, %v", recs, err)
		}
		return recs[0]
	}
	set := func(kv ...string) {
		t.Helper()
		for i := 0; i < len(kv); i += 2 {
			if err := f.db.SetSetting(kv[i], kv[i+1]); err != nil {
				t.Fatal(err)
			}
		}
	}

	plain := record() // the default: reflection only, no copy offered
	set(session.SettingPurpose+consent.PurposeSupervision+"_offered", "true")
	noCopy := record() // supervision in the room, no copy offered
	set(session.SettingSupervisionExport, "true")
	withCopy := record()
	set(session.SettingSupervisionExport, "false") // later settings change nothing

	for _, c := range []struct {
		name         string
		rec          storage.Recording
		play, export bool
	}{
		{"reflection only", plain, true, false},
		{"supervision, no copy offered", noCopy, true, false},
		{"supervision and a copy offered", withCopy, true, true},
	} {
		if err := session.MayPlay(f.db, c.rec); (err == nil) != c.play {
			t.Errorf("%s: MayPlay = %v", c.name, err)
		}
		err := session.MayExport(f.db, c.rec)
		if (err == nil) != c.export || (err != nil && !errors.Is(err, session.ErrExportNotAgreed)) {
			t.Errorf("%s: MayExport = %v, want allowed %v", c.name, err, c.export)
		}
	}

	// Issue 15: the database edited by hand, with the app closed or not.
	// The purposes, the session and its policy are sealed with the key.
	t.Run("edited in the database", func(t *testing.T) {
		raw, err := sql.Open("sqlite", filepath.Join(f.dir, storage.DBFile))
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := raw.Exec(q, args...); err != nil {
				t.Fatal(err)
			}
		}
		// Moved into the session that offered a copy, supervision added.
		exec(`UPDATE recordings SET session_id = ?, segment = 99, purposes = '["reflection","supervision"]' WHERE id = ?`, withCopy.SessionID, plain.ID)
		rec, err := f.db.Recording(plain.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := session.MayExport(f.db, rec); !errors.Is(err, session.ErrExportNotAgreed) {
			t.Errorf("moved to a session that offered a copy, supervision added: MayExport = %v", err)
		}
		if u, err := session.UsesOf(f.db, rec); err != nil || len(u.Purposes) != 1 || u.Purposes[0].ID != consent.PurposeReflection {
			t.Errorf("UsesOf = %+v, %v; want reflection only, as sealed", u, err)
		}
		// A copy offered, by hand, to a session that did not offer one.
		exec(`UPDATE recordings SET session_id = ?, segment = 1, purposes = '["reflection"]' WHERE id = ?`, plain.SessionID, plain.ID)
		var policy string
		if err := raw.QueryRow("SELECT policy FROM sessions WHERE id = ?", noCopy.SessionID).Scan(&policy); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE sessions SET policy = json_set(policy, '$.supervisionExport', json('true')) WHERE id = ?`, noCopy.SessionID)
		if err := session.MayExport(f.db, noCopy); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("the session's policy changed by hand to offer a copy: MayExport = %v, want ErrTampered", err)
		}
		exec(`UPDATE sessions SET policy = ? WHERE id = ?`, policy, noCopy.SessionID)
		if err := session.MayPlay(f.db, noCopy); err != nil {
			t.Errorf("the policy put back: MayPlay = %v", err)
		}
	})

	t.Run("a purpose the session never offered", func(t *testing.T) {
		forged := plain
		forged.Purposes = append(forged.Purposes, consent.PurposeSupervision)
		if err := session.MayExport(f.db, forged); !errors.Is(err, session.ErrExportNotAgreed) {
			t.Errorf("supervision added to a reflection-only recording: %v", err)
		}
		forged.Purposes = []string{"listening to music"}
		if err := session.MayPlay(f.db, forged); !errors.Is(err, session.ErrNotAgreed) {
			t.Errorf("only a purpose the session never offered: %v", err)
		}
	})
}
