package storage_test

import (
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/storage"
)

// rawDB is a plain connection to the folder's database, for editing it as
// someone with the file would; closed when the test ends.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", storage.DSN(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// year2100 is a deletion date nobody agreed to.
var year2100 = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// findingsAbout returns the problems found about subject, and fails the
// test on any finding about something else.
func findingsAbout(t *testing.T, fs []storage.Finding, err error, subject string) []string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if f.Subject != subject {
			t.Errorf("a finding about something else: %s", f)
			continue
		}
		out = append(out, f.Problem)
	}
	return out
}

func anyContains(ss []string, sub string) bool {
	return slices.ContainsFunc(ss, func(s string) bool { return strings.Contains(s, sub) })
}

// The attack of issue 15, measured from outside: with the app closed, the
// deletion date is moved to 2100 in assent.db. The date sealed with the
// key stays in force: status and the recording show it, it is not played
// past it even before a purge, a purge without the key deletes it then,
// and VerifyTerms names it.
func TestDeletionDateMovedLaterByHand(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	agreed := f.deleteOn()
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	kept := f.record(t, s.ID, 2, randomBytes(3*testChunk, 2))
	f.db.Close()
	mustExec(t, rawDB(t, f.dir), "UPDATE recordings SET delete_on = ? WHERE id = ?", year2100.UnixNano(), id)
	f.db = openDB(t, f.dir, f.clock) // locked, as `assent status` and `assent purge` open it

	if rec, _ := f.db.Recording(id); !rec.DeleteOn.Equal(agreed) {
		t.Errorf("Recording.DeleteOn = %v, want the sealed %v", rec.DeleteOn, agreed)
	}
	if st, _ := f.db.Status(); !st.NextDeletion.Equal(agreed) {
		t.Errorf("Status.NextDeletion = %v, want the sealed %v", st.NextDeletion, agreed)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if terms, err := f.db.RecordingTerms(id); err != nil || !terms.DeleteOn.Equal(agreed) || terms.SessionID != s.ID {
		t.Errorf("RecordingTerms = %+v, %v; want the sealed date %v", terms, err, agreed)
	}
	fs, err := f.db.VerifyTerms()
	if got := findingsAbout(t, fs, err, "recording "+id); len(got) != 1 || !strings.Contains(got[0], "moved later") {
		t.Errorf("VerifyTerms about the edited recording: %q", got)
	}

	f.clock.Set(agreed.Add(-time.Minute))
	f.readAll(t, id)
	f.clock.Set(agreed)
	_, err = f.db.OpenRecording(id)
	if !errors.Is(err, storage.ErrPastDeletionDate) || !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording at the sealed date, no purge yet: %v, want ErrPastDeletionDate and ErrDeleted", err)
	}
	f.db.Lock()
	sameIDs(t, "a locked Purge at the sealed date", f.purged(t, f.clock.Now()), id, kept)
}

// A date moved earlier by hand is honoured (the database may shorten): it
// is in force, sealed with the key at the next unlock so that putting the
// column back gains nothing, reported (nobody recorded a shorter choice),
// and the recording is refused and purged on that date.
func TestDeletionDateMovedEarlierByHand(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	agreed := f.deleteOn()
	early := f.clock.Now().Add(2 * 24 * time.Hour)
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	f.db.Close()
	raw := rawDB(t, f.dir)
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", early.UnixNano(), id)
	f.db = openDB(t, f.dir, f.clock)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", agreed.UnixNano(), id)
	if terms, err := f.db.RecordingTerms(id); err != nil || !terms.DeleteOn.Equal(early) {
		t.Errorf("RecordingTerms after the column was put back = %+v, %v; want %v", terms, err, early)
	}
	fs, err := f.db.VerifyTerms()
	got := findingsAbout(t, fs, err, "recording "+id)
	if !anyContains(got, "moved earlier") || !anyContains(got, "moved later") {
		t.Errorf("VerifyTerms: %q", got)
	}
	f.clock.Set(early)
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrPastDeletionDate) {
		t.Errorf("OpenRecording at the earlier date: %v", err)
	}
	sameIDs(t, "Purge at the earlier date", f.purged(t, f.clock.Now()), id)
}

// A shorter choice is sealed with the keys at once while unlocked, and at
// the next unlock when made at a locked screen (the earlier date in force
// meanwhile); either way, with its audit row, it is no finding.
func TestShortenDeletionIsSealed(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	agreed := f.deleteOn()
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	raw := rawDB(t, f.dir)

	week := f.clock.Now().Add(7 * 24 * time.Hour)
	if n, err := f.db.ShortenDeletion(s.ID, week); n != 1 || err != nil {
		t.Fatalf("ShortenDeletion unlocked = %d, %v", n, err)
	}
	if fs, err := f.db.VerifyTerms(); err != nil || len(fs) != 0 {
		t.Errorf("VerifyTerms after a recorded shorter choice: %v, %v", fs, err)
	}
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", agreed.UnixNano(), id)
	if rec, _ := f.db.Recording(id); !rec.DeleteOn.Equal(week) {
		t.Errorf("the longer date put back by hand: in force %v, want %v", rec.DeleteOn, week)
	}
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", week.UnixNano(), id)

	f.db.Lock()
	day := f.clock.Now().Add(24 * time.Hour)
	if n, err := f.db.ShortenDeletion(s.ID, day); n != 1 || err != nil {
		t.Fatalf("ShortenDeletion locked = %d, %v", n, err)
	}
	if rec, _ := f.db.Recording(id); !rec.DeleteOn.Equal(day) {
		t.Errorf("after a shorter choice while locked: in force %v, want %v", rec.DeleteOn, day)
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	if n := countKind(auditLog(t, f.db), storage.AuditTermsSealed); n != 1 {
		t.Errorf("%d audit rows of terms sealed at unlock, want 1", n)
	}
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", agreed.UnixNano(), id)
	if terms, err := f.db.RecordingTerms(id); err != nil || !terms.DeleteOn.Equal(day) {
		t.Errorf("RecordingTerms = %+v, %v; want the date chosen while locked, %v", terms, err, day)
	}
	mustExec(t, raw, "UPDATE recordings SET delete_on = ? WHERE id = ?", day.UnixNano(), id)
	if fs, err := f.db.VerifyTerms(); err != nil || len(fs) != 0 {
		t.Errorf("VerifyTerms after a shorter choice made while locked: %v, %v", fs, err)
	}
}

// The purposes, the session and the session's policy are sealed too:
// edits of the database are refused, named by VerifyTerms, and what was
// sealed is what RecordingTerms (and Recording) return.
func TestTermsEditedByHand(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	other := f.session(t)
	id := f.record(t, s.ID, 1, randomBytes(3*testChunk, 1))
	raw := rawDB(t, f.dir)
	verify := func(t *testing.T, want string) {
		t.Helper()
		fs, err := f.db.VerifyTerms()
		if got := findingsAbout(t, fs, err, "recording "+id); !anyContains(got, want) {
			t.Errorf("VerifyTerms = %q, want one saying %q", got, want)
		}
	}

	t.Run("purpose added", func(t *testing.T) {
		mustExec(t, raw, `UPDATE recordings SET purposes = '["reflection","supervision"]' WHERE id = ?`, id)
		defer mustExec(t, raw, `UPDATE recordings SET purposes = '["reflection"]' WHERE id = ?`, id)
		if terms, err := f.db.RecordingTerms(id); err != nil || !slices.Equal(terms.Purposes, []string{"reflection"}) {
			t.Errorf("RecordingTerms = %+v, %v; want the sealed purposes", terms, err)
		}
		if rec, _ := f.db.Recording(id); !slices.Equal(rec.Purposes, []string{"reflection"}) {
			t.Errorf("Recording.Purposes = %q, want the sealed ones", rec.Purposes)
		}
		verify(t, `["supervision"] were added`)
	})
	t.Run("purpose removed", func(t *testing.T) {
		mustExec(t, raw, `UPDATE recordings SET purposes = '[]' WHERE id = ?`, id)
		defer mustExec(t, raw, `UPDATE recordings SET purposes = '["reflection"]' WHERE id = ?`, id)
		if terms, err := f.db.RecordingTerms(id); err != nil || len(terms.Purposes) != 0 {
			t.Errorf("RecordingTerms = %+v, %v; want no purpose (the database may narrow them)", terms, err)
		}
		verify(t, `["reflection"] were removed`)
	})
	t.Run("moved to another session", func(t *testing.T) {
		mustExec(t, raw, `UPDATE recordings SET session_id = ? WHERE id = ?`, other.ID, id)
		defer mustExec(t, raw, `UPDATE recordings SET session_id = ? WHERE id = ?`, s.ID, id)
		if terms, err := f.db.RecordingTerms(id); err != nil || terms.SessionID != s.ID {
			t.Errorf("RecordingTerms = %+v, %v; want session %s", terms, err, s.ID)
		}
		verify(t, "moved to session "+other.ID)
	})
	t.Run("policy changed", func(t *testing.T) {
		mustExec(t, raw, `UPDATE sessions SET policy = '{"purposes":[{"id":"supervision"}],"supervisionExport":true}' WHERE id = ?`, s.ID)
		defer mustExec(t, raw, `UPDATE sessions SET policy = NULL WHERE id = ?`, s.ID)
		if _, err := f.db.RecordingTerms(id); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("RecordingTerms with the session's policy changed: %v, want ErrTampered", err)
		}
		verify(t, "consent policy of session "+s.ID+" was changed")
	})
	t.Run("the sealed terms themselves", func(t *testing.T) {
		// Editing the terms beside the key (and the column) makes the key
		// unopenable: never played, and named.
		mustExec(t, raw, `UPDATE recordings SET delete_on = ?1, terms = json_set(terms, '$.until', ?1) WHERE id = ?2`, year2100.UnixNano(), id)
		if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("OpenRecording with its terms edited: %v, want ErrTampered", err)
		}
		verify(t, "does not open with the terms stored beside it")
	})
}

// recordV1 makes n recordings whose keys are wrapped as an Assent before
// sealed terms wrapped them (version 1).
func (f *fixture) recordV1(t *testing.T, sessionID string, n int) []string {
	t.Helper()
	var ids []string
	for seg := 1; seg <= n; seg++ {
		id := f.record(t, sessionID, seg, randomBytes(3*testChunk, uint64(seg)))
		if err := storage.WrapV1(f.db, id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// Keys wrapped by an older Assent (version 1: no terms) are re-wrapped with
// their terms at the next unlock, one audit row each, the date no later
// than the audit log's recording.started row, so that a date moved later
// before the upgrade is not sealed.
func TestVersion1KeysSealedAtUnlock(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	agreed := f.deleteOn()
	ids := f.recordV1(t, s.ID, 3)
	f.db.Close()
	mustExec(t, rawDB(t, f.dir), "UPDATE recordings SET delete_on = ? WHERE id = ?", year2100.UnixNano(), ids[0])
	f.db = openDB(t, f.dir, f.clock)
	for _, id := range ids {
		if v := storage.KeyVersion(f.db, id); v != 1 {
			t.Fatalf("key version %d before the unlock", v)
		}
	}
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if v := storage.KeyVersion(f.db, id); v != 2 {
			t.Errorf("recording %d: key version %d after the unlock, want 2", i+1, v)
		}
		if terms, err := f.db.RecordingTerms(id); err != nil || !terms.DeleteOn.Equal(agreed) || !slices.Equal(terms.Purposes, []string{"reflection"}) {
			t.Errorf("recording %d: RecordingTerms = %+v, %v", i+1, terms, err)
		}
		f.readAll(t, id)
	}
	if n := countKind(auditLog(t, f.db), storage.AuditTermsSealed); n != 3 {
		t.Errorf("%d audit rows of terms sealed, want 3", n)
	}
	fs, err := f.db.VerifyTerms()
	if got := findingsAbout(t, fs, err, "recording "+ids[0]); len(got) != 1 || !strings.Contains(got[0], "moved later") {
		t.Errorf("VerifyTerms: %q", got)
	}
}

// A kill between two batches of re-wrapped keys leaves each key valid in
// one version; the next unlock finishes.
func TestSealingTermsKilledHalfway(t *testing.T) {
	f := newVault(t)
	s := f.session(t)
	ids := f.recordV1(t, s.ID, 3)
	f.reopen(t)
	storage.SetTermsBatch(t, 1)
	storage.CrashAt(f.db, func(step string) error {
		if step == storage.StepTermsBatch {
			return errKilled
		}
		return nil
	})
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	storage.CrashAt(f.db, nil)
	versions := map[int]int{}
	for _, id := range ids {
		versions[storage.KeyVersion(f.db, id)]++
		if err := f.db.VerifyRecording(id); err != nil { // opens the key in the version stored
			t.Errorf("after the kill: %v", err)
		}
	}
	if versions[1] != 2 || versions[2] != 1 {
		t.Errorf("after a kill after the first batch: versions %v, want one key re-wrapped", versions)
	}
	f.reopen(t)
	if err := f.db.Unlock(testPass); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if v := storage.KeyVersion(f.db, id); v != 2 {
			t.Errorf("after the next unlock: key version %d", v)
		}
		f.readAll(t, id)
	}
	if fs, err := f.db.VerifyTerms(); err != nil || len(fs) != 0 {
		t.Errorf("VerifyTerms: %v, %v", fs, err)
	}
}
