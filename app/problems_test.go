package app

import (
	"bytes"
	"os"
	"path/filepath"
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
	t.Run("withdrawal", func(t *testing.T) {
		f := newSessionFixture(t)
		k := f.recording(t, 500*time.Millisecond)
		release := holdWriteLock(t, f.u.opt.DataDir)
		test.Tap(k.stop)
		recording := k.run.Recording()
		release()
		said(t, f.u, k.problem.Text, session.KindWithdrawalNotStored)
		if recording {
			t.Error("still recording after Stop")
		}
	})
	t.Run("delete the last minutes", func(t *testing.T) {
		f := newSessionFixture(t)
		// Over five minutes of speech, read as fast as the encoder takes it.
		pcm, err := os.ReadFile(testmic.New(t, "We talk for a while.").Fixture)
		if err != nil {
			t.Fatal(err)
		}
		f.u.opt.Microphones = oneMicrophone{audio.PCMMic{R: bytes.NewReader(bytes.Repeat(pcm, 300)), Rate: testmic.Rate}}
		k := f.recording(t, 5*time.Minute+5*time.Second)
		test.Tap(k.stop)
		recs, _ := f.db.Recordings(k.run.ID())
		files, _ := filepath.Glob(filepath.Join(f.u.opt.DataDir, storage.RecordingsDir, recs[0].ID+"*"))
		for _, name := range files {
			os.Remove(name) // storage cannot re-seal what is kept
		}
		test.Tap(k.dropLast)
		said(t, f.u, k.problem.Text, session.KindDeleteLastFailed)
		if hasLabel(k.body.Objects, lastDeletedText(deleteLastMin)) {
			t.Error("the client screen says the last minutes were deleted")
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
}

// The steps a client takes after each other are refused by consent, not
// by storage: those say "not possible now", never a storage sentence.
func TestRefusalIsNotAProblem(t *testing.T) {
	f := newSessionFixture(t)
	f.unlockPractice(t)
	ss := f.openSession(t, "Anna")
	ss.do(consent.EventResume) // nothing to resume
	if ss.problem.Text != notPossibleText {
		t.Errorf("a refused step reads %q, want %q", ss.problem.Text, notPossibleText)
	}
}
