package session_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// The tests of owed steps (DESIGN.md rule 10): a withdrawal that could not
// be stored is owed, finished as soon as it can be, and nothing owed can
// be played or exported meanwhile. The database is made busy for real:
// another connection holds its write lock past the busy timeout, as
// `assent purge` or a backup tool would.

// watchChanges counts the session's change reports.
func watchChanges(s *session.Session) *atomic.Int32 {
	var n atomic.Int32
	s.Watch(func() { n.Add(1) }, nil)
	return &n
}

// openBeside opens the practice's folder as another process would (the
// app started again, `assent purge`), locked, and closes it with the test.
func (f *fixture) openBeside() *storage.DB {
	f.t.Helper()
	db, err := storage.Open(f.dir, storage.Options{KDF: cheapKDF, BusyTimeout: busyTimeout})
	if err != nil {
		f.t.Fatalf("Open beside: %v", err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

// refusedAsOwed checks that db refuses to play recording id because a
// withdrawal naming it is owed.
func refusedAsOwed(t *testing.T, db *storage.DB, id, when string) {
	t.Helper()
	r, err := db.OpenRecording(id)
	if err == nil {
		r.Close()
	}
	if !errors.Is(err, storage.ErrOwed) {
		t.Errorf("%s: OpenRecording = %v, want ErrOwed", when, err)
	}
}

// storedSteps are a session's stored consent steps: kind, and the
// withdrawal's choice for a withdrawal.
func storedSteps(t *testing.T, db *storage.DB, ss storage.Session) []string {
	t.Helper()
	cs, err := session.Replay(db, ss, time.UTC)
	if err != nil {
		t.Fatalf("the history does not replay: %v", err)
	}
	var steps []string
	for _, e := range cs.Events() {
		s := e.Kind.String()
		if e.Kind == consent.EventWithdraw {
			s += " " + e.Withdrawal.String()
		}
		steps = append(steps, s)
	}
	return steps
}

// journalEmpty checks that nothing is left in the owed journal.
func journalEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, storage.OwedDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left in the owed journal: %s", e.Name())
	}
}

// owingDeleteAll records a second of audio in s, then has the client
// choose "delete all" while the database is busy, and checks that it is
// owed. The database stays busy until release.
func (f *fixture) owingDeleteAll(s *session.Session) (release func()) {
	f.t.Helper()
	f.record(s, time.Second)
	release = f.busy()
	if err := withdraw(s, consent.WithdrawDeleteAll, 0); kindOf(err) != session.KindWithdrawalOwed {
		release()
		f.t.Fatalf("delete all while busy: %v, want KindWithdrawalOwed", err)
	}
	return release
}

// TestDeleteAllOwed: "delete all" while the database is busy is owed, not
// playable here or in another process, and finished by Retry once the
// database is free: the recording erased, the journal gone, the
// withdrawal in the history, in order.
func TestDeleteAllOwed(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	changes := watchChanges(s)
	release := f.owingDeleteAll(s)
	if s.Recording() || !s.Owed() {
		t.Errorf("after an owed delete all: recording %v, owed %v", s.Recording(), s.Owed())
	}
	recs, _ := f.db.Recordings(s.ID())
	if len(recs) != 1 {
		t.Fatalf("recordings %+v", recs)
	}
	id := recs[0].ID
	refusedAsOwed(t, f.db, id, "in this process, while busy")
	refusedAsOwed(t, f.openBeside(), id, "in another process, while busy")

	release()
	before := changes.Load()
	if err := s.Retry(); err != nil {
		t.Fatalf("Retry once the database is free: %v", err)
	}
	if s.Owed() || changes.Load() == before {
		t.Errorf("after Retry: owed %v, change reports %d → %d", s.Owed(), before, changes.Load())
	}
	rec, err := f.db.Recording(id)
	if err != nil || rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
		t.Errorf("recording after Retry: %+v, %v; want deleted, withdrawn", rec, err)
	}
	if _, err := f.db.OpenRecording(id); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording after Retry: %v, want ErrDeleted", err)
	}
	journalEmpty(t, f.dir)
	ss, _ := f.db.Session(s.ID())
	if got, want := storedSteps(t, f.db, ss), []string{"ask", "confirm", "withdraw delete-all"}; !equal(got, want) {
		t.Errorf("stored history %v, want %v", got, want)
	}
	if err := f.db.VerifyAudit(); err != nil {
		t.Errorf("audit: %v", err)
	}
}

// TestDeleteAllOwedFinishesByItself: the session's own timer finishes an
// owed withdrawal once the database is free, and says so.
func TestDeleteAllOwedFinishesByItself(t *testing.T) {
	f := newFixture(t)
	f.opt.RetryEvery = 20 * time.Millisecond
	s := f.start("Anna")
	changes := watchChanges(s)
	release := f.owingDeleteAll(s)
	before := changes.Load()
	time.Sleep(3 * busyTimeout) // tries that fail change nothing
	if !s.Owed() {
		t.Fatal("finished while the database was still busy")
	}
	release()
	waitFor(t, "the owed withdrawal to be finished", func() bool { return !s.Owed() })
	waitFor(t, "the change report", func() bool { return changes.Load() > before })
	recs, _ := f.db.Recordings(s.ID())
	if len(recs) != 1 || recs[0].State != storage.StateDeleted {
		t.Errorf("recordings %+v, want one deleted", recs)
	}
}

// TestDeleteAllOwedAcrossRestart: the app closes while the withdrawal is
// owed and the database still busy. Nothing can be played at any point;
// the next Open finishes it before it returns.
func TestDeleteAllOwedAcrossRestart(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	release := f.owingDeleteAll(s)
	recs, _ := f.db.Recordings(s.ID())
	id := recs[0].ID
	s.Silence()
	if err := f.db.Close(); err != nil {
		t.Logf("closing while busy: %v", err)
	}

	// Started again while the other process still holds the database.
	again := f.openBeside()
	refusedAsOwed(t, again, id, "started again while busy")
	if err := again.Unlock(passphrase); err == nil {
		refusedAsOwed(t, again, id, "unlocked while busy")
	}
	again.Close()

	release()
	db := f.openBeside()
	rec, err := db.Recording(id)
	if err != nil || rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
		t.Fatalf("after Open: %+v, %v; want deleted, withdrawn", rec, err)
	}
	journalEmpty(t, f.dir)
	if err := db.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenRecording(id); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording: %v, want ErrDeleted", err)
	}
	ss, _ := db.Session(s.ID())
	if got, want := storedSteps(t, db, ss), []string{"ask", "confirm", "withdraw delete-all"}; !equal(got, want) {
		t.Errorf("stored history %v, want %v", got, want)
	}
}

// TestDeleteLastOwed: "delete the last 5 minutes" is chosen while the
// database is busy, after a stop whose recording could not be marked
// complete. The cut is fixed then; a recording made afterwards (a later
// yes) is not touched by it; the part that re-seals what is kept finishes
// at the next Unlock, with the cut as it was chosen.
func TestDeleteLastOwed(t *testing.T) {
	f := newFixture(t)
	// Owed cuts, not the question at the end (lastword_test.go), are
	// under test: a practice that turned it off plays what is kept.
	if err := f.db.SetSetting(session.SettingEndQuestion, "false"); err != nil {
		t.Fatal(err)
	}
	s := f.start("Anna")
	f.record(s, 7*time.Minute)
	release := f.busy()
	if err := withdraw(s, consent.WithdrawKeep, 0); kindOf(err) != session.KindStepOwed {
		release()
		t.Fatalf("stop while busy: %v, want KindStepOwed", err)
	}
	err := withdraw(s, consent.WithdrawDeleteLast, 5)
	if kindOf(err) != session.KindWithdrawalOwed {
		release()
		t.Fatalf("delete the last 5 minutes while busy: %v, want KindWithdrawalOwed", err)
	}
	recs, _ := f.db.Recordings(s.ID())
	first := recs[0]
	_, cuts, err := f.db.Owed(s.ID())
	if err != nil || len(cuts) != 1 {
		release()
		t.Fatalf("owed cuts %+v, %v", cuts, err)
	}
	cut := cuts[0]
	// The stop could not mark the recording complete; the cut is of what
	// the session sealed: about 2 of 7 minutes kept.
	if first.State != storage.StateRecording || cut.Trim != first.ID || len(cut.Delete) != 0 {
		t.Errorf("recording %+v, cut %+v; want the unfinished recording cut short", first, cut)
	}
	refusedAsOwed(t, f.db, first.ID, "while busy")
	release()

	// The steps are stored; the cut waits: the recording is not finished
	// (its row says "recording" until the next unlock recovers it).
	if err := s.Retry(); err == nil || !s.Owed() {
		t.Fatalf("Retry: %v, owed %v; want the cut still owed", err, s.Owed())
	}
	refusedAsOwed(t, f.db, first.ID, "with the cut owed")

	// A later yes: a new recording, which the cut must not touch.
	if err := s.Apply(consent.Event{Kind: consent.EventReAsk, Actor: consent.Therapist()}); err != nil {
		t.Fatal(err)
	}
	anna := s.Participants()[0].ID
	if err := s.Apply(consent.Event{Kind: consent.EventConfirm, Actor: consent.ByParticipant(anna), Participant: anna}); err != nil {
		t.Fatalf("yes with a cut owed: %v", err)
	}
	waitFor(t, "the second recording", func() bool { return s.Level().Elapsed >= time.Second })
	if err := withdraw(s, consent.WithdrawKeep, 0); err != nil {
		t.Fatal(err)
	}
	recs, _ = f.db.Recordings(s.ID())
	if len(recs) != 2 || recs[1].State != storage.StateComplete {
		t.Fatalf("recordings %+v, want a second, complete", recs)
	}
	second := recs[1]

	f.db.Lock()
	if err := f.db.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	recs, _ = f.db.Recordings(s.ID())
	if got := recs[0]; got.Bytes != cut.Keep || got.State != storage.StateRecovered {
		t.Errorf("first recording after Unlock: %+v; want recovered and cut to %d bytes", got, cut.Keep)
	}
	// Constant bitrate (the default 32 kbit/s): bytes are time. The
	// recording ran a little past 7 minutes before the stop.
	if kept := time.Duration(cut.Keep) * time.Second / (32000 / 8); kept < 2*time.Minute-time.Second || kept > 2*time.Minute+20*time.Second {
		t.Errorf("the cut keeps %v of the first recording, want about 2 minutes", kept)
	}
	if got := recs[1]; got.Bytes != second.Bytes || got.State != storage.StateComplete || got.Duration != second.Duration {
		t.Errorf("the later recording was touched: %+v, was %+v", got, second)
	}
	journalEmpty(t, f.dir)
	if err := s.Retry(); err != nil || s.Owed() {
		t.Errorf("Retry after Unlock: %v, owed %v", err, s.Owed())
	}
	for _, r := range recs {
		rc, err := f.db.OpenRecording(r.ID)
		if err != nil {
			t.Errorf("OpenRecording %s once nothing is owed: %v", r.ID, err)
			continue
		}
		rc.Close()
	}
	ss, _ := f.db.Session(s.ID())
	want := []string{"ask", "confirm", "withdraw keep", "withdraw delete-last", "re-ask", "confirm", "withdraw keep"}
	if got := storedSteps(t, f.db, ss); !equal(got, want) {
		t.Errorf("stored history %v, want %v", got, want)
	}
}

// TestEndQueuedBehindOwed: the session ends while a withdrawal is owed.
// The end is stored after it, in order, and ending the sessions left open
// never stores an end ahead of it.
func TestEndQueuedBehindOwed(t *testing.T) {
	f := newFixture(t)
	s := f.start("Anna")
	release := f.owingDeleteAll(s)
	if err := s.End(consent.Therapist()); kindOf(err) != session.KindEndNotStored {
		release()
		t.Fatalf("end while busy: %v, want KindEndNotStored", err)
	}
	ss, _ := f.db.Session(s.ID())
	left, err := session.LeftOpen(f.db, "")
	if err != nil || len(left) != 1 {
		release()
		t.Fatalf("left open: %+v, %v", left, err)
	}
	// Still busy: the owed steps cannot be stored, so no end either.
	if n := session.EndLeftOpen(f.db, left, time.UTC, t.Logf, func() bool { return true }); n != 0 {
		t.Errorf("EndLeftOpen ended %d while its steps were owed", n)
	}
	if got, want := storedSteps(t, f.db, ss), []string{"ask", "confirm"}; !equal(got, want) {
		t.Errorf("stored while owed: %v, want %v", got, want)
	}
	release()

	// Free again, before the session's own retry: ending what was left
	// open stores the owed steps first, and adds no end of its own.
	if n := session.EndLeftOpen(f.db, left, time.UTC, t.Logf, func() bool { return true }); n != 1 {
		t.Errorf("EndLeftOpen ended %d, want 1", n)
	}
	want := []string{"ask", "confirm", "withdraw delete-all", "end"}
	if got := storedSteps(t, f.db, ss); !equal(got, want) {
		t.Errorf("stored history %v, want %v", got, want)
	}
	evs, _ := f.db.ConsentEvents(s.ID())
	if last := evs[len(evs)-1]; last.Actor != "therapist" {
		t.Errorf("the end stored is by %s, want the therapist's own", last.Actor)
	}
	if err := s.Retry(); err != nil || s.Owed() {
		t.Errorf("Retry: %v, owed %v", err, s.Owed())
	}
	if left, _ := session.LeftOpen(f.db, ""); len(left) != 0 {
		t.Errorf("still open: %+v", left)
	}
	journalEmpty(t, f.dir)
}
