package session_test

import (
	"errors"
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
