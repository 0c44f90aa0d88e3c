package proof_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assent-recorder/assent/audio"
	"github.com/assent-recorder/assent/audio/testmic"
	"github.com/assent-recorder/assent/consent"
	"github.com/assent-recorder/assent/internal/dbtest"
	"github.com/assent-recorder/assent/session"
	"github.com/assent-recorder/assent/storage"
)

// The owed withdrawal trial (DESIGN.md rule 10: "a withdrawal that could
// not be stored is owed, finished as soon as it can be, and nothing owed
// can be played or exported meanwhile"). A child process records, then
// the client chooses "delete all" while another process (here the parent)
// holds the database's write lock; the child says "owed" once the session
// has journaled the withdrawal, and is killed with SIGKILL before the lock
// is released. The parent then opens the folder as the next start would:
// nothing may be playable at any point, and the withdrawal must be
// finished as soon as the database is free.

// Environment of the owed trial's child.
const (
	envOwedDir    = "ASSENT_OWED_DIR"
	envOwedClient = "ASSENT_OWED_CLIENT"
	envOwedPCM    = "ASSENT_OWED_FIXTURE"
	envOwedBusy   = "ASSENT_OWED_BUSY" // a file the parent makes once it holds the lock
)

// owedBusyTimeout keeps the trial short (5 s in the app).
const owedBusyTimeout = 300 * time.Millisecond

// TestOwedChild is the child of TestCrashOwedWithdrawal; run by itself it
// does nothing. It prints "recording <id>" once recording, waits until the
// database is busy, withdraws with "delete all", prints "owed" when the
// session says the withdrawal is owed, and waits to be killed.
func TestOwedChild(t *testing.T) {
	dir := os.Getenv(envOwedDir)
	if dir == "" {
		t.Skip("the child of TestCrashOwedWithdrawal; not a test by itself")
	}
	time.AfterFunc(childLife, func() { fmt.Println("fail: never killed"); os.Exit(3) })
	// A failure ends this child's test, and the parent reads why.
	opt := storageOptions()
	opt.BusyTimeout = owedBusyTimeout
	db, err := storage.Open(dir, opt)
	if err == nil {
		err = db.Unlock(passphrase)
	}
	pcm, rerr := os.ReadFile(os.Getenv(envOwedPCM))
	if err = errors.Join(err, rerr); err != nil {
		t.Fatal(err)
	}
	tr := recordTrial(t, db, os.Getenv(envOwedClient), audio.PCMMic{R: &testmic.PacedReader{PCM: pcm}, Rate: testmic.Rate})
	fmt.Println("recording", tr.recordingID(t))
	for {
		if _, err := os.Stat(os.Getenv(envOwedBusy)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	err = tr.withdraw(consent.WithdrawDeleteAll)
	var p *session.Problem
	if !errors.As(err, &p) || p.Kind != session.KindWithdrawalOwed {
		t.Fatalf("delete all while the database is busy: %v, want KindWithdrawalOwed", err)
	}
	fmt.Println("owed")
	select {}
}

// TestCrashOwedWithdrawal: see the comment at the top of this file.
func TestCrashOwedWithdrawal(t *testing.T) {
	fixture, _ := speechPCM(t)
	dir, clientID := newFolder(t)
	busy := filepath.Join(t.TempDir(), "busy")
	c := startTestChild(t, "TestOwedChild", envOwedDir+"="+dir, envOwedClient+"="+clientID, envOwedPCM+"="+fixture, envOwedBusy+"="+busy)
	c.until(t, 30*time.Second, func(l line) bool { return strings.HasPrefix(l.text, "recording ") })
	time.Sleep(time.Second) // a second of audio

	release := holdWriteLock(t, dir)
	defer release()
	if err := os.WriteFile(busy, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c.until(t, 30*time.Second, func(l line) bool { return l.text == "owed" })
	notPlayable(t, dir, c.id, "owed, the child alive")
	c.kill(t)
	notPlayable(t, dir, c.id, "the child killed, the database still busy")

	release()
	db := openUnlocked(t, dir)
	rec, err := db.Recording(c.id)
	if err != nil || rec.State != storage.StateDeleted || rec.DeleteReason != storage.ReasonWithdrawn {
		t.Fatalf("after the next start: %+v, %v; want deleted, withdrawn", rec, err)
	}
	if _, err := db.OpenRecording(c.id); !errors.Is(err, storage.ErrDeleted) {
		t.Errorf("OpenRecording: %v, want ErrDeleted", err)
	}
	if err := db.VerifyAudit(); err != nil {
		t.Errorf("audit chain: %v", err)
	}
	if st, err := db.Status(); err != nil || st.Owed != 0 {
		t.Errorf("status: %+v, %v; want nothing owed", st, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, storage.RecordingsDir, c.id+"*"))
	if len(files) != 0 {
		t.Errorf("still on disk: %v", files)
	}
	sessions, err := db.Sessions(clientID)
	if err != nil || len(sessions) != 1 {
		t.Fatalf("sessions %+v, %v", sessions, err)
	}
	cs, err := session.Replay(db, sessions[0], time.UTC)
	if err != nil {
		t.Fatalf("the history does not replay: %v", err)
	}
	evs := cs.Events()
	if last := evs[len(evs)-1]; last.Kind != consent.EventWithdraw || last.Withdrawal != consent.WithdrawDeleteAll {
		t.Errorf("the last stored step is %+v, want the withdrawal with delete all", last)
	}
	t.Logf("recording %s: owed while busy, never playable, erased at the next start", c.id)
}

// notPlayable opens the folder as another process would, while the
// database may be busy, and checks that the recording is refused as owed.
func notPlayable(t *testing.T, dir, id, when string) {
	t.Helper()
	opt := storageOptions()
	opt.BusyTimeout = owedBusyTimeout
	db, err := storage.Open(dir, opt)
	if err != nil {
		t.Fatalf("%s: Open: %v", when, err)
	}
	defer db.Close()
	if _, err := db.OpenRecording(id); !errors.Is(err, storage.ErrOwed) {
		t.Errorf("%s: OpenRecording = %v, want ErrOwed", when, err)
	}
}

// holdWriteLock holds the database's write lock from another connection,
// as a backup tool would, until release (which may be called again).
func holdWriteLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	return dbtest.HoldWriteLock(t, dir, storage.DBFile)
}
