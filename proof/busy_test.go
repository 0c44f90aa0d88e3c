package proof_test

import (
	"errors"
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

// TestDatabaseBusy: another process (a backup tool, a second Assent) holds
// the database's write lock for longer than Assent waits (the busy
// timeout; 500 ms here to keep the trial short, 5 s in the app) while a
// recording is being made. Stop still stops at once; the step, which
// needs the database, is journaled as owed (KindStepOwed), not a hang or
// a panic; and once the lock is gone, nothing agreed is lost: the next
// start stores the stop in order, the recording is recovered at the next
// unlock, and the audit chain verifies.
func TestDatabaseBusy(t *testing.T) {
	_, pcm := speechPCM(t)
	dir, clientID := newFolder(t)
	sopt := storageOptions()
	sopt.BusyTimeout = 500 * time.Millisecond
	db, err := storage.Open(dir, sopt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Unlock(passphrase); err != nil {
		t.Fatal(err)
	}
	tr := recordTrial(t, db, clientID, audio.PCMMic{R: &testmic.PacedReader{PCM: pcm, Speed: 4}, Rate: testmic.Rate})
	id := tr.recordingID(t)
	time.Sleep(2 * time.Second) // 8 s of audio

	// The other process takes the write lock and keeps it.
	release := dbtest.HoldWriteLock(t, dir, storage.DBFile)

	// Stopping needs no database: capture stops. Storing the step needs
	// it: within the busy timeout it is journaled as owed instead, and the
	// consent history is not half-written.
	start := time.Now()
	err = tr.withdraw(consent.WithdrawKeep)
	waited := time.Since(start)
	var p *session.Problem
	if !errors.As(err, &p) || p.Kind != session.KindStepOwed {
		t.Fatalf("a stop while another process held the write lock: %v, want KindStepOwed (journaled, stored later)", err)
	} else if !strings.Contains(p.Err.Error(), "lock") && !strings.Contains(p.Err.Error(), "busy") {
		t.Errorf("the error does not say the database is busy: %v", p.Err)
	}
	if tr.Recording() {
		t.Error("still recording after the stop")
	}
	if waited > 30*time.Second {
		t.Errorf("waited %v for a busy database", waited)
	}
	t.Logf("stop while busy: %v after %v", err, waited.Round(time.Millisecond))

	release()
	db.Close()

	// Next start: everything captured is there.
	db = openUnlocked(t, dir)
	defer db.Close()
	if err := db.VerifyAudit(); err != nil {
		t.Fatalf("audit chain after the busy spell: %v", err)
	}
	r, err := db.Recording(id)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != storage.StateComplete && r.State != storage.StateRecovered {
		t.Fatalf("recording is %s after the busy spell", r.State)
	}
	mp3, err := readRecording(db, id)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeMP3(mp3)
	if err != nil {
		t.Fatal(err)
	}
	if d.Duration < 7*time.Second {
		t.Errorf("after the busy spell %.2fs plays of about 8 s recorded", d.Duration.Seconds())
	}
	evs, err := db.ConsentEvents(tr.ID())
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Kind != "withdraw" {
		t.Errorf("the owed stop was not stored at the next start: the last step is %s", last.Kind)
	}
	t.Logf("recording %s: %s, %.2fs plays", id, r.State, d.Duration.Seconds())
}
