package app

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/dbtest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// holdWriteLock holds the practice database's write lock as another
// process would, until release.
func holdWriteLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	return dbtest.HoldWriteLock(t, dir, storage.DBFile)
}

// TestStorageFailingAtEachStepIsSaid: storage fails at each step of a
// session (the database held by another process past the busy timeout, or
// the recording's file gone) and the screen the step was taken on says
// that problem's sentence, which says what is true.
func TestStorageFailingAtEachStepIsSaid(t *testing.T) {
	testBusyTimeout = 100 * time.Millisecond
	t.Cleanup(func() { testBusyTimeout = 0 })
	said := func(t *testing.T, u *UI, got string, kind session.Kind) {
		t.Helper()
		if want := u.problemText(&session.Problem{Kind: kind}); got != want {
			t.Errorf("the screen says %q, want the sentence of %v: %q", got, kind, want)
		}
	}

	t.Run("start", func(t *testing.T) {
		f := newSessionFixture(t)
		f.unlockPractice(t)
		st := f.startScreen(t)
		test.Type(st.rows[0].name, "Anna")
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(st.begin)
		release()
		if _, ok := f.u.screen.(*startScreen); !ok {
			t.Fatalf("the session screen shows %T for a session that was not stored", f.u.screen)
		}
		said(t, f.u, st.problem.Text, session.KindNotStarted)
	})
	t.Run("yes", func(t *testing.T) {
		f := newSessionFixture(t)
		f.unlockPractice(t)
		k := f.startSession(t, "Anna")
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.yes[k.run.Participants()[0].ID])
		release()
		said(t, f.u, k.problem.Text, session.KindAnswerNotStored)
		if k.run.Recording() || f.mic.opened.Load() != 0 {
			t.Error("recording, or the microphone opened, without the yes on disk")
		}
	})
	t.Run("stop", func(t *testing.T) {
		f := newSessionFixture(t)
		k := f.recording(t, 500*time.Millisecond)
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.stop)
		recording := k.run.Recording()
		release()
		said(t, f.u, k.problem.Text, session.KindStepOwed)
		if recording || f.mic.isOpen() {
			t.Error("still recording after Stop")
		}
	})
	t.Run("delete all, owed", func(t *testing.T) {
		f := newSessionFixture(t)
		k := f.recording(t, 500*time.Millisecond)
		test.Tap(k.stop)
		rec := onlyRecording(t, f)
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.dropAll)
		said(t, f.u, k.problem.Text, session.KindWithdrawalOwed)
		if hasLabel(k.body.Objects, appText.AllDeletedText) {
			t.Error("the client screen says everything was deleted while the deletion is owed")
		}
		if msg := playRefusal(f.db, rec, speakerNotUsed{t}); msg != owedRecordingText {
			t.Errorf("the library offers to play an owed recording: %q", msg)
		}
		if _, err := f.db.OpenRecording(rec.ID); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording of an owed recording: %v", err)
		}
		release()
		if err := k.run.Retry(); err != nil {
			t.Fatalf("Retry once the database is free: %v", err)
		}
		settle(f.u)
		if !hasLabel(k.body.Objects, appText.AllDeletedText) || k.problem.Text != "" {
			t.Errorf("once deleted the screen says %q (problem %q)", visibleTexts(f.u.win), k.problem.Text)
		}
		afterRestart(t, f, rec.ID)
	})
	t.Run("delete all, not even journaled", func(t *testing.T) {
		f := newSessionFixture(t)
		k := f.recording(t, 500*time.Millisecond)
		test.Tap(k.stop)
		// An injected fault: the owed journal's folder cannot be made (a
		// file stands in its place), and the database is busy.
		if err := os.WriteFile(filepath.Join(f.u.opt.DataDir, storage.OwedDir), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.dropAll)
		release()
		said(t, f.u, k.problem.Text, session.KindWithdrawalNotStored)
		if hasLabel(k.body.Objects, appText.AllDeletedText) {
			t.Error("the client screen says everything was deleted though nothing could be written")
		}
	})
	t.Run("delete the last minutes, failing", func(t *testing.T) {
		f := longRecordingFixture(t)
		k := f.recording(t, 5*time.Minute+5*time.Second)
		test.Tap(k.stop)
		rec := onlyRecording(t, f)
		files, _ := filepath.Glob(filepath.Join(f.u.opt.DataDir, storage.RecordingsDir, rec.ID+"*"))
		for _, name := range files {
			os.Remove(name) // storage cannot re-seal what is kept
		}
		test.Tap(k.dropLast)
		said(t, f.u, k.problem.Text, session.KindDeleteLastFailed)
		if hasLabel(k.body.Objects, appText.lastDeletedText(deleteLastMin)) {
			t.Error("the client screen says the last minutes were deleted")
		}
	})
	t.Run("delete the last minutes, owed", func(t *testing.T) {
		f := longRecordingFixture(t)
		k := f.recording(t, 5*time.Minute+5*time.Second)
		test.Tap(k.stop)
		rec := onlyRecording(t, f)
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.dropLast)
		said(t, f.u, k.problem.Text, session.KindWithdrawalOwed)
		if hasLabel(k.body.Objects, appText.lastDeletedText(deleteLastMin)) {
			t.Error("the client screen says the last minutes were deleted while it is owed")
		}
		if _, err := f.db.OpenRecording(rec.ID); !errors.Is(err, storage.ErrOwed) {
			t.Errorf("OpenRecording while its cut is owed: %v", err)
		}
		release()
		if err := k.run.Retry(); err != nil {
			t.Fatalf("Retry once the database is free: %v", err)
		}
		settle(f.u)
		if !hasLabel(k.body.Objects, appText.lastDeletedText(deleteLastMin)) {
			t.Errorf("once cut the screen says %q", visibleTexts(f.u.win))
		}
		if r, _ := f.db.Recording(rec.ID); r.Duration > rec.Duration-5*time.Minute+time.Second {
			t.Errorf("kept %v of %v after deleting the last 5 minutes", r.Duration, rec.Duration)
		}
	})
	t.Run("end", func(t *testing.T) {
		f := newSessionFixture(t)
		f.unlockPractice(t)
		ss := f.openSession(t, "Anna")
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(ss.end)
		release()
		sum, ok := f.u.screen.(*summaryScreen)
		if !ok {
			t.Fatalf("after End the screen is %T", f.u.screen)
		}
		said(t, f.u, sum.problem.Text, session.KindEndNotStored)
	})
	// The question at the end: Anna's keep not stored. The screen says so
	// and does not say "Anna said keep it" (DESIGN rule 10), while Ben is
	// still asked.
	t.Run("keep at the end", func(t *testing.T) {
		f := newSessionFixture(t)
		f.unlockPractice(t)
		k := f.startSession(t, "Anna", "Ben")
		for _, p := range k.run.Participants() {
			test.Tap(k.yes[p.ID])
		}
		waitRecorded(t, k, 500*time.Millisecond)
		k = f.endToQuestion(t, k)
		anna := k.run.Participants()[0]
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.keepIt[anna.ID])
		release()
		if k.problem.Text == "" || k.problem.Text == appText.AnswerNotTakenText {
			t.Errorf("the screen says %q for a keep that was not stored", k.problem.Text)
		}
		if text := screenText(f); strings.Contains(text, appText.saidKeepText("Anna")) {
			t.Errorf("the screen says Anna's keep was taken before storage took it:\n%s", text)
		}
	})
	// "I'd like to be asked again" not stored: the client is not told it
	// took, since the next session would start as notes only again.
	t.Run("ask again", func(t *testing.T) {
		f := newSessionFixture(t)
		f.unlockPractice(t)
		k := f.startSession(t, "Anna")
		test.Tap(k.dontAsk[k.run.Participants()[0].ID])
		f.endNotesOnly(t, k)
		next := f.openSession(t, "Anna")
		test.Tap(next.ask)
		k = f.u.screen.(*kioskScreen)
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.askAgain)
		release()
		if text := screenText(f); strings.Contains(text, appText.AskAgainDoneText) || k.problem.Text == "" {
			t.Errorf("ask-again not stored, the screen says (problem %q):\n%s", k.problem.Text, text)
		}
		if c, _ := f.db.Client(k.run.Client().ID); c.NotAskedSince.IsZero() {
			t.Error("the client's record no longer says don't ask, yet the test held the database")
		}
	})
}

// The steps a client takes after each other are refused by consent, not
// by storage: those say "not possible now", never a storage sentence.
func TestRefusalIsNotAProblem(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	ss.do(consent.EventResume) // nothing to resume
	if ss.problem.Text != appText.NotPossibleText {
		t.Errorf("a refused step reads %q, want %q", ss.problem.Text, appText.NotPossibleText)
	}
}

// longRecordingFixture is a session fixture whose microphone gives over
// five minutes of speech as fast as the encoder takes it.
func longRecordingFixture(t *testing.T) *sessionFixture {
	t.Helper()
	f := newSessionFixture(t)
	pcm, err := os.ReadFile(testmic.New(t, "We talk for a while.").Fixture)
	if err != nil {
		t.Fatal(err)
	}
	f.mic = &countingMic{Mic: audio.PCMMic{R: bytes.NewReader(bytes.Repeat(pcm, 300)), Rate: testmic.Rate}}
	f.u.opt.Microphones = oneMicrophone{f.mic}
	return f
}

// onlyRecording is the one recording of the session on the client screen.
func onlyRecording(t *testing.T, f *sessionFixture) storage.Recording {
	t.Helper()
	k := f.u.screen.(*kioskScreen)
	recs, err := f.db.Recordings(k.run.ID())
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings %+v, %v", recs, err)
	}
	return recs[0]
}

// afterRestart opens the practice again, as the next start would, and
// checks that recording id, withdrawn, can never be played.
func afterRestart(t *testing.T, f *sessionFixture, id string) {
	t.Helper()
	f.u.Shutdown()
	f.db.Close()
	db, err := storage.Open(f.u.opt.DataDir, storage.Options{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Unlock(goodPassphrase); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenRecording(id); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("after the next start the withdrawn recording opens: %v", err)
	}
}
